//go:build linux

package poller

// The epoll backend. Kernel quirks it handles:
//
//  1. EPOLL_CTL_MOD of a descriptor the kernel dropped when it was closed
//     fails with ENOENT: retried as EPOLL_CTL_ADD (the number was reused).
//  2. EPOLL_CTL_ADD of a descriptor already in the set (a dup of a watched
//     one, or a number our caller believed free) fails with EEXIST: retried
//     as EPOLL_CTL_MOD.
//  3. Regular files and character devices like /dev/null are refused with
//     EPERM: reported as ErrNotPollable, which the loop turns into "always
//     ready", as libev does.
//  4. EPOLL_CTL_DEL of a descriptor that was already closed fails with EBADF
//     or ENOENT: not an error, closing removed it.
//  5. A closed descriptor whose file description lives on in a dup stays in
//     the set and keeps reporting under its old number: every event carries
//     the generation given at registration so the caller can drop reports
//     that predate its last change.
//  6. epoll_pwait interrupted by a signal (EINTR) is retried.
//  7. A report carries only the bits asked for plus EPOLLERR and EPOLLHUP
//     (the kernel masks what the file reports with the registration's
//     events, to which it adds those two), so reports go to the caller
//     as the kernel wrote them: epoll_pwait fills the caller's slice of
//     Events, which are struct epoll_event, and nothing is copied.

import (
	"errors"
	"os"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/internal/sysio"
)

type epoll struct {
	fd     int             // the epoll descriptor; owned by this struct
	file   *os.File        // a dup of fd registered with Go's network poller, for parking; nil while busy
	rc     syscall.RawConn // file's raw access, to park until fd is readable
	spare  int             // while file is nil: the dup of fd that register will use
	busy   int             // consecutive Waits that found events without parking
	wakefd int             // eventfd that Wake writes; in the set, level-triggered

	wakePending atomic.Bool        // a Wake wrote wakefd and Wait has not drained it yet
	guard       wakeGuard          // Wake writes wakefd only while it is open
	deadline    bool               // file has a read deadline set by the last Wait
	parkBuf     []Event            // the caller's slice while park waits in rc.Read; else nil
	wakeBuf     [8]byte            // eventfd read/write scratch
	nready      int                // result of the last waitRaw made inside rc.Read
	nerr        error              // error of that waitRaw
	waitFn      func(uintptr) bool // the parking predicate, allocated once
}

var _ Poller = (*epoll)(nil)

func newNative(k Kind) (Poller, error) {
	if k != Default && k != Epoll {
		return nil, unsupported(k)
	}
	return newEpoll()
}

func newEpoll() (*epoll, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	wfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("eventfd", err)
	}
	p := &epoll{fd: fd, wakefd: wfd, spare: -1}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wfd)}
	if err := unix.EpollCtl(fd, unix.EPOLL_CTL_ADD, wfd, &ev); err != nil {
		unix.Close(wfd)
		unix.Close(fd)
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	// An epoll descriptor is readable while its ready list is not empty, so
	// Go's poller can tell us when to look. It must be non-blocking for
	// os.NewFile to hand it to the runtime poller.
	if err := unix.SetNonblock(fd, true); err != nil {
		p.closeFds()
		return nil, os.NewSyscallError("fcntl", err)
	}
	if p.spare, err = sysio.DupCloexec(fd); err != nil {
		p.closeFds()
		return nil, err
	}
	p.waitFn = func(uintptr) bool {
		p.nready, p.nerr = p.waitRaw(p.parkBuf)
		return p.nready > 0 || p.nerr != nil
	}
	return p, nil
}

func (p *epoll) Name() string { return "epoll" }

// ctl is epoll_ctl through a raw system call: it never blocks, and the raw
// path skips the scheduler's syscall bookkeeping, which is costly here.
func (p *epoll) ctl(op, fd int, interest Events, gen uint32) syscall.Errno {
	ev := unix.EpollEvent{Events: uint32(interest), Fd: int32(fd), Pad: int32(gen)}
	_, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_CTL, uintptr(p.fd), uintptr(op), uintptr(fd),
		uintptr(unsafe.Pointer(&ev)), 0, 0)
	return e
}

func (p *epoll) Add(fd int, interest Events, gen uint32) error {
	e := p.ctl(unix.EPOLL_CTL_ADD, fd, interest, gen)
	if e == unix.EEXIST {
		e = p.ctl(unix.EPOLL_CTL_MOD, fd, interest, gen)
	}
	return ctlError(e)
}

func (p *epoll) Modify(fd int, interest Events, gen uint32) error {
	e := p.ctl(unix.EPOLL_CTL_MOD, fd, interest, gen)
	if e == unix.ENOENT {
		e = p.ctl(unix.EPOLL_CTL_ADD, fd, interest, gen)
	}
	return ctlError(e)
}

func (p *epoll) Delete(fd int) error {
	e := p.ctl(unix.EPOLL_CTL_DEL, fd, 0, 0)
	if e == unix.EBADF || e == unix.ENOENT {
		return nil
	}
	return ctlError(e)
}

func ctlError(e syscall.Errno) error {
	switch e {
	case 0:
		return nil
	case unix.EPERM:
		return ErrNotPollable
	}
	return os.NewSyscallError("epoll_ctl", e)
}

// waitRaw polls with a zero timeout into events, which is not empty.
func (p *epoll) waitRaw(events []Event) (int, error) {
	for {
		r, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(p.fd),
			uintptr(unsafe.Pointer(&events[0].k)), uintptr(len(events)), 0, 0, 0)
		switch e {
		case 0:
			return int(r), nil
		case unix.EINTR:
			continue
		}
		return 0, os.NewSyscallError("epoll_wait", e)
	}
}

func (p *epoll) Wait(events []Event, block func() time.Duration) (int, error) {
	if len(events) == 0 {
		return 0, nil
	}
	n, err := p.waitRaw(events)
	if err != nil {
		return 0, err
	}
	switch {
	case n == 0:
		p.busy = 0
		timeout := block()
		if timeout == 0 {
			return 0, nil
		}
		if n, err = p.park(events, timeout); err != nil {
			return 0, err
		}
	case n > 0 && p.file != nil:
		if p.busy++; p.busy >= busyWaits {
			p.unregister()
		}
	}
	if p.wakePending.Load() {
		n = p.dropWake(events[:n])
	}
	return n, nil
}

// dropWake drains wakefd if events holds its report, and takes the report
// out. Only a Wake since the last drain can have made wakefd readable, and
// Wake sets wakePending before it writes, which drainWake clears after it
// reads: while wakePending is clear, wakefd is not in events, and Wait does
// not look.
func (p *epoll) dropWake(events []Event) int {
	for i := range events {
		if int(events[i].k.Fd) == p.wakefd {
			p.drainWake()
			return i + copy(events[i:], events[i+1:])
		}
	}
	return len(events)
}

// busyWaits is how many Waits in a row must find events at once before
// the poller leaves Go's network poller (see register).
const busyWaits = 1024

// register makes the epoll descriptor known to Go's network poller, so that
// park can block the goroutine on it: through a duplicate, which can be
// unregistered by closing it.
//
// Registration nests our epoll set in the runtime's, and the kernel then
// runs the runtime's wake-up callback for every event reported to ours:
// about 4 % of a socketpair ping-pong, which never parks. So a busy loop
// (busyWaits waits in a row that found events) unregisters, and the next
// park registers again: five system calls and a few small allocations, only
// when the loop goes from busy to idle. The next duplicate is made when the
// last is closed, so a loop holds the same three descriptors throughout and
// registering cannot fail for want of one.
func (p *epoll) register() error {
	// The duplicate shares the original's non-blocking flag, which makes
	// os.NewFile hand it to the runtime poller.
	f := os.NewFile(uintptr(p.spare), "epoll")
	p.spare = -1
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return err
	}
	p.file, p.rc, p.deadline = f, rc, false
	return nil
}

// unregister closes the registered duplicate, taking the epoll set out of
// the runtime's, after making the next one; without a descriptor for it,
// the poller stays registered.
func (p *epoll) unregister() {
	p.busy = 0
	spare, err := sysio.DupCloexec(p.fd)
	if err != nil {
		return
	}
	p.file.Close()
	p.file, p.rc, p.spare = nil, nil, spare
}

// park blocks the goroutine, not the thread, until the epoll descriptor is
// readable or timeout passes, then polls again into events.
func (p *epoll) park(events []Event, timeout time.Duration) (int, error) {
	if p.file == nil {
		if err := p.register(); err != nil {
			return 0, err
		}
	}
	if timeout > 0 {
		p.file.SetReadDeadline(time.Now().Add(timeout))
		p.deadline = true
	} else if p.deadline {
		p.file.SetReadDeadline(time.Time{})
		p.deadline = false
	}
	p.nready, p.nerr, p.parkBuf = 0, nil, events
	err := p.rc.Read(p.waitFn)
	p.parkBuf = nil
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		return 0, err
	}
	return p.nready, p.nerr
}

func (p *epoll) drainWake() {
	// Read first, clear the flag second. The other order loses wake-ups for
	// good: a Wake between the two would see the flag clear, write, and have
	// its write swallowed by our read, leaving the flag set with nothing to
	// drain, so that every later Wake does nothing. In this order a Wake
	// between the two sees the flag still set and does not write; that is
	// fine, because the caller looks for published work after Wait returns.
	syscall.RawSyscall(unix.SYS_READ, uintptr(p.wakefd), uintptr(unsafe.Pointer(&p.wakeBuf[0])), 8)
	p.wakePending.Store(false)
}

func (p *epoll) Wake() error {
	if !p.wakePending.CompareAndSwap(false, true) {
		return nil
	}
	if !p.guard.enter() {
		return nil // closed: nothing to wake
	}
	one := [8]byte{1}
	_, _, e := syscall.RawSyscall(unix.SYS_WRITE, uintptr(p.wakefd), uintptr(unsafe.Pointer(&one[0])), 8)
	p.guard.exit()
	if e != 0 && e != unix.EAGAIN {
		return os.NewSyscallError("write", e)
	}
	return nil
}

func (p *epoll) closeFds() {
	p.guard.shut()
	unix.Close(p.wakefd)
	if p.file != nil {
		p.file.Close()
		p.file, p.rc = nil, nil
	}
	if p.spare >= 0 {
		unix.Close(p.spare)
		p.spare = -1
	}
	unix.Close(p.fd)
}

func (p *epoll) Close() error {
	p.closeFds()
	return nil
}
