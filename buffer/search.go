package buffer

import "bytes"

// A Pos is a position in a Buffer, like libevent's evbuffer_ptr. Besides
// the offset it remembers which chunk the offset falls in, so that a
// search continued from a Pos costs the distance searched, not the offset.
// The cursor is only a hint: after b changes at the front (a removal,
// Prepend, Pullup) a Pos is re-resolved from Offset, which then means the
// offset in the changed buffer.
type Pos struct {
	// Offset is the number of bytes before the position; -1 means
	// "not found". The zero Pos is the start of any buffer.
	Offset int

	b   *Buffer // the buffer the cursor belongs to; nil: no cursor
	c   *chunk  // chunk holding Offset
	k   int     // bytes of c's data before Offset
	gen uint64  // b.gen when the cursor was made
}

// pos makes a Pos with a cursor.
func (b *Buffer) pos(off int, c *chunk, k int) Pos {
	return Pos{Offset: off, b: b, c: c, k: k, gen: b.gen}
}

var notFound = Pos{Offset: -1}

// resolve returns the chunk and in-chunk offset of p (nil p: the start).
// It reports false if p is not a position in b (Offset < 0 or > Len).
// At the end of b it may return a nil chunk.
func (b *Buffer) resolve(p *Pos) (c *chunk, k int, ok bool) {
	if p == nil {
		return b.head, 0, true
	}
	if p.Offset < 0 || p.Offset > b.n {
		return nil, 0, false
	}
	if p.b == b && p.gen == b.gen && p.c != nil {
		c, k = p.c, p.k
	} else {
		c, k = b.head, p.Offset
	}
	// Step over chunks the offset is past; a file segment loaded since
	// the cursor was made may have been split.
	for c != nil && k >= c.size() && c.next != nil {
		k -= c.size()
		c = c.next
	}
	return c, k, true
}

// PosAt returns the position offset bytes into b, and false if offset is
// not in [0, Len]. It costs O(chunks before offset).
func (b *Buffer) PosAt(offset int) (Pos, bool) {
	if offset < 0 || offset > b.n {
		return notFound, false
	}
	c, k, _ := b.resolve(&Pos{Offset: offset})
	return b.pos(offset, c, k), true
}

// Advance moves p forward by n bytes. It reports false, leaving p
// unchanged, if the result would be past the end of b or p is not a
// position in b; it panics if n < 0. It costs O(chunks crossed).
func (b *Buffer) Advance(p *Pos, n int) bool {
	if n < 0 {
		panic("buffer: Advance by a negative length")
	}
	c, k, ok := b.resolve(p)
	if !ok || n > b.n-p.Offset {
		return false
	}
	k += n
	for c != nil && k >= c.size() && c.next != nil {
		k -= c.size()
		c = c.next
	}
	*p = b.pos(p.Offset+n, c, k)
	return true
}

// Search returns the position of the first occurrence of what in b at or
// after start (nil: the start of b), or a Pos with Offset -1. Matches that
// span chunks are found. An empty what matches at start.
func (b *Buffer) Search(what []byte, start *Pos) Pos {
	return b.SearchRange(what, start, nil)
}

// SearchRange is Search limited to matches that end at or before end
// (nil: the end of b).
func (b *Buffer) SearchRange(what []byte, start, end *Pos) Pos {
	c, k, ok := b.resolve(start)
	if !ok {
		return notFound
	}
	off := 0
	if start != nil {
		off = start.Offset
	}
	limit := b.n
	if end != nil {
		if end.Offset < 0 {
			return notFound
		}
		limit = min(limit, end.Offset)
	}
	if off+len(what) > limit {
		return notFound
	}
	if len(what) == 0 {
		return b.pos(off, c, k)
	}
	for ; c != nil; c, k = c.next, 0 {
		if c.kind == kindFile {
			var ok bool
			if c, k, ok = b.loadAt(c, k); !ok {
				return notFound
			}
		}
		seg := c.buf[c.off+k : c.end]
		lastStart := limit - len(what) - off // last allowed start, relative to seg
		if lastStart < 0 {
			return notFound
		}
		if i := bytes.Index(seg, what); i >= 0 {
			// Matches inside seg start before any spanning match.
			if i > lastStart {
				return notFound
			}
			return b.pos(off+i, c, k+i)
		}
		// Starts whose match would run into the next chunks.
		for s := max(0, len(seg)-len(what)+1); s < len(seg) && s <= lastStart; s++ {
			j := bytes.IndexByte(seg[s:], what[0])
			if j < 0 {
				break
			}
			s += j
			if s > lastStart {
				break
			}
			if b.matchAt(c, k+s, what) {
				return b.pos(off+s, c, k+s)
			}
		}
		off += len(seg)
	}
	return notFound
}

// matchAt reports whether the bytes k bytes into chunk c's data equal what.
func (b *Buffer) matchAt(c *chunk, k int, what []byte) bool {
	for ; c != nil; c, k = c.next, 0 {
		if c.kind == kindFile {
			var ok bool
			if c, k, ok = b.loadAt(c, k); !ok {
				return false
			}
		}
		d := c.buf[c.off+k : c.end]
		if len(d) >= len(what) {
			return bytes.Equal(d[:len(what)], what)
		}
		if !bytes.Equal(d, what[:len(d)]) {
			return false
		}
		what = what[len(d):]
	}
	return len(what) == 0
}
