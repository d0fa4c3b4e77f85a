package ev

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"syscall"
	"unsafe"

	"github.com/eventide-go/eventide/internal/poller"
)

// Events is a set of event bits: what a watcher waits for, and what happened
// when its callback runs. One type serves both libev's watchers and
// libevent's Event.
type Events uint32

// The event bits.
const (
	// Read: the descriptor is readable (or has an error or hang-up, which a
	// read will report).
	Read Events = 1 << iota
	// Write: the descriptor is writable (or has an error).
	Write
	// Closed: the peer closed the connection or shut down its writing
	// side, seen without reading (EPOLLRDHUP; libevent's EV_CLOSED). Where
	// the backend cannot tell (poll(2) outside Linux), it never fires and
	// the close shows as Read followed by a zero-length read.
	Closed
	// Timeout: a timer or an Event's timeout expired.
	Timeout
	// Persist: an Event stays added after it fires (libevent's EV_PERSIST).
	Persist
	// EdgeTriggered: report readiness once per change rather than while it
	// lasts (EPOLLET / EV_CLEAR). The callback must read or write until
	// EAGAIN.
	EdgeTriggered
	// Error: the watcher was stopped because its descriptor became invalid
	// (it was closed while watched); libev's EV_ERROR.
	Error
	// SignalEvent: a signal arrived (libevent's EV_SIGNAL).
	SignalEvent
	// Custom: free for FeedEvent by the user.
	Custom
)

var eventNames = []string{"read", "write", "closed", "timeout", "persist", "edge", "error", "signal", "custom"}

// String names the bits of e, "read|write", for logs and test failures.
func (e Events) String() string {
	if e == 0 {
		return "0"
	}
	s := ""
	for i, n := range eventNames {
		if e&(1<<i) != 0 {
			if s != "" {
				s += "|"
			}
			s += n
		}
	}
	if rest := e &^ (1<<len(eventNames) - 1); rest != 0 {
		if s != "" {
			s += "|"
		}
		s += fmt.Sprintf("%#x", uint32(rest))
	}
	return s
}

// ErrBadFD is returned by IO.Start for a negative descriptor.
var ErrBadFD = errors.New("ev: invalid file descriptor")

// errBadFdReport is what killFd logs when the backend reports a descriptor
// as not open.
var errBadFdReport = os.NewSyscallError("poll", syscall.EBADF)

// IOFunc is an IO watcher's callback; revents is what happened, a subset of
// the watcher's interest (or Error).
type IOFunc func(w *IO, revents Events)

// IO watches a file descriptor for readability, writability and peer close
// (libev's ev_io). Level-triggered unless EdgeTriggered is asked for. Any
// number of IO watchers may watch one descriptor. A descriptor the backend
// cannot poll (a regular file, /dev/null) counts as always ready.
//
// IO is meant to be embedded or allocated once and started and stopped any
// number of times, without allocating.
type IO struct {
	watcher
	fd     int32  // int32 keeps the watcher at 48 bytes: one per connection
	events Events // Read|Write|Closed|EdgeTriggered
	fn     IOFunc
	next   *IO // the next active watcher of the same descriptor
}

// fdState is what the loop knows of one descriptor. It is kept small (16
// bytes): a server holds one per connection, and the table grows by
// doubling.
type fdState struct {
	ios        *IO    // active watchers, linked through IO.next, in start order
	gen        uint32 // moved on whenever the registration changes (forget); stale reports differ
	mask       uint8  // the interest the backend has, packed (packInterest)
	registered bool   // the backend has the descriptor
	changed    bool   // in Loop.fdChange
	ready      bool   // not pollable: in Loop.ready, always ready
}

// packInterest packs an interest into fdState.mask's byte (the poller's
// bits are epoll's on Linux, which do not fit one).
func packInterest(m poller.Events) uint8 {
	var b uint8
	if m&poller.In != 0 {
		b |= 1
	}
	if m&poller.Out != 0 {
		b |= 2
	}
	if m&poller.RDHup != 0 {
		b |= 4
	}
	if m&poller.Edge != 0 {
		b |= 8
	}
	return b
}

// NewIO returns an IO watcher for fd and events (Read, Write, Closed,
// EdgeTriggered), not started.
func NewIO(l *Loop, fd int, events Events, fn IOFunc) *IO {
	w := new(IO)
	w.Init(l, fd, events, fn)
	return w
}

// Init prepares an embedded or reused IO watcher, as NewIO does. It panics
// on an active watcher.
func (w *IO) Init(l *Loop, fd int, events Events, fn IOFunc) {
	if fn == nil {
		panic("ev: nil IOFunc")
	}
	w.watcher.init(l, KindIO)
	w.fn = fn
	w.set(fd, events)
	w.ioRebind = true
}

// Set changes the descriptor and interest of a stopped watcher (libev's
// ev_io_set). It panics on an active watcher: use Modify.
func (w *IO) Set(fd int, events Events) {
	w.mustInit()
	if w.active {
		panic("ev: IO.Set on an active watcher; use Modify")
	}
	w.set(fd, events)
	w.ioRebind = true
}

func (w *IO) set(fd int, events Events) {
	if events&^(Read|Write|Closed|EdgeTriggered) != 0 {
		panic(fmt.Sprintf("ev: IO events %v: only Read, Write, Closed, EdgeTriggered", events))
	}
	if fd < 0 || fd > math.MaxInt32 {
		fd = -1 // Start reports ErrBadFD
	}
	w.fd, w.events = int32(fd), events
}

// Fd returns the watched descriptor.
func (w *IO) Fd() int { return int(w.fd) }

// Events returns the watcher's interest.
func (w *IO) Events() Events { return w.events }

// Start starts watching. It returns ErrBadFD for a negative descriptor, the
// backend's error (EBADF for a closed one) when the descriptor cannot be
// watched, and ErrClosed on a closed loop. Starting an active watcher does
// nothing. Loop-only. O(watchers on the descriptor), plus one system call
// the first time a descriptor is watched.
func (w *IO) Start() error {
	w.mustInit()
	l := w.loop
	l.checkGoroutine()
	if w.active {
		return nil
	}
	if err := l.usable(); err != nil {
		return err
	}
	fd := int(w.fd)
	if fd < 0 {
		return ErrBadFD
	}
	if fd >= len(l.fds) {
		n := max(fd+1, 2*len(l.fds), 64)
		fds := make([]fdState, n)
		copy(fds, l.fds)
		l.fds = fds
	}
	st := &l.fds[fd]
	unwatched := st.ios == nil
	st.link(w)
	// Register now, so that a bad descriptor is an error from Start: when
	// the backend does not have the descriptor, and when a watcher bound
	// anew (Init, Set) is the only one on a number the backend still has.
	// That number may have been closed and reused since its last watcher
	// stopped, in this very iteration: the kernel then dropped the old
	// registration, and the loop, seeing the same interest, would never
	// tell it of the new descriptor.
	rebind := w.ioRebind
	w.ioRebind = false
	if !st.ready && (!st.registered || rebind && unwatched) {
		mask := interestOf(st.ios)
		st.forget()
		switch err := l.backend.Add(fd, mask, st.gen); {
		case err == nil:
			st.registered, st.mask = true, packInterest(mask)
		case errors.Is(err, poller.ErrNotPollable):
			l.ready = append(l.ready, w.fd)
			st.ready = true
		default:
			st.unlink(w)
			return &os.SyscallError{Syscall: "ev: watch fd", Err: unwrapErrno(err)}
		}
	} else {
		l.fdChanged(fd)
	}
	l.addActive(w)
	return nil
}

func unwrapErrno(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

// Stop stops watching. Loop-only. O(watchers on the descriptor).
func (w *IO) Stop() {
	if w.loop == nil {
		return
	}
	l := w.loop
	l.checkGoroutine()
	if !l.deactivate(w) {
		return
	}
	st := &l.fds[w.fd]
	st.unlink(w)
	if st.ios == nil && st.ready {
		// O(always-ready descriptors): there are few (regular files).
		i := slices.Index(l.ready, w.fd)
		end := len(l.ready) - 1
		l.ready[i] = l.ready[end]
		l.ready = l.ready[:end]
		st.ready = false
		return
	}
	l.fdChanged(int(w.fd))
}

// Modify changes the interest of a watcher, active or not (cheaper than Stop,
// Set, Start: the backend is told once, before the next poll). Loop-only.
func (w *IO) Modify(events Events) {
	w.mustInit()
	w.loop.checkGoroutine()
	w.set(int(w.fd), events)
	if w.active {
		w.loop.fdChanged(int(w.fd))
	}
}

func (w *IO) invoke(revents Events) { w.fn(w, revents) }

// ioOf returns the IO watcher whose base is b, for b.kind == KindIO: IO
// embeds watcher as its first field (TestSizes pins it), so they share an
// address. It spares invokePending a Watcher interface per queued event.
func ioOf(b *watcher) *IO { return (*IO)(unsafe.Pointer(b)) }

func (w *IO) describe() string {
	return fmt.Sprintf("fd=%d events=%v", w.fd, w.events)
}

func (l *Loop) fdChanged(fd int) {
	st := &l.fds[fd]
	if !st.changed {
		st.changed = true
		l.fdChange = append(l.fdChange, int32(fd))
	}
}

// FdClosing tells the loop that fd is about to be closed, after its last
// IO watcher stopped: the loop takes the descriptor out of the backend's
// set now instead of before its next poll. (Stops are applied lazily,
// which spares the system calls of a watcher stopped and started again
// within one iteration.) Call it before closing a descriptor that may have
// duplicates: dup(2), one handed to net.FileConn or os.NewFile, or to
// another process. epoll registers the open file, not the number, so
// once the number is closed the loop can no longer remove the
// registration, and as long as a duplicate keeps the file open its
// readiness is reported to a loop that no longer wants it and never waits
// (libev rebuilds its whole epoll set when that happens; eventide asks for
// this call instead). For a descriptor without duplicates it changes only
// when the removal's system call is made. stream.Conn and stream.Listener
// call it when they close their descriptors. It returns the backend's
// error, and nil for a descriptor the backend does not have or a loop
// already closed. With another IO watcher still active on fd it does
// nothing: that watcher keeps the registration, and closing the descriptor
// under it is the caller's business, as without FdClosing (see "The
// special problem of descriptors" in the package documentation). Loop-only.
func (l *Loop) FdClosing(fd int) error {
	l.checkGoroutine()
	if l.released || fd < 0 || fd >= len(l.fds) {
		return nil
	}
	st := &l.fds[fd]
	if st.ios != nil || !st.registered {
		return nil
	}
	err := l.backend.Delete(fd)
	st.forget()
	return err
}

// forget records that the backend does not have the descriptor (any more),
// and moves gen on: a report still in flight from the old registration (a
// dup keeps a closed descriptor in the kernel's set) is then stale, so
// queueReady needs to compare gen only.
func (st *fdState) forget() {
	st.registered, st.mask = false, 0
	st.gen++
}

// link appends w to the descriptor's watchers. O(watchers on it).
func (st *fdState) link(w *IO) {
	w.next = nil
	p := &st.ios
	for *p != nil {
		p = &(*p).next
	}
	*p = w
}

// unlink removes w from the descriptor's watchers. O(watchers on it).
func (st *fdState) unlink(w *IO) {
	for p := &st.ios; *p != nil; p = &(*p).next {
		if *p == w {
			*p = w.next
			w.next = nil
			return
		}
	}
}

// interestOf is the union of the watchers' interest. The registration is
// edge-triggered only if every watcher asked for it: a level-triggered
// watcher must not miss readiness because another wanted edges.
func interestOf(ios *IO) poller.Events {
	var m poller.Events
	edge := ios != nil
	for w := ios; w != nil; w = w.next {
		if w.events&Read != 0 {
			m |= poller.In
		}
		if w.events&Write != 0 {
			m |= poller.Out
		}
		if w.events&Closed != 0 {
			m |= poller.RDHup
		}
		if w.events&EdgeTriggered == 0 {
			edge = false
		}
	}
	if edge {
		m |= poller.Edge
	}
	return m
}

// applyFdChanges is step 2 of an iteration: tell the backend about every
// descriptor whose interest changed since the last poll, once each.
func (l *Loop) applyFdChanges() {
	for _, fd32 := range l.fdChange {
		fd := int(fd32)
		st := &l.fds[fd]
		st.changed = false
		if st.ready {
			continue
		}
		mask := interestOf(st.ios)
		var err error
		switch {
		case packInterest(mask) == st.mask && st.registered:
			continue
		case st.ios == nil:
			if st.registered {
				err = l.backend.Delete(fd)
				st.forget()
			}
		case st.registered:
			err = l.backend.Modify(fd, mask, st.gen)
			st.mask = packInterest(mask)
		default:
			st.gen++
			err = l.backend.Add(fd, mask, st.gen)
			st.registered, st.mask = err == nil, packInterest(mask)
		}
		if err != nil {
			l.killFd(fd, err)
		}
	}
	clear(l.fdChange)
	l.fdChange = l.fdChange[:0]
}

// killFd stops every watcher of a descriptor the backend refused (it was
// closed while watched) and queues them with Error, as libev does.
func (l *Loop) killFd(fd int, err error) {
	l.logf("ev: descriptor refused by the backend; its watchers are stopped", "fd", fd, "err", err)
	st := &l.fds[fd]
	st.forget()
	for st.ios != nil {
		w := st.ios
		w.Stop()
		l.feed(w, Error)
	}
	st.changed = false // the Stops above queued a change that is now moot
}
