package ev

import (
	"fmt"
	"syscall"
	"time"
)

// EventFunc is an Event's callback; what holds the reasons it ran (Read,
// Write, Closed, Timeout, Signal, or the flags given to Active), ORed
// together when several coincide.
type EventFunc func(e *Event, what Events)

// Event is libevent's event on the same loop as the libev-style watchers: a
// descriptor, a set of flags (Read, Write, Closed, EdgeTriggered, Persist)
// and an optional timeout, added and deleted as a unit. With SignalEvent the
// "descriptor" is a signal number and the event fires when the signal
// arrives (libevent's evsignal_new), through a Signal watcher.
//
// A non-persistent Event is deleted just before its callback runs. A
// persistent one stays added; its timeout, if any, is re-armed at every
// activation: from the previous deadline when the timeout fired, from now
// when the descriptor did (libevent's semantics). Activations that coincide
// (a descriptor event, a timeout, Active) run the callback once with their
// flags ORed.
type Event struct {
	io      IO
	sig     *Signal // for a SignalEvent event; nil otherwise
	timer   Timer
	act     eventActivation
	fd      int
	flags   Events
	fn      EventFunc
	timeout time.Duration // 0 = none
	added   bool
}

// eventActivation is the pending-queue entry of an Event: every activation
// goes through it, so that coinciding ones merge.
type eventActivation struct {
	watcher
	e   *Event
	res Events // reasons accumulated for the queued callback
}

func (a *eventActivation) Stop() {
	if a.pendIdx != 0 {
		a.loop.clearPending(&a.watcher)
	}
	a.res = 0
}

func (a *eventActivation) invoke(Events) {
	rev := a.res
	a.res = 0
	a.e.fire(rev)
}

func (a *eventActivation) describe() string { return "" }

// NewEvent returns an Event, not added, for fd (-1 for none: a pure timer or
// a manually activated event) and flags.
func NewEvent(l *Loop, fd int, flags Events, fn EventFunc) *Event {
	e := new(Event)
	e.Init(l, fd, flags, fn)
	return e
}

// Init prepares an embedded or reused Event, as NewEvent does (libevent's
// event_assign). It panics on an added Event.
func (e *Event) Init(l *Loop, fd int, flags Events, fn EventFunc) {
	if fn == nil {
		panic("ev: nil EventFunc")
	}
	if e.added {
		panic("ev: Event.Init of an added event")
	}
	if flags&^(Read|Write|Closed|EdgeTriggered|Persist|SignalEvent) != 0 {
		panic(fmt.Sprintf("ev: Event flags %v: only Read, Write, Closed, EdgeTriggered, Persist, SignalEvent", flags))
	}
	if flags&SignalEvent != 0 && flags&(Read|Write|Closed|EdgeTriggered) != 0 {
		panic("ev: Event flags: SignalEvent cannot be combined with Read, Write, Closed or EdgeTriggered")
	}
	e.fd, e.flags, e.fn, e.timeout = fd, flags, fn, 0
	e.io.Init(l, fd, flags&(Read|Write|Closed|EdgeTriggered), e.onIO)
	e.sig = nil
	if flags&SignalEvent != 0 {
		e.sig = NewSignal(l, syscall.Signal(fd), e.onSignal)
	}
	e.timer.Init(l, 0, 0, e.onTimeout)
	e.act.watcher.init(l, KindEvent)
	e.act.e = e
}

func (e *Event) onIO(_ *IO, revents Events) { e.activate(revents &^ Error) }

func (e *Event) onTimeout(*Timer) { e.activate(Timeout) }

func (e *Event) onSignal(*Signal) { e.activate(SignalEvent) }

func (e *Event) activate(what Events) {
	e.act.res |= what
	e.act.loop.feed(&e.act, 0)
}

// fire runs the callback for a queued activation. A reason still queued
// behind it (a timeout that expired, or a descriptor that became ready, in
// the pass after Active) coincides with it: it joins this call, where the
// Del or Again below would drop it.
func (e *Event) fire(what Events) {
	l := e.act.loop
	if e.io.pendIdx != 0 {
		what |= l.clearPending(&e.io.watcher) &^ Error
	}
	if e.timer.pendIdx != 0 {
		l.clearPending(&e.timer.watcher)
		what |= Timeout
	}
	if e.sig != nil && e.sig.pendIdx != 0 {
		l.clearPending(&e.sig.watcher)
		what |= SignalEvent
	}
	if e.flags&Persist == 0 {
		e.Del()
	} else if e.timeout > 0 && what&Timeout == 0 && e.timer.active {
		e.timer.Again() // descriptor activity: the timeout counts from now
	}
	e.fn(e, what)
}

// Add adds the event: its descriptor is watched for its flags, and if
// timeout is positive, the callback runs with Timeout if nothing else
// happens first. Adding an added event changes its timeout: a positive one
// replaces the old, and cancels a callback queued because the old one
// expired; 0 keeps it. It returns the descriptor's error from
// IO.Start, and ErrClosed on a closed loop. Loop-only.
func (e *Event) Add(timeout time.Duration) error {
	if timeout < 0 {
		panic("ev: Event.Add with a negative timeout")
	}
	e.act.mustInit()
	if err := e.act.loop.usable(); err != nil {
		return err // not added: a timer alone would not say so
	}
	if e.flags&(Read|Write|Closed) != 0 && !e.io.active {
		if err := e.io.Start(); err != nil {
			return err
		}
	}
	if e.sig != nil && !e.sig.active {
		if err := e.sig.Start(); err != nil {
			return err
		}
	}
	if timeout > 0 {
		e.timer.Stop()
		e.dropTimeoutActivation()
		e.timeout = timeout
		repeat := time.Duration(0)
		if e.flags&Persist != 0 {
			repeat = timeout
		}
		e.timer.Set(timeout, repeat)
		e.timer.Start()
	}
	e.added = true
	return nil
}

// dropTimeoutActivation forgets a timeout that fired but whose callback has
// not run yet: a new timeout replaces it (libevent's event_add removes an
// event that is active because of a timeout from the active queue). Other
// reasons of a queued activation stay.
func (e *Event) dropTimeoutActivation() {
	if e.act.pendIdx == 0 || e.act.res&Timeout == 0 {
		return
	}
	if e.act.res &^= Timeout; e.act.res == 0 {
		e.act.loop.clearPending(&e.act.watcher)
	}
}

// Del removes the event: no descriptor watch, no timeout, and a queued
// activation is dropped. Deleting a deleted event does nothing. Loop-only.
func (e *Event) Del() {
	if e.act.loop == nil {
		return
	}
	e.io.Stop()
	if e.sig != nil {
		e.sig.Stop()
	}
	e.timer.Stop()
	e.act.Stop()
	e.timeout = 0
	e.added = false
}

// RemoveTimer removes the event's timeout and keeps the rest
// (libevent's event_remove_timer); a timeout that already expired still
// runs the callback. Loop-only.
func (e *Event) RemoveTimer() {
	if e.timer.pendIdx != 0 {
		// The timeout expired in this pass and its handler has not run:
		// the expiry stands, as it would had the handler run first.
		e.timer.loop.clearPending(&e.timer.watcher)
		e.activate(Timeout)
	}
	e.timer.Stop()
	e.timeout = 0
}

// Active queues the callback with flags, whether or not the event is added
// (libevent's event_active). Flags of several activations before the
// callback runs are ORed. Loop-only.
func (e *Event) Active(flags Events) {
	e.act.mustInit()
	e.act.loop.checkGoroutine()
	e.activate(flags)
}

// Pending returns which of flags the event is waiting for or activated with
// (Read, Write, Closed while added; Timeout while a timeout is armed; any
// flag of a queued activation), and the timeout's deadline if Timeout is
// among them (libevent's event_pending).
func (e *Event) Pending(flags Events) (Events, time.Time) {
	var p Events
	if e.io.active {
		p |= e.flags & (Read | Write | Closed)
	}
	if e.sig != nil && e.sig.active {
		p |= SignalEvent
	}
	if e.act.pendIdx != 0 {
		p |= e.act.res
	}
	var deadline time.Time
	if e.timer.active {
		p |= Timeout
		deadline = e.timer.loop.Now().Add(e.timer.Remaining())
	}
	return p & flags, deadline
}

// Added reports whether the event is added (libevent's
// event_pending(ev, EV_READ|EV_WRITE|EV_TIMEOUT, NULL) != 0, less activations).
func (e *Event) Added() bool { return e.added }

// Fd returns the event's descriptor.
func (e *Event) Fd() int { return e.fd }

// Flags returns the flags the event was made with.
func (e *Event) Flags() Events { return e.flags }

// Priority returns the event's priority.
func (e *Event) Priority() int { return e.act.Priority() }

// SetPriority sets the priority of the event's callback; it panics while the
// event is added or pending. See WithStrictPriorities for libevent's meaning
// of priorities; libevent's 0 (most urgent) is MaxPriority here.
func (e *Event) SetPriority(p int) {
	if e.added {
		panic("ev: Event.SetPriority on an added event")
	}
	e.act.SetPriority(p)
	e.io.SetPriority(p)
	if e.sig != nil {
		e.sig.SetPriority(p)
	}
	e.timer.SetPriority(p)
}

// Once runs fn once, when fd is ready for flags or after timeout, whichever
// comes first (libevent's event_base_once); fd -1 with timeout > 0 is a
// one-shot timer. With nothing to wait for (no Read, Write, Closed or
// SignalEvent, and timeout 0) fn runs with Timeout in the next pass, as
// event_base_once does with a NULL timeout. Persist is not allowed.
// Loop-only.
func (l *Loop) Once(fd int, flags Events, timeout time.Duration, fn func(what Events)) error {
	if flags&Persist != 0 {
		panic("ev: Once with Persist")
	}
	if fn == nil {
		panic("ev: Once with a nil function")
	}
	if err := l.usable(); err != nil {
		return err // Add would say so, but not Active
	}
	e := NewEvent(l, fd, flags, func(_ *Event, what Events) { fn(what) })
	if timeout == 0 && flags&(Read|Write|Closed|SignalEvent) == 0 {
		e.Active(Timeout)
		return nil
	}
	return e.Add(timeout)
}
