//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package buffer

import (
	"io"
	"math"
)

const (
	// defaultReadMax is what ReadFd reads when given no cap.
	defaultReadMax = 64 << 10
	// readVecs bounds the vectors of one ReadFd: the tail's free space
	// and new 4 KiB, 16 KiB, 64 KiB… chunks, so a small read lands in a
	// small chunk and a burst still fits one system call.
	readVecs = 5
	// maxWriteVecs bounds the vectors of one WriteFd (IOV_MAX is at
	// least 1024 on our systems; 64 chunks is already 4 MiB of 64 KiB
	// chunks).
	maxWriteVecs = 64
)

// ReadFd reads from the non-blocking descriptor fd into the end of b with
// one readv(2), at most max bytes (max <= 0: 64 KiB), first into the
// tail chunk's free space and then into at most five new pooled chunks of growing size.
// It returns the bytes read; (0, io.EOF) at end of file; ErrFrozen if the
// back is frozen; otherwise the raw syscall.Errno, unwrapped, so that the
// event loop can test errors.Is(err, syscall.EAGAIN) without allocating.
// EINTR is retried. On Linux the call enters the kernel with RawSyscall:
// fd must be non-blocking.
func (b *Buffer) ReadFd(fd int, max int) (int, error) {
	if b.backFrozen {
		return 0, ErrFrozen
	}
	if max <= 0 {
		max = defaultReadMax
	}
	b.cancelReserve()
	var (
		vecs  [readVecs][]byte
		fresh [readVecs]*chunk
		nv    int
		nf    int
	)
	want := max
	t := b.tail
	inTail := 0
	if t != nil && t.free() > 0 {
		inTail = min(t.free(), want)
		vecs[0] = t.buf[t.end : t.end+inTail]
		nv = 1
		want -= inTail
	}
	for class := 1; want > 0 && nv < readVecs; class = min(class+1, len(classSizes)-1) {
		c := newChunk(class)
		k := min(len(c.buf), want)
		fresh[nf] = c
		nf++
		vecs[nv] = c.buf[:k]
		nv++
		want -= k
	}
	n, err := readv(fd, vecs[:nv])
	orig := b.n
	left := n
	if inTail > 0 {
		k := min(left, inTail)
		t.end += k
		b.n += k
		left -= k
	}
	for _, c := range fresh[:nf] {
		if left > 0 {
			c.end = min(left, len(c.buf))
			left -= c.end
			b.link(c)
		} else {
			freeChunk(c)
		}
	}
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, io.EOF
	}
	b.notify(orig, n, 0)
	return n, nil
}

// WriteFd writes the front of b to the non-blocking descriptor fd and
// removes what was written: at most max bytes (max <= 0: no cap) from up
// to 64 chunks with one writev(2), or, when a file segment is at the
// front, with one sendfile(2) (read into memory where there is no
// sendfile). A partial write returns (n, nil). Errors are those of
// ReadFd: ErrFrozen if the front is frozen, else the raw syscall.Errno
// (EAGAIN when the socket is full); EINTR is retried. An empty b returns
// (0, nil) without a system call. A file segment at the front adds the
// errors of its file: sendfile's errno may concern the file rather than
// fd, a pread(2) failure comes back as the *os.PathError of reading it,
// a file shorter than its segment as an error wrapping
// io.ErrUnexpectedEOF, and a closed file as one wrapping os.ErrClosed
// (see AddFile).
func (b *Buffer) WriteFd(fd int, max int) (int, error) {
	if b.frontFrozen {
		return 0, ErrFrozen
	}
	if max <= 0 {
		max = math.MaxInt
	}
	if b.n == 0 {
		return 0, nil
	}
	if c := b.head; c.kind == kindFile {
		if haveSendfile {
			src, err := c.fileFd()
			if err != nil {
				return 0, err
			}
			k, err := sendfile(fd, src, c.foff, min(c.flen, max, maxSendfile))
			switch {
			case k > 0:
				b.drainNotify(k)
				return k, nil
			case err == nil:
				return 0, errShortFile
			case !isSendfileUnsupported(err):
				return 0, err
			}
		}
		if !b.load(c) {
			return 0, b.err
		}
	}
	var vecs [maxWriteVecs][]byte
	nv := 0
	want := max
	for c := b.head; c != nil && nv < maxWriteVecs && want > 0; c = c.next {
		if c.kind == kindFile {
			break
		}
		d := c.buf[c.off:c.end]
		if len(d) > want {
			d = d[:want]
		}
		vecs[nv] = d
		nv++
		want -= len(d)
	}
	n, err := writev(fd, vecs[:nv])
	if err != nil {
		return 0, err
	}
	b.drainNotify(n)
	return n, nil
}
