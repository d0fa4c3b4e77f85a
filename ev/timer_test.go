package ev_test

import (
	"strings"
	"testing"
	"time"

	"github.com/eventide-go/eventide/ev"
)

func TestTimerNeverEarly(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		delays := []time.Duration{0, time.Millisecond, 3 * time.Millisecond, 10 * time.Millisecond, 25 * time.Millisecond}
		done := 0
		for _, d := range delays {
			start := time.Now()
			ev.NewTimer(l, d, 0, func(*ev.Timer) {
				if el := time.Since(start); el < d {
					t.Errorf("timer of %v fired after %v", d, el)
				}
				done++
			}).Start()
		}
		l.Run(ev.RunDefault)
		if done != len(delays) {
			t.Fatalf("%d timers fired; want %d", done, len(delays))
		}
	})
}

func TestTimerTiesFireInStartOrder(t *testing.T) {
	c := ev.NewManualClock(time.Unix(1000, 0))
	l := newLoop(t, ev.WithClock(c))
	var got []int
	for i := range 50 {
		// Two deadlines, interleaved: all the 10 ms ones, in start order,
		// then all the 20 ms ones.
		d := time.Duration(10+10*(i%2)) * time.Millisecond
		ev.NewTimer(l, d, 0, func(*ev.Timer) { got = append(got, i) }).Start()
	}
	c.Advance(20 * time.Millisecond)
	l.Run(ev.RunDefault)
	var want []int
	for i := 0; i < 50; i += 2 {
		want = append(want, i)
	}
	for i := 1; i < 50; i += 2 {
		want = append(want, i)
	}
	if len(got) != len(want) {
		t.Fatalf("fired %d timers; want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("firing order %v; want %v", got, want)
		}
	}
}

func TestTimerStartStopFromCallbacks(t *testing.T) {
	l := newLoop(t)
	var trace []string
	var b, c *ev.Timer
	a := ev.NewTimer(l, 0, 0, func(*ev.Timer) {
		trace = append(trace, "a")
		b.Stop() // due in the same pass: must not run
		c.Start()
	})
	b = ev.NewTimer(l, 0, 0, func(*ev.Timer) { trace = append(trace, "b") })
	c = ev.NewTimer(l, 0, 0, func(*ev.Timer) { trace = append(trace, "c") })
	a.Start()
	b.Start()
	l.Run(ev.RunDefault)
	if got := strings.Join(trace, ","); got != "a,c" {
		t.Fatalf("trace %s; want a,c", got)
	}
}

func TestTimerRepeatStarvedFiresOnce(t *testing.T) {
	c := ev.NewManualClock(time.Unix(0, 0))
	l := newLoop(t, ev.WithClock(c))
	n := 0
	tm := ev.NewTimer(l, 10*time.Millisecond, 10*time.Millisecond, func(*ev.Timer) { n++ })
	tm.Start()
	defer tm.Stop()
	c.Advance(time.Second) // a hundred periods missed
	l.Run(ev.RunNoWait)
	l.Run(ev.RunNoWait)
	if n != 1 {
		t.Fatalf("a starved repeating timer fired %d times; want 1", n)
	}
	if r := tm.Remaining(); r != 10*time.Millisecond {
		t.Fatalf("Remaining after catching up = %v; want one period", r)
	}
	c.Advance(10 * time.Millisecond)
	l.Run(ev.RunNoWait)
	if n != 2 {
		t.Fatalf("next period: fired %d times; want 2", n)
	}
}

func TestTimerAgainAndRemaining(t *testing.T) {
	c := ev.NewManualClock(time.Unix(0, 0))
	l := newLoop(t, ev.WithClock(c))
	fired := 0
	tm := ev.NewTimer(l, 0, 100*time.Millisecond, func(*ev.Timer) { fired++ })
	if r := tm.Remaining(); r != 0 {
		t.Errorf("Remaining of a stopped timer = %v; want its delay 0", r)
	}
	// Again on a stopped timer with a repeat starts it for repeat.
	tm.Again()
	if !tm.Active() || tm.Remaining() != 100*time.Millisecond {
		t.Fatalf("after Again: active %v, remaining %v; want true, 100ms", tm.Active(), tm.Remaining())
	}
	// Activity every 60 ms keeps pushing the timeout back.
	for range 5 {
		c.Advance(60 * time.Millisecond)
		l.Run(ev.RunNoWait)
		tm.Again()
	}
	if fired != 0 {
		t.Fatalf("inactivity timer fired %d times during activity; want 0", fired)
	}
	c.Advance(40 * time.Millisecond)
	l.Run(ev.RunNoWait)
	if r := tm.Remaining(); r != 60*time.Millisecond {
		t.Errorf("Remaining = %v; want 60ms", r)
	}
	c.Advance(60 * time.Millisecond)
	l.Run(ev.RunNoWait)
	if fired != 1 {
		t.Fatalf("inactivity timer fired %d times after silence; want 1", fired)
	}
	// Again with repeat 0 stops.
	tm.SetRepeat(0)
	tm.Again()
	if tm.Active() {
		t.Fatal("Again with repeat 0 left the timer active")
	}
}

func TestTimerPendingClearedByStop(t *testing.T) {
	l := newLoop(t)
	ran := false
	tm := ev.NewTimer(l, 0, 0, func(*ev.Timer) { ran = true })
	l.FeedEvent(tm, ev.Timeout)
	if !tm.Pending() || l.PendingCount() != 1 {
		t.Fatalf("after FeedEvent: pending %v, count %d; want true, 1", tm.Pending(), l.PendingCount())
	}
	tm.Stop()
	l.Run(ev.RunNoWait)
	if ran || tm.Pending() {
		t.Fatal("a stopped watcher's queued callback ran")
	}
}

func TestSuspendResumeShiftsTimers(t *testing.T) {
	c := ev.NewManualClock(time.Unix(0, 0))
	l := newLoop(t, ev.WithClock(c))
	fired := false
	tm := ev.NewTimer(l, time.Second, 0, func(*ev.Timer) { fired = true })
	tm.Start()
	c.Advance(400 * time.Millisecond)
	l.Run(ev.RunNoWait)
	l.Suspend()
	c.Advance(time.Hour)
	l.Resume()
	l.Run(ev.RunNoWait)
	if fired {
		t.Fatal("a timer fired because of time spent suspended")
	}
	if r := tm.Remaining(); r != 600*time.Millisecond {
		t.Fatalf("Remaining after Resume = %v; want 600ms", r)
	}
	c.Advance(600 * time.Millisecond)
	l.Run(ev.RunNoWait)
	if !fired {
		t.Fatal("the timer did not fire after its remaining time")
	}
}

// TestTimerStartedWhileSuspended starts a timer between Suspend and
// Resume: as in libev, it is measured from the time of Suspend and then
// moved by the suspension like the others, so it fires its delay after
// Resume, not its delay plus the suspension again.
func TestTimerStartedWhileSuspended(t *testing.T) {
	c := ev.NewManualClock(time.Unix(0, 0))
	l := newLoop(t, ev.WithClock(c))
	l.Suspend()
	c.Advance(time.Hour)
	tm := ev.NewTimer(l, time.Second, 0, func(*ev.Timer) {})
	tm.Start()
	l.Resume()
	if r := tm.Remaining(); r != time.Second {
		t.Errorf("Remaining after Resume = %v; want 1s", r)
	}
	tm.Stop()
}

// TestResumeShiftsLoopExit checks that a LoopExit deadline, libevent's
// one-shot timer, moves with the timers across Suspend and Resume: time
// spent suspended does not count towards it.
func TestResumeShiftsLoopExit(t *testing.T) {
	c := ev.NewManualClock(time.Unix(0, 0))
	l := newLoop(t, ev.WithClock(c))
	l.LoopExit(time.Second)
	c.Advance(400 * time.Millisecond)
	l.Run(ev.RunNoWait)
	l.Suspend()
	c.Advance(time.Hour)
	l.Resume()
	l.Run(ev.RunNoWait)
	if l.GotExit() {
		t.Fatal("LoopExit(1s) took effect 400ms after it was made, plus an hour suspended")
	}
	c.Advance(599 * time.Millisecond)
	l.Run(ev.RunNoWait)
	if l.GotExit() {
		t.Fatal("LoopExit took effect 1ms early")
	}
	c.Advance(time.Millisecond)
	l.Run(ev.RunNoWait)
	if !l.GotExit() {
		t.Fatal("LoopExit did not take effect after its remaining 600ms")
	}
}

// TestTimerDueAfterLongCallbackNotLate has a callback run past another
// timer's deadline: that timer must fire as soon as the callback returns,
// not after a wait computed from the iteration's time, which is stale by
// the callback's duration. The callback keeps the processor busy (its
// work is the point); nothing waits on a sleep.
func TestTimerDueAfterLongCallbackNotLate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		var ended, fired time.Time
		a := ev.NewTimer(l, 200*time.Millisecond, 0, func(*ev.Timer) { fired = time.Now() })
		b := ev.NewTimer(l, time.Millisecond, 0, func(*ev.Timer) {
			for s := time.Now(); time.Since(s) < 400*time.Millisecond; {
			}
			ended = time.Now()
		})
		a.Start()
		b.Start()
		if err := l.Run(ev.RunDefault); err != nil {
			t.Fatal(err)
		}
		if late := fired.Sub(ended); late > 100*time.Millisecond {
			t.Errorf("a timer overdue when a long callback returned fired %v after it; want at once", late)
		}
	})
}

func TestManualClockWakesBlockedLoop(t *testing.T) {
	c := ev.NewManualClock(time.Unix(0, 0))
	l := newLoop(t, ev.WithClock(c))
	fired := make(chan struct{})
	ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) { close(fired) }).Start()
	done := make(chan error)
	go func() { done <- l.Run(ev.RunDefault) }()
	c.Advance(time.Hour)
	select {
	case <-fired:
	case <-time.After(10 * time.Second):
		t.Fatal("Advance did not wake the blocked loop")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
