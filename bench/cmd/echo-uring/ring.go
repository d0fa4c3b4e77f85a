//go:build linux

package main

import (
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The kernel ABI, from <linux/io_uring.h>: only what this server uses.
const (
	setupCQSize       = 1 << 3
	setupSingleIssuer = 1 << 12
	setupDeferTaskrun = 1 << 13

	enterGetEvents = 1 << 0

	registerEventfd = 4

	offSQEs = 0x10000000 // mmap offset of the submission entries

	opAccept = 13
	opSend   = 26
	opRecv   = 27
)

// sqOffsets and cqOffsets are struct io_sqring_offsets and
// io_cqring_offsets: where the ring fields lie in the mapped region.
type sqOffsets struct {
	head, tail, ringMask, ringEntries, flags, dropped, array, resv1 uint32
	userAddr                                                        uint64
}

type cqOffsets struct {
	head, tail, ringMask, ringEntries, overflow, cqes, flags, resv1 uint32
	userAddr                                                        uint64
}

// params is struct io_uring_params.
type params struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFd uint32
	resv                                                                   [3]uint32
	sqOff                                                                  sqOffsets
	cqOff                                                                  cqOffsets
}

// sqe is struct io_uring_sqe (64 bytes).
type sqe struct {
	opcode, flags uint8
	ioprio        uint16
	fd            int32
	off, addr     uint64
	len, opFlags  uint32
	userData      uint64
	bufIndex      uint16
	personality   uint16
	spliceFdIn    int32
	addr3, pad    uint64
}

// cqe is struct io_uring_cqe (16 bytes).
type cqe struct {
	userData uint64
	res      int32
	flags    uint32
}

// ring is one io_uring instance used from one goroutine: the loop's.
type ring struct {
	fd             int
	sqHead, sqTail *uint32 // shared with the kernel
	cqHead, cqTail *uint32
	sqMask, cqMask uint32
	sqes           []sqe
	cqes           []cqe
	tail           uint32 // entries prepared, published to *sqTail by enter
	unsubmitted    uint32
}

// newRing sets up a ring of entries submission slots and four times as many
// completion slots, and maps it.
func newRing(entries, flags uint32) (*ring, error) {
	p := params{flags: flags | setupCQSize, cqEntries: 4 * entries}
	fd, _, e := syscall.Syscall(unix.SYS_IO_URING_SETUP, uintptr(entries), uintptr(unsafe.Pointer(&p)), 0)
	if e != 0 {
		return nil, os.NewSyscallError("io_uring_setup", e)
	}
	r := &ring{fd: int(fd)}
	size := max(p.sqOff.array+4*p.sqEntries, p.cqOff.cqes+uint32(unsafe.Sizeof(cqe{}))*p.cqEntries)
	m, err := unix.Mmap(r.fd, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		unix.Close(r.fd)
		return nil, os.NewSyscallError("mmap", err)
	}
	qm, err := unix.Mmap(r.fd, offSQEs, int(p.sqEntries)*int(unsafe.Sizeof(sqe{})), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		unix.Munmap(m)
		unix.Close(r.fd)
		return nil, os.NewSyscallError("mmap", err)
	}
	base := unsafe.Pointer(&m[0])
	r.sqHead = (*uint32)(unsafe.Add(base, p.sqOff.head))
	r.sqTail = (*uint32)(unsafe.Add(base, p.sqOff.tail))
	r.sqMask = *(*uint32)(unsafe.Add(base, p.sqOff.ringMask))
	r.cqHead = (*uint32)(unsafe.Add(base, p.cqOff.head))
	r.cqTail = (*uint32)(unsafe.Add(base, p.cqOff.tail))
	r.cqMask = *(*uint32)(unsafe.Add(base, p.cqOff.ringMask))
	r.cqes = unsafe.Slice((*cqe)(unsafe.Add(base, p.cqOff.cqes)), p.cqEntries)
	r.sqes = unsafe.Slice((*sqe)(unsafe.Pointer(&qm[0])), p.sqEntries)
	// Slot i of the indirection array names entry i, once and for all.
	array := unsafe.Slice((*uint32)(unsafe.Add(base, p.sqOff.array)), p.sqEntries)
	for i := range array {
		array[i] = uint32(i)
	}
	r.tail = *r.sqTail
	return r, nil
}

// sqe returns a zeroed submission entry to fill, submitting the queued ones
// first when the ring is full.
func (r *ring) sqe() *sqe {
	for r.tail-atomic.LoadUint32(r.sqHead) > r.sqMask {
		if err := r.enter(0); err != nil {
			panic(err)
		}
	}
	q := &r.sqes[r.tail&r.sqMask]
	*q = sqe{}
	r.tail++
	r.unsubmitted++
	return q
}

// enter submits the prepared entries and, with wait > 0, waits for that many
// completions. With DEFER_TASKRUN it is also where completions are run.
func (r *ring) enter(wait uint32) error {
	atomic.StoreUint32(r.sqTail, r.tail)
	for {
		// GETEVENTS with wait 0 runs what is ready without waiting. A
		// blocking wait entered with RawSyscall keeps the P: fine for a
		// one-goroutine experiment, not for a library (see
		// docs/design.md on how ev's loop parks instead).
		n, _, e := syscall.RawSyscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), uintptr(r.unsubmitted), uintptr(wait), enterGetEvents, 0, 0)
		switch e {
		case 0:
			r.unsubmitted -= uint32(n)
			return nil
		case unix.EINTR:
			continue
		case unix.EAGAIN, unix.EBUSY:
			return nil // completions must be reaped first; the caller does
		}
		return errno("io_uring_enter", e)
	}
}

// next returns the oldest completion not yet consumed, and consumes it.
func (r *ring) next() (cqe, bool) {
	head := *r.cqHead
	if head == atomic.LoadUint32(r.cqTail) {
		return cqe{}, false
	}
	e := r.cqes[head&r.cqMask]
	atomic.StoreUint32(r.cqHead, head+1)
	return e, true
}

// registerEventfd makes the ring signal fd when it queues completions.
func (r *ring) registerEventfd(fd int) error {
	v := int32(fd)
	_, _, e := syscall.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(r.fd), registerEventfd, uintptr(unsafe.Pointer(&v)), 1, 0, 0)
	return errno("io_uring_register", e)
}
