package ev_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/internal/evtest"
)

// tracer makes watchers that are never started (FeedEvent queues them)
// and record their name and the events they ran with.
type tracer struct {
	l     *ev.Loop
	fd    int
	trace []string
}

// io returns a stopped IO watcher of priority pri whose callback records
// name (with the events when they are not Read) and then calls then, if
// not nil.
func (tr *tracer) io(name string, pri int, then func()) *ev.IO {
	w := ev.NewIO(tr.l, tr.fd, ev.Read, func(_ *ev.IO, rev ev.Events) {
		if rev == ev.Read {
			tr.trace = append(tr.trace, name)
		} else {
			tr.trace = append(tr.trace, fmt.Sprintf("%s(%v)", name, rev))
		}
		if then != nil {
			then()
		}
	})
	w.SetPriority(pri)
	return w
}

func (tr *tracer) String() string { return strings.Join(tr.trace, ",") }

// TestPendingChangedByACallback: a callback that clears and stops watchers
// queued after it, feeds one already pending (its events are ORed into the
// queued ones), feeds itself, and feeds a more and a less urgent watcher.
func TestPendingChangedByACallback(t *testing.T) {
	tests := []struct {
		strict bool
		passes []string // the trace after each RunNoWait
	}{
		{false, []string{"a,high,b(read|custom),a(custom),low", ""}},
		// One level per pass, and (as libevent's event_continue) feeding
		// a more urgent watcher ends the pass: high runs in a pass of its
		// own, then the rest of level 0 in order, then low.
		{true, []string{"a", "high", "b(read|custom),a(custom)", "low", ""}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("strict=%v", tt.strict), func(t *testing.T) {
			l := newLoop(t, priorityOpts(tt.strict)...)
			r, _ := pipe(t)
			tr := &tracer{l: l, fd: r}
			var a, b, c, d, high, low *ev.IO
			runs := 0
			a = tr.io("a", 0, func() {
				if runs++; runs > 1 {
					return
				}
				if rev := l.ClearPending(c); rev != ev.Read {
					t.Errorf("ClearPending of a queued watcher = %v; want read", rev)
				}
				d.Stop() // not active, but pending: Stop clears it
				l.FeedEvent(b, ev.Custom)
				l.FeedEvent(a, ev.Custom) // runs again, after b
				l.FeedEvent(high, ev.Read)
				l.FeedEvent(low, ev.Read)
			})
			b, c, d = tr.io("b", 0, nil), tr.io("c", 0, nil), tr.io("d", 0, nil)
			high, low = tr.io("high", 1, nil), tr.io("low", -1, nil)
			for _, w := range []*ev.IO{a, b, c, d} {
				l.FeedEvent(w, ev.Read)
			}
			if got := l.PendingCount(); got != 4 {
				t.Fatalf("PendingCount = %d; want 4", got)
			}
			for i, want := range tt.passes {
				tr.trace = nil
				l.Run(ev.RunNoWait)
				if got := tr.String(); got != want {
					t.Fatalf("pass %d ran %q; want %q", i, got, want)
				}
			}
			for _, w := range []*ev.IO{a, b, c, d, high, low} {
				if w.Pending() {
					t.Errorf("a watcher is still pending after the passes")
				}
			}
			if got := l.PendingCount(); got != 0 {
				t.Errorf("PendingCount = %d after the passes; want 0", got)
			}
		})
	}
}

// TestPollQueuedAmongOtherKinds: IO watchers queued by the poll share their
// priority's queue with watchers of other kinds, in queue order. A more
// urgent callback that runs first feeds one of them (the events merge into
// its queued entry), stops another (it does not run), and feeds a timer
// (it runs after them).
func TestPollQueuedAmongOtherKinds(t *testing.T) {
	tests := []struct {
		strict bool
		passes []string // the trace after each RunOnce
	}{
		{false, []string{"t1,b(read|custom),t2"}},
		{true, []string{"t1", "b(read|custom),t2"}}, // one level per pass
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("strict=%v", tt.strict), func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
				l := newLoop(t, append(opts, priorityOpts(tt.strict)...)...)
				var trace []string
				rb, wb := socketpair(t)
				rc, wc := socketpair(t)
				write(t, wb, "b")
				write(t, wc, "c")
				b := ev.NewIO(l, rb, ev.Read, func(w *ev.IO, rev ev.Events) {
					drain(rb)
					if w.Pending() {
						t.Error("b is pending in its own callback")
					}
					trace = append(trace, "b("+rev.String()+")")
				})
				c := ev.NewIO(l, rc, ev.Read, func(*ev.IO, ev.Events) {
					drain(rc)
					trace = append(trace, "c")
				})
				t2 := ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) { trace = append(trace, "t2") })
				t1 := ev.NewTimer(l, 0, 0, func(*ev.Timer) {
					trace = append(trace, "t1")
					if !b.Pending() || !c.Pending() {
						t.Errorf("in t1: b pending %v, c pending %v; want both", b.Pending(), c.Pending())
					}
					c.Stop()
					l.FeedEvent(b, ev.Custom)
					l.FeedEvent(t2, ev.Custom)
				})
				t1.SetPriority(1)
				for _, w := range []*ev.IO{b, c} {
					if err := w.Start(); err != nil {
						t.Fatal(err)
					}
				}
				t1.Start()
				for i, want := range tt.passes {
					trace = nil
					l.Run(ev.RunOnce)
					if got := strings.Join(trace, ","); got != want {
						t.Fatalf("pass %d ran %q; want %q", i, got, want)
					}
				}
				b.Stop()
				if got := l.PendingCount(); got != 0 {
					t.Errorf("PendingCount = %d after the passes; want 0", got)
				}
			})
		})
	}
}

// TestLoopBreakLeavesTheRestInOrder: LoopBreak and LoopContinue in the
// middle of a pass leave the rest pending, and the next pass runs it
// most urgent first, in queue order within a level.
func TestLoopBreakLeavesTheRestInOrder(t *testing.T) {
	tests := []struct {
		name string
		stop func(l *ev.Loop)
	}{
		{"LoopBreak", (*ev.Loop).LoopBreak},
		{"LoopContinue", (*ev.Loop).LoopContinue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLoop(t)
			r, _ := pipe(t)
			tr := &tracer{l: l, fd: r}
			var ws []*ev.IO
			ws = append(ws, tr.io("h0", 1, nil), tr.io("h1", 1, func() { tt.stop(l) }), tr.io("h2", 1, nil))
			ws = append(ws, tr.io("m0", 0, nil), tr.io("m1", 0, nil))
			ws = append(ws, tr.io("l0", -1, nil))
			// Queued out of priority order on purpose.
			for _, i := range []int{3, 5, 0, 4, 1, 2} {
				l.FeedEvent(ws[i], ev.Read)
			}
			l.Run(ev.RunNoWait)
			if got, want := tr.String(), "h0,h1"; got != want {
				t.Fatalf("first pass ran %q; want %q", got, want)
			}
			if got := l.PendingCount(); got != 4 {
				t.Fatalf("PendingCount after the break = %d; want 4", got)
			}
			tr.trace = nil
			l.Run(ev.RunNoWait)
			if got, want := tr.String(), "h2,m0,m1,l0"; got != want {
				t.Fatalf("next pass ran %q; want %q", got, want)
			}
		})
	}
}

// TestMaxDispatchCaps: a pass ends after the callback cap, wherever it
// falls relative to the loop's periodic yield, and after the time cap;
// every callback runs once, in order.
func TestMaxDispatchCaps(t *testing.T) {
	tests := []struct {
		callbacks int
		interval  time.Duration
		queued    int
		passes    []int // callbacks run by each pass; nil: more than one pass, sizes unchecked
	}{
		{1, 0, 3, []int{1, 1, 1}},
		{63, 0, 130, []int{63, 63, 4}},
		{64, 0, 130, []int{64, 64, 2}},
		{65, 0, 130, []int{65, 65}},
		{100, 0, 250, []int{100, 100, 50}},
		{0, 0, 300, []int{300}},
		// Any time cap has passed by the end of a callback that spins
		// past it.
		{0, time.Nanosecond, 300, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d,%v", tt.callbacks, tt.interval), func(t *testing.T) {
			l := newLoop(t, ev.WithMaxDispatch(tt.callbacks, tt.interval))
			r, _ := pipe(t)
			var order []int
			var passes []int
			last := uint64(0)
			ws := make([]*ev.IO, tt.queued)
			for i := range ws {
				ws[i] = ev.NewIO(l, r, ev.Read, func(*ev.IO, ev.Events) {
					if it := l.Iteration(); len(passes) == 0 || it != last {
						passes = append(passes, 0)
						last = it
					}
					passes[len(passes)-1]++
					order = append(order, i)
					if tt.interval > 0 {
						for start := time.Now(); time.Since(start) < 2*tt.interval; {
						}
					}
				})
				l.FeedEvent(ws[i], ev.Read)
			}
			for range tt.queued + 1 {
				if l.PendingCount() == 0 {
					break
				}
				l.Run(ev.RunNoWait)
			}
			if len(order) != tt.queued {
				t.Fatalf("%d callbacks ran; want %d", len(order), tt.queued)
			}
			for i, got := range order {
				if got != i {
					t.Fatalf("callback %d ran in position %d; want FIFO order", got, i)
				}
			}
			switch {
			case tt.passes == nil && len(passes) < 2:
				t.Fatalf("time cap %v: %d callbacks ran in %v; want more than one pass", tt.interval, tt.queued, passes)
			case tt.passes != nil && fmt.Sprint(passes) != fmt.Sprint(tt.passes):
				t.Fatalf("passes ran %v callbacks; want %v", passes, tt.passes)
			}
		})
	}
}

// TestClosePendingWatcher: a watcher that is pending but not active (fed)
// when the loop closes is no longer pending, and stopping or clearing it
// afterwards is harmless.
func TestClosePendingWatcher(t *testing.T) {
	l, err := ev.NewLoop()
	if err != nil {
		t.Fatal(err)
	}
	r, _ := pipe(t)
	ran := 0
	var ws []*ev.IO
	for range 3 {
		w := ev.NewIO(l, r, ev.Read, func(*ev.IO, ev.Events) { ran++ })
		l.FeedEvent(w, ev.Read)
		ws = append(ws, w)
	}
	tm := ev.NewTimer(l, 0, 0, func(*ev.Timer) { ran++ })
	l.FeedEvent(tm, ev.Timeout)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for i, w := range ws {
		if w.Pending() {
			t.Errorf("watcher %d: Pending after Close = true; want false", i)
		}
		if got := l.ClearPending(w); got != 0 {
			t.Errorf("watcher %d: ClearPending after Close = %v; want 0", i, got)
		}
		w.Stop()
	}
	if tm.Pending() {
		t.Errorf("timer: Pending after Close = true; want false")
	}
	tm.Stop()
	if got := l.PendingCount(); got != 0 || ran != 0 {
		t.Errorf("after Close: PendingCount %d, %d callbacks ran; want 0, 0", got, ran)
	}
}

// TestWakeUpsNeverLost publishes work from another goroutine at the moment
// the loop goes to sleep, round after round, for every kind of published
// work: each must end the loop's wait. A lost wake-up leaves the loop
// blocked (a watchdog then reports it and wakes the loop with a Post).
func TestWakeUpsNeverLost(t *testing.T) {
	const rounds = 300
	kinds := []struct {
		name    string
		publish func(l *ev.Loop, a *ev.Async, c *ev.ManualClock)
	}{
		{"Post", func(l *ev.Loop, _ *ev.Async, _ *ev.ManualClock) { l.Post(func() {}) }},
		{"Async", func(_ *ev.Loop, a *ev.Async, _ *ev.ManualClock) { a.Send() }},
		{"Break", func(l *ev.Loop, _ *ev.Async, _ *ev.ManualClock) { l.Break(ev.BreakOne) }},
		{"LoopBreak", func(l *ev.Loop, _ *ev.Async, _ *ev.ManualClock) { l.LoopBreak() }},
		{"LoopExit", func(l *ev.Loop, _ *ev.Async, _ *ev.ManualClock) { l.LoopExit(0) }},
		{"ManualClock", func(_ *ev.Loop, _ *ev.Async, c *ev.ManualClock) { c.Advance(time.Millisecond) }},
	}
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		for _, k := range kinds {
			t.Run(k.name, func(t *testing.T) {
				clock := ev.NewManualClock(time.Unix(1e9, 0))
				l := newLoop(t, append(opts, ev.WithClock(clock))...)
				r, _ := pipe(t)
				// Never ready: it only keeps the loop alive, so that
				// RunOnce waits.
				keep := ev.NewIO(l, r, ev.Read, func(*ev.IO, ev.Events) {})
				if err := keep.Start(); err != nil {
					t.Fatal(err)
				}
				defer keep.Stop()
				sent := 0
				a := ev.NewAsync(l, func(*ev.Async) { sent++ })
				a.Start()
				defer a.Stop()
				fired := 0
				tm := ev.NewTimer(l, time.Millisecond, 0, func(*ev.Timer) { fired++ })
				defer tm.Stop()

				start, done := make(chan struct{}), make(chan struct{})
				var lost atomic.Int32
				// The publisher starts from a prepare callback, so that it
				// races the poll that follows (a Break published before
				// Run starts is forgotten by design).
				prep := ev.NewPrepare(l, func(*ev.Prepare) { start <- struct{}{} })
				prep.Start()
				defer prep.Stop()
				go func() {
					defer close(done)
					for range start {
						k.publish(l, a, clock)
					}
				}()
				for i := range rounds {
					if k.name == "ManualClock" {
						tm.Set(time.Millisecond, 0)
						tm.Start()
					}
					round := make(chan struct{})
					go func() {
						// The watchdog: only a lost wake-up lets it fire.
						select {
						case <-round:
						case <-time.After(evtest.Deadline / 2):
							lost.Add(1)
							l.Post(func() {})
						}
					}()
					l.Run(ev.RunOnce)
					for k.name == "ManualClock" && fired == i {
						l.Run(ev.RunOnce) // the advance came in during the pass
					}
					close(round)
					if lost.Load() != 0 {
						t.Fatalf("round %d: the loop slept through the work published", i)
					}
				}
				// A round can end on an earlier round's wake-up before its
				// own work arrives: stop publishing before the last look.
				prep.Stop()
				close(start)
				<-done
				if k.name == "Async" {
					runUntil(t, l, func() bool { return !a.AsyncPending() })
				}
			})
		}
	})
}

// TestPostsWhileBusyAndIdle posts 100,000 functions from two goroutines
// while the loop alternates between busy phases (a descriptor left readable:
// every poll finds it, which on epoll makes the backend leave and later
// rejoin Go's network poller) and idle ones, in which it parks. Each
// function must run exactly once, within the deadline.
func TestPostsWhileBusyAndIdle(t *testing.T) {
	const perSender, senders = 50_000, 2
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		r, w := pipe(t)
		busy := 0
		io := ev.NewIO(l, r, ev.Read, func(*ev.IO, ev.Events) {
			if busy++; busy == 1500 { // more than the 1,024 busy polls that swap
				drain(r)
				busy = 0
			}
		})
		if err := io.Start(); err != nil {
			t.Fatal(err)
		}
		defer io.Stop()
		seen := make([]uint8, perSender*senders)
		ran := 0
		for s := range senders {
			go func() {
				for i := range perSender {
					id := s*perSender + i
					l.Post(func() {
						seen[id]++
						if ran++; ran%4000 == 0 {
							write(t, w, "x") // start a busy phase
						}
						if ran == len(seen) {
							l.Break(ev.BreakAll)
						}
					})
				}
			}()
		}
		hung := time.AfterFunc(evtest.Deadline, func() { l.Break(ev.BreakAll) })
		defer hung.Stop()
		if err := l.Run(ev.RunDefault); err != nil {
			t.Fatal(err)
		}
		if ran != len(seen) {
			t.Fatalf("%d of %d posted functions ran before the deadline", ran, len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("posted function %d ran %d times; want 1", id, n)
			}
		}
	})
}
