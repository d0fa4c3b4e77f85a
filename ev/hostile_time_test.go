package ev_test

import (
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/internal/evtest"
)

// TestHugeDelaysNeverFire starts timers, periodics and events with delays
// so long that adding them to the loop's time overflows: they must not
// fire (an overflowed deadline lies in the past), and the loop must not
// spin.
func TestHugeDelaysNeverFire(t *testing.T) {
	l := newLoop(t)
	fired := []string{}
	never := func(what string) func() { return func() { fired = append(fired, what) } }
	for _, d := range []time.Duration{math.MaxInt64, math.MaxInt64 - 1, math.MaxInt64 / 2 * 1} {
		f := never("timer " + d.String())
		tm := ev.NewTimer(l, d, 0, func(*ev.Timer) { f() })
		tm.Start()
		defer tm.Stop()
		g := never("repeat " + d.String())
		rp := ev.NewTimer(l, 0, d, func(*ev.Timer) { g() })
		rp.Start() // fires once now, then never again
		defer rp.Stop()
		h := never("periodic interval " + d.String())
		p := ev.NewPeriodic(l, time.Now(), d, func(*ev.Periodic) { h() })
		p.Start()
		defer p.Stop()
		e := ev.NewEvent(l, -1, 0, func(*ev.Event, ev.Events) { fired = append(fired, "event "+d.String()) })
		if err := e.Add(d); err != nil {
			t.Fatal(err)
		}
		defer e.Del()
	}
	far := ev.NewPeriodic(l, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), 0, func(*ev.Periodic) { fired = append(fired, "periodic year 9999") })
	far.Start()
	defer far.Stop()
	l.LoopExit(math.MaxInt64) // never: Run must not return for it
	l.Suspend()
	l.Resume() // shifts every deadline: the far ones stay far
	stop := ev.NewTimer(l, 30*time.Millisecond, 0, func(*ev.Timer) {})
	stop.Start()
	start := l.Iteration()
	// Before the fix an overflowed deadline made the loop wait forever:
	// a watchdog turns that into a failure.
	var hung atomic.Bool
	wd := time.AfterFunc(evtest.Deadline, func() { hung.Store(true); l.Break(ev.BreakAll) })
	defer wd.Stop()
	for stop.Active() && !hung.Load() {
		l.Run(ev.RunOnce)
	}
	if hung.Load() {
		t.Fatalf("a 30 ms timer did not fire within %v", evtest.Deadline)
	}
	// The three zero-delay repeating timers fire once each at the start.
	want := 3
	got := 0
	for _, f := range fired {
		if len(f) > 6 && f[:6] == "repeat" {
			got++
		}
	}
	if got != want || len(fired) != want {
		t.Errorf("fired %v; want only the %d first firings of the repeating timers", fired, want)
	}
	if l.GotExit() {
		t.Errorf("LoopExit(math.MaxInt64) ended a Run")
	}
	if it := l.Iteration() - start; it > 20 {
		t.Errorf("%d iterations in 30 ms with nothing due; want a few (the loop spins)", it)
	}
}

// TestTimerCallbackChurnsTenThousand has one timer's callback stop and
// restart 10,000 others, some due in the same pass: none of the stopped ones
// runs in that pass, the restarted ones run once each later, in start
// order for equal deadlines.
func TestTimerCallbackChurnsTenThousand(t *testing.T) {
	const n = 10000
	l := newLoop(t)
	var order []int
	timers := make([]*ev.Timer, n)
	for i := range timers {
		timers[i] = ev.NewTimer(l, 0, 0, func(*ev.Timer) { order = append(order, i) })
	}
	churn := ev.NewTimer(l, 0, 0, func(*ev.Timer) {
		for i := n - 1; i >= 0; i-- {
			timers[i].Stop() // pending ones too
		}
		for _, tm := range timers {
			tm.Set(time.Millisecond, 0)
			tm.Start()
		}
	})
	churn.Start()
	for _, tm := range timers {
		tm.Start() // due in the same pass as churn, after it
	}
	runUntil(t, l, func() bool { return len(order) >= n })
	l.Run(ev.RunNoWait)
	if len(order) != n {
		t.Fatalf("%d callbacks; want %d", len(order), n)
	}
	for i, k := range order {
		if k != i {
			t.Fatalf("callback %d was timer %d; want start order", i, k)
		}
	}
}

// TestTimerAgainRepeatZero: Again with repeat 0 stops an active timer (and
// drops its pending call) and leaves a stopped one stopped.
func TestTimerAgainRepeatZero(t *testing.T) {
	l := newLoop(t)
	calls := 0
	tm := ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) { calls++ })
	tm.Again()
	if tm.Active() {
		t.Fatal("Again with repeat 0 started a stopped timer")
	}
	tm.Start()
	l.FeedEvent(tm, ev.Timeout)
	tm.Again()
	if tm.Active() || tm.Pending() {
		t.Fatalf("after Again with repeat 0: active %v, pending %v; want false, false", tm.Active(), tm.Pending())
	}
	l.Run(ev.RunNoWait)
	if calls != 0 {
		t.Errorf("%d calls; want 0", calls)
	}
}

// TestManualClockBackwards moves a ManualClock's wall time back and forth
// under periodics: a periodic keeps its interval from the new time, an
// absolute one keeps its time, and nothing fires twice for one time.
func TestManualClockBackwards(t *testing.T) {
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := ev.NewManualClock(start)
	l := newLoop(t, ev.WithClock(clk))
	var every, abs int
	p := ev.NewPeriodic(l, start, time.Minute, func(*ev.Periodic) { every++ })
	p.Start()
	defer p.Stop()
	a := ev.NewPeriodic(l, start.Add(30*time.Minute), 0, func(*ev.Periodic) { abs++ })
	a.Start()
	clk.Set(start.Add(-time.Hour)) // back an hour
	l.Run(ev.RunNoWait)
	if every != 0 || abs != 0 {
		t.Fatalf("after going back: every %d, abs %d; want 0, 0", every, abs)
	}
	if got, want := p.At(), start.Add(-time.Hour+time.Minute); !got.Equal(want) {
		t.Errorf("repeating periodic at %v; want %v", got, want)
	}
	clk.Advance(time.Minute)
	l.Run(ev.RunNoWait)
	if every != 1 {
		t.Errorf("one interval later: every %d; want 1", every)
	}
	clk.Set(start.Add(31 * time.Minute)) // forward past the absolute time
	l.Run(ev.RunNoWait)
	if abs != 1 || every != 2 {
		t.Errorf("after jumping forward: every %d, abs %d; want 2, 1", every, abs)
	}
	clk.Set(start) // back again: the absolute one is done
	l.Run(ev.RunNoWait)
	clk.Set(start.Add(31 * time.Minute))
	l.Run(ev.RunNoWait)
	if abs != 1 {
		t.Errorf("absolute periodic fired %d times; want 1", abs)
	}
}

// TestLoopExitRacesBreak has other goroutines call LoopExit(0), Break and
// LoopBreak while the loop runs: every Run returns, none hangs.
func TestLoopExitRacesBreak(t *testing.T) {
	l := newLoop(t)
	keep := ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) {})
	keep.Start()
	defer keep.Stop()
	for i := range 200 {
		var wg sync.WaitGroup
		started := make(chan struct{})
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-started
			l.LoopExit(0)
		}()
		go func() {
			defer wg.Done()
			<-started
			if i%2 == 0 {
				l.Break(ev.BreakAll)
			} else {
				l.LoopBreak()
			}
		}()
		done := make(chan error, 1)
		go func() {
			close(started)
			done <- l.Run(ev.RunDefault)
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			l.Break(ev.BreakAll)
			t.Fatalf("round %d: Run did not return", i)
		}
		wg.Wait()
		// A LoopExit that came after Run returned persists: it ends the
		// next Run at once; consume it so each round starts clean.
		l.Run(ev.RunNoWait)
	}
}
