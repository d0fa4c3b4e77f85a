package buffer

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
)

// AddReference appends p to b without copying it. b reads p but never
// writes it; the caller must not change p until release is called.
// release (which may be nil) is called with p exactly once, when the last
// of those bytes has been removed from b (read, drained, written out, or
// dropped by Reset); an empty p is released at once. Bytes moved whole to
// another Buffer (AppendBuffer, RemoveBuffer) take their release along.
// A Buffer dropped while it still holds the bytes never calls release:
// Reset it first if the memory must come back. release runs inside the
// method that removed the bytes: it must not remove bytes from b itself
// (a Pullup's result would point into storage already recycled), and
// bytes it adds are reported to b's callbacks before the removal is.
// AddReference returns ErrFrozen if the back of b is frozen and
// bytes.ErrTooLarge if Len would overflow an int; it then does not call
// release.
func (b *Buffer) AddReference(p []byte, release func([]byte)) error {
	if c := b.spare; c != nil && b.n == 0 && len(p) > 0 && !b.special {
		// The common case, written out: an empty Buffer lent memory again,
		// as a connection's input is on every read, takes its spare (see
		// releaseRef), and has nothing to link after, cancel or tell (nor
		// a frozen end).
		b.spare = nil
		c.buf, c.end, c.release = p, len(p), release
		b.head, b.tail, b.n = c, c, len(p)
		return nil
	}
	if b.backFrozen {
		return ErrFrozen
	}
	if len(p) == 0 {
		if release != nil {
			release(p)
		}
		return nil
	}
	if len(p) > math.MaxInt-b.n {
		return bytes.ErrTooLarge
	}
	b.cancelReserve()
	c := b.spare // see releaseRef
	if c != nil {
		b.spare = nil
	} else {
		c = b.newRef()
	}
	c.buf, c.off, c.end = p, 0, len(p)
	c.release = release
	orig := b.n
	b.link(c)
	b.notify(orig, len(p), 0)
	return nil
}

// AddFile appends length bytes of f, starting at offset, to b without
// reading them. WriteFd and WriteTo send them with sendfile(2) where the
// system has it; the methods that need the bytes in memory (Read,
// CopyOut, Peek, Pullup, Search, ReadLine…) read them with pread(2), at
// most 64 KiB at a time, as they reach them.
//
// b does not own f: the caller keeps it open until the segment has left b
// and closes it afterwards (b says nothing when that is: a Callback's
// deleted counts, or Len falling to the bytes added after the segment,
// tell it). A segment whose file was closed too early
// fails with an error wrapping os.ErrClosed (never with the bytes of a
// file that took over its descriptor number). If the file turns out
// shorter than the segment (it was truncated, or offset+length is past
// its end), the missing bytes are reported by an error that wraps
// io.ErrUnexpectedEOF, from the method that reaches them or from Err, and
// stay counted in Len. AddFile calls f.Fd(), so f is put in blocking mode
// (irrelevant for regular files). AddFile panics on a nil f or a negative
// offset or length, and returns ErrFrozen if the back is frozen and
// bytes.ErrTooLarge if Len would overflow an int.
func (b *Buffer) AddFile(f *os.File, offset, length int64) error {
	if f == nil {
		panic("buffer: AddFile of a nil file")
	}
	if offset < 0 || length < 0 {
		panic("buffer: AddFile with a negative offset or length")
	}
	if b.backFrozen {
		return ErrFrozen
	}
	if length > int64(math.MaxInt-b.n) || offset > math.MaxInt64-length {
		return bytes.ErrTooLarge
	}
	if length == 0 {
		return nil
	}
	b.cancelReserve()
	c := newBare()
	c.kind = kindFile
	c.file = f
	f.Fd() // put f in blocking mode now, not in the middle of a send (see fileFd)
	c.foff, c.flen = offset, int(length)
	orig := b.n
	b.link(c)
	b.notify(orig, int(length), 0)
	return nil
}

// errShortFile reports a file that ended before its segment did (it was
// truncated, or the segment was past its end). It wraps
// io.ErrUnexpectedEOF so that callers can test for it with errors.Is.
var errShortFile = fmt.Errorf("buffer: file segment is past the end of the file: %w", io.ErrUnexpectedEOF)

// loadAt is load for a reader starting k bytes into the file segment c,
// as a Pos may: bytes beyond the first 64 KiB are not what load reads, so
// the k bytes before are split off into a segment of their own, unread.
// It returns the chunk and offset that then hold the byte, or false at the
// end of b (k == c.flen, where nothing is left to read) or on a read error.
func (b *Buffer) loadAt(c *chunk, k int) (*chunk, int, bool) {
	if k >= c.flen {
		return c, k, false
	}
	if k >= maxChunk {
		r := newBare()
		r.kind, r.file, r.foff, r.flen = kindFile, c.file, c.foff+int64(k), c.flen-k
		r.next = c.next
		c.next, c.flen = r, k
		if b.tail == c {
			b.tail = r
		}
		c, k = r, 0
	}
	return c, k, b.load(c)
}

// load reads the first bytes (at most 64 KiB) of the file segment c into
// memory: c becomes a memory chunk holding them, followed by a new file
// chunk for the rest. Offsets do not move, so no Pos is invalidated. On a
// read error it records the error in b.err and reports false.
func (b *Buffer) load(c *chunk) bool {
	n := min(c.flen, maxChunk)
	m := newChunk(classFor(n))
	got, err := c.file.ReadAt(m.buf[:n], c.foff)
	if got < n {
		freeChunk(m)
		if err == nil || err == io.EOF {
			err = errShortFile
		}
		if b.err == nil {
			b.err = err
		}
		return false
	}
	if rest := c.flen - n; rest > 0 {
		r := newBare()
		r.kind, r.file, r.foff, r.flen = kindFile, c.file, c.foff+int64(n), rest
		r.next = c.next
		c.next = r
		if b.tail == c {
			b.tail = r
		}
	}
	// Swap m's storage into c and recycle m's struct bare.
	c.kind, c.class, c.buf, c.off, c.end = kindMem, m.class, m.buf, 0, n
	c.file, c.foff, c.flen = nil, 0, 0
	putBare(m)
	return true
}

// fileFd returns the descriptor of the file segment c's file for
// sendfile(2), or an error wrapping os.ErrClosed if the file has been
// closed: its descriptor number may by then belong to another file, whose
// bytes sendfile would send, so the number is not cached. (pread(2) goes
// through the *os.File, which makes the same check.) After AddFile's call
// f.Fd() is a few loads.
func (c *chunk) fileFd() (int, error) {
	fd := c.file.Fd()
	if fd == ^uintptr(0) {
		return -1, &os.PathError{Op: "sendfile", Path: c.file.Name(), Err: os.ErrClosed}
	}
	return int(fd), nil
}
