//go:build linux && amd64

package uring_test

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/internal/uring"
)

// TestSubmitEAGAIN: io_uring_enter may fail with EAGAIN (or EBUSY) before
// taking any entry; Submit must then return its error, not wait for
// completions of entries never submitted (a review found it waiting for
// ever). The child process makes every io_uring_enter that submits fail
// with EAGAIN (seccomp) and reports whether Submit returns within 5 s (a
// failure bound, not synchronisation).
func TestSubmitEAGAIN(t *testing.T) {
	if os.Getenv("REVIEW_URING_CHILD") == "1" {
		child()
		return
	}
	if r, err := uring.New(8); err != nil {
		t.Skipf("no io_uring here: %v", err)
	} else {
		r.Close()
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSubmitEAGAIN$", "-test.count=1")
	cmd.Env = append(os.Environ(), "REVIEW_URING_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func child() {
	r, err := uring.New(8)
	if err != nil {
		println("uring.New:", err.Error())
		os.Exit(2)
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		os.Exit(2)
	}
	prog := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0},
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: unix.SYS_IO_URING_ENTER, Jt: 0, Jf: 3},
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 24}, // args[1] (to_submit), low half
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: 0, Jt: 1, Jf: 0},
		{Code: unix.BPF_RET | unix.BPF_K, K: 0x00050000 | uint32(unix.EAGAIN)},
		{Code: unix.BPF_RET | unix.BPF_K, K: 0x7fff0000},
	}
	fp := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		os.Exit(2)
	}
	if _, _, e := unix.Syscall(unix.SYS_SECCOMP, 1 /* SET_MODE_FILTER */, 1 /* TSYNC */, uintptr(unsafe.Pointer(&fp))); e != 0 {
		println("seccomp:", e.Error())
		os.Exit(2)
	}
	r.Send(fds[0], []byte("x"), 1)
	done := make(chan error, 1)
	go func() { done <- r.Submit() }()
	select {
	case err := <-done:
		println("Submit returned:", err)
		os.Exit(0)
	case <-time.After(5 * time.Second):
		println("Submit still blocked after 5s: io_uring_enter(EAGAIN) -> wait(n) for entries never submitted")
		os.Exit(1)
	}
}

//go:noinline
func grow(n int) byte {
	var x [1024]byte
	x[n%1024] = byte(n)
	if n == 0 {
		return x[0]
	}
	return grow(n-1) + x[3]
}

// TestStackBuffers: Send, Sendmsg and Recv put the buffer's address in an
// entry as a number, which the compiler cannot follow: a caller's local
// buffer that did not escape would live on the goroutine stack, and a
// stack that grows (is copied) between Recv and Submit would leave the
// kernel writing to the old one. The Ring keeps what its entries point to
// until Submit returns, which moves it to the heap.
func TestStackBuffers(t *testing.T) {
	r := newRing(t)
	a := socketpair(t)
	if _, err := unix.Write(a[1], []byte("hello")); err != nil {
		t.Fatal(err)
	}
	done := make(chan string)
	go func() {
		var buf [16]byte
		r.Recv(a[0], buf[:], 1)
		grow(64) // 64 KiB of frames: the goroutine's stack is copied
		if err := r.Submit(); err != nil {
			done <- err.Error()
			return
		}
		res := results(r)
		got := string(buf[:5]) // a copy: buf itself does not escape
		done <- fmt.Sprintf("result %d, buffer %q", res[1], got)
	}()
	if got, want := <-done, `result 5, buffer "hello"`; got != want {
		t.Errorf("%s; want %s", got, want)
	}
}
