//go:build linux

package uring_test

import (
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/internal/evtest"
	"github.com/eventide-go/eventide/internal/uring"
)

// newRing returns a ring closed at the end of the test, or skips the test
// where io_uring is missing or refused.
func newRing(t *testing.T) *uring.Ring {
	t.Helper()
	before := evtest.OpenFDs(t)
	r, err := uring.New(8)
	if err != nil {
		t.Skipf("no io_uring here: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if after := evtest.OpenFDs(t); after != before {
			t.Errorf("open descriptors: %d before the ring, %d after closing it", before, after)
		}
	})
	return r
}

func socketpair(t *testing.T) [2]int {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds
}

// results collects a batch's results by user value.
func results(r *uring.Ring) map[uint64]int32 {
	m := map[uint64]int32{}
	for {
		user, res, ok := r.Next()
		if !ok {
			return m
		}
		m[user] = res
	}
}

// TestBatch: sends, a sendmsg and receives of one batch complete during
// Submit, each with its own result: counts, EAGAIN for a receive with
// nothing to read, and the errno of an operation that fails (a send on a
// pipe, which is no socket) without stopping the others.
func TestBatch(t *testing.T) {
	r := newRing(t)
	if r.Free() != 8 {
		t.Fatalf("Free: %d; want 8", r.Free())
	}
	a, b := socketpair(t), socketpair(t)
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	r.Send(a[0], []byte("hello"), 1)
	iov := []unix.Iovec{{Base: &[]byte("two ")[0]}, {Base: &[]byte("pieces")[0]}}
	iov[0].SetLen(4)
	iov[1].SetLen(6)
	msg := unix.Msghdr{Iov: &iov[0]}
	msg.SetIovlen(len(iov))
	r.Sendmsg(b[0], &msg, 2)
	r.Send(p[1], []byte("x"), 3)
	empty := make([]byte, 16)
	r.Recv(a[0], empty, 4) // nothing to read yet
	if err := r.Submit(); err != nil {
		t.Fatal(err)
	}
	got := results(r)
	if got[1] != 5 || got[2] != 10 || got[3] != -int32(syscall.ENOTSOCK) || got[4] != -int32(syscall.EAGAIN) {
		t.Fatalf("results %v; want 1:5 2:10 3:-ENOTSOCK 4:-EAGAIN", got)
	}
	bufA, bufB := make([]byte, 16), make([]byte, 16)
	r.Recv(a[1], bufA, 5)
	r.Recv(b[1], bufB, 6)
	if err := r.Submit(); err != nil {
		t.Fatal(err)
	}
	got = results(r)
	if got[5] != 5 || string(bufA[:5]) != "hello" || got[6] != 10 || string(bufB[:10]) != "two pieces" {
		t.Fatalf("received %q (%d) and %q (%d)", bufA[:max(got[5], 0)], got[5], bufB[:max(got[6], 0)], got[6])
	}
	if err := r.Submit(); err != nil {
		t.Errorf("Submit of an empty batch: %v", err)
	}
}

// TestFullBatch: a batch takes Free operations and refuses one more.
func TestFullBatch(t *testing.T) {
	r := newRing(t)
	a := socketpair(t)
	for i := range 8 {
		r.Send(a[0], []byte("x"), uint64(i))
	}
	if r.Free() != 0 {
		t.Fatalf("Free: %d after 8 operations; want 0", r.Free())
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a ninth Send did not panic")
			}
		}()
		r.Send(a[0], []byte("x"), 8)
	}()
	if err := r.Submit(); err != nil {
		t.Fatal(err)
	}
	if n := len(results(r)); n != 8 || r.Free() != 8 {
		t.Fatalf("%d results, Free %d; want 8, 8", n, r.Free())
	}
}
