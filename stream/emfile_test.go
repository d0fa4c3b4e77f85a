//go:build linux

package stream_test

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/stream"
)

// TestAcceptEMFILE runs out of descriptors while a connection waits: the
// listener must report the error, not spin, and accept the connection once
// descriptors are free again.
func TestAcceptEMFILE(t *testing.T) {
	l := newLoop(t)
	var accepted *stream.Conn
	var errs []error
	ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{
		OnError: func(_ *stream.Listener, err error) { errs = append(errs, err) },
	}, func(_ *stream.Listener, c *stream.Conn) { accepted = c })
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := stream.Dial(l, "tcp", ln.Addr().String(), 0)
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, c)

	var old unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	lowered := old
	lowered.Cur = uint64(openFDs(t) + 16)
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lowered); err != nil {
		t.Skipf("cannot lower RLIMIT_NOFILE: %v", err)
	}
	defer unix.Setrlimit(unix.RLIMIT_NOFILE, &old)
	var filler []int
	release := func() {
		for _, fd := range filler {
			unix.Close(fd)
		}
		filler = nil
	}
	defer release()
	for {
		fd, err := unix.Open(os.DevNull, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			if !errors.Is(err, syscall.EMFILE) {
				t.Fatalf("open: %v", err)
			}
			break
		}
		filler = append(filler, fd)
	}
	iters := l.Iteration()
	runUntil(t, l, func() bool { return len(errs) >= 3 })
	// The backoff keeps the loop from spinning on the readable socket: a
	// few iterations per retry, not thousands.
	if n := l.Iteration() - iters; n > 100 {
		t.Errorf("%d loop iterations for 3 accept attempts; want few", n)
	}
	if accepted != nil {
		t.Fatal("accepted without a free descriptor")
	}
	if !errors.Is(errs[0], syscall.EMFILE) {
		t.Fatalf("OnError got %v; want EMFILE", errs[0])
	}
	release()
	unix.Setrlimit(unix.RLIMIT_NOFILE, &old)
	runUntil(t, l, func() bool { return accepted != nil })
	closeAtEnd(t, accepted)
}
