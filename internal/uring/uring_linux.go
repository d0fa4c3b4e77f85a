// Package uring batches system calls through one io_uring (Linux 5.18 or
// later): a loop queues the sends of a whole pass and makes them with one
// io_uring_enter(2) instead of one sendto(2) each.
//
// The ring is used as a batch of system calls, not as a completion
// backend: every operation carries MSG_DONTWAIT, so it completes (or fails
// with EAGAIN) inline, during the io_uring_enter that submits it, and
// nothing is ever left in flight in the ring. Readiness stays with the
// loop's epoll set. That is why no thread is locked, no completion is
// awaited and no operation ever outlives the call that submitted it: a
// buffer handed to the ring is free again when Submit returns. On a
// machine where a system call costs a microsecond (a VM with page-table
// isolation), fifty sends for the price of one is most of what separates
// an event loop from the wire (docs/design.md §11).
//
// A Ring belongs to one goroutine (a loop's); it is not safe for
// concurrent use.
package uring

import (
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The kernel ABI, from <linux/io_uring.h>: only what is used here.
const (
	setupCQSize    = 1 << 3
	setupSubmitAll = 1 << 7 // 5.18: an entry that fails does not stop the batch

	enterGetEvents = 1 << 0

	offSQEs = 0x10000000 // mmap offset of the submission entries

	opSendmsg = 9
	opSend    = 26
	opRecv    = 27
)

// sqOffsets and cqOffsets are struct io_sqring_offsets and
// io_cqring_offsets: where the ring's fields lie in the mapped region.
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

// Ring is one io_uring instance, mapped.
type Ring struct {
	fd             int
	sqHead, sqTail *uint32 // shared with the kernel
	cqHead, cqTail *uint32
	sqMask, cqMask uint32
	sqes           []sqe
	cqes           []cqe
	tail           uint32 // entries prepared; published to *sqTail by Submit
	queued         uint32 // entries prepared and not yet submitted
	maps           [2][]byte
	// keep holds what the queued entries point to until Submit returns:
	// the kernel reads it by address, which the compiler cannot see, and
	// memory that did not escape could live on a goroutine stack that
	// moves when it grows.
	keep []unsafe.Pointer
}

// New sets up a ring with room for entries operations per batch (a power
// of two, at most 4096). It fails where io_uring is missing or refused:
// kernels before 5.18, kernel.io_uring_disabled, seccomp profiles.
func New(entries uint32) (*Ring, error) {
	p := params{flags: setupCQSize | setupSubmitAll, cqEntries: 2 * entries}
	fd, _, e := syscall.Syscall(unix.SYS_IO_URING_SETUP, uintptr(entries), uintptr(unsafe.Pointer(&p)), 0)
	if e != 0 {
		return nil, os.NewSyscallError("io_uring_setup", e)
	}
	r := &Ring{fd: int(fd)}
	unix.CloseOnExec(r.fd)
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
	r.maps = [2][]byte{m, qm}
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

// Free returns how many more operations fit in the batch being prepared.
func (r *Ring) Free() int { return len(r.sqes) - int(r.queued) }

// queue fills the next submission entry. The caller's method names the
// operation for the panic on a full batch (see Free).
func (r *Ring) queue(name string, op uint8, fd int, addr unsafe.Pointer, n, flags uint32, user uint64) {
	if r.queued == uint32(len(r.sqes)) {
		panic("uring: " + name + " on a full batch")
	}
	q := &r.sqes[r.tail&r.sqMask]
	*q = sqe{opcode: op, fd: int32(fd), len: n, opFlags: flags, userData: user}
	r.keep = append(r.keep, addr)
	q.addr = uint64(uintptr(addr))
	r.tail++
	r.queued++
}

// Send queues send(2) of p on the socket fd, with MSG_DONTWAIT and
// MSG_NOSIGNAL; user comes back with its result. p must stay untouched
// until Submit returns. It panics if the batch is full (see Free).
func (r *Ring) Send(fd int, p []byte, user uint64) {
	r.queue("Send", opSend, fd, unsafe.Pointer(unsafe.SliceData(p)), uint32(len(p)), unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL, user)
}

// Sendmsg queues sendmsg(2) of msg on the socket fd, as Send does: msg and
// the memory it points to must stay untouched until Submit returns.
func (r *Ring) Sendmsg(fd int, msg *unix.Msghdr, user uint64) {
	r.queue("Sendmsg", opSendmsg, fd, unsafe.Pointer(msg), 1, unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL, user)
}

// Recv queues recv(2) into p on the socket fd, with MSG_DONTWAIT, as Send
// does: p must stay untouched until Submit returns. (A load generator
// receives a whole poll's replies this way; bench/cmd/echoload.)
func (r *Ring) Recv(fd int, p []byte, user uint64) {
	r.queue("Recv", opRecv, fd, unsafe.Pointer(unsafe.SliceData(p)), uint32(len(p)), unix.MSG_DONTWAIT, user)
}

// Submit makes the queued operations, all in one io_uring_enter(2), and
// returns once each of them has completed; Next then returns their
// results. It enters the kernel with a raw system call, as the loop's reads
// and writes do: the operations cannot block. Should the kernel leave one
// in flight all the same, Submit waits for it through the scheduler.
//
// If io_uring_enter fails (EAGAIN or EBUSY when the kernel is short of
// memory, or anything else), the operations it did not take are dropped
// and get no result; Submit returns the error once the ones it took have
// completed, so a caller can tell them apart by their results.
func (r *Ring) Submit() error {
	if r.queued == 0 {
		return nil
	}
	atomic.StoreUint32(r.sqTail, r.tail)
	var err error
	taken := uint32(0)
	for r.queued > 0 {
		k, _, e := syscall.RawSyscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), uintptr(r.queued), 0, 0, 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			err = os.NewSyscallError("io_uring_enter", e)
			break
		}
		r.queued -= uint32(k)
		taken += uint32(k)
	}
	if r.queued > 0 {
		// Take back the entries the kernel did not take: they must not
		// run at a later call, when what they point to has moved on.
		r.tail -= r.queued
		r.queued = 0
		atomic.StoreUint32(r.sqTail, r.tail)
	}
	if werr := r.wait(taken); err == nil {
		err = werr
	}
	clear(r.keep)
	r.keep = r.keep[:0]
	return err
}

// wait returns once n completions are in the completion queue.
func (r *Ring) wait(n uint32) error {
	for {
		have := atomic.LoadUint32(r.cqTail) - *r.cqHead
		if have >= n {
			return nil
		}
		_, _, e := syscall.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), 0, uintptr(n-have), enterGetEvents, 0, 0)
		if e != 0 && e != unix.EINTR {
			return os.NewSyscallError("io_uring_enter", e)
		}
	}
}

// Next returns the oldest result not yet taken: the user value given with
// the operation and its result, a count or a negated errno. ok is false
// when none is left.
func (r *Ring) Next() (user uint64, res int32, ok bool) {
	head := *r.cqHead
	if head == atomic.LoadUint32(r.cqTail) {
		return 0, 0, false
	}
	e := &r.cqes[head&r.cqMask]
	user, res = e.userData, e.res
	atomic.StoreUint32(r.cqHead, head+1)
	return user, res, true
}

// Close unmaps the ring and closes its descriptor.
func (r *Ring) Close() error {
	for _, m := range r.maps {
		unix.Munmap(m)
	}
	r.maps = [2][]byte{}
	return unix.Close(r.fd)
}
