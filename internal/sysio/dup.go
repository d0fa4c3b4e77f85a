package sysio

import (
	"os"

	"golang.org/x/sys/unix"
)

// DupCloexec duplicates fd, close-on-exec (F_DUPFD_CLOEXEC), on every
// system eventide builds for.
func DupCloexec(fd int) (int, error) {
	d, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("fcntl", err)
	}
	return d, nil
}
