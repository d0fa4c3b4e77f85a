package sysio

import (
	"syscall"
	"unsafe"
)

// Call makes the read- or write-like system call trap(fd, p, n, flags)
// (read, write, readv, writev, recvfrom, sendto; the last two get flags
// and no address) and returns its count or its errno. EINTR is retried (a
// signal handler without SA_RESTART).
//
// It enters the kernel with syscall.RawSyscall6: the descriptors are
// non-blocking, so the call cannot block, and skipping the scheduler's
// entersyscall/exitsyscall is what makes it cost one system call and
// nothing more on a busy loop. It calls the syscall package's function,
// not x/sys/unix's: unix.RawSyscall6 is an assembly jump to it, and a Go
// call through assembly pays two ABI wrappers, about 30 instructions a
// call (callgrind; docs/design.md §2). p is converted to uintptr in the
// call expression itself, which keeps what it points to alive and in
// place for the call (unsafe.Pointer rule 4: RawSyscall6 carries the
// uintptrkeepalive directive and does not grow the stack).
func Call(trap uintptr, fd int, p unsafe.Pointer, n int, flags uintptr) (int, syscall.Errno) {
	for {
		r, _, e := syscall.RawSyscall6(trap, uintptr(fd), uintptr(p), uintptr(n), flags, 0, 0)
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(r), 0
	}
}
