//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package poller

// The kqueue backend. Quirks it handles:
//
//  1. Reading and writing are separate filters (EVFILT_READ, EVFILT_WRITE):
//     a change of interest adds one and deletes the other as needed.
//  2. Deleting a filter that is not registered fails with ENOENT: ignored,
//     since closing a descriptor removes its filters without telling us.
//  3. A peer's shutdown shows as EV_EOF on the read filter: reported as
//     RDHup, and as Hup when the write filter reports it too.
//  4. Edge interest maps to EV_CLEAR.
//  5. Field types of kevent differ between systems (NetBSD's filter is
//     unsigned): every field is converted through int before comparing.
//  6. The kqueue descriptor is itself pollable, so a waiting loop parks on Go's
//     network poller through it, as the epoll backend does.

import (
	"errors"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

type kqueue struct {
	fd       int
	file     *os.File
	rc       syscall.RawConn
	interest map[int]Events // registered interest by descriptor
	gens     map[int]uint32

	wakeR, wakeW int
	wakePending  atomic.Bool
	guard        wakeGuard // Wake writes wakeW only while it is open
	deadline     bool

	changes []unix.Kevent_t
	raw     []unix.Kevent_t
	nready  int
	nerr    error
	waitFn  func(uintptr) bool
}

var _ Poller = (*kqueue)(nil)

func newNative(k Kind) (Poller, error) {
	if k != Default && k != Kqueue {
		return nil, unsupported(k)
	}
	fd, err := unix.Kqueue()
	if err != nil {
		return nil, os.NewSyscallError("kqueue", err)
	}
	unix.CloseOnExec(fd)
	p := &kqueue{fd: fd, interest: make(map[int]Events), gens: make(map[int]uint32)}
	if p.wakeR, p.wakeW, err = pipe(); err != nil {
		unix.Close(fd)
		return nil, err
	}
	var ch [1]unix.Kevent_t
	unix.SetKevent(&ch[0], p.wakeR, unix.EVFILT_READ, unix.EV_ADD)
	if _, err := unix.Kevent(fd, ch[:], nil, nil); err != nil {
		p.closeFds()
		return nil, os.NewSyscallError("kevent", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		p.closeFds()
		return nil, os.NewSyscallError("fcntl", err)
	}
	p.file = os.NewFile(uintptr(fd), "kqueue")
	if p.rc, err = p.file.SyscallConn(); err != nil {
		p.closeFds()
		return nil, err
	}
	p.waitFn = func(uintptr) bool {
		p.nready, p.nerr = p.waitRaw()
		return p.nready > 0 || p.nerr != nil
	}
	return p, nil
}

func (p *kqueue) Name() string { return "kqueue" }

func (p *kqueue) change(fd, filter int, on bool, edge bool) {
	var k unix.Kevent_t
	flags := unix.EV_DELETE
	if on {
		flags = unix.EV_ADD
		if edge {
			flags |= unix.EV_CLEAR
		}
	}
	unix.SetKevent(&k, fd, filter, flags)
	p.changes = append(p.changes, k)
}

func (p *kqueue) apply(fd int, interest Events, gen uint32) error {
	old := p.interest[fd]
	p.changes = p.changes[:0]
	wantR, wantW := interest&(In|RDHup) != 0, interest&Out != 0
	hadR, hadW := old&(In|RDHup) != 0, old&Out != 0
	edge := interest&Edge != 0
	if wantR || hadR {
		p.change(fd, unix.EVFILT_READ, wantR, edge)
	}
	if wantW || hadW {
		p.change(fd, unix.EVFILT_WRITE, wantW, edge)
	}
	if interest == 0 {
		delete(p.interest, fd)
		delete(p.gens, fd)
	} else {
		p.interest[fd], p.gens[fd] = interest, gen
	}
	for i := range p.changes {
		// One change at a time, so that ENOENT on a delete does not hide
		// the outcome of the others.
		_, err := unix.Kevent(p.fd, p.changes[i:i+1], nil, nil)
		if err == nil || (err == unix.ENOENT && p.changes[i].Flags&unix.EV_DELETE != 0) {
			continue
		}
		if err == unix.EBADF && interest == 0 {
			continue
		}
		return os.NewSyscallError("kevent", err)
	}
	return nil
}

func (p *kqueue) Add(fd int, interest Events, gen uint32) error {
	return p.apply(fd, interest, gen)
}

func (p *kqueue) Modify(fd int, interest Events, gen uint32) error {
	return p.apply(fd, interest, gen)
}

func (p *kqueue) Delete(fd int) error { return p.apply(fd, 0, 0) }

func (p *kqueue) waitRaw() (int, error) {
	var zero unix.Timespec
	for {
		n, err := unix.Kevent(p.fd, nil, p.raw, &zero)
		if err == nil {
			return n, nil
		}
		if err != unix.EINTR {
			return 0, os.NewSyscallError("kevent", err)
		}
	}
}

func (p *kqueue) Wait(events []Event, block func() time.Duration) (int, error) {
	if len(events) == 0 {
		return 0, nil
	}
	if len(p.raw) < len(events) {
		p.raw = make([]unix.Kevent_t, len(events))
	}
	p.raw = p.raw[:len(events)]
	n, err := p.waitRaw()
	if err != nil {
		return 0, err
	}
	if n == 0 {
		timeout := block()
		if timeout == 0 {
			return 0, nil
		}
		if timeout > 0 {
			p.file.SetReadDeadline(time.Now().Add(timeout))
			p.deadline = true
		} else if p.deadline {
			p.file.SetReadDeadline(time.Time{})
			p.deadline = false
		}
		p.nready, p.nerr = 0, nil
		if err := p.rc.Read(p.waitFn); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return 0, err
		}
		if n, err = p.nready, p.nerr; err != nil {
			return 0, err
		}
	}
	j := 0
	for i := range n {
		k := &p.raw[i]
		fd := int(k.Ident)
		if fd == p.wakeR {
			p.drainWake()
			continue
		}
		var e Events
		switch int(k.Filter) {
		case unix.EVFILT_READ:
			e = In
			if int(k.Flags)&unix.EV_EOF != 0 {
				e |= RDHup
			}
		case unix.EVFILT_WRITE:
			e = Out
			if int(k.Flags)&unix.EV_EOF != 0 {
				e |= Hup
			}
		}
		if int(k.Flags)&unix.EV_ERROR != 0 {
			e |= Err
		}
		events[j] = makeEvent(int32(fd), p.gens[fd], e)
		j++
	}
	return j, nil
}

func (p *kqueue) drainWake() {
	var buf [64]byte
	for {
		if n, err := unix.Read(p.wakeR, buf[:]); n <= 0 || err != nil {
			break
		}
	}
	p.wakePending.Store(false) // after draining: see epoll's drainWake
}

func (p *kqueue) Wake() error {
	if !p.wakePending.CompareAndSwap(false, true) {
		return nil
	}
	if !p.guard.enter() {
		return nil // closed: nothing to wake
	}
	_, err := unix.Write(p.wakeW, []byte{0})
	p.guard.exit()
	if err != nil && err != unix.EAGAIN {
		return os.NewSyscallError("write", err)
	}
	return nil
}

func (p *kqueue) closeFds() {
	p.guard.shut()
	unix.Close(p.wakeR)
	unix.Close(p.wakeW)
	if p.file != nil {
		p.file.Close()
	} else {
		unix.Close(p.fd)
	}
}

func (p *kqueue) Close() error {
	p.closeFds()
	return nil
}
