package buffer

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/internal/sysio"
)

// Linux quirks handled here: the descriptors are non-blocking, so readv
// and writev never block and go through sysio.Call's raw system call
// (EINTR retried there); the iovec array lives on the stack and reaches
// the kernel only as sysio.Call's unsafe.Pointer argument, which keeps it
// alive and unmoved for the call.

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

// rawCall makes the read- or write-like system call trap(fd, p, n) as one
// raw system call (sysio.Call), its errno as the error.
func rawCall(trap uintptr, fd int, p unsafe.Pointer, n int) (int, error) {
	r, e := sysio.Call(trap, fd, p, n, 0)
	if e != 0 {
		return 0, e
	}
	return r, nil
}
