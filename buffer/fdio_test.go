//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package buffer_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/buffer"
)

// socketpair returns a connected non-blocking pair, closed at cleanup.
func socketpair(t testing.TB) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		if err := unix.SetNonblock(fd, true); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

// pipe returns a non-blocking pipe (read end, write end).
func pipe(t testing.TB) (int, int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		t.Fatal(err)
	}
	for _, fd := range p {
		if err := unix.SetNonblock(fd, true); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { unix.Close(p[0]); unix.Close(p[1]) })
	return p[0], p[1]
}

// pump moves src to the descriptor w and reads r into dst, waiting for
// readiness with poll(2), until dst holds want bytes.
func pump(t *testing.T, src *buffer.Buffer, w int, dst *buffer.Buffer, r int, want int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for dst.Len() < want {
		if time.Now().After(deadline) {
			t.Fatalf("timed out with %d of %d bytes", dst.Len(), want)
		}
		fds := []unix.PollFd{{Fd: int32(r), Events: unix.POLLIN}}
		if src.Len() > 0 {
			fds = append(fds, unix.PollFd{Fd: int32(w), Events: unix.POLLOUT})
		}
		if _, err := unix.Poll(fds, 1000); err != nil && err != unix.EINTR {
			t.Fatal(err)
		}
		if len(fds) > 1 && fds[1].Revents&unix.POLLOUT != 0 {
			if _, err := src.WriteFd(w, 0); err != nil && !errors.Is(err, syscall.EAGAIN) {
				t.Fatalf("WriteFd: %v", err)
			}
		}
		if fds[0].Revents&unix.POLLIN != 0 {
			if _, err := dst.ReadFd(r, 0); err != nil && !errors.Is(err, syscall.EAGAIN) {
				t.Fatalf("ReadFd: %v", err)
			}
		}
	}
}

func TestReadFdWriteFdSocketpair10MB(t *testing.T) {
	a, b := socketpair(t)
	data := pattern(10 << 20)
	var src, dst buffer.Buffer
	src.Write(data)
	pump(t, &src, a, &dst, b, len(data))
	if src.Len() != 0 || !bytes.Equal(dst.Pullup(-1), data) {
		t.Fatalf("10 MB through a socketpair: not byte exact")
	}
}

func TestReadFdWriteFdPipe(t *testing.T) {
	r, w := pipe(t)
	var src, dst buffer.Buffer
	// Many small chunks exercise the iovec cap.
	var want []byte
	for i := range 500 {
		var part buffer.Buffer
		s := pattern(100 + i)
		part.Write(s)
		src.AppendBuffer(&part)
		want = append(want, s...)
	}
	pump(t, &src, w, &dst, r, len(want))
	if !bytes.Equal(dst.Pullup(-1), want) {
		t.Fatalf("pipe transfer differs")
	}

	// Nothing to read: the raw EAGAIN.
	if n, err := dst.ReadFd(r, 0); n != 0 || !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("ReadFd of empty pipe = %d, %v; want 0, EAGAIN", n, err)
	}
	// max caps the read.
	src.WriteString("0123456789")
	src.WriteFd(w, 4)
	if src.Len() != 6 {
		t.Fatalf("WriteFd(max 4) left %d bytes; want 6", src.Len())
	}
	dst.Reset()
	if n, err := dst.ReadFd(r, 3); n != 3 || err != nil || contents(&dst) != "012" {
		t.Fatalf("ReadFd(max 3) = %d, %v, %q", n, err, contents(&dst))
	}
	// End of file.
	dst.ReadFd(r, 0)
	unix.Close(w)
	if n, err := dst.ReadFd(r, 0); n != 0 || err != io.EOF {
		t.Fatalf("ReadFd at EOF = %d, %v; want 0, io.EOF", n, err)
	}
	// An empty buffer writes nothing.
	var empty buffer.Buffer
	if n, err := empty.WriteFd(w, 0); n != 0 || err != nil {
		t.Fatalf("WriteFd of empty buffer = %d, %v", n, err)
	}
	if n, err := empty.WriteFd(-1, 0); n != 0 || err != nil {
		t.Fatalf("WriteFd of empty buffer to bad fd = %d, %v", n, err)
	}
	var frozen buffer.Buffer
	frozen.Freeze(false)
	if _, err := frozen.ReadFd(r, 0); !errors.Is(err, buffer.ErrFrozen) {
		t.Fatalf("ReadFd with frozen back: %v", err)
	}
}

func TestWriteFdSendfile(t *testing.T) {
	data := pattern(3 << 20)
	f := tempFile(t, data)
	a, b := socketpair(t)
	var src, dst buffer.Buffer
	src.WriteString("head:")
	if err := src.AddFile(f, 1000, int64(len(data)-2000)); err != nil {
		t.Fatal(err)
	}
	src.WriteString(":tail")
	want := append(append([]byte("head:"), data[1000:len(data)-1000]...), ":tail"...)
	pump(t, &src, a, &dst, b, len(want))
	if !bytes.Equal(dst.Pullup(-1), want) {
		t.Fatalf("sendfile through a socketpair: not byte exact")
	}
}

func TestWriteFdFileErrors(t *testing.T) {
	f := tempFile(t, []byte("0123456789"))
	var b buffer.Buffer
	b.AddFile(f, 0, 10)
	if n, err := b.WriteFd(-1, 0); n != 0 || !errors.Is(err, syscall.EBADF) {
		t.Fatalf("WriteFd(-1) of a file segment = %d, %v; want 0, EBADF", n, err)
	}
	b.Reset()
	b.AddFile(f, 5, 10) // runs past the end of the file
	a, c := socketpair(t)
	n, err := b.WriteFd(a, 0)
	if n != 5 || err != nil {
		t.Fatalf("first WriteFd = %d, %v; want 5, nil", n, err)
	}
	if n, err := b.WriteFd(a, 0); n != 0 || err == nil {
		t.Fatalf("WriteFd past the end of the file = %d, %v; want an error", n, err)
	}
	var got buffer.Buffer
	got.ReadFd(c, 0)
	if contents(&got) != "56789" {
		t.Fatalf("received %q; want %q", contents(&got), "56789")
	}
}

func TestWriteFdFullSocket(t *testing.T) {
	a, _ := socketpair(t)
	var b buffer.Buffer
	b.Write(pattern(8 << 20))
	total := 0
	for {
		n, err := b.WriteFd(a, 0)
		total += n
		if err != nil {
			if !errors.Is(err, syscall.EAGAIN) || n != 0 {
				t.Fatalf("WriteFd to a full socket = %d, %v; want 0, EAGAIN", n, err)
			}
			break
		}
		if n == 0 {
			t.Fatalf("WriteFd = 0, nil with %d bytes left", b.Len())
		}
	}
	if total == 0 || b.Len() != 8<<20-total {
		t.Fatalf("wrote %d, Len %d; want Len %d", total, b.Len(), 8<<20-total)
	}
}

// TestFileTruncatedAfterAddFile cuts the file short after AddFile: every
// way out of the Buffer reports the missing bytes with an error that
// errors.Is recognises as io.ErrUnexpectedEOF (not a spin, not a silent
// stop), and Len still counts exactly the bytes not yet sent.
func TestFileTruncatedAfterAddFile(t *testing.T) {
	tests := []struct {
		name string
		// out empties b as far as it can and returns the bytes it sent
		// and the error that stopped it.
		out func(t *testing.T, b *buffer.Buffer) (int, error)
	}{
		{"WriteFd socket", func(t *testing.T, b *buffer.Buffer) (int, error) {
			w, _ := socketpair(t)
			return writeFdAll(b, w)
		}},
		{"WriteFd pipe", func(t *testing.T, b *buffer.Buffer) (int, error) {
			_, w := pipe(t)
			return writeFdAll(b, w)
		}},
		{"WriteTo memory", func(t *testing.T, b *buffer.Buffer) (int, error) {
			var out bytes.Buffer
			n, err := b.WriteTo(&out)
			return int(n), err
		}},
		{"WriteTo file", func(t *testing.T, b *buffer.Buffer) (int, error) {
			out, err := os.Create(filepath.Join(t.TempDir(), "out"))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			n, err := b.WriteTo(out)
			return int(n), err
		}},
		{"Read", func(t *testing.T, b *buffer.Buffer) (int, error) {
			all, err := io.ReadAll(b)
			return len(all), err
		}},
		{"CopyOut", func(t *testing.T, b *buffer.Buffer) (int, error) {
			b.CopyOut(make([]byte, b.Len()))
			return 0, b.Err()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(name, pattern(200000), 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var b buffer.Buffer
			b.WriteString("<")
			if err := b.AddFile(f, 0, 200000); err != nil {
				t.Fatal(err)
			}
			b.WriteString(">")
			if err := os.Truncate(name, 1000); err != nil {
				t.Fatal(err)
			}
			n, err := tt.out(t, &b)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("error = %v; want one that is io.ErrUnexpectedEOF", err)
			}
			if got, want := b.Len(), 200002-n; got != want {
				t.Errorf("Len() = %d after %d bytes out; want %d", got, n, want)
			}
		})
	}
}

// writeFdAll calls WriteFd until it fails or b is empty, and returns the
// bytes written and the error.
func writeFdAll(b *buffer.Buffer, fd int) (int, error) {
	total := 0
	for b.Len() > 0 {
		n, err := b.WriteFd(fd, 0)
		total += n
		if err != nil {
			return total, err
		}
		if n == 0 {
			return total, errors.New("WriteFd = 0, nil with bytes left")
		}
	}
	return total, nil
}

// TestFileClosedAfterAddFile closes the file of a segment (against
// AddFile's contract) and opens another, which the kernel gives the same
// descriptor number: sending the segment must fail with os.ErrClosed, as
// reading it does, and never send the other file's bytes.
func TestFileClosedAfterAddFile(t *testing.T) {
	tests := []struct {
		name string
		out  func(t *testing.T, b *buffer.Buffer) error
	}{
		{"WriteFd", func(t *testing.T, b *buffer.Buffer) error {
			w, _ := socketpair(t)
			_, err := b.WriteFd(w, 0)
			return err
		}},
		{"WriteTo file", func(t *testing.T, b *buffer.Buffer) error {
			out, err := os.Create(filepath.Join(t.TempDir(), "out"))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			_, err = b.WriteTo(out)
			if got, _ := os.ReadFile(out.Name()); len(got) != 0 {
				t.Errorf("WriteTo wrote %q", got)
			}
			return err
		}},
		{"CopyOut", func(t *testing.T, b *buffer.Buffer) error {
			b.CopyOut(make([]byte, 4))
			return b.Err()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, name := range []string{"public", "secret"} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(name+" data"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			f, err := os.Open(filepath.Join(dir, "public"))
			if err != nil {
				t.Fatal(err)
			}
			var b buffer.Buffer
			if err := b.AddFile(f, 0, 6); err != nil {
				t.Fatal(err)
			}
			fd := f.Fd()
			f.Close()
			g, err := os.Open(filepath.Join(dir, "secret"))
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			if g.Fd() != fd {
				t.Skipf("the new file got descriptor %d, not %d", g.Fd(), fd)
			}
			if err := tt.out(t, &b); !errors.Is(err, os.ErrClosed) {
				t.Errorf("error = %v; want os.ErrClosed", err)
			}
			if b.Len() != 6 {
				t.Errorf("Len() = %d; want 6", b.Len())
			}
			b.Reset()
		})
	}
}
