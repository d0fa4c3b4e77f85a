package ev_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eventide-go/eventide/ev"
)

func TestIdleRunsOnlyWhenIdle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		var trace []string
		ticks := 0
		busy := ev.NewTimer(l, 0, 0, nil3(func(tm *ev.Timer) {
			trace = append(trace, "timer")
			if ticks++; ticks < 3 {
				l.FeedEvent(tm, ev.Timeout) // stay busy for two more passes
			}
		}))
		idle := ev.NewIdle(l, func(w *ev.Idle) {
			trace = append(trace, "idle")
			w.Stop()
		})
		busy.Start()
		idle.Start()
		l.Run(ev.RunDefault)
		if got := strings.Join(trace, ","); got != "timer,timer,timer,idle" {
			t.Fatalf("trace %s; want the idle watcher only after the busy passes", got)
		}
	})
}

func nil3(f ev.TimerFunc) ev.TimerFunc { return f }

func TestPrepareCheckAroundPoll(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		r, w := pipe(t)
		var trace []string
		var it uint64
		prep := ev.NewPrepare(l, func(*ev.Prepare) {
			trace = append(trace, "prepare")
			it = l.Iteration()
		})
		check := ev.NewCheck(l, func(*ev.Check) {
			if l.Iteration() != it+1 {
				t.Errorf("check ran at iteration %d; want the poll after prepare (%d)", l.Iteration(), it+1)
			}
			trace = append(trace, "check")
		})
		io := ev.NewIO(l, r, ev.Read, func(*ev.IO, ev.Events) { trace = append(trace, "io"); drain(r) })
		io.SetPriority(1) // before check, which has priority 0
		prep.Start()
		check.Start()
		if err := io.Start(); err != nil {
			t.Fatal(err)
		}
		write(t, w, "x")
		l.Run(ev.RunOnce)
		prep.Stop()
		check.Stop()
		io.Stop()
		if got := strings.Join(trace, ","); got != "prepare,io,check" {
			t.Fatalf("trace %s; want prepare,io,check", got)
		}
	})
}

func TestPriorities(t *testing.T) {
	for _, strict := range []bool{false, true} {
		name := "libev"
		var opts []ev.Option
		if strict {
			name = "strict"
			opts = append(opts, ev.WithStrictPriorities())
		}
		t.Run(name, func(t *testing.T) {
			l := newLoop(t, opts...)
			var trace []string
			var iters []uint64
			mk := func(name string, pri int) *ev.Timer {
				tm := ev.NewTimer(l, 0, 0, func(*ev.Timer) {
					trace = append(trace, name)
					iters = append(iters, l.Iteration())
				})
				tm.SetPriority(pri)
				return tm
			}
			low, mid, high := mk("low", -2), mk("mid", 0), mk("high", 2)
			urgent := mk("urgent", 1)
			first := ev.NewTimer(l, 0, 0, func(*ev.Timer) {
				trace = append(trace, "first")
				iters = append(iters, l.Iteration())
				l.FeedEvent(urgent, ev.Custom) // more urgent than what is queued: runs next
			})
			first.SetPriority(1)
			low.Start()
			mid.Start()
			first.Start()
			high.Start()
			l.Run(ev.RunDefault)
			if got := strings.Join(trace, ","); got != "high,first,urgent,mid,low" {
				t.Fatalf("order %s; want high,first,urgent,mid,low", got)
			}
			passes := 1
			for i := 1; i < len(iters); i++ {
				if iters[i] != iters[i-1] {
					passes++
				}
			}
			// libev runs everything in one pass; strict runs one
			// priority level per pass (2, 1, 0, -2).
			want := 1
			if strict {
				want = 4
			}
			if passes != want {
				t.Fatalf("callbacks ran in %d passes (iterations %v); want %d", passes, iters, want)
			}
		})
	}
}

func TestMaxDispatch(t *testing.T) {
	l := newLoop(t, ev.WithMaxDispatch(2, 0))
	var iters []uint64
	for range 5 {
		ev.NewTimer(l, 0, 0, func(*ev.Timer) { iters = append(iters, l.Iteration()) }).Start()
	}
	l.Run(ev.RunDefault)
	if len(iters) != 5 || iters[1] != iters[0] || iters[2] != iters[0]+1 || iters[4] != iters[0]+2 {
		t.Fatalf("iterations of 5 callbacks capped at 2 per pass: %v; want 2+2+1", iters)
	}
}

func TestAsyncCoalesces(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		var mu sync.Mutex
		calls, sent, seen := 0, 0, 0
		a := ev.NewAsync(l, func(*ev.Async) {
			calls++
			mu.Lock()
			seen = sent
			mu.Unlock()
		})
		a.Start()
		defer a.Stop()
		for range 100 {
			a.Send()
		}
		if !a.AsyncPending() {
			t.Fatal("AsyncPending = false after Send")
		}
		l.Run(ev.RunNoWait)
		if calls != 1 {
			t.Fatalf("100 Sends before the loop ran: %d callbacks; want 1", calls)
		}

		// Sends from many goroutines wake a blocked loop; the last callback
		// sees every send before it.
		calls = 0
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 1000 {
					mu.Lock()
					sent++
					mu.Unlock()
					a.Send()
				}
			}()
		}
		runUntil(t, l, func() bool { mu.Lock(); defer mu.Unlock(); return seen == 4000 })
		wg.Wait()
		if calls >= 4000 {
			t.Errorf("%d callbacks for 4000 Sends; sends should coalesce", calls)
		}
	})
}

func TestAsyncWakesBlockedLoop(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		got := 0
		ack := make(chan struct{}, 1)
		a := ev.NewAsync(l, func(a *ev.Async) {
			if got++; got == 20 {
				a.Stop()
			}
			ack <- struct{}{}
		})
		a.Start()
		go func() {
			// One Send at a time, each after the loop handled the last one
			// and went back to waiting: every Send must wake it.
			for range 20 {
				a.Send()
				<-ack
			}
		}()
		done := make(chan error)
		go func() { done <- l.Run(ev.RunDefault) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("loop saw %d of 20 sends", got)
		}
	})
}
