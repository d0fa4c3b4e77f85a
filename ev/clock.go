package ev

import (
	"slices"
	"sync"
	"time"
)

// clock is where a loop reads time: the system's clocks, or a ManualClock.
// read must be safe from any goroutine (LoopExit calls it).
type clock interface {
	// read returns the wall-clock time and the monotonic time in
	// nanoseconds since the loop's epoch.
	read(l *Loop) (time.Time, int64)
	manual() bool
}

type systemClock struct{}

// epoch is the monotonic origin of every loop on the system clock; time.Time
// values keep a monotonic reading, so Sub between two of them is immune to
// wall-clock changes.
var epoch = time.Now()

func (systemClock) read(*Loop) (time.Time, int64) {
	t := time.Now()
	return t, int64(t.Sub(epoch))
}

func (systemClock) manual() bool { return false }

// ManualClock is a clock that moves only when told to, for tests of code that
// runs on a loop: give it to NewLoop with WithClock, start timers, then
// Advance and run the loop with RunNoWait; due timers and periodics fire
// deterministically, in order, without real waiting. Set moves only the wall
// clock, to test how periodics react to the system clock being changed.
//
// Its methods are safe from any goroutine. Advance and Set wake every loop
// using the clock, so a loop blocked in Run sees the new time at once.
type ManualClock struct {
	mu    sync.Mutex
	mono  time.Duration // monotonic time since the clock was made
	wall  time.Time     // wall-clock time, without a monotonic reading
	loops []*Loop
}

// NewManualClock returns a clock that reads start until advanced.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{wall: start.Round(0)}
}

// Now returns the clock's wall-clock time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall
}

// Advance moves both the monotonic and the wall-clock time forward by d.
// Negative d panics: monotonic time never goes back (use Set to move the
// wall clock back).
func (c *ManualClock) Advance(d time.Duration) {
	if d < 0 {
		panic("ev: ManualClock.Advance with a negative duration")
	}
	c.mu.Lock()
	c.mono = time.Duration(deadline(int64(c.mono), d)) // the end of time, not a wrap
	c.wall = c.wall.Add(d)
	loops := slices.Clone(c.loops)
	c.mu.Unlock()
	for _, l := range loops {
		l.clockChanged()
	}
}

// Set sets the wall-clock time, forward or back, leaving monotonic time
// alone: what happens when an administrator or NTP steps the system clock.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.wall = t.Round(0)
	loops := slices.Clone(c.loops)
	c.mu.Unlock()
	for _, l := range loops {
		l.clockChanged()
	}
}

func (c *ManualClock) read(*Loop) (time.Time, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall, int64(c.mono)
}

func (c *ManualClock) manual() bool { return true }

func (c *ManualClock) attach(l *Loop) {
	c.mu.Lock()
	c.loops = append(c.loops, l)
	c.mu.Unlock()
}

func (c *ManualClock) detach(l *Loop) {
	c.mu.Lock()
	if i := slices.Index(c.loops, l); i >= 0 {
		c.loops = slices.Delete(c.loops, i, i+1)
	}
	c.mu.Unlock()
}

// updateTime reads the clock into the loop's cached time.
//
// It reports whether it read the wall clock: only then can the wall clock
// have jumped against the monotonic one (checkTimeJump).
func (l *Loop) updateTime() bool {
	if l.sysClock {
		// libev's rule: read only the monotonic clock, and derive the wall
		// clock from it, re-reading the wall clock every wallResync. The
		// two clocks run at the same rate (NTP slews both), so the derived
		// time is exact unless the wall clock was stepped, which is then
		// seen within wallResync. It halves the clock reads per iteration;
		// Now builds its time.Time only when asked.
		mono := int64(time.Since(epoch))
		if d := mono - l.baseMono; d >= 0 && d < int64(wallResync) {
			l.mono, l.wall = mono, l.baseWall+d
			return false
		}
	}
	l.base, l.mono = l.clock.read(l)
	l.wall = l.base.UnixNano()
	l.baseMono, l.baseWall = l.mono, l.wall
	return true
}

// wallResync is how long updateTime derives the wall clock from the
// monotonic one before reading it again (libev: half of MIN_TIMEJUMP).
const wallResync = 500 * time.Millisecond

// refreshIdleTime updates the cached time when the loop is not running, so
// that a timer started before Run, or long after the last Run, is measured
// from the present rather than from a stale iteration. Not while suspended:
// a timer started then is measured from the time of Suspend, and Resume
// moves it with the others (as in libev), rather than twice.
func (l *Loop) refreshIdleTime() {
	if l.depth == 0 && !l.suspended {
		l.updateTime()
	}
}

// Now returns the loop's time: when the current iteration's poll returned
// (before its callbacks), or the last UpdateNow. Timers are measured from
// it. On the system clock the loop reads only the monotonic clock per
// iteration and re-reads the wall clock every half second, as libev does,
// so a step of the system clock shows in Now within half a second.
// Loop-only.
func (l *Loop) Now() time.Time { return l.base.Add(time.Duration(l.mono - l.baseMono)) }

// UpdateNow sets the loop's time to the present (libev's ev_now_update); for
// a callback that ran long and is about to start timers. Loop-only.
func (l *Loop) UpdateNow() {
	l.checkGoroutine()
	l.updateTime()
	l.checkTimeJump()
}

// Suspend records the time so that Resume can shift every timer by the time
// spent suspended (libev's ev_suspend): for a process that is about to be
// stopped, or a loop that will not run for a while, whose timeouts should not
// all fire on return. A timer started while suspended is measured from the
// time of Suspend, so it fires its delay after Resume. Loop-only.
func (l *Loop) Suspend() {
	l.checkGoroutine()
	if l.suspended {
		return
	}
	l.updateTime()
	l.suspended, l.suspendAt = true, l.mono
}

// Resume undoes Suspend: timers move later by the time suspended, and so
// does a pending LoopExit deadline (libevent's one-shot timer); periodics
// are rescheduled against the current wall clock. Loop-only. O(n) in the
// number of timers.
func (l *Loop) Resume() {
	l.checkGoroutine()
	if !l.suspended {
		return
	}
	l.suspended = false
	l.updateTime()
	d := l.mono - l.suspendAt
	l.timers.Shift(d)
	for {
		// 1 is LoopExit(0), "after this pass": not a time, not shifted.
		e := l.exitAt.Load()
		if e <= 1 || l.exitAt.CompareAndSwap(e, deadline(e, time.Duration(d))) {
			break
		}
	}
	l.lastMono, l.lastWall = l.mono, l.wall
	l.reschedulePeriodics()
}
