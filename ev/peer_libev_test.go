package ev_test

// Peer tests, libev side: what libev's manual (ev.pod) promises about
// ev_timer_again, ev_feed_event, ev_invoke, ev_clear_pending, idle watchers
// and priorities, prepare and check watchers, ev_break in nested ev_run and
// timers with equal deadlines (libevent's regress_minheap.c checks the same
// heap order), written anew against the watchers. Each test names what it
// mirrors.
//
// Deliberate differences from libev, checked or documented here:
//
//   - Callbacks of one priority run in the order they were queued; libev
//     runs its pending array from the end, and does not promise an order.
//   - Negative timer durations panic (libev fires a negative "after" at
//     once and asserts on a negative repeat).
//   - A repeating timer that fell a whole interval behind fires once and
//     then counts from now (libevent's rule for persistent timeouts); libev
//     fires it again at the next iteration.

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eventide-go/eventide/ev"
)

func TestPeerIdlePriorities(t *testing.T) {
	// libev: "idle watchers trigger events when no other events of the same
	// or higher priority are pending"; only the most urgent priority that
	// has idle watchers is queued.
	tests := []struct {
		name    string
		ioPri   int   // priority of a readable descriptor's watcher
		idlePri []int // one idle watcher per entry
		want    string
	}{
		{"urgent idle runs beside a less urgent event", -1, []int{1}, "idle1,io"},
		{"idle waits for an event as urgent", 1, []int{1}, "io|idle1"},
		{"idle waits for a more urgent event", 2, []int{0}, "io|idle0"},
		{"only the most urgent idles run", -2, []int{0, 2, 2, -1}, "idle2,idle2,io|idle0|idle-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLoop(t)
			r, w := pipe(t)
			var trace []string
			var iters []uint64
			note := func(s string) {
				if len(iters) > 0 && iters[len(iters)-1] != l.Iteration() {
					trace = append(trace, "|")
				}
				trace = append(trace, s)
				iters = append(iters, l.Iteration())
			}
			io := ev.NewIO(l, r, ev.Read, func(w *ev.IO, _ ev.Events) { note("io"); drain(r); w.Stop() })
			io.SetPriority(tt.ioPri)
			for _, p := range tt.idlePri {
				idle := ev.NewIdle(l, func(i *ev.Idle) {
					note("idle" + strconv.Itoa(p))
					i.Stop() // one round is enough
				})
				idle.SetPriority(p)
				idle.Start()
			}
			write(t, w, "x")
			if err := io.Start(); err != nil {
				t.Fatal(err)
			}
			runUntil(t, l, func() bool { return len(iters) == 1+len(tt.idlePri) })
			got := strings.ReplaceAll(strings.Join(trace, ","), ",|,", "|")
			if got != tt.want {
				t.Fatalf("trace %s; want %s (| separates passes)", got, tt.want)
			}
		})
	}
}

func TestPeerBreakInPrepare(t *testing.T) {
	// libev: ev_run checks for ev_break right after the prepare watchers
	// ran: a Break there returns before polling, so no event of that pass
	// runs.
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		r, w := pipe(t)
		var trace []string
		prep := ev.NewPrepare(l, func(p *ev.Prepare) {
			trace = append(trace, "prepare")
			p.Stop()
			l.Break(ev.BreakOne)
		})
		io := ev.NewIO(l, r, ev.Read, func(w *ev.IO, _ ev.Events) { trace = append(trace, "io"); drain(r); w.Stop() })
		check := ev.NewCheck(l, func(c *ev.Check) { trace = append(trace, "check"); c.Stop() })
		write(t, w, "x")
		prep.Start()
		check.Start()
		if err := io.Start(); err != nil {
			t.Fatal(err)
		}
		it := l.Iteration()
		l.Run(ev.RunDefault)
		if got := strings.Join(trace, ","); got != "prepare" || l.Iteration() != it {
			t.Fatalf("trace %s, %d polls; want prepare alone and no poll", got, l.Iteration()-it)
		}
		l.Run(ev.RunDefault)
		if got := strings.Join(trace, ","); got != "prepare,io,check" {
			t.Fatalf("trace %s; want prepare,io,check after the next Run", got)
		}
	})
}

func TestPeerBreakNested(t *testing.T) {
	// libev: ev_break(EVBREAK_ONE) in a nested ev_run returns from it
	// alone; EVBREAK_ALL returns from every level. The outer Run finishes
	// the pass it was in.
	tests := []struct {
		how       ev.BreakHow
		wantOuter bool // the outer Run goes on to a later timer
	}{
		{ev.BreakOne, true},
		{ev.BreakAll, false},
	}
	for _, tt := range tests {
		t.Run(map[ev.BreakHow]string{ev.BreakOne: "one", ev.BreakAll: "all"}[tt.how], func(t *testing.T) {
			l := newLoop(t)
			var trace []string
			later := ev.NewTimer(l, time.Millisecond, 0, func(*ev.Timer) { trace = append(trace, "later") })
			inner := ev.NewTimer(l, 0, 0, func(*ev.Timer) {
				trace = append(trace, "inner")
				l.Break(tt.how)
			})
			outer := ev.NewTimer(l, 0, 0, func(*ev.Timer) {
				trace = append(trace, "outer")
				inner.Start()
				l.Run(ev.RunDefault)
				trace = append(trace, "back")
			})
			sibling := ev.NewTimer(l, 0, 0, func(*ev.Timer) { trace = append(trace, "sibling") })
			outer.Start()
			sibling.Start()
			later.Start()
			l.Run(ev.RunDefault)
			later.Stop()
			want := "outer,sibling,inner,back"
			if tt.wantOuter {
				want += ",later"
			}
			if got := strings.Join(trace, ","); got != want {
				t.Fatalf("trace %s; want %s", got, want)
			}
		})
	}
}

func TestPeerTimerAgain(t *testing.T) {
	// libev: ev_timer_again in every state. Active with repeat: restarts
	// at now + repeat. Active without: stops. Stopped with repeat: starts
	// at now + repeat (not after). Stopped without: nothing. Pending: the
	// queued callback is cleared first.
	tests := []struct {
		name       string
		after      time.Duration
		repeat     time.Duration
		start      bool
		pending    bool          // let the timer expire but not run before Again
		wantActive bool          // after Again
		wantAt     time.Duration // when it then fires, from Again; 0 = never
	}{
		{"active, repeat", time.Second, 300 * time.Millisecond, true, false, true, 300 * time.Millisecond},
		{"active, no repeat", time.Second, 0, true, false, false, 0},
		{"stopped, repeat", time.Second, 300 * time.Millisecond, false, false, true, 300 * time.Millisecond},
		{"stopped, no repeat", time.Second, 0, false, false, false, 0},
		{"pending one-shot", 10 * time.Millisecond, 0, true, true, false, 0},
		{"pending, repeat", 10 * time.Millisecond, 300 * time.Millisecond, true, true, true, 300 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, c := manualLoop(t)
			var fired []time.Duration
			var tm *ev.Timer
			tm = ev.NewTimer(l, tt.after, tt.repeat, func(*ev.Timer) {
				fired = append(fired, since(c))
				tm.Stop()
			})
			if tt.start {
				tm.Start()
			}
			var again time.Duration
			if tt.pending {
				c.Advance(tt.after)
				// A callback queued before the timer's expires it and
				// calls Again while the timer's callback is queued.
				first := ev.NewTimer(l, 0, 0, func(*ev.Timer) {
					if !tm.Pending() {
						t.Error("the expired timer is not pending")
					}
					tm.Again()
					again = since(c)
				})
				first.SetPriority(1)
				first.Start()
				l.Run(ev.RunNoWait)
			} else {
				c.Advance(100 * time.Millisecond)
				l.Run(ev.RunNoWait)
				tm.Again()
				again = since(c)
			}
			if tm.Active() != tt.wantActive || tm.Pending() {
				t.Fatalf("after Again: active %v, pending %v; want %v, false", tm.Active(), tm.Pending(), tt.wantActive)
			}
			for range 150 {
				c.Advance(10 * time.Millisecond)
				l.Run(ev.RunNoWait)
			}
			tm.Stop()
			var want []time.Duration
			if tt.wantAt > 0 {
				want = []time.Duration{again + tt.wantAt}
			}
			if !equalDurations(fired, want) {
				t.Fatalf("fired at %v; want %v", fired, want)
			}
		})
	}
}

func TestPeerFeedEventOrder(t *testing.T) {
	// libev: ev_feed_event queues a watcher, active or not, as if the event
	// happened; feeding a pending watcher ORs the events; a more urgent
	// feed runs before less urgent queued callbacks; feeding the running
	// watcher runs it again.
	l := newLoop(t)
	var trace []string
	mk := func(name string, pri int) *ev.Idle {
		w := ev.NewIdle(l, func(*ev.Idle) { trace = append(trace, name) })
		w.SetPriority(pri)
		return w
	}
	a, b, c := mk("a", 0), mk("b", 0), mk("c", 0)
	urgent := mk("urgent", 2)
	again := 0
	var self *ev.Timer
	self = ev.NewTimer(l, 0, 0, func(*ev.Timer) {
		trace = append(trace, "self")
		if again++; again < 3 {
			l.FeedEvent(self, ev.Custom)
		}
		if again == 1 {
			l.FeedEvent(urgent, ev.Custom)
		}
	})
	var got ev.Events
	or := ev.NewIO(l, 0, ev.Read, func(_ *ev.IO, rev ev.Events) { got = rev })
	l.FeedEvent(a, ev.Custom)
	l.FeedEvent(or, ev.Read)
	l.FeedEvent(self, ev.Timeout)
	l.FeedEvent(b, ev.Custom)
	l.FeedEvent(or, ev.Write)
	l.FeedEvent(c, ev.Custom)
	l.Run(ev.RunNoWait)
	if got != ev.Read|ev.Write {
		t.Errorf("fed twice: callback with %v; want read|write", got)
	}
	if s := strings.Join(trace, ","); s != "a,self,urgent,b,c,self,self" {
		t.Fatalf("order %s; want a,self,urgent,b,c,self,self", s)
	}
	if a.Active() || self.Active() || or.Active() {
		t.Fatal("FeedEvent started a watcher")
	}
}

func TestPeerClearPendingAndInvoke(t *testing.T) {
	// libev: ev_clear_pending returns the pending events and leaves the
	// watcher active (a repeating timer keeps its schedule); ev_invoke
	// runs the callback without touching the state; stopping a pending
	// watcher from another callback of the same pass unqueues it.
	l, c := manualLoop(t)
	var fired []time.Duration
	tick := ev.NewTimer(l, 100*time.Millisecond, 100*time.Millisecond, func(*ev.Timer) { fired = append(fired, since(c)) })
	var victim *ev.Timer
	killer := ev.NewTimer(l, 100*time.Millisecond, 0, func(*ev.Timer) {
		if rev := l.ClearPending(tick); rev != ev.Timeout {
			t.Errorf("ClearPending = %v; want timeout", rev)
		}
		if !tick.Active() {
			t.Error("ClearPending stopped the timer")
		}
		victim.Stop()
	})
	killer.SetPriority(1)
	victimRan := 0
	victim = ev.NewTimer(l, 100*time.Millisecond, 0, func(*ev.Timer) { victimRan++ })
	killer.Start()
	tick.Start()
	victim.Start()
	c.Advance(100 * time.Millisecond)
	l.Run(ev.RunNoWait)
	c.Advance(100 * time.Millisecond)
	l.Run(ev.RunNoWait)
	if !equalDurations(fired, []time.Duration{200 * time.Millisecond}) {
		t.Fatalf("fired at %v; want [200ms]: the cleared expiry skipped, the schedule kept", fired)
	}
	if victimRan != 0 {
		t.Fatal("a timer stopped while pending ran")
	}
	l.Invoke(tick, ev.Custom)
	l.Invoke(victim, 0)
	if victimRan != 1 {
		t.Fatalf("Invoke of a stopped timer: ran %d; want 1", victimRan)
	}
	if len(fired) != 2 || !tick.Active() || tick.Pending() || victim.Active() {
		t.Fatalf("Invoke: fired %d, tick active %v pending %v, victim active %v; want 2, true, false, false",
			len(fired), tick.Active(), tick.Pending(), victim.Active())
	}
	tick.Stop()
}

func TestPeerTimerOrderLikeAHeap(t *testing.T) {
	// libevent: regress_minheap.c (random deadlines come out in order, also
	// after removing random elements); libev: timers with equal deadlines
	// fire in start order.
	l, c := manualLoop(t)
	rng := rand.New(rand.NewPCG(1, 2))
	type rec struct {
		at  time.Duration
		seq int
	}
	var got []rec
	var timers []*ev.Timer
	var want []rec
	for i := range 1024 {
		at := time.Duration(rng.IntN(64)) * time.Millisecond // many ties
		timers = append(timers, ev.NewTimer(l, at, 0, func(*ev.Timer) { got = append(got, rec{since(c), i}) }))
		timers[i].Start()
		want = append(want, rec{at, i})
	}
	removed := map[int]bool{}
	for range 300 {
		i := rng.IntN(len(timers))
		timers[i].Stop()
		removed[i] = true
	}
	want = slices.DeleteFunc(want, func(r rec) bool { return removed[r.seq] })
	slices.SortStableFunc(want, func(a, b rec) int { return int(a.at - b.at) })
	l.Run(ev.RunNoWait)
	for range 64 {
		c.Advance(time.Millisecond)
		l.Run(ev.RunNoWait)
	}
	if !slices.Equal(got, want) {
		n := min(len(got), len(want), 10)
		t.Fatalf("%d firings, first %v; want %d, first %v", len(got), got[:n], len(want), want[:n])
	}
}

func TestPeerZeroTimers(t *testing.T) {
	// libev: a timer with after 0 fires at the next iteration without the
	// loop blocking; RunOnce with nothing active returns at once.
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		start := time.Now()
		l.Run(ev.RunOnce)
		n := 0
		ev.NewTimer(l, 0, 0, func(*ev.Timer) { n++ }).Start()
		l.Run(ev.RunOnce)
		if n != 1 {
			t.Fatalf("zero timer: fired %d times in one RunOnce; want 1", n)
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Fatalf("RunOnce took %v; want no blocking", el)
		}
	})
}

func TestPeerPrepareCheckIdleOrder(t *testing.T) {
	// libev: prepare runs before the poll and a watcher it starts is polled
	// in that iteration; idle watchers are queued before check watchers,
	// and checks do not count as pending events for idles; checks run in
	// the same pass as the events the poll found.
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		r, w := pipe(t)
		var trace []string
		var io *ev.IO
		io = ev.NewIO(l, r, ev.Read, func(*ev.IO, ev.Events) { trace = append(trace, "io"); drain(r); io.Stop() })
		prep := ev.NewPrepare(l, func(p *ev.Prepare) {
			trace = append(trace, "prepare")
			if err := io.Start(); err != nil {
				t.Error(err)
			}
			p.Stop()
		})
		idle := ev.NewIdle(l, func(i *ev.Idle) { trace = append(trace, "idle"); i.Stop() })
		check := ev.NewCheck(l, func(*ev.Check) { trace = append(trace, "check") })
		idle.SetPriority(-1)
		write(t, w, "x")
		prep.Start()
		check.Start()
		l.Run(ev.RunOnce) // prepare, io, check
		idle.Start()
		l.Run(ev.RunOnce) // check (priority 0), then idle (-1): the queued check did not hold it back
		check.Stop()
		if got := strings.Join(trace, ","); got != "prepare,io,check,check,idle" {
			t.Fatalf("trace %s; want prepare,io,check,check,idle", got)
		}
	})
}

func TestPeerTimerRepeatSchedule(t *testing.T) {
	// libev: a repeating timer's next deadline counts from its previous
	// deadline, not from when the callback ran, so lateness does not
	// accumulate; a repeat changed while active (the repeat field, here
	// SetRepeat) is used from the next expiry. A timer that fell a whole
	// interval behind fires once and counts from now, as libevent's
	// persistent timeouts do (libev instead fires it again at the next
	// iteration).
	tests := []struct {
		name  string
		steps []time.Duration // clock advances, each followed by a pass
		onRun func(tm *ev.Timer, n int)
		want  []time.Duration
	}{
		{"late by less than an interval", []time.Duration{130, 70, 100}, nil, []time.Duration{130, 200, 300}},
		{"SetRepeat from the next expiry", []time.Duration{100, 100, 50, 50}, func(tm *ev.Timer, n int) {
			if n == 1 {
				tm.SetRepeat(50 * time.Millisecond)
			}
		}, []time.Duration{100, 200, 250, 300}},
		{"starved", []time.Duration{350, 99, 1}, nil, []time.Duration{350, 450}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, c := manualLoop(t)
			var got []time.Duration
			tm := ev.NewTimer(l, 100*time.Millisecond, 100*time.Millisecond, func(tm *ev.Timer) {
				got = append(got, since(c)/time.Millisecond)
				if tt.onRun != nil {
					tt.onRun(tm, len(got))
				}
			})
			tm.Start()
			for _, s := range tt.steps {
				c.Advance(s * time.Millisecond)
				l.Run(ev.RunNoWait)
			}
			tm.Stop()
			if !equalDurations(got, tt.want) {
				t.Fatalf("fired at %v ms; want %v ms", got, tt.want)
			}
		})
	}
}
