// Edge cases of the loop core and the Event API: Close from callbacks and
// cleanups, activations that coincide with timeouts, LoopExit(0),
// ManualClock at the end of its range, and calls on a closed loop.

package ev_test

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
)

// TestCloseFromCleanup calls Close again from a Cleanup callback, which runs
// inside Close: the inner call must do nothing, and the backend's
// descriptors must be closed once, not twice (a second close would close
// whatever the process opened in the meantime under the same numbers).
func TestCloseFromCleanup(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		var fds []int
		runs := 0
		for range 2 {
			ev.NewCleanup(l, func(*ev.Cleanup) {
				runs++
				if err := l.Close(); err != nil {
					t.Errorf("Close in a cleanup: %v", err)
				}
				// Descriptors the process opens now may reuse the
				// backend's numbers if the inner Close released them.
				r, w := pipe(t)
				fds = append(fds, r, w)
			}).Start()
		}
		if err := l.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if got, want := runs, 2; got != want {
			t.Errorf("cleanups run: got %d; want %d", got, want)
		}
		for _, fd := range fds {
			if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
				t.Errorf("descriptor %d opened in a cleanup: got %v after Close; want it still open", fd, err)
			}
		}
	})
}

// TestStartInCleanup starts watchers from a Cleanup callback: the loop is
// closing, so they must not become active (they would never be stopped).
func TestStartInCleanup(t *testing.T) {
	l := newLoop(t)
	r, _ := pipe(t)
	var tm *ev.Timer
	var io *ev.IO
	var idle *ev.Idle
	ev.NewCleanup(l, func(*ev.Cleanup) {
		tm = ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) {})
		tm.Start()
		io = ev.NewIO(l, r, ev.Read, func(*ev.IO, ev.Events) {})
		io.Start()
		idle = ev.NewIdle(l, func(*ev.Idle) {})
		idle.Start()
	}).Start()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		w    ev.Watcher
	}{{"timer", tm}, {"io", io}, {"idle", idle}} {
		if c.w.Active() {
			t.Errorf("%s started in a cleanup: Active() = true after Close; want false", c.name)
		}
	}
	if got := l.ActiveCount(); got != 0 {
		t.Errorf("ActiveCount after Close: got %d; want 0", got)
	}
}

// TestEventActiveCoincidesWithQueuedReasons activates an Event by hand and
// then lets its timeout expire, or its descriptor become ready, before the
// callback runs: the activations coincide, so the callback runs once with
// both reasons (the Event documentation), not with the manual one alone
// while the Del or timeout restart that precedes the callback drops the
// other.
func TestEventActiveCoincidesWithQueuedReasons(t *testing.T) {
	tests := []struct {
		name  string
		flags ev.Events
		fd    bool // watch a readable pipe rather than time out
		want  ev.Events
	}{
		{"timeout", 0, false, ev.Write | ev.Timeout},
		{"persistent timeout", ev.Persist, false, ev.Write | ev.Timeout},
		{"descriptor", ev.Read, true, ev.Write | ev.Read},
		{"persistent descriptor", ev.Read | ev.Persist, true, ev.Write | ev.Read},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, c := manualLoop(t)
			fd := -1
			if tt.fd {
				r, w := pipe(t)
				write(t, w, "x")
				fd = r
			}
			var got []ev.Events
			e := ev.NewEvent(l, fd, tt.flags, func(_ *ev.Event, what ev.Events) { got = append(got, what) })
			if err := e.Add(100 * time.Millisecond); err != nil {
				t.Fatal(err)
			}
			e.Active(ev.Write)
			if !tt.fd {
				c.Advance(100 * time.Millisecond)
			}
			l.Run(ev.RunNoWait)
			e.Del()
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("callbacks: got %v; want [%v]", got, tt.want)
			}
		})
	}
}

// TestEventRemoveTimerAfterExpiry removes an Event's timeout from a timer
// callback of the pass in which the timeout expired. As libevent's
// event_remove_timer, that leaves the expiry alone: the Event's callback
// runs with Timeout whichever timer was started first (which decides
// whether the Event's expiry was handled before the removal).
func TestEventRemoveTimerAfterExpiry(t *testing.T) {
	for _, removerFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("remover first %v", removerFirst), func(t *testing.T) {
			l, c := manualLoop(t)
			var got []ev.Events
			e := ev.NewEvent(l, -1, 0, func(_ *ev.Event, what ev.Events) { got = append(got, what) })
			remover := ev.NewTimer(l, time.Millisecond, 0, func(*ev.Timer) { e.RemoveTimer() })
			if removerFirst {
				remover.Start()
			}
			if err := e.Add(time.Millisecond); err != nil {
				t.Fatal(err)
			}
			if !removerFirst {
				remover.Start()
			}
			c.Advance(time.Millisecond)
			l.Run(ev.RunNoWait)
			e.Del()
			if len(got) != 1 || got[0] != ev.Timeout {
				t.Errorf("event's callbacks: got %v; want [timeout]", got)
			}
		})
	}
}

// TestCloseInCallbackSurvivesBreakCancel closes the loop from a callback
// and then cancels breaks, as another goroutine's Break(BreakCancel) may at
// any time: Close still ends Run, and no callback runs after it.
func TestCloseInCallbackSurvivesBreakCancel(t *testing.T) {
	for _, where := range []string{"timer", "prepare"} {
		t.Run(where, func(t *testing.T) {
			l, c := manualLoop(t)
			after := 0
			closed := false
			ev.NewTimer(l, 0, time.Millisecond, func(*ev.Timer) {
				if closed {
					if after++; after == 3 {
						l.Break(ev.BreakAll) // the test's way out if Close failed
					}
				}
				c.Advance(time.Millisecond)
			}).Start()
			closeNow := func() {
				closed = true
				l.Close()
				l.Break(ev.BreakCancel)
			}
			if where == "timer" {
				ev.NewTimer(l, 5*time.Millisecond, 0, func(*ev.Timer) { closeNow() }).Start()
			} else {
				ev.NewPrepare(l, func(*ev.Prepare) {
					if l.Iteration() == 5 {
						closeNow()
					}
				}).Start()
			}
			if err := l.Run(ev.RunDefault); err != nil {
				t.Errorf("Run: %v", err)
			}
			if after != 0 {
				t.Errorf("callbacks after Close: got %d; want 0", after)
			}
			if !l.Closed() {
				t.Errorf("Closed() = false after Run returned; want true")
			}
		})
	}
}

// TestManualClockAdvanceSaturates advances a ManualClock past the end of
// the monotonic range: time must stop at the end, not wrap to before the
// start, where due timers never fire.
func TestManualClockAdvanceSaturates(t *testing.T) {
	l, c := manualLoop(t)
	fired := 0
	tm := ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) { fired++ })
	tm.Start()
	c.Advance(math.MaxInt64)
	c.Advance(math.MaxInt64)
	l.Run(ev.RunNoWait)
	if fired != 1 {
		t.Errorf("a 1h timer after advancing twice math.MaxInt64: fired %d times; want 1", fired)
	}
	tm.Stop()
}

// TestEventAddOnClosedLoop adds Events to a closed loop: like IO.Start and
// Signal.Start, Add reports ErrClosed, whatever the Event waits for, and the
// Event is not added.
func TestEventAddOnClosedLoop(t *testing.T) {
	tests := []struct {
		name    string
		fd      int
		flags   ev.Events
		timeout time.Duration
	}{
		{"timer", -1, 0, time.Second},
		{"persistent timer", -1, ev.Persist, time.Second},
		{"nothing", -1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLoop(t)
			l.Close()
			e := ev.NewEvent(l, tt.fd, tt.flags, func(*ev.Event, ev.Events) {})
			if err := e.Add(tt.timeout); !errors.Is(err, ev.ErrClosed) {
				t.Errorf("Add(%v) on a closed loop: got %v; want ErrClosed", tt.timeout, err)
			}
			if e.Added() {
				t.Errorf("Added() = true after Add on a closed loop; want false")
			}
		})
	}
}

// TestClearPendingOtherLoop asks one loop to clear a watcher of another:
// like FeedEvent, ClearPending panics, rather than clearing whatever
// entry of its own queue has the same position.
func TestClearPendingOtherLoop(t *testing.T) {
	a, b := newLoop(t), newLoop(t)
	ranA, ranB := 0, 0
	wa := ev.NewIdle(a, func(*ev.Idle) { ranA++ })
	wb := ev.NewIdle(b, func(*ev.Idle) { ranB++ })
	a.FeedEvent(wa, 0)
	b.FeedEvent(wb, 0)
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("b.ClearPending(watcher of a): no panic; want one")
			}
		}()
		b.ClearPending(wa)
	}()
	a.Run(ev.RunNoWait)
	b.Run(ev.RunNoWait)
	if ranA != 1 || ranB != 1 {
		t.Errorf("callbacks after the refused ClearPending: a %d, b %d; want 1, 1", ranA, ranB)
	}
	if got := b.PendingCount(); got != 0 {
		t.Errorf("b.PendingCount: got %d; want 0", got)
	}
}

// TestOnceOnClosedLoop: Once on a closed loop reports ErrClosed whatever it
// waits for, and queues nothing (the callback could never run).
func TestOnceOnClosedLoop(t *testing.T) {
	for _, timeout := range []time.Duration{0, time.Second} {
		l := newLoop(t)
		l.Close()
		if err := l.Once(-1, 0, timeout, func(ev.Events) {}); !errors.Is(err, ev.ErrClosed) {
			t.Errorf("Once(-1, 0, %v) on a closed loop: got %v; want ErrClosed", timeout, err)
		}
		if got := l.PendingCount(); got != 0 {
			t.Errorf("Once(-1, 0, %v) on a closed loop: PendingCount %d; want 0", timeout, got)
		}
	}
}

// TestLoopExitZeroFromCallback calls LoopExit(0) from a callback on the
// system clock, whose time has moved on since the pass began: Run returns
// after that pass, without another pass of callbacks.
func TestLoopExitZeroFromCallback(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		passes := 0
		idle := ev.NewIdle(l, func(*ev.Idle) {
			if passes++; passes == 1 {
				l.LoopExit(0)
			}
			if passes == 100 {
				l.Break(ev.BreakAll) // the test's way out
			}
		})
		idle.Start()
		l.Run(ev.RunDefault)
		idle.Stop()
		if passes != 1 || !l.GotExit() {
			t.Errorf("passes after LoopExit(0) in a callback: got %d (GotExit %v); want 1 (true)", passes, l.GotExit())
		}
	})
}

// TestCloseWithPanickingCleanup: a Cleanup callback that panics does not
// leave the loop half closed: the panic reaches Close's caller, and the
// backend's descriptors are released all the same (newLoop checks).
func TestCloseWithPanickingCleanup(t *testing.T) {
	l := newLoop(t)
	ev.NewCleanup(l, func(*ev.Cleanup) { panic("cleanup") }).Start()
	func() {
		defer func() {
			if got := recover(); got != "cleanup" {
				t.Errorf("Close with a panicking cleanup: recovered %v; want the cleanup's panic", got)
			}
		}()
		l.Close()
	}()
	if !l.Closed() {
		t.Errorf("Closed() = false after Close; want true")
	}
}
