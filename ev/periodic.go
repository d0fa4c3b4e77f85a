package ev

import (
	"fmt"
	"math"
	"math/bits"
	"time"
	"unsafe"

	"github.com/eventide-go/eventide/internal/timerheap"
)

// PeriodicFunc is a Periodic's callback.
type PeriodicFunc func(p *Periodic)

// RescheduleFunc computes a Periodic's next firing time from the current
// wall-clock time. It must return a time not before now (it panics
// otherwise), and must not start, stop or otherwise change watchers. Now
// itself makes the Periodic due at once, at the next iteration: one that
// always returns now fires at every iteration, and the loop never waits
// (as in libev, which asserts the same bound).
type RescheduleFunc func(p *Periodic, now time.Time) time.Time

// Periodic fires on wall-clock time (libev's ev_periodic), in one of three
// modes:
//
//   - at a time: interval 0, no reschedule function; fires once when the wall
//     clock reaches at, even if the clock was changed in between;
//   - every interval, aligned to at: fires at at + k·interval for whole k,
//     the first such time after now (at = time.Unix(0, 0) and interval =
//     time.Hour is "every hour on the hour", UTC);
//   - by a RescheduleFunc that computes each next time.
//
// The loop notices when the system clock is changed (set forward or back) by
// comparing it with the monotonic clock at every iteration, and reschedules
// periodics then; timers are unaffected. A periodic that fell behind fires
// once, then resumes its schedule.
type Periodic struct {
	// node is the position in Loop.periodics. It must stay the first
	// field: periodicOf finds the Periodic from it.
	node timerheap.Node
	watcher
	ref        time.Time     // the absolute time, or the alignment of intervals
	interval   time.Duration // 0 = absolute mode
	reschedule RescheduleFunc
	fn         PeriodicFunc
	at         int64 // next firing, Unix ns, while active
}

// periodicOf returns the Periodic whose node n is.
func periodicOf(n *timerheap.Node) *Periodic { return (*Periodic)(unsafe.Pointer(n)) }

// NewPeriodic returns a Periodic, not started, firing at at (interval 0) or
// every interval aligned to at. A negative interval panics.
func NewPeriodic(l *Loop, at time.Time, interval time.Duration, fn PeriodicFunc) *Periodic {
	p := new(Periodic)
	p.Init(l, at, interval, fn)
	return p
}

// NewPeriodicFunc returns a Periodic, not started, whose firing times are
// computed by reschedule.
func NewPeriodicFunc(l *Loop, reschedule RescheduleFunc, fn PeriodicFunc) *Periodic {
	if reschedule == nil {
		panic("ev: nil RescheduleFunc")
	}
	p := new(Periodic)
	p.Init(l, time.Time{}, 0, fn)
	p.reschedule = reschedule
	return p
}

// Init prepares an embedded or reused Periodic, as NewPeriodic does.
func (p *Periodic) Init(l *Loop, at time.Time, interval time.Duration, fn PeriodicFunc) {
	if fn == nil {
		panic("ev: nil PeriodicFunc")
	}
	p.watcher.init(l, KindPeriodic)
	p.node.Init()
	p.fn = fn
	p.reschedule = nil
	p.Set(at, interval)
}

// Set changes the schedule of a stopped Periodic and removes any reschedule
// function. It panics on an active Periodic.
func (p *Periodic) Set(at time.Time, interval time.Duration) {
	p.mustInit()
	if p.active {
		panic("ev: Periodic.Set on an active watcher")
	}
	if interval < 0 {
		panic("ev: negative Periodic interval")
	}
	p.ref, p.interval, p.reschedule = at, interval, nil
}

// At returns the time the Periodic fires next while active; else the zero
// Time.
func (p *Periodic) At() time.Time {
	if !p.active {
		return time.Time{}
	}
	return time.Unix(0, p.at)
}

// Start schedules the Periodic from the loop's current wall-clock time. In
// absolute mode a time already past fires at the next iteration. Loop-only.
// O(log n).
func (p *Periodic) Start() {
	p.mustInit()
	l := p.loop
	l.checkGoroutine()
	if p.active || l.closed {
		return
	}
	l.refreshIdleTime()
	p.at = p.next(l.wall)
	l.periodics.Push(&p.node, p.at)
	l.addActive(p)
}

// Stop unschedules the Periodic. Loop-only. O(log n).
func (p *Periodic) Stop() {
	if p.loop == nil {
		return
	}
	p.loop.checkGoroutine()
	if i := p.node.Index(); i >= 0 {
		p.loop.periodics.Remove(i)
	}
	p.loop.deactivate(p)
}

// Again recomputes the next firing time from now, as Stop then Start would
// (libev's ev_periodic_again). Loop-only.
func (p *Periodic) Again() {
	p.Stop()
	p.Start()
}

// next computes the next firing time after wall (Unix ns); in absolute mode,
// the absolute time, even if past (it is then due at once).
func (p *Periodic) next(wall int64) int64 {
	switch {
	case p.reschedule != nil:
		now := time.Unix(0, wall)
		t := p.reschedule(p, now)
		if t.Before(now) {
			panic(fmt.Sprintf("ev: RescheduleFunc returned %v, before now (%v)", t, now))
		}
		return unixNano(t)
	case p.interval > 0:
		// The first time congruent to ref modulo the interval strictly
		// after wall. ref's phase is computed from its seconds and
		// nanoseconds, which any time.Time has, rather than from its
		// UnixNano, which wraps outside 1678–2262 (the zero Time, a natural
		// "align on whole intervals", is year 1). An interval so long that
		// the result overflows means never.
		iv := int64(p.interval)
		phase := addMod(mulMod(modPos(p.ref.Unix(), iv), 1e9%iv, iv), int64(p.ref.Nanosecond())%iv, iv)
		base := wall - modPos(wall, iv)
		t := base + phase
		if phase > math.MaxInt64-base {
			return math.MaxInt64
		}
		if t <= wall {
			t = deadline(t, p.interval)
		}
		return t
	}
	return unixNano(p.ref)
}

// modPos is a mod m in [0, m), for m > 0.
func modPos(a, m int64) int64 {
	if r := a % m; r < 0 {
		return r + m
	}
	return a % m
}

// mulMod is a·b mod m for a, b in [0, m), without overflow.
func mulMod(a, b, m int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	return int64(bits.Rem64(hi, lo, uint64(m)))
}

// addMod is (a + b) mod m for a, b in [0, m), without overflow.
func addMod(a, b, m int64) int64 { return int64((uint64(a) + uint64(b)) % uint64(m)) }

// minUnixTime and maxUnixTime are the earliest and latest times whose
// UnixNano is defined (years 1677 and 2262).
var (
	minUnixTime = time.Unix(0, math.MinInt64)
	maxUnixTime = time.Unix(0, math.MaxInt64)
)

// unixNano is t.UnixNano, but math.MaxInt64 for a time after year 2262 and
// math.MinInt64 for one before 1677, for which UnixNano is undefined (it
// wraps: year 1600 reads as 2184).
func unixNano(t time.Time) int64 {
	switch {
	case t.After(maxUnixTime):
		return math.MaxInt64
	case t.Before(minUnixTime):
		return math.MinInt64
	}
	return t.UnixNano()
}

// queuePeriodics is the second half of step 7: queue every due periodic and
// reschedule the repeating ones.
//
// A RescheduleFunc may return now, which leaves the periodic due: Fix gives
// it a new sequence number, so it queues behind every periodic that was due
// when this began, and meeting the first one so rescheduled again means
// they have all been queued; it is due again in the next iteration.
func (l *Loop) queuePeriodics() {
	var again *Periodic // the first periodic rescheduled to now by this call
	for l.periodics.Len() > 0 {
		n, at := l.periodics.Min()
		p := periodicOf(n)
		if at > l.wall || p == again {
			return
		}
		if p.interval > 0 || p.reschedule != nil {
			p.at = p.next(l.wall)
			l.periodics.Fix(p.node.Index(), p.at)
			if p.at <= l.wall && again == nil {
				again = p
			}
		} else {
			l.periodics.Remove(p.node.Index())
			p.active = false
			l.removeActive(p)
		}
		l.feed(p, Timeout)
	}
}

// timeJumpSlack is how far the wall clock may move apart from the monotonic
// clock between two time updates before the loop calls it a jump. Both are
// read by one time.Now, so only a step of the system clock moves them apart
// by more than the kernel's slewing (at most 0.05 %).
const timeJumpSlack = 10 * time.Millisecond

// checkTimeJump is part of step 5: if the wall clock moved differently from
// the monotonic one since the last update, reschedule periodics.
func (l *Loop) checkTimeJump() {
	dm, dw := l.mono-l.lastMono, l.wall-l.lastWall
	l.lastMono, l.lastWall = l.mono, l.wall
	if d := dw - dm; d > int64(timeJumpSlack) || d < -int64(timeJumpSlack) {
		l.reschedulePeriodics()
	}
}

// reschedulePeriodics recomputes every repeating periodic's next time from
// the current wall clock; absolute ones keep theirs, and so do those already
// due. O(n log n).
func (l *Loop) reschedulePeriodics() {
	ps := l.periodicScratch[:0]
	for l.periodics.Len() > 0 {
		n, _ := l.periodics.Min()
		p := periodicOf(n)
		l.periodics.Remove(0)
		ps = append(ps, p)
	}
	for i, p := range ps {
		// A repeating periodic whose time has come (the clock jumped past
		// it) keeps it and fires once in this iteration; the others are
		// recomputed from the new time, which matters when it went back.
		if (p.interval > 0 || p.reschedule != nil) && p.at > l.wall {
			p.at = p.next(l.wall)
		}
		l.periodics.Push(&p.node, p.at)
		ps[i] = nil
	}
	l.periodicScratch = ps[:0]
}

func (p *Periodic) invoke(Events) { p.fn(p) }

func (p *Periodic) describe() string {
	return fmt.Sprintf("at=%v interval=%v", time.Unix(0, p.at).UTC().Format(time.RFC3339Nano), p.interval)
}
