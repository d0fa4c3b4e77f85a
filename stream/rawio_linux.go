package stream

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/internal/sysio"
)

// rawRead reads into p with recvfrom(2) on a socket, read(2) on anything
// else, as one raw system call (sysio.Call). On a socket, recvfrom goes
// straight to the socket layer where read passes through the file layer
// first (position lock, access checks): 5 % of a socketpair ping-pong's
// time. p must not be empty.
func rawRead(fd int, p []byte, sock bool) (int, syscall.Errno) {
	trap := uintptr(unix.SYS_READ)
	if sock {
		trap = unix.SYS_RECVFROM
	}
	return sysio.Call(trap, fd, unsafe.Pointer(&p[0]), len(p), 0)
}

// rawWrite writes p with sendto(2) on a socket (MSG_NOSIGNAL: a reset peer
// is EPIPE, never SIGPIPE), write(2) on anything else, as rawRead reads.
// p must not be empty.
func rawWrite(fd int, p []byte, sock bool) (int, syscall.Errno) {
	if sock {
		return sysio.Call(unix.SYS_SENDTO, fd, unsafe.Pointer(&p[0]), len(p), unix.MSG_NOSIGNAL)
	}
	return sysio.Call(unix.SYS_WRITE, fd, unsafe.Pointer(&p[0]), len(p), 0)
}
