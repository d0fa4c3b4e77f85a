package buffer

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Linux quirks handled here:
//  1. The descriptors are non-blocking, so readv and writev never block:
//     RawSyscall skips the scheduler's entersyscall/exitsyscall, which
//     costs more than the call itself on a busy event loop.
//  2. EINTR is retried (a signal handler without SA_RESTART).
//  3. The iovec array lives on the stack; its address only crosses into
//     the kernel as a uintptr inside the call expression, which keeps
//     it alive and unmoved (unsafe.Pointer rule 4; RawSyscall does not
//     grow the stack).

// readv reads into vecs (each non-empty) with readv(2), or read(2) for a
// single one.
func readv(fd int, vecs [][]byte) (int, error) {
	if len(vecs) == 1 {
		v := vecs[0]
		for {
			r, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&v[0])), uintptr(len(v)))
			if e == unix.EINTR {
				continue
			}
			if e != 0 {
				return 0, e
			}
			return int(r), nil
		}
	}
	var iov [max(readVecs, maxWriteVecs)]unix.Iovec
	for i, v := range vecs {
		iov[i].Base = &v[0]
		iov[i].SetLen(len(v))
	}
	for {
		r, _, e := unix.RawSyscall(unix.SYS_READV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(len(vecs)))
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
// single one: the kernel's writev path copies and checks the iovec array
// first, which strace -c showed at twice write's cost per 4 KiB echo.
func writev(fd int, vecs [][]byte) (int, error) {
	if len(vecs) == 1 {
		v := vecs[0]
		for {
			r, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&v[0])), uintptr(len(v)))
			if e == unix.EINTR {
				continue
			}
			if e != 0 {
				return 0, e
			}
			return int(r), nil
		}
	}
	var iov [maxWriteVecs]unix.Iovec
	for i, v := range vecs {
		iov[i].Base = &v[0]
		iov[i].SetLen(len(v))
	}
	for {
		r, _, e := unix.RawSyscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(len(vecs)))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(r), nil
	}
}
