//go:build dragonfly || freebsd || netbsd

package buffer

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// x/sys has no Readv/Writev here, so the system calls are made directly.
// EINTR is retried.

// readv reads into vecs (each non-empty) with readv(2).
func readv(fd int, vecs [][]byte) (int, error) {
	var iov [max(readVecs, maxWriteVecs)]unix.Iovec
	for i, v := range vecs {
		iov[i].Base = &v[0]
		iov[i].SetLen(len(v))
	}
	for {
		r, _, e := unix.Syscall(unix.SYS_READV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(len(vecs)))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(r), nil
	}
}

// writev writes vecs (each non-empty) with writev(2), or write(2) for a
// single one.
func writev(fd int, vecs [][]byte) (int, error) {
	if len(vecs) == 1 {
		for {
			n, err := unix.Write(fd, vecs[0])
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return 0, err
			}
			return n, nil
		}
	}
	var iov [maxWriteVecs]unix.Iovec
	for i, v := range vecs {
		iov[i].Base = &v[0]
		iov[i].SetLen(len(v))
	}
	for {
		r, _, e := unix.Syscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(len(vecs)))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(r), nil
	}
}
