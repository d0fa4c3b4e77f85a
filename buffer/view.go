package buffer

// Pullup makes the first n bytes of b contiguous and returns them; n < 0
// means all of b. It returns nil if b holds fewer than n bytes. The slice
// aliases b's storage: it is valid until the next call that modifies b,
// and writing to it changes b's contents (or, for bytes added with
// AddReference, the caller's memory). Pullup copies only when the
// bytes span chunks, into the head chunk if it is large enough, else into
// a new chunk; more than 64 KiB is gathered into one exact-size
// allocation.
func (b *Buffer) Pullup(n int) []byte {
	// The common case, bytes already in one piece of memory, returns
	// here without calling pullup. (Pullup is over the compiler's inlining
	// budget, so it is still a call.) A file segment has off == end == 0,
	// so n > 0 excludes it.
	if h := b.head; h != nil && n > 0 && n <= h.end-h.off {
		return h.buf[h.off : h.off+n : h.off+n]
	}
	return b.pullup(n)
}

// pullup is Pullup when the first n bytes are not already contiguous in
// memory.
func (b *Buffer) pullup(n int) []byte {
	if n < 0 {
		n = b.n
	}
	if n > b.n {
		return nil
	}
	if n == 0 {
		return []byte{}
	}
	h := b.head
	if h.kind == kindFile && !b.load(h) {
		return nil
	}
	if h.size() >= n {
		return h.buf[h.off : h.off+n : h.off+n]
	}
	b.cancelReserve()
	if h.kind == kindMem && len(h.buf) >= n {
		return b.pullupInPlace(h, n)
	}
	var c *chunk
	if n <= maxChunk {
		c = newChunk(classFor(n))
	} else {
		c = newBare()
		c.buf = make([]byte, n)
	}
	if b.copyOut(h, 0, c.buf[:n]) < n {
		freeChunk(c)
		return nil
	}
	c.end = n
	// References are released once c is in place: their release
	// functions see b as it is, and may change it.
	refs := b.unlink(n)
	c.next = b.head
	b.head = c
	if b.tail == nil {
		b.tail = c
	}
	b.n += n
	b.releaseRefs(refs)
	return c.buf[:n:n]
}

// pullupInPlace gathers the first n bytes into the head chunk h, whose
// storage is large enough, moving its data to the start if needed.
func (b *Buffer) pullupInPlace(h *chunk, n int) []byte {
	if h.off+n > len(h.buf) {
		h.end = copy(h.buf, h.buf[h.off:h.end])
		h.off = 0
	}
	s0 := h.size()
	need := n - s0
	if b.copyOut(h.next, 0, h.buf[h.end:h.end+need]) < need {
		return nil
	}
	// Remove the copied bytes from the chunks after h, count h in
	// again, and only then release references (as in pullup).
	b.head, b.n = h.next, b.n-s0
	refs := b.unlink(need)
	h.end += need
	h.next = b.head
	b.head = h
	if b.tail == nil {
		b.tail = h
	}
	b.n += n
	b.releaseRefs(refs)
	return h.buf[h.off : h.off+n : h.off+n]
}

// ContiguousSpace returns how many bytes at the front of b sit in one piece
// of memory (libevent's evbuffer_get_contiguous_space): Pullup of that many
// or fewer copies nothing. A file segment at the front counts 0 (its bytes
// are not in memory).
func (b *Buffer) ContiguousSpace() int {
	h := b.head
	if h == nil || h.kind == kindFile {
		return 0
	}
	return h.end - h.off
}

// Front returns the bytes at the front of b that sit in one piece of
// memory, the first ContiguousSpace() of them, without copying: nil if b
// is empty or starts with a file segment. The slice aliases b's storage
// and, like Pullup's, is valid until the next call that modifies b; its
// capacity ends with its length. It is Pullup(ContiguousSpace()) made
// small enough for the compiler to inline, so that a caller that writes
// out a Buffer held in one piece (stream.Conn.WriteBuffer, for every
// echoed message) pays no call for the view.
func (b *Buffer) Front() []byte {
	h := b.head
	if h == nil {
		return nil
	}
	return h.buf[h.off:h.end:h.end] // a file segment: nil[0:0:0]
}

// PeekMemory is Peek for writing out without reading files: it appends
// the slices of b's storage that hold its first n bytes (n < 0: all of
// them), stopping before the first file segment, which it leaves unread,
// and when vecs is full (len(vecs) == cap(vecs)). The slices are valid
// until the next call that modifies b. stream.Conn hands them to a batch
// of sendmsg(2) calls; a file segment at the front gets nothing.
func (b *Buffer) PeekMemory(n int, vecs [][]byte) [][]byte {
	if n < 0 || n > b.n {
		n = b.n
	}
	for c := b.head; c != nil && n > 0 && len(vecs) < cap(vecs); c = c.next {
		if c.kind == kindFile {
			break
		}
		d := c.buf[c.off:c.end:c.end]
		if len(d) > n {
			d = d[:n:n]
		}
		vecs = append(vecs, d)
		n -= len(d)
	}
	return vecs
}

// Peek appends to vecs the slices of b's storage that hold its first n
// bytes (n < 0: all of them), without copying, and returns the extended
// vecs; the slices hold exactly n bytes in total, or all of b if it holds
// fewer. File segments in that range are read into memory first; a file
// that cannot be read ends the slices there, short of n (Err says why).
// The slices are valid until the next call that modifies b.
func (b *Buffer) Peek(n int, vecs [][]byte) [][]byte {
	if n < 0 || n > b.n {
		n = b.n
	}
	for c := b.head; c != nil && n > 0; c = c.next {
		if c.kind == kindFile && !b.load(c) {
			break
		}
		d := c.buf[c.off:c.end:c.end]
		if len(d) > n {
			d = d[:n:n]
		}
		vecs = append(vecs, d)
		n -= len(d)
	}
	return vecs
}
