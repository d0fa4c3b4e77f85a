package stream

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawRead reads into p with read(2), entering the kernel with RawSyscall:
// the descriptor is non-blocking, so the call cannot block, and skipping the
// scheduler's entersyscall/exitsyscall is what makes a read cost one system
// call and nothing more. p must not be empty. EINTR is retried.
func rawRead(fd int, p []byte) (int, syscall.Errno) {
	for {
		n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(n), 0
	}
}

// rawWrite writes p with write(2), as rawRead reads. p must not be empty.
func rawWrite(fd int, p []byte) (int, syscall.Errno) {
	for {
		n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(n), 0
	}
}
