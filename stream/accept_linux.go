package stream

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// acceptConn accepts one connection, non-blocking and close-on-exec in
// the same system call. It asks for no peer address (RemoteAddr asks
// getpeername when wanted), so accepting allocates nothing, and enters the
// kernel with RawSyscall: the listening socket is non-blocking.
func acceptConn(fd int) (int, error) {
	for {
		nfd, _, e := syscall.RawSyscall6(unix.SYS_ACCEPT4, uintptr(fd), 0, 0, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
		switch e {
		case 0:
			return int(nfd), nil
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return -1, syscall.EAGAIN // the common case: no allocation
		}
		return -1, os.NewSyscallError("accept4", e)
	}
}
