//go:build darwin || openbsd

package buffer

import "golang.org/x/sys/unix"

// On darwin and OpenBSD system calls go through libc, so the x/sys
// wrappers are used. EINTR is retried.

// readv reads into vecs with readv(2).
func readv(fd int, vecs [][]byte) (int, error) {
	for {
		n, err := unix.Readv(fd, vecs)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		return n, nil
	}
}

// writev writes vecs with writev(2), or write(2) for a single one.
func writev(fd int, vecs [][]byte) (int, error) {
	for {
		var n int
		var err error
		if len(vecs) == 1 {
			n, err = unix.Write(fd, vecs[0])
		} else {
			n, err = unix.Writev(fd, vecs)
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		return n, nil
	}
}
