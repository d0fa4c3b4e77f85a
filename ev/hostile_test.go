package ev_test

import (
	"errors"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/internal/evtest"
)

// startEveryKind starts one watcher of every kind on l, all of them with
// callbacks that must never run (the caller closes the loop without
// running it), and returns the children it spawned (already exited or
// about to, never waited for: the loop's Child watchers own them).
func startEveryKind(t *testing.T, l *ev.Loop, setup func(*ev.Child), never func(string)) (pids []int) {
	t.Helper()
	r, _ := pipe(t)
	if err := ev.NewIO(l, r, ev.Read, func(*ev.IO, ev.Events) { never("io") }).Start(); err != nil {
		t.Fatal(err)
	}
	ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) { never("timer") }).Start()
	ev.NewPeriodic(l, time.Now().Add(time.Hour), time.Hour, func(*ev.Periodic) { never("periodic") }).Start()
	if err := ev.NewSignal(l, syscall.SIGUSR1, func(*ev.Signal) { never("signal") }).Start(); err != nil {
		t.Fatal(err)
	}
	pid := spawn(t, "exit 3")
	if err := newChild(l, pid, false, setup, func(*ev.Child) { never("child") }).Start(); err != nil {
		t.Fatal(err)
	}
	pids = append(pids, pid)
	if err := newChild(l, 0, false, setup, func(*ev.Child) { never("child any") }).Start(); err != nil {
		t.Fatal(err)
	}
	st := ev.NewStat(l, filepath.Join(t.TempDir(), "watched"), 0, func(*ev.Stat) { never("stat") })
	if err := st.Start(); err != nil {
		t.Fatal(err)
	}
	ev.NewIdle(l, func(*ev.Idle) { never("idle") }).Start()
	ev.NewPrepare(l, func(*ev.Prepare) { never("prepare") }).Start()
	ev.NewCheck(l, func(*ev.Check) { never("check") }).Start()
	a := ev.NewAsync(l, func(*ev.Async) { never("async") })
	a.Start()
	a.Send()
	r2, _ := pipe(t)
	e := ev.NewEvent(l, r2, ev.Read|ev.Persist, func(*ev.Event, ev.Events) { never("event") })
	if err := e.Add(time.Hour); err != nil {
		t.Fatal(err)
	}
	ev.NewEvent(l, -1, 0, func(*ev.Event, ev.Events) { never("event timer") }).Add(time.Hour)
	if err := l.Once(-1, 0, time.Hour, func(ev.Events) { never("once") }); err != nil {
		t.Fatal(err)
	}
	l.Post(func() { never("post") })
	return pids
}

// TestCloseWithEveryKindActive closes a loop that has a watcher of every
// kind active (and fed) without running it: no callback runs, no
// descriptor or goroutine is left, the signal relay ends, and a new loop
// with signal and child watchers works afterwards.
func TestCloseWithEveryKindActive(t *testing.T) {
	for _, mode := range childModes {
		t.Run(mode.name, func(t *testing.T) {
			relays := ev.SignalRelays()
			before := evtest.OpenFDs(t)
			l, err := ev.NewLoop()
			if err != nil {
				t.Fatal(err)
			}
			never := func(what string) { t.Errorf("%s callback ran on a closed loop", what) }
			pids := startEveryKind(t, l, mode.setup, never)
			cleanups := 0
			ev.NewCleanup(l, func(*ev.Cleanup) { cleanups++ }).Start()
			if err := l.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := l.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			if got := l.Run(ev.RunNoWait); got == nil {
				t.Errorf("Run after Close = nil; want an error")
			}
			if cleanups != 1 {
				t.Errorf("cleanups ran %d times; want 1", cleanups)
			}
			if got := ev.SignalRelays(); got != relays {
				t.Errorf("signal relays after Close = %d; want %d", got, relays)
			}
			// The pipes of startEveryKind are the test's, closed at its end.
			if got, want := evtest.OpenFDs(t), before+4; got != want {
				t.Errorf("open descriptors after Close = %d; want %d (the test's two pipes)", got, want)
			}
			// The children are nobody's now (the pid-0 watcher may have
			// reaped them before Close): reap what is left by hand.
			for _, pid := range pids {
				syscall.Wait4(pid, nil, 0, nil)
			}
			// No reaper is left behind: a new child is ours to wait for.
			pid := spawn(t, "exit 4")
			var ws syscall.WaitStatus
			if got, err := syscall.Wait4(pid, &ws, 0, nil); got != pid || err != nil || ws.ExitStatus() != 4 {
				t.Errorf("Wait4 of a child started after Close = %d, %v, status %d; want %d, nil, 4", got, err, ws.ExitStatus(), pid)
			}

			// A new loop works: signal and child watchers deliver.
			l2 := newLoop(t)
			sigs, exits := 0, 0
			sw := ev.NewSignal(l2, syscall.SIGUSR1, func(*ev.Signal) { sigs++ })
			sw.SetOneShot(true)
			if err := sw.Start(); err != nil {
				t.Fatal(err)
			}
			pid = spawn(t, "exit 5")
			cw := newChild(l2, pid, false, mode.setup, func(w *ev.Child) {
				if w.Status().ExitStatus() == 5 {
					exits++
				}
			})
			if err := cw.Start(); err != nil {
				t.Fatal(err)
			}
			kill(t, syscall.SIGUSR1)
			runUntil(t, l2, func() bool { return sigs == 1 && exits == 1 })
		})
	}
}

// TestCloseFromEveryKindOfCallback closes the loop from the callback of
// each kind of watcher while all the others are active: Run returns, no
// other callback runs afterwards, and nothing is left.
func TestCloseFromEveryKindOfCallback(t *testing.T) {
	kinds := []string{"timer", "periodic", "idle", "prepare", "check", "async", "io", "event", "signal", "child", "post"}
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			relays := ev.SignalRelays()
			l := newLoop(t)
			closed := false
			var after []string
			cb := func(what string) {
				if closed {
					after = append(after, what)
					return
				}
				if what == kind {
					closed = true
					if err := l.Close(); err != nil {
						t.Errorf("Close from the %s callback: %v", kind, err)
					}
					if err := l.Close(); err != nil {
						t.Errorf("second Close from the %s callback: %v", kind, err)
					}
				}
			}
			r, w := pipe(t)
			// The pipe stays readable: the I/O watchers stop after one call
			// (unless they close the loop), or the idle watcher never runs.
			ev.NewIO(l, r, ev.Read, func(w *ev.IO, _ ev.Events) { cb("io"); w.Stop() }).Start()
			ev.NewEvent(l, r, ev.Read|ev.Persist, func(e *ev.Event, _ ev.Events) { cb("event"); e.Del() }).Add(0)
			ev.NewTimer(l, time.Millisecond, time.Millisecond, func(*ev.Timer) { cb("timer") }).Start()
			ev.NewPeriodic(l, time.Now(), time.Millisecond, func(*ev.Periodic) { cb("periodic") }).Start()
			ev.NewPrepare(l, func(*ev.Prepare) { cb("prepare") }).Start()
			ev.NewCheck(l, func(*ev.Check) { cb("check") }).Start()
			ev.NewIdle(l, func(*ev.Idle) { cb("idle") }).Start()
			a := ev.NewAsync(l, func(*ev.Async) { cb("async") })
			a.Start()
			sw := ev.NewSignal(l, syscall.SIGUSR1, func(*ev.Signal) { cb("signal") })
			sw.Start()
			pid := spawn(t, "exit 0")
			cw := ev.NewChild(l, pid, false, func(*ev.Child) { cb("child") })
			cw.Start()
			l.Post(func() { cb("post") })
			l.Post(func() { cb("post") })
			syscall.Write(w, []byte("x"))
			a.Send()
			kill(t, syscall.SIGUSR1)
			done := make(chan error, 1)
			go func() { done <- l.Run(ev.RunDefault) }()
			stop := time.AfterFunc(evtest.Deadline, func() { l.Break(ev.BreakAll) })
			defer stop.Stop()
			if err := <-done; err != nil {
				t.Fatalf("Run: %v", err)
			}
			if !closed || !l.Closed() {
				t.Fatalf("the %s callback did not close the loop (closed %v, Closed %v)", kind, closed, l.Closed())
			}
			if len(after) != 0 {
				t.Errorf("callbacks after Close: %v", after)
			}
			if got := ev.SignalRelays(); got != relays {
				t.Errorf("signal relays after Close = %d; want %d", got, relays)
			}
			syscall.Wait4(pid, nil, 0, nil) // unless the watcher reaped it
		})
	}
}

// TestTwoLoopsSignalsAndChildren runs two loops at once on their own
// goroutines, each with a signal and a child watcher: each sees the signal
// and its own child, and closing one leaves the other working.
func TestTwoLoopsSignalsAndChildren(t *testing.T) {
	type side struct {
		l           *ev.Loop
		sigs, exits int
		pid         int
	}
	// Both loops first: a loop's descriptor count must not see the
	// other's pidfd, which closes when its child exits.
	sides := [2]*side{{l: newLoop(t)}, {l: newLoop(t)}}
	var mu sync.Mutex
	for _, s := range sides {
		sw := ev.NewSignal(s.l, syscall.SIGUSR2, func(*ev.Signal) { mu.Lock(); s.sigs++; mu.Unlock() })
		sw.SetOneShot(true)
		if err := sw.Start(); err != nil {
			t.Fatal(err)
		}
		s.pid = spawn(t, "exit 7")
		cw := ev.NewChild(s.l, s.pid, false, func(w *ev.Child) {
			if w.RPid() == s.pid {
				mu.Lock()
				s.exits++
				mu.Unlock()
			}
		})
		if err := cw.Start(); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, s := range sides {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- s.l.Run(ev.RunDefault) }()
	}
	kill(t, syscall.SIGUSR2)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(evtest.Deadline):
		for _, s := range sides {
			s.l.Break(ev.BreakAll)
		}
		<-done
		t.Fatal("loops still running")
	}
	for range sides {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range sides {
		if s.sigs != 1 || s.exits != 1 {
			t.Errorf("loop %d: signals %d, exits %d; want 1, 1", i, s.sigs, s.exits)
		}
	}
}

// TestStopSameFdWatcherFromCallback has several watchers (IO and Event) on
// one descriptor, all ready in the same pass; the first to run stops or
// deletes every other one, closes the descriptor and watches a new one
// that got the same number: none of the stopped ones runs, and the new
// watcher sees only the new descriptor's events.
func TestStopSameFdWatcherFromCallback(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		r, w := rawSocketpair(t)
		defer func() { syscall.Close(w) }()
		syscall.Write(w, []byte("x"))
		calls := map[string]int{}
		var ios [3]*ev.IO
		var evs [2]*ev.Event
		var fresh *ev.IO
		var r2, w2 int
		stopAll := func(who string) {
			calls[who]++
			if len(calls) > 1 {
				return // a stopped watcher ran
			}
			for _, io := range ios {
				io.Stop()
			}
			for _, e := range evs {
				e.Del()
			}
			syscall.Close(r)
			r2, w2 = rawSocketpair(t)
			if r2 != r && w2 != r {
				t.Logf("descriptor number %d not reused (got %d, %d)", r, r2, w2)
			}
			fd := r2
			if w2 == r {
				fd = w2
			}
			fresh = ev.NewIO(l, fd, ev.Read, func(io *ev.IO, _ ev.Events) { calls["fresh"]++; io.Stop() })
			if err := fresh.Start(); err != nil {
				t.Fatal(err)
			}
		}
		for i := range ios {
			ios[i] = ev.NewIO(l, r, ev.Read, func(*ev.IO, ev.Events) { stopAll("io" + string(rune('0'+i))) })
			if err := ios[i].Start(); err != nil {
				t.Fatal(err)
			}
		}
		for i := range evs {
			evs[i] = ev.NewEvent(l, r, ev.Read|ev.Persist, func(*ev.Event, ev.Events) { stopAll("event" + string(rune('0'+i))) })
			if err := evs[i].Add(0); err != nil {
				t.Fatal(err)
			}
		}
		l.Run(ev.RunOnce)
		l.Run(ev.RunNoWait)
		if len(calls) != 1 {
			t.Fatalf("callbacks %v; want exactly one watcher of the old descriptor, once", calls)
		}
		// The new descriptor has nothing to read yet: fresh must wait.
		if fresh.Active() == false {
			t.Fatalf("the new descriptor's watcher ran before it had data: %v", calls)
		}
		syscall.Write(func() int {
			if fresh.Fd() == r2 {
				return w2
			}
			return r2
		}(), []byte("y"))
		runUntil(t, l, func() bool { return calls["fresh"] == 1 })
		syscall.Close(r2)
		syscall.Close(w2)
	})
}

// TestRunAfterCloseInCallback: a callback that closes the loop and then
// runs it (nested) gets ErrClosed, and no other callback runs.
func TestRunAfterCloseInCallback(t *testing.T) {
	l := newLoop(t)
	others := 0
	for range 3 {
		ev.NewIdle(l, func(*ev.Idle) { others++ }).Start()
	}
	var err error
	ev.NewTimer(l, 0, 0, func(*ev.Timer) {
		l.Close()
		err = l.Run(ev.RunOnce)
	}).Start()
	ev.NewTimer(l, 0, 0, func(*ev.Timer) { others++ }).Start()
	l.Run(ev.RunDefault)
	if !errors.Is(err, ev.ErrClosed) || others != 0 {
		t.Errorf("Run after Close in a callback = %v, other callbacks %d; want ErrClosed, 0", err, others)
	}
}
