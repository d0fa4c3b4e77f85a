//go:build !linux && !freebsd && !dragonfly

package stream

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// acceptConn accepts one connection and makes it non-blocking and
// close-on-exec (no accept4 here). The fork lock keeps a concurrent
// fork+exec from inheriting it in between.
func acceptConn(fd int) (int, error) {
	syscall.ForkLock.RLock()
	nfd, _, err := unix.Accept(fd)
	if err == nil {
		unix.CloseOnExec(nfd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, os.NewSyscallError("accept", err)
	}
	if err := unix.SetNonblock(nfd, true); err != nil {
		unix.Close(nfd)
		return -1, os.NewSyscallError("fcntl", err)
	}
	return nfd, nil
}
