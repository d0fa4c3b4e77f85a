package ev_test

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eventide-go/eventide/ev"
)

func TestRunModes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)

		// Nothing active: every mode returns at once.
		for _, m := range []ev.RunMode{ev.RunDefault, ev.RunOnce, ev.RunNoWait} {
			if err := l.Run(m); err != nil {
				t.Fatalf("Run(%d) on an empty loop: %v", m, err)
			}
		}

		// RunNoWait does not wait for a timer that is not due.
		fired := 0
		tm := ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) { fired++ })
		tm.Start()
		it := l.Iteration()
		if err := l.Run(ev.RunNoWait); err != nil {
			t.Fatal(err)
		}
		if fired != 0 || l.Iteration() != it+1 {
			t.Fatalf("RunNoWait: fired %d, iterations %d; want 0, 1", fired, l.Iteration()-it)
		}
		tm.Stop()

		// RunOnce waits for one event and returns, though watchers remain.
		r, w := pipe(t)
		reads := 0
		io := ev.NewIO(l, r, ev.Read, func(*ev.IO, ev.Events) { reads++; drain(r) })
		if err := io.Start(); err != nil {
			t.Fatal(err)
		}
		go unix.Write(w, []byte("x"))
		if err := l.Run(ev.RunOnce); err != nil {
			t.Fatal(err)
		}
		if reads != 1 || !io.Active() {
			t.Fatalf("RunOnce: reads %d, active %v; want 1, true", reads, io.Active())
		}
		io.Stop()

		// RunDefault returns when the last watcher stops.
		n := 0
		rep := ev.NewTimer(l, time.Millisecond, time.Millisecond, func(tm *ev.Timer) {
			if n++; n == 3 {
				tm.Stop()
			}
		})
		rep.Start()
		if err := l.Run(ev.RunDefault); err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Fatalf("repeating timer ran %d times; want 3", n)
		}
	})
}

func TestBreak(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		keep := ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) {})
		keep.Start()
		defer keep.Stop()

		// BreakOne ends the innermost Run only; BreakAll ends both.
		for _, tc := range []struct {
			how       ev.BreakHow
			outerRuns bool // the outer Run goes on after the inner returns
		}{{ev.BreakOne, true}, {ev.BreakAll, false}} {
			var trace []string
			outer := ev.NewIdle(l, nil2(func(w *ev.Idle) {
				w.Stop()
				trace = append(trace, "outer")
				inner := ev.NewIdle(l, func(w *ev.Idle) {
					w.Stop()
					trace = append(trace, "inner")
					l.Break(tc.how)
				})
				inner.Start()
				if d := l.Depth(); d != 1 {
					t.Errorf("Depth in a callback = %d; want 1", d)
				}
				l.Run(ev.RunDefault)
				trace = append(trace, "inner returned")
				after := ev.NewIdle(l, func(w *ev.Idle) {
					w.Stop()
					trace = append(trace, "outer continued")
					l.Break(ev.BreakOne)
				})
				after.Start()
				t.Cleanup(after.Stop)
			}))
			outer.Start()
			if err := l.Run(ev.RunDefault); err != nil {
				t.Fatal(err)
			}
			want := "outer,inner,inner returned"
			if tc.outerRuns {
				want += ",outer continued"
			}
			if got := strings.Join(trace, ","); got != want {
				t.Errorf("Break(%v): trace %s; want %s", tc.how, got, want)
			}
		}

		// BreakCancel cancels a Break made earlier in the same pass.
		ran := 0
		idle := ev.NewIdle(l, func(w *ev.Idle) {
			if ran++; ran == 1 {
				l.Break(ev.BreakAll)
				l.Break(ev.BreakCancel)
				return
			}
			w.Stop()
			l.Break(ev.BreakOne)
		})
		idle.Start()
		l.Run(ev.RunDefault)
		if ran != 2 {
			t.Errorf("after BreakCancel the loop ran the idle watcher %d times; want 2", ran)
		}
	})
}

// TestBreakBeforeNestedRun checks libev's rule that every Run, nested or
// not, starts with no Break: ev_run sets loop_done to EVBREAK_CANCEL on
// entry, so a Break made in a callback before it calls Run again reaches
// neither that Run nor the one that called the callback.
func TestBreakBeforeNestedRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		how  ev.BreakHow
	}{{"BreakOne", ev.BreakOne}, {"BreakAll", ev.BreakAll}} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLoop(t)
			var trace []string
			outer := ev.NewIdle(l, func(w *ev.Idle) {
				w.Stop()
				l.Break(tc.how)
				n := 0
				inner := ev.NewIdle(l, func(w *ev.Idle) {
					if n++; n == 3 {
						w.Stop()
						l.Break(ev.BreakOne)
					}
				})
				inner.Start()
				l.Run(ev.RunDefault)
				trace = append(trace, fmt.Sprintf("inner ran %d", n))
				after := ev.NewIdle(l, func(w *ev.Idle) {
					w.Stop()
					trace = append(trace, "outer continued")
				})
				after.Start()
				t.Cleanup(after.Stop)
			})
			outer.Start()
			if err := l.Run(ev.RunDefault); err != nil {
				t.Fatal(err)
			}
			if got, want := strings.Join(trace, ","), "inner ran 3,outer continued"; got != want {
				t.Errorf("%s before a nested Run: trace %s; want %s", tc.name, got, want)
			}
		})
	}
}

// nil2 returns f; it exists to keep a long closure readable as an argument.
func nil2(f ev.IdleFunc) ev.IdleFunc { return f }

func TestBreakFromAnotherGoroutine(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		keep := ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) {})
		keep.Start()
		defer keep.Stop()
		started := ev.NewIdle(l, func(w *ev.Idle) {
			w.Stop()
			go l.Break(ev.BreakAll) // the loop will be blocked in the backend by then, or soon
		})
		started.Start()
		done := make(chan error, 1)
		go func() { done <- l.Run(ev.RunDefault) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Break from another goroutine did not wake the loop")
		}
	})
}

func TestLoopExitDelayed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		day := ev.NewTimer(l, 24*time.Hour, 0, func(*ev.Timer) { t.Error("the 24 h timer fired") })
		day.Start()
		defer day.Stop()
		const delay = 30 * time.Millisecond
		start := time.Now()
		l.LoopExit(delay)
		l.LoopExit(time.Hour) // a later exit does not postpone the earlier
		if err := l.Run(ev.RunDefault); err != nil {
			t.Fatal(err)
		}
		if el := time.Since(start); el < delay || el > delay+5*time.Second {
			t.Errorf("Run returned after %v; want about %v", el, delay)
		}
		if !l.GotExit() || l.GotBreak() {
			t.Errorf("GotExit, GotBreak = %v, %v; want true, false", l.GotExit(), l.GotBreak())
		}
	})
}

func TestLoopExitRunsThePass(t *testing.T) {
	l := newLoop(t)
	var ran []int
	for i := range 3 {
		ev.NewTimer(l, 0, 0, func(*ev.Timer) {
			ran = append(ran, i)
			if i == 0 {
				l.LoopExit(0)
			}
		}).Start()
	}
	keep := ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) {})
	keep.Start()
	defer keep.Stop()
	l.Run(ev.RunDefault)
	if len(ran) != 3 || !l.GotExit() {
		t.Errorf("LoopExit(0): ran %v, GotExit %v; want all three callbacks of the pass, true", ran, l.GotExit())
	}
}

func TestLoopBreakStopsThePass(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		var ran []string
		a := ev.NewTimer(l, 10*time.Millisecond, 0, func(*ev.Timer) { ran = append(ran, "a"); l.LoopBreak() })
		b := ev.NewTimer(l, 10*time.Millisecond, 0, func(*ev.Timer) { ran = append(ran, "b") })
		a.Start()
		b.Start()
		l.Run(ev.RunDefault)
		if got := strings.Join(ran, ","); got != "a" || !l.GotBreak() || !b.Pending() {
			t.Fatalf("LoopBreak: ran %q, GotBreak %v, second pending %v; want \"a\", true, true", got, l.GotBreak(), b.Pending())
		}
		// The second timer stays pending and runs in the next Run.
		l.Run(ev.RunDefault)
		if got := strings.Join(ran, ","); got != "a,b" || l.GotBreak() {
			t.Fatalf("next Run: ran %q, GotBreak %v; want \"a,b\", false", got, l.GotBreak())
		}
	})
}

func TestLoopContinue(t *testing.T) {
	l := newLoop(t)
	var ran []string
	it := l.Iteration()
	var iters []uint64
	a := ev.NewTimer(l, 0, 0, func(*ev.Timer) { ran = append(ran, "a"); iters = append(iters, l.Iteration()); l.LoopContinue() })
	b := ev.NewTimer(l, 0, 0, func(*ev.Timer) { ran = append(ran, "b"); iters = append(iters, l.Iteration()) })
	a.Start()
	b.Start()
	l.Run(ev.RunDefault)
	if strings.Join(ran, ",") != "a,b" || iters[1] != iters[0]+1 || iters[0] != it+1 {
		t.Fatalf("LoopContinue: ran %v at iterations %v (start %d); want a then b one iteration later", ran, iters, it)
	}
}

func TestRunErrors(t *testing.T) {
	l := newLoop(t)
	var inner error
	release := make(chan struct{})
	entered := make(chan struct{})
	a := ev.NewAsync(l, func(a *ev.Async) { a.Stop() })
	a.Start()
	ev.NewIdle(l, func(w *ev.Idle) {
		w.Stop()
		close(entered)
		<-release // hold the loop inside a callback while another goroutine tries
	}).Start()
	go func() {
		<-entered
		inner = l.Run(ev.RunNoWait)
		close(release)
		a.Send()
	}()
	l.Run(ev.RunDefault)
	if !errors.Is(inner, ev.ErrRunning) {
		t.Errorf("Run from a second goroutine: %v; want ErrRunning", inner)
	}
	l.Close()
	if err := l.Run(ev.RunDefault); !errors.Is(err, ev.ErrClosed) || !errors.Is(err, net.ErrClosed) {
		t.Errorf("Run on a closed loop: %v; want ErrClosed (net.ErrClosed)", err)
	}
	if err := ev.NewIO(l, 0, ev.Read, func(*ev.IO, ev.Events) {}).Start(); !errors.Is(err, ev.ErrClosed) {
		t.Errorf("IO.Start on a closed loop: %v; want ErrClosed", err)
	}
}

func TestUsagePanics(t *testing.T) {
	l := newLoop(t)
	for _, tc := range []struct {
		name string
		f    func()
		want string
	}{
		{"negative after", func() { ev.NewTimer(l, -1, 0, func(*ev.Timer) {}) }, "ev: negative timer duration"},
		{"negative repeat", func() { ev.NewTimer(l, 0, -time.Second, func(*ev.Timer) {}) }, "ev: negative timer duration"},
		{"priority too high", func() { ev.NewTimer(l, 0, 0, func(*ev.Timer) {}).SetPriority(3) }, "ev: priority 3 out of range"},
		{"priority too low", func() { ev.NewIdle(l, func(*ev.Idle) {}).SetPriority(-3) }, "ev: priority -3 out of range"},
		{"nil callback", func() { ev.NewIO(l, 0, ev.Read, nil) }, "ev: nil IOFunc"},
		{"bad IO events", func() { ev.NewIO(l, 0, ev.Timeout, func(*ev.IO, ev.Events) {}) }, "ev: IO events"},
		{"nil loop", func() { ev.NewTimer(nil, 0, 0, func(*ev.Timer) {}) }, "ev: nil *Loop"},
		{"negative LoopExit", func() { l.LoopExit(-time.Second) }, "ev: LoopExit with a negative duration"},
		{"negative Event timeout", func() { ev.NewEvent(l, -1, 0, func(*ev.Event, ev.Events) {}).Add(-1) }, "ev: Event.Add with a negative timeout"},
		{"Set on active timer", func() {
			tm := ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) {})
			tm.Start()
			defer tm.Stop()
			tm.Set(time.Second, 0)
		}, "ev: Timer.Set on an active timer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.HasPrefix(s, tc.want) {
					t.Errorf("panic %v; want one starting %q", r, tc.want)
				}
			}()
			tc.f()
		})
	}
}

func TestPostOrderAndCompleteness(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		const goroutines, per = 8, 10000
		next := make([]int, goroutines)
		total := 0
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range per {
					l.Post(func() {
						if next[g] != i {
							t.Errorf("goroutine %d: got post %d; want %d", g, i, next[g])
						}
						next[g] = i + 1
						total++
					})
				}
			}()
		}
		runUntil(t, l, func() bool { return total == goroutines*per })
		wg.Wait()
		l.Run(ev.RunNoWait)
		if total != goroutines*per {
			t.Fatalf("ran %d posts; want %d", total, goroutines*per)
		}
	})
}

func TestPostKeepsLoopAlive(t *testing.T) {
	l := newLoop(t)
	ran := false
	l.Post(func() { ran = true })
	if err := l.Run(ev.RunDefault); err != nil || !ran {
		t.Fatalf("Run with only a posted function: err %v, ran %v; want nil, true", err, ran)
	}
}

func TestDebugDetectsOtherGoroutine(t *testing.T) {
	l := newLoop(t, ev.WithDebug())
	got := make(chan any, 1)
	a := ev.NewAsync(l, func(a *ev.Async) { a.Stop() })
	a.Start()
	ev.NewIdle(l, func(w *ev.Idle) {
		w.Stop()
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer func() { got <- recover() }()
			ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) {}).Start()
		}()
		<-done
		a.Send()
	}).Start()
	l.Run(ev.RunDefault)
	if r, _ := (<-got).(string); !strings.Contains(r, "loop-only method called from a goroutine") {
		t.Errorf("Start from another goroutine under WithDebug: panic %q; want the loop-only message", r)
	}
}

func TestCloseWithActiveWatchers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		r, _ := pipe(t)
		io := ev.NewIO(l, r, ev.Read, func(*ev.IO, ev.Events) {})
		if err := io.Start(); err != nil {
			t.Fatal(err)
		}
		tm := ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) {})
		tm.Start()
		idle := ev.NewIdle(l, func(*ev.Idle) {})
		idle.Start()
		l.FeedEvent(tm, ev.Timeout)
		var order []string
		ev.NewCleanup(l, func(*ev.Cleanup) {
			order = append(order, "cleanup")
			if io.Active() || tm.Active() || idle.Active() || tm.Pending() {
				t.Error("a watcher was still active or pending when the cleanup ran")
			}
		}).Start()
		if l.ActiveCount() != 3 {
			t.Errorf("ActiveCount = %d; want 3 (a Cleanup holds no reference)", l.ActiveCount())
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if len(order) != 1 || !l.Closed() {
			t.Fatalf("cleanups run %d times, Closed %v; want 1, true", len(order), l.Closed())
		}
	})
}

func TestCloseFromCallback(t *testing.T) {
	l := newLoop(t)
	keep := ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) {})
	keep.Start()
	ev.NewTimer(l, 0, 0, func(*ev.Timer) { l.Close() }).Start()
	if err := l.Run(ev.RunDefault); err != nil {
		t.Fatal(err)
	}
	if !l.Closed() || keep.Active() {
		t.Fatalf("Close from a callback: Closed %v, timer active %v; want true, false", l.Closed(), keep.Active())
	}
}

func TestStatsAndDump(t *testing.T) {
	l := newLoop(t)
	r, _ := pipe(t)
	io := ev.NewIO(l, r, ev.Read|ev.Closed, func(*ev.IO, ev.Events) {})
	if err := io.Start(); err != nil {
		t.Fatal(err)
	}
	defer io.Stop()
	tm := ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) {})
	tm.SetPriority(2)
	tm.Start()
	defer tm.Stop()
	st := l.Stats()
	if st.Active != 2 || st.ByKind["io"] != 1 || st.ByKind["timer"] != 1 || st.Backend != "epoll" {
		t.Errorf("Stats = %+v; want 2 active: 1 io, 1 timer, on epoll", st)
	}
	var b strings.Builder
	if err := l.Dump(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"2 active", "io       pri=+0 fd=", "events=read|closed", "timer    pri=+2 after=1h0m0s"} {
		if !strings.Contains(out, want) {
			t.Errorf("Dump lacks %q:\n%s", want, out)
		}
	}
}

func TestRefUnref(t *testing.T) {
	l := newLoop(t)
	tm := ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) {})
	tm.Start()
	l.Unref()
	start := time.Now()
	l.Run(ev.RunDefault) // the only watcher is unreferenced: returns at once
	if time.Since(start) > 5*time.Second {
		t.Fatal("Run waited for an unreferenced watcher")
	}
	l.Ref()
	tm.Stop()
}

// TestCountsWithInternalTimers checks the counts of timers, which the loop
// keeps through its heap: a polling Stat watcher's internal timer is neither
// in Stats nor a reference; a user timer is both.
func TestCountsWithInternalTimers(t *testing.T) {
	l := newLoop(t)
	path := filepath.Join(t.TempDir(), "f")
	st := ev.NewStat(l, path, time.Hour, func(*ev.Stat) {})
	st.SetPolling(true)
	if err := st.Start(); err != nil {
		t.Fatal(err)
	}
	tm := ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) {})
	tm.Start()
	check := func(active, timers, refs int) {
		t.Helper()
		s := l.Stats()
		if s.Active != active || s.ByKind["timer"] != timers || s.Refs != refs || l.ActiveCount() != refs {
			t.Errorf("Stats = %+v, ActiveCount %d; want %d active, %d timer, %d refs", s, l.ActiveCount(), active, timers, refs)
		}
	}
	check(2, 1, 2)
	tm.Stop()
	check(1, 0, 1)
	st.Stop()
	check(0, 0, 0)
}
