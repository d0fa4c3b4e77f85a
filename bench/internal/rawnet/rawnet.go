// Package rawnet is the socket plumbing of the load generators (echoload,
// httpload -gen raw): TCP connections on raw descriptors, read, written
// and polled through raw system calls, which never block on a
// non-blocking socket and so skip the scheduler's system call bookkeeping.
// A generator that spends its CPU in the kernel, not in the runtime, stays
// cheaper than the servers it measures for longer.
package rawnet

import (
	"errors"
	"net/netip"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Dial connects a blocking IPv4 TCP socket to ap, sets TCP_NODELAY and
// returns it; the caller makes it non-blocking when it wants to.
func Dial(ap netip.AddrPort) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	sa := &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	for {
		err = unix.Connect(fd, sa)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("connect", err)
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("setsockopt", err)
	}
	return fd, nil
}

// SetNonblock makes fd non-blocking.
func SetNonblock(fd int) error {
	if err := unix.SetNonblock(fd, true); err != nil {
		return os.NewSyscallError("fcntl", err)
	}
	return nil
}

// Recv is recv(2) on a non-blocking socket (recvfrom skips the file layer
// that read(2) goes through).
func Recv(fd int, p []byte) (int, error) {
	n, _, e := syscall.RawSyscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// ErrPeerClosed is Receive's error for a connection the server closed.
var ErrPeerClosed = errors.New("server closed a connection")

// Receive is Recv for a generator: 0 and no error when nothing has arrived
// (EAGAIN, EINTR), ErrPeerClosed at end of stream, and other errors
// wrapped with the system call's name.
func Receive(fd int, p []byte) (int, error) {
	n, err := Recv(fd, p)
	switch {
	case err == unix.EAGAIN || err == unix.EINTR:
		return 0, nil
	case err != nil:
		return 0, os.NewSyscallError("recv", err)
	case n == 0:
		return 0, ErrPeerClosed
	}
	return n, nil
}

// SendAll writes all of p on a non-blocking socket, retrying on EAGAIN (the
// generators send messages far smaller than a socket buffer, so that is
// rare) and EINTR.
func SendAll(fd int, p []byte) error {
	for off := 0; off < len(p); {
		n, _, e := syscall.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(&p[off])),
			uintptr(len(p)-off), unix.MSG_NOSIGNAL, 0, 0)
		if e == unix.EAGAIN || e == unix.EINTR {
			continue
		}
		if e != 0 {
			return os.NewSyscallError("send", e)
		}
		off += int(n)
	}
	return nil
}

// Wait polls the epoll descriptor ep into events: a raw zero-timeout look
// first, and only when nothing is ready a blocking wait of up to 100 ms
// through the scheduler. It returns 0 events on EINTR.
func Wait(ep int, events []unix.EpollEvent) (int, error) {
	r, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(ep),
		uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if e == 0 && r > 0 {
		return int(r), nil
	}
	n, err := unix.EpollWait(ep, events, 100)
	if err == unix.EINTR {
		return 0, nil
	}
	if err != nil {
		return 0, os.NewSyscallError("epoll_wait", err)
	}
	return n, nil
}

// SelfCPU is this process's CPU time so far, user and system.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
