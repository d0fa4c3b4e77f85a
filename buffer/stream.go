package buffer

import (
	"errors"
	"io"
)

// Buffer is a byte stream for the io package.
var (
	_ io.Reader       = (*Buffer)(nil)
	_ io.Writer       = (*Buffer)(nil)
	_ io.ByteReader   = (*Buffer)(nil)
	_ io.ByteWriter   = (*Buffer)(nil)
	_ io.StringWriter = (*Buffer)(nil)
	_ io.WriterTo     = (*Buffer)(nil)
	_ io.ReaderFrom   = (*Buffer)(nil)
)

// WriteTo writes b's data to w and removes what was written, until b is
// empty or w fails; it implements io.WriterTo. A file segment at the front
// goes to w with sendfile(2) when w is a socket or file on a system that
// has it (w must implement syscall.Conn), else it is read into memory
// 64 KiB at a time. WriteTo returns ErrFrozen if the front is frozen.
func (b *Buffer) WriteTo(w io.Writer) (int64, error) {
	if b.frontFrozen {
		return 0, ErrFrozen
	}
	var total int64
	for b.n > 0 {
		c := b.head
		if c.kind == kindFile {
			n, handled, err := sendFileTo(w, c)
			if handled {
				total += int64(n)
				b.drainNotify(n)
				if err != nil {
					return total, err
				}
				continue
			}
			if !b.load(c) {
				return total, b.err
			}
		}
		n, err := w.Write(c.buf[c.off:c.end])
		if n < 0 || n > c.size() {
			panic("buffer: io.Writer returned an invalid count")
		}
		total += int64(n)
		b.drainNotify(n)
		if err != nil {
			return total, err
		}
		if n == 0 {
			return total, io.ErrShortWrite
		}
	}
	return total, nil
}

// drainNotify drains n bytes and reports it.
func (b *Buffer) drainNotify(n int) {
	if n == 0 {
		return
	}
	orig := b.n
	b.drain(n)
	b.notify(orig, 0, n)
}

// readFromChunk is the chunk class ReadFrom reads into when the tail has
// no room: large enough for bulk reads, from the pool.
const readFromChunk = 3 // 64 KiB

// ReadFrom reads from r until io.EOF and appends the data to b; it
// implements io.ReaderFrom. It reads into the tail chunk's free space and
// then into pooled 64 KiB chunks, so no allocation depends on the amount
// of data. It returns the bytes read and the first error other than
// io.EOF, or ErrFrozen if the back is frozen.
func (b *Buffer) ReadFrom(r io.Reader) (int64, error) {
	if b.backFrozen {
		return 0, ErrFrozen
	}
	b.cancelReserve()
	var total int64
	for {
		t := b.tail
		var fresh *chunk
		if t == nil || t.free() < 512 {
			fresh = newChunk(readFromChunk)
			t = fresh
		}
		n, err := r.Read(t.buf[t.end:])
		if n < 0 || n > len(t.buf)-t.end {
			panic("buffer: io.Reader returned an invalid count")
		}
		if n > 0 {
			orig := b.n
			t.end += n
			if fresh != nil {
				b.link(fresh)
			} else {
				b.n += n
			}
			total += int64(n)
			b.notify(orig, n, 0)
		} else if fresh != nil {
			freeChunk(fresh)
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return total, nil
			}
			return total, err
		}
	}
}
