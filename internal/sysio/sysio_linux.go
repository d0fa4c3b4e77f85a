package sysio

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
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

// Read reads into p with recvfrom(2) on a socket (sock), read(2) on
// anything else, and returns the count or the errno, EINTR retried. On a
// socket, recvfrom goes straight to the socket layer where read passes
// through the file layer first (position lock, access checks): 5 % of a
// socketpair ping-pong's time. p must not be empty.
//
// Read is Call with the system call chosen, written out rather than
// calling Call: Call is over the compiler's inlining budget, and the
// frame it would add cost about 12 instructions per system call on the
// path every echoed message takes (callgrind, examples/rawecho). Its
// parameters come in the order of RawSyscall6's registers once sock has
// chosen the call that goes first: fd, then p's address and length, which
// the frame then hands on without moving them (sock, fd, p cost 27
// instructions per call besides the system call, fd, p, sock 32).
func Read(sock bool, fd int, p []byte) (int, syscall.Errno) {
	trap := uintptr(unix.SYS_READ)
	if sock {
		trap = unix.SYS_RECVFROM
	}
	for {
		r, _, e := syscall.RawSyscall6(trap, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)), 0, 0, 0)
		if e == 0 {
			return int(r), 0
		}
		if e != syscall.EINTR {
			return 0, e
		}
	}
}
