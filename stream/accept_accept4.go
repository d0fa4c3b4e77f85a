//go:build freebsd || dragonfly

package stream

import (
	"os"

	"golang.org/x/sys/unix"
)

// acceptConn accepts one connection, non-blocking and close-on-exec in
// the same system call.
func acceptConn(fd int) (int, error) {
	nfd, _, err := unix.Accept4(fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
	if err != nil {
		return -1, os.NewSyscallError("accept4", err)
	}
	return nfd, nil
}
