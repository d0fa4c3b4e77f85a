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
// single one (what C event loops call; the kernel skips the iovec copy).
func readv(fd int, vecs [][]byte) (int, error) {
	if len(vecs) == 1 {
		return rawCall(unix.SYS_READ, fd, unsafe.Pointer(&vecs[0][0]), len(vecs[0]))
	}
	var iov [max(readVecs, maxWriteVecs)]unix.Iovec
	for i, v := range vecs {
		iov[i].Base = &v[0]
		iov[i].SetLen(len(v))
	}
	return rawCall(unix.SYS_READV, fd, unsafe.Pointer(&iov[0]), len(vecs))
}

// writev writes vecs (each non-empty) with writev(2), or write(2) for a
// single one.
func writev(fd int, vecs [][]byte) (int, error) {
	if len(vecs) == 1 {
		return rawCall(unix.SYS_WRITE, fd, unsafe.Pointer(&vecs[0][0]), len(vecs[0]))
	}
	var iov [maxWriteVecs]unix.Iovec
	for i, v := range vecs {
		iov[i].Base = &v[0]
		iov[i].SetLen(len(v))
	}
	return rawCall(unix.SYS_WRITEV, fd, unsafe.Pointer(&iov[0]), len(vecs))
}

// rawCall makes the read-like system call trap(fd, p, n), retrying EINTR.
// p is converted to uintptr in the call expression itself, which keeps
// what it points to alive and in place for the call (unsafe.Pointer rule 4).
func rawCall(trap uintptr, fd int, p unsafe.Pointer, n int) (int, error) {
	for {
		r, _, e := unix.RawSyscall(trap, uintptr(fd), uintptr(p), uintptr(n))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(r), nil
	}
}
