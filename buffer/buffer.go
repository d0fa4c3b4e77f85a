package buffer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
)

// ErrFrozen is returned by an operation on the frozen end of a Buffer: a
// removal while the front is frozen, an addition while the back is frozen.
var ErrFrozen = errors.New("buffer: frozen")

// A Buffer is a queue of bytes kept in a chain of pooled chunks; see the
// package documentation. The zero value is an empty buffer ready to use.
//
// A Buffer is not safe for concurrent use: it belongs to the goroutine of
// the event loop that owns it.
type Buffer struct {
	head, tail *chunk
	n          int // bytes in the chain

	// gen changes whenever offsets or chunks already in the chain move
	// (removal, prepend, pullup); a Pos made under another gen is
	// re-resolved from its Offset.
	gen uint64

	frontFrozen, backFrozen bool

	// The outstanding reservation (Reserve): resvTail bytes of the tail
	// chunk's free space, then the chunks in resv (not yet in the chain).
	// resvN is the total; zero means no reservation.
	resv     *chunk
	resvTail int
	resvN    int
	vecs     [4][]byte // storage for the slices Reserve returns

	// scratch holds a line ReadLine could not return in place.
	scratch []byte

	// err is the first file-segment read error met by a method that
	// cannot return it.
	err error

	// spare is the struct of a consumed reference kept for the next
	// AddReference (see releaseRef); nil when there is none.
	spare *chunk

	cbs       []*Callback
	notifying int  // depth of nested notify calls
	cbsDirty  bool // a callback was removed while notifying

	// special is frontFrozen || backFrozen || resvN != 0 || len(cbs) != 0,
	// kept by every change of those (updateSpecial): the state that
	// AddReference's and Drain's fast paths must leave to the general
	// code, tested with one load on every echoed message.
	special bool
}

// updateSpecial recomputes b.special after a change of what it sums up.
func (b *Buffer) updateSpecial() {
	b.special = b.frontFrozen || b.backFrozen || b.resvN != 0 || len(b.cbs) != 0
}

// New returns an empty Buffer. It is equivalent to new(Buffer).
func New() *Buffer { return new(Buffer) }

// Len returns the number of bytes in b. It costs O(1).
func (b *Buffer) Len() int { return b.n }

// Err returns the first error met while reading a file segment (AddFile)
// in a method that has no error result, such as CopyOut or Search; those
// methods treat the unreadable segment as the end of the data. Reset
// clears it.
func (b *Buffer) Err() error { return b.err }

// Freeze makes one end of b refuse changes: the front (front == true)
// refuses removals (Read, Drain, ReadLine, RemoveBuffer, Prepend, WriteTo,
// WriteFd…), the back refuses additions (Write, AddReference, AddFile,
// Reserve, ReadFd…). The buffered-connection layer uses it to keep user
// code from touching the end it owns. Refused calls return ErrFrozen,
// or 0/false/nil when they have no error result. Freezing the back
// cancels an outstanding Reserve.
func (b *Buffer) Freeze(front bool) {
	if front {
		b.frontFrozen = true
	} else {
		b.cancelReserve()
		b.backFrozen = true
	}
	b.special = true
}

// Unfreeze undoes Freeze for the given end.
func (b *Buffer) Unfreeze(front bool) {
	if front {
		b.frontFrozen = false
	} else {
		b.backFrozen = false
	}
	b.updateSpecial()
}

// Frozen reports whether the given end of b is frozen (Freeze): the front
// (front == true) or the back.
func (b *Buffer) Frozen(front bool) bool {
	if front {
		return b.frontFrozen
	}
	return b.backFrozen
}

// link appends the non-empty chunk c to the chain.
func (b *Buffer) link(c *chunk) {
	c.next = nil
	if b.tail == nil {
		b.head = c
	} else {
		b.tail.next = c
	}
	b.tail = c
	b.n += c.size()
}

// appendBytes copies p to the end of the chain without notifying.
func (b *Buffer) appendBytes(p []byte) {
	if t := b.tail; t != nil && t.free() > 0 {
		k := copy(t.buf[t.end:], p)
		t.end += k
		b.n += k
		p = p[k:]
	}
	for len(p) > 0 {
		c := newChunk(b.nextClass(len(p)))
		c.end = copy(c.buf, p)
		p = p[c.end:]
		b.link(c)
	}
}

// nextClass is the class of a new tail chunk for need more bytes: large
// enough for them (up to 64 KiB), and a class above the current tail's, so
// that a buffer that keeps growing moves to bigger chunks and fewer
// system calls.
func (b *Buffer) nextClass(need int) int {
	class := classFor(need)
	if t := b.tail; t != nil && t.class != noClass {
		class = max(class, min(int(t.class)+1, len(classSizes)-1))
	}
	return class
}

// Write appends p to b and returns len(p), nil. It returns 0 and
// ErrFrozen when the back is frozen, or bytes.ErrTooLarge if Len would
// overflow an int (which only huge file segments make possible). Data goes
// into the tail chunk's free space, then into
// new pooled chunks of at most 64 KiB each.
func (b *Buffer) Write(p []byte) (int, error) {
	if b.backFrozen {
		return 0, ErrFrozen
	}
	if len(p) > math.MaxInt-b.n {
		return 0, bytes.ErrTooLarge
	}
	b.cancelReserve()
	orig := b.n
	b.appendBytes(p)
	b.notify(orig, len(p), 0)
	return len(p), nil
}

// WriteString appends s to b, like Write.
func (b *Buffer) WriteString(s string) (int, error) {
	if b.backFrozen {
		return 0, ErrFrozen
	}
	if len(s) > math.MaxInt-b.n {
		return 0, bytes.ErrTooLarge
	}
	b.cancelReserve()
	orig := b.n
	for len(s) > 0 {
		t := b.tail
		if t == nil || t.free() == 0 {
			b.link(newChunk(b.nextClass(len(s))))
			t = b.tail
		}
		k := copy(t.buf[t.end:], s)
		t.end += k
		b.n += k
		s = s[k:]
	}
	b.notify(orig, b.n-orig, 0)
	return b.n - orig, nil
}

// WriteByte appends c to b. It returns ErrFrozen when the back is frozen.
func (b *Buffer) WriteByte(c byte) error {
	if b.backFrozen {
		return ErrFrozen
	}
	b.cancelReserve()
	t := b.tail
	if t == nil || t.free() == 0 {
		b.link(newChunk(b.nextClass(1)))
		t = b.tail
	}
	t.buf[t.end] = c
	t.end++
	b.n++
	b.notify(b.n-1, 1, 0)
	return nil
}

// minPrintfRoom is the tail space Printf wants before formatting in place;
// with less it starts a new chunk rather than let fmt allocate.
const minPrintfRoom = 256

// Printf appends the fmt.Sprintf-style formatting of args to b. It formats
// straight into the tail chunk's free space; only output longer than that
// space is formatted into a temporary slice and copied.
func (b *Buffer) Printf(format string, args ...any) (int, error) {
	if b.backFrozen {
		return 0, ErrFrozen
	}
	b.cancelReserve()
	t := b.tail
	var fresh *chunk
	if t == nil || t.free() < minPrintfRoom {
		fresh = newChunk(0)
		t = fresh
	}
	room := t.buf[t.end:]
	out := fmt.Appendf(room[:0], format, args...)
	if len(out) == 0 {
		if fresh != nil {
			freeChunk(fresh)
		}
		return 0, nil
	}
	orig := b.n
	if len(out) <= len(room) && &out[0] == &room[0] {
		t.end += len(out)
		if fresh != nil {
			fresh.end = t.end
			b.link(fresh)
		} else {
			b.n += len(out)
		}
	} else {
		if fresh != nil {
			freeChunk(fresh)
		}
		b.appendBytes(out)
	}
	b.notify(orig, len(out), 0)
	return len(out), nil
}

// Prepend inserts p at the front of b. It uses the free space before the
// head chunk's data when there is enough, else new chunks. It returns
// ErrFrozen when the front is frozen.
func (b *Buffer) Prepend(p []byte) error {
	if b.frontFrozen {
		return ErrFrozen
	}
	if len(p) == 0 {
		return nil
	}
	if len(p) > math.MaxInt-b.n {
		return bytes.ErrTooLarge
	}
	b.cancelReserve()
	orig := b.n
	b.gen++
	if h := b.head; h != nil && h.kind == kindMem && h.off >= len(p) {
		h.off -= len(p)
		copy(h.buf[h.off:], p)
		b.n += len(p)
		b.notify(orig, len(p), 0)
		return nil
	}
	// New chunks are filled from the end of p backwards and hold their
	// data right-aligned, so the next Prepend finds room before the head.
	first := b.head
	rest := p
	for len(rest) > 0 {
		c := newChunk(classFor(len(rest)))
		k := min(len(rest), len(c.buf))
		c.off, c.end = len(c.buf)-k, len(c.buf)
		copy(c.buf[c.off:], rest[len(rest)-k:])
		rest = rest[:len(rest)-k]
		c.next = first
		if b.tail == nil {
			b.tail = c
		}
		first = c
	}
	b.head = first
	b.n += len(p)
	b.notify(orig, len(p), 0)
	return nil
}

// Read removes up to len(p) bytes from the front of b into p. It returns
// io.EOF when b is empty and len(p) > 0, and ErrFrozen when the front is
// frozen. A file segment that cannot be read ends the read early with its
// error.
func (b *Buffer) Read(p []byte) (int, error) {
	if b.frontFrozen {
		return 0, ErrFrozen
	}
	if len(p) == 0 {
		return 0, nil
	}
	if b.n == 0 {
		return 0, io.EOF
	}
	b.cancelReserve()
	n := b.copyOut(b.head, 0, p)
	orig := b.n
	b.drain(n)
	b.notify(orig, 0, n)
	if n == 0 && b.err != nil {
		return 0, b.err
	}
	return n, nil
}

// ReadByte removes and returns the first byte of b. It returns io.EOF
// when b is empty and ErrFrozen when the front is frozen.
func (b *Buffer) ReadByte() (byte, error) {
	if b.frontFrozen {
		return 0, ErrFrozen
	}
	if b.n == 0 {
		return 0, io.EOF
	}
	h := b.head
	if h.kind == kindFile && !b.load(h) {
		return 0, b.err
	}
	c := h.buf[h.off]
	b.drain(1)
	b.notify(b.n+1, 0, 1)
	return c, nil
}

// Drain removes the first n bytes of b, or all of them if b holds fewer.
// It panics if n < 0 and returns ErrFrozen when the front is frozen.
// Draining a file segment does not read it.
func (b *Buffer) Drain(n int) error {
	if c := b.head; c != nil && n == b.n && c == b.tail && c.home == b.id() && b.spare == nil && !b.special {
		// The common case, written out: all of a Buffer holding one
		// reference it was lent itself (only such a chunk has b as its
		// home), with no frozen end, reservation or callbacks (a
		// connection's input after an echo). It is what drain and
		// releaseRef do then, in one frame instead of three. The pointer
		// stores come together, so that they share one test for the
		// garbage collector's write barrier.
		release, buf := c.release, c.buf
		c.buf, c.release, b.head, b.tail, b.spare = nil, nil, nil, nil, c
		c.off, c.end, b.n = 0, 0, 0
		b.gen++
		if release != nil {
			release(buf)
		}
		return nil
	}
	if n < 0 {
		panic("buffer: Drain of a negative length")
	}
	if b.frontFrozen {
		return ErrFrozen
	}
	n = min(n, b.n)
	if n == 0 {
		return nil
	}
	orig := b.n
	b.drain(n)
	b.notify(orig, 0, n)
	return nil
}

// drain removes the first n <= b.n bytes without notifying.
func (b *Buffer) drain(n int) {
	if c := b.head; c != nil && c.next == nil && c.kind == kindRef && b.n == n && b.resvN == 0 {
		// What unlink does for the usual drain of a Buffer lent memory (a
		// connection's read buffer): all of it, one reference.
		b.gen++
		b.n = 0
		b.head, b.tail = nil, nil
		b.releaseRef(c)
		return
	}
	b.releaseRefs(b.unlink(n))
}

// unlink removes the first n <= b.n bytes without notifying. It frees
// the chunks it empties, except references, which it returns in order
// for releaseRefs: a release function may look at b or change it, so it
// must run once b is whole again, not halfway through the removal.
func (b *Buffer) unlink(n int) (refs *chunk) {
	b.cancelReserve()
	b.gen++
	b.n -= n
	var last *chunk
	for n > 0 {
		c := b.head
		s := c.size()
		if n < s {
			if c.kind == kindFile {
				c.foff += int64(n)
				c.flen -= n
			} else {
				c.off += n
			}
			break
		}
		n -= s
		b.head = c.next
		if b.head == nil {
			b.tail = nil
		}
		if c.kind != kindRef {
			freeChunk(c)
			continue
		}
		c.next = nil
		if last == nil {
			refs = c
		} else {
			last.next = c
		}
		last = c
	}
	return refs
}

// releaseRefs releases the references unlink removed, in order.
func (b *Buffer) releaseRefs(refs *chunk) {
	for c := refs; c != nil; {
		next := c.next
		b.releaseRef(c)
		c = next
	}
}

// releaseRef releases the reference c, removed from b. A reference added
// to b itself keeps its struct as b's spare for the next AddReference: a
// Buffer that is lent memory over and over, such as the one showing a
// connection's read buffer, then makes no pool round trip per reference.
// A reference moved in from another Buffer goes back to the pool, so only
// Buffers that call AddReference ever hold a spare.
func (b *Buffer) releaseRef(c *chunk) {
	if c.home != b.id() || b.spare != nil {
		freeChunk(c)
		return
	}
	release, buf := c.release, c.buf
	c.next, c.buf, c.release, c.off, c.end = nil, nil, nil, 0, 0
	b.spare = c
	if release != nil {
		release(buf)
	}
}

// CopyOut copies up to len(p) bytes from the front of b into p without
// removing them, and returns the number copied.
func (b *Buffer) CopyOut(p []byte) int {
	return b.copyOut(b.head, 0, p)
}

// CopyOutFrom is CopyOut starting at pos instead of the front. It returns
// 0 if pos is not a valid position in b.
func (b *Buffer) CopyOutFrom(pos Pos, p []byte) int {
	c, k, ok := b.resolve(&pos)
	if !ok {
		return 0
	}
	return b.copyOut(c, k, p)
}

// copyOut copies from chunk c, k bytes in, loading file segments.
func (b *Buffer) copyOut(c *chunk, k int, p []byte) int {
	n := 0
	for ; c != nil && n < len(p); c, k = c.next, 0 {
		if c.kind == kindFile {
			var ok bool
			if c, k, ok = b.loadAt(c, k); !ok {
				break
			}
		}
		n += copy(p[n:], c.buf[c.off+k:c.end])
	}
	return n
}

// AppendBuffer moves all of src's data to the end of b without copying;
// src ends empty. It returns ErrFrozen if b's back or src's front is
// frozen, and bytes.ErrTooLarge if the result would overflow an int. It
// panics if src == b.
func (b *Buffer) AppendBuffer(src *Buffer) error {
	if src == b {
		panic("buffer: AppendBuffer of a buffer to itself")
	}
	if b.backFrozen || src.frontFrozen {
		return ErrFrozen
	}
	if src.n > math.MaxInt-b.n {
		return bytes.ErrTooLarge
	}
	if src.n == 0 {
		return nil
	}
	b.cancelReserve()
	src.cancelReserve()
	n, origB, origS := src.n, b.n, src.n
	if b.tail == nil {
		b.head = src.head
	} else {
		b.tail.next = src.head
	}
	b.tail = src.tail
	b.n += n
	src.head, src.tail, src.n = nil, nil, 0
	src.gen++
	src.notify(origS, 0, n)
	b.notify(origB, n, 0)
	return nil
}

// PrependBuffer moves all of src's data to the front of b without
// copying; src ends empty. It returns ErrFrozen if the front of either
// buffer is frozen and bytes.ErrTooLarge if the result would overflow an
// int. It panics if src == b.
func (b *Buffer) PrependBuffer(src *Buffer) error {
	if src == b {
		panic("buffer: PrependBuffer of a buffer to itself")
	}
	if b.frontFrozen || src.frontFrozen {
		return ErrFrozen
	}
	if src.n > math.MaxInt-b.n {
		return bytes.ErrTooLarge
	}
	if src.n == 0 {
		return nil
	}
	b.cancelReserve()
	src.cancelReserve()
	n, origB, origS := src.n, b.n, src.n
	src.tail.next = b.head
	b.head = src.head
	if b.tail == nil {
		b.tail = src.tail
	}
	b.n += n
	b.gen++
	src.head, src.tail, src.n = nil, nil, 0
	src.gen++
	src.notify(origS, 0, n)
	b.notify(origB, n, 0)
	return nil
}

// RemoveBuffer moves up to n bytes from the front of b to the end of dst
// and returns the number moved. Whole chunks move without copying; only
// the bytes of a chunk split by n are copied (a split file segment is not
// even read). It returns 0 if b's front or dst's back is frozen, and
// panics if n < 0 or dst == b.
func (b *Buffer) RemoveBuffer(dst *Buffer, n int) int {
	if n < 0 {
		panic("buffer: RemoveBuffer of a negative length")
	}
	if dst == b {
		panic("buffer: RemoveBuffer into the same buffer")
	}
	if b.frontFrozen || dst.backFrozen {
		return 0
	}
	n = min(n, b.n, math.MaxInt-dst.n)
	if n == 0 {
		return 0
	}
	b.cancelReserve()
	dst.cancelReserve()
	origB, origD := b.n, dst.n
	left := n
	for left > 0 {
		c := b.head
		s := c.size()
		if s > left {
			if c.kind == kindFile {
				f := newBare()
				f.kind, f.file, f.foff, f.flen = kindFile, c.file, c.foff, left
				dst.link(f)
			} else {
				dst.appendBytes(c.buf[c.off : c.off+left])
			}
			b.drain(left) // bumps gen
			break
		}
		b.head = c.next
		if b.head == nil {
			b.tail = nil
		}
		b.n -= s
		left -= s
		dst.link(c)
	}
	b.gen++
	b.notify(origB, 0, n)
	dst.notify(origD, n, 0)
	return n
}

// Reset empties b, whatever its freezing: chunks go back to the pool,
// references are released, the ReadLine scratch space, the spare
// reference struct and Err are dropped, and an outstanding reservation is
// cancelled. Callbacks see the deletion.
func (b *Buffer) Reset() {
	if b.n == 0 && b.resvN == 0 && b.spare == nil && b.scratch == nil && b.err == nil {
		return // already empty: nothing to drop, nothing moves, no callback
	}
	orig := b.n
	b.drain(b.n) // cancels the reservation, bumps gen
	if c := b.spare; c != nil {
		b.spare = nil
		putBare(c)
	}
	b.scratch = nil
	b.err = nil
	b.notify(orig, 0, orig)
}
