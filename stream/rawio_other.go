//go:build !linux

package stream

import (
	"errors"
	"syscall"

	"golang.org/x/sys/unix"
)

// rawRead reads into p with read(2). Outside Linux the system calls go
// through libc or the ordinary syscall path; EINTR is retried. sock is
// unused.
func rawRead(fd int, p []byte, sock bool) (int, syscall.Errno) {
	for {
		n, err := unix.Read(fd, p)
		if err == nil {
			return n, 0
		}
		var e syscall.Errno
		if !errors.As(err, &e) {
			e = syscall.EIO
		}
		if e != syscall.EINTR {
			return 0, e
		}
	}
}
