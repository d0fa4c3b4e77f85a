package stream

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawRead reads into p with recvfrom(2) on a socket, read(2) on anything
// else, entering the kernel with RawSyscall: the descriptor is
// non-blocking, so the call cannot block, and skipping the scheduler's
// entersyscall/exitsyscall is what makes a read cost one system call and
// nothing more. On a socket, recvfrom goes straight to the socket layer
// where read passes through the file layer first (position lock, access
// checks): 5 % of a socketpair ping-pong's time. p must not be empty.
// EINTR is retried.
func rawRead(fd int, p []byte, sock bool) (int, syscall.Errno) {
	trap := uintptr(unix.SYS_READ)
	if sock {
		trap = unix.SYS_RECVFROM
	}
	for {
		n, _, e := unix.RawSyscall6(trap, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), 0, 0, 0)
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(n), 0
	}
}

// rawWrite writes p with sendto(2) on a socket (MSG_NOSIGNAL: a reset peer
// is EPIPE, never SIGPIPE), write(2) on anything else, as rawRead reads.
// p must not be empty.
func rawWrite(fd int, p []byte, sock bool) (int, syscall.Errno) {
	trap, flags := uintptr(unix.SYS_WRITE), uintptr(0)
	if sock {
		trap, flags = unix.SYS_SENDTO, unix.MSG_NOSIGNAL
	}
	for {
		n, _, e := unix.RawSyscall6(trap, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), flags, 0, 0)
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(n), 0
	}
}
