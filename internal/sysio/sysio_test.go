//go:build linux

package sysio_test

import (
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/internal/sysio"
)

// TestCall writes and reads through a socketpair with write/read and with
// sendto/recvfrom, and gets EAGAIN as an errno from an empty non-blocking
// socket and ENOTSOCK from recvfrom on a pipe.
func TestCall(t *testing.T) {
	fds := socketpair(t)
	buf := make([]byte, 16)
	for _, tc := range []struct {
		name        string
		write, read uintptr
		flags       uintptr
	}{
		{"write/read", unix.SYS_WRITE, unix.SYS_READ, 0},
		{"sendto/recvfrom", unix.SYS_SENDTO, unix.SYS_RECVFROM, unix.MSG_NOSIGNAL},
	} {
		msg := []byte(tc.name)
		if n, e := sysio.Call(tc.write, fds[0], unsafe.Pointer(&msg[0]), len(msg), tc.flags); n != len(msg) || e != 0 {
			t.Fatalf("%s: write = %d, %v; want %d, 0", tc.name, n, e, len(msg))
		}
		if n, e := sysio.Call(tc.read, fds[1], unsafe.Pointer(&buf[0]), len(buf), 0); e != 0 || string(buf[:n]) != tc.name {
			t.Fatalf("%s: read = %q, %v; want %q", tc.name, buf[:n], e, tc.name)
		}
		if n, e := sysio.Call(tc.read, fds[1], unsafe.Pointer(&buf[0]), len(buf), 0); n != 0 || e != syscall.EAGAIN {
			t.Fatalf("%s: read of an empty socket = %d, %v; want 0, EAGAIN", tc.name, n, e)
		}
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	if _, e := sysio.Call(unix.SYS_RECVFROM, p[0], unsafe.Pointer(&buf[0]), len(buf), 0); e != syscall.ENOTSOCK {
		t.Fatalf("recvfrom on a pipe: %v; want ENOTSOCK", e)
	}
}

// TestRead is TestCall for Read: through a socketpair as a socket
// (recvfrom) and as a plain descriptor (read), then EAGAIN from an empty
// non-blocking socket, and through a pipe, where recvfrom fails with
// ENOTSOCK and read works.
func TestRead(t *testing.T) {
	fds := socketpair(t)
	buf := make([]byte, 16)
	for _, sock := range []bool{true, false} {
		msg := []byte("sock=" + map[bool]string{true: "true", false: "false"}[sock])
		if n, err := unix.Write(fds[0], msg); n != len(msg) || err != nil {
			t.Fatalf("write = %d, %v; want %d", n, err, len(msg))
		}
		if n, e := sysio.Read(sock, fds[1], buf); e != 0 || string(buf[:n]) != string(msg) {
			t.Fatalf("Read(sock=%v) = %q, %v; want %q", sock, buf[:n], e, msg)
		}
		if n, e := sysio.Read(sock, fds[1], buf); n != 0 || e != syscall.EAGAIN {
			t.Fatalf("Read(sock=%v) of an empty socket = %d, %v; want 0, EAGAIN", sock, n, e)
		}
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	if n, err := unix.Write(p[1], []byte("x")); n != 1 || err != nil {
		t.Fatalf("write on a pipe = %d, %v; want 1", n, err)
	}
	if n, e := sysio.Read(true, p[0], buf); n != 0 || e != syscall.ENOTSOCK {
		t.Fatalf("Read(sock=true) on a pipe = %d, %v; want 0, ENOTSOCK", n, e)
	}
	if n, e := sysio.Read(false, p[0], buf); n != 1 || e != 0 || buf[0] != 'x' {
		t.Fatalf("Read(sock=false) on a pipe = %d, %v; want 1, 0", n, e)
	}
}

// socketpair returns a connected pair of non-blocking Unix stream sockets,
// closed when the test ends.
func socketpair(t *testing.T) [2]int {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		unix.Close(fds[0])
		unix.Close(fds[1])
	})
	return fds
}
