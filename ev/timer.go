package ev

import (
	"fmt"
	"math"
	"time"
	"unsafe"

	"github.com/eventide-go/eventide/internal/timerheap"
)

// TimerFunc is a Timer's callback.
type TimerFunc func(t *Timer)

// Timer calls its callback after a delay, and then every repeat interval if
// repeat is positive (libev's ev_timer). It runs on the loop's monotonic
// clock: changing the system's wall clock does not move it (use Periodic for
// wall-clock schedules).
//
// Deadlines are relative to the loop's time (Now), which is taken once per
// iteration: a callback that ran long should call Loop.UpdateNow before
// starting a timer it wants measured from the present. A timer never fires
// before its deadline; timers with equal deadlines fire in the order they
// were started; a repeating timer that fell behind fires once, not once per
// missed interval.
type Timer struct {
	// node is the position in Loop.timers, which also holds the deadline.
	// It must stay the first field: timerOf finds the Timer from it.
	node timerheap.Node
	watcher
	after, repeat time.Duration
	fn            TimerFunc
}

// deadline returns now + d on the loop's monotonic clock, or the farthest
// time there is if that overflows: a delay of math.MaxInt64 (the longest
// time.Duration, a common "never") must not wrap to a deadline in the past,
// which would fire at once and make the loop wait forever for the others.
func deadline(now int64, d time.Duration) int64 {
	if t := now + int64(d); t >= now {
		return t
	}
	return math.MaxInt64
}

// timerOf returns the Timer whose node n is.
func timerOf(n *timerheap.Node) *Timer { return (*Timer)(unsafe.Pointer(n)) }

// NewTimer returns a timer, not started, that fires after after and then
// every repeat (0: once). Negative durations panic.
func NewTimer(l *Loop, after, repeat time.Duration, fn TimerFunc) *Timer {
	t := new(Timer)
	t.Init(l, after, repeat, fn)
	return t
}

// Init prepares an embedded or reused Timer, as NewTimer does.
func (t *Timer) Init(l *Loop, after, repeat time.Duration, fn TimerFunc) {
	if fn == nil {
		panic("ev: nil TimerFunc")
	}
	t.watcher.init(l, KindTimer)
	t.node.Init()
	t.fn = fn
	t.set(after, repeat)
}

// Set changes the delays of a stopped timer (libev's ev_timer_set). It panics
// on an active timer. Like ev_timer_set it may precede Init, which then
// replaces the delays.
func (t *Timer) Set(after, repeat time.Duration) {
	// One test and one call for every misuse keep Set small enough to be
	// inlined: it is half of the usual Set, Start.
	if t.active || after|repeat < 0 { // after|repeat < 0: either is negative
		t.badSet(after, repeat)
	}
	t.after, t.repeat = after, repeat
}

// badSet panics for the misuse that Set found. Not inlined, so that Set
// can be.
//
//go:noinline
func (t *Timer) badSet(after, repeat time.Duration) {
	if t.active {
		panic("ev: Timer.Set on an active timer")
	}
	panicNegative(after, repeat)
}

func (t *Timer) set(after, repeat time.Duration) {
	if after < 0 || repeat < 0 {
		panicNegative(after, repeat)
	}
	t.after, t.repeat = after, repeat
}

// panicNegative is the panic of a negative delay.
func panicNegative(after, repeat time.Duration) {
	panic(fmt.Sprintf("ev: negative timer duration (after %v, repeat %v)", after, repeat))
}

// Repeat returns the repeat interval.
func (t *Timer) Repeat() time.Duration { return t.repeat }

// SetRepeat changes the repeat interval used from the next expiry or Again on;
// allowed on an active timer (libev's ev_timer's repeat field).
func (t *Timer) SetRepeat(repeat time.Duration) {
	if repeat < 0 {
		panic("ev: negative timer repeat")
	}
	t.repeat = repeat
}

// Start arms the timer to fire after its delay from the loop's time.
// Starting an active timer does nothing. Loop-only. O(log n) in the number of
// active timers; no allocation once the loop's heap has grown.
func (t *Timer) Start() {
	t.mustInit()
	l := t.loop
	l.checkGoroutine()
	if t.active || l.closed {
		return
	}
	l.refreshIdleTime()
	l.timers.Push(&t.node, deadline(l.mono, t.after))
	t.active = true
	l.accountTimer(&t.watcher, 1)
}

// Stop disarms the timer and clears its pending state. Loop-only. O(log n).
func (t *Timer) Stop() {
	l := t.loop
	if l == nil {
		return
	}
	l.checkGoroutine()
	if t.pendIdx != 0 {
		l.clearPending(&t.watcher)
	}
	if !t.active {
		return
	}
	l.timers.Remove(t.node.Index())
	t.active = false
	l.accountTimer(&t.watcher, -1)
}

// Again restarts the timer's repeat interval from now (libev's
// ev_timer_again), the cheap way to implement an inactivity timeout: set
// repeat to the timeout and call Again on every activity. If repeat is 0 the
// timer is stopped; if the timer is stopped and repeat is positive, it is
// started to fire after repeat. Loop-only. O(log n).
func (t *Timer) Again() {
	t.mustInit()
	l := t.loop
	l.checkGoroutine()
	if t.pendIdx != 0 {
		l.clearPending(&t.watcher)
	}
	switch {
	case t.active && t.repeat > 0:
		l.refreshIdleTime()
		l.timers.Fix(t.node.Index(), deadline(l.mono, t.repeat))
	case t.active:
		t.Stop()
	case t.repeat > 0 && !l.closed:
		l.refreshIdleTime()
		l.timers.Push(&t.node, deadline(l.mono, t.repeat))
		t.active = true
		l.accountTimer(&t.watcher, 1)
	}
}

// Remaining returns the time left before an active timer fires, measured from
// the loop's time; for a stopped timer, its configured delay, which is what
// Start would wait. (libev differs: a stopped ev_timer remembers what was
// left when it stopped, and ev_timer_start resumes from that; here Start
// always waits the whole delay, so Remaining reports it.)
func (t *Timer) Remaining() time.Duration {
	if !t.active {
		return t.after
	}
	return time.Duration(max(0, t.loop.timers.When(t.node.Index())-t.loop.mono))
}

func (t *Timer) invoke(Events) { t.fn(t) }

func (t *Timer) describe() string {
	return fmt.Sprintf("after=%v repeat=%v remaining=%v", t.after, t.repeat, t.Remaining())
}
