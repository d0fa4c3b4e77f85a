package buffer

import "fmt"

// maxReserve bounds what one Reserve hands out, so a caller's size never
// turns directly into an allocation.
const maxReserve = (len(Buffer{}.vecs) - 1) * maxChunk

// Reserve returns writable space at the end of b of at least
// min(n, 192 KiB) bytes as one or more slices: the tail chunk's
// free space, then new chunks. Nothing is added to b until Commit; any
// other call that modifies b cancels the reservation. The slices are
// valid until then. Reserve returns nil if the back is frozen and panics
// if n < 0.
func (b *Buffer) Reserve(n int) [][]byte {
	if n < 0 {
		panic("buffer: Reserve of a negative length")
	}
	if b.backFrozen {
		return nil
	}
	b.cancelReserve()
	n = min(n, maxReserve)
	vecs := b.vecs[:0]
	if t := b.tail; t != nil && t.free() > 0 {
		b.resvTail = t.free()
		vecs = append(vecs, t.buf[t.end:])
	}
	got := b.resvTail
	var last *chunk
	for got < n {
		c := newChunk(classFor(n - got))
		if last == nil {
			b.resv = c
		} else {
			last.next = c
		}
		last = c
		vecs = append(vecs, c.buf)
		got += len(c.buf)
	}
	b.resvN = got
	b.updateSpecial()
	return vecs
}

// Commit adds to b the first n bytes of the space returned by the last
// Reserve, and releases the rest. It panics if n < 0 or n is more than
// was reserved.
func (b *Buffer) Commit(n int) {
	if n < 0 || n > b.resvN {
		panic(fmt.Sprintf("buffer: Commit of %d bytes with %d reserved", n, b.resvN))
	}
	orig := b.n
	left := n
	if b.resvTail > 0 {
		k := min(left, b.resvTail)
		b.tail.end += k
		b.n += k
		left -= k
	}
	for c := b.resv; c != nil; {
		next := c.next
		if left > 0 {
			c.end = min(left, len(c.buf))
			left -= c.end
			b.link(c)
		} else {
			freeChunk(c)
		}
		c = next
	}
	b.resv, b.resvTail, b.resvN = nil, 0, 0
	clear(b.vecs[:])
	b.updateSpecial()
	b.notify(orig, n, 0)
}

// cancelReserve drops an outstanding reservation. It is small enough to
// be inlined, so that the common case (none) costs a test, not a call.
func (b *Buffer) cancelReserve() {
	if b.resvN != 0 {
		b.dropReserve()
	}
}

// dropReserve is cancelReserve when there is a reservation.
func (b *Buffer) dropReserve() {
	for c := b.resv; c != nil; {
		next := c.next
		freeChunk(c)
		c = next
	}
	b.resv, b.resvTail, b.resvN = nil, 0, 0
	clear(b.vecs[:])
	b.updateSpecial()
}
