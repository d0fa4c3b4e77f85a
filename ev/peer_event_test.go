package ev_test

// Peer tests, libevent side: the behaviours libevent's own regression tests
// (test/regress.c, regress_et.c, test-eof.c, test-weof.c, test-closed.c)
// check of event_add, event_del, event_active, event_pending, priorities and
// the loop exits, written anew against Event and Loop. Each test names what
// it mirrors.
//
// Deliberate differences from libevent, checked or documented here:
//
//   - Add(0) means "no timeout" (libevent's NULL). libevent's zero timeval
//     ("run at the next iteration") is Active(Timeout) here; a Go Duration
//     cannot tell the two apart.
//   - A negative timeout panics (Add, NewTimer, LoopExit): a computed delay
//     that went negative is a bug the caller should see. libevent and libev
//     treat it as "already expired".
//   - A descriptor activation and a timeout that coincide run the callback
//     once with both flags ORed (libevent's timeout pass deletes the event
//     and reports Timeout alone).
//   - Active(Timeout) on a persistent event leaves its timeout where it
//     was; libevent reschedules it one period after the current deadline.
//   - LoopBreak made before Run is kept, and ends the next Run after its
//     first pass; libevent forgets a loopbreak made while the loop is not
//     running. LoopBreak is callable from any goroutine here, and a break
//     lost to a race with Run's start would be a trap.
//   - LoopExit is not an event: it does not run at a priority, so it cannot
//     wait behind higher-priority callbacks (libevent's test_priorities
//     counts a callback that ran before its exit event did).
//   - Mixing edge-triggered and level-triggered events on one descriptor
//     works (level-triggered for all, see the package doc); libevent
//     refuses the second event_add.

import (
	"errors"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
)

// manualLoop returns a loop on a manual clock starting at the Unix epoch.
// Such a loop must be driven with RunNoWait: with timers pending it would
// wait for Advance.
func manualLoop(t *testing.T, opts ...ev.Option) (*ev.Loop, *ev.ManualClock) {
	t.Helper()
	c := ev.NewManualClock(time.Unix(0, 0))
	return newLoop(t, append(opts, ev.WithClock(c))...), c
}

// since returns how long after the epoch the manual clock c is.
func since(c *ev.ManualClock) time.Duration { return c.Now().Sub(time.Unix(0, 0)) }

// firing records when (on a manual clock) and with what an Event ran.
type firing struct {
	at   time.Duration
	what ev.Events
}

func TestPeerEventAddOnAddedEvent(t *testing.T) {
	// libevent: event_add on an added event replaces its timeout; a NULL
	// timeout (0 here) keeps the one it has; a persistent event's new
	// timeout is also its new period.
	tests := []struct {
		name    string
		flags   ev.Events
		first   time.Duration
		second  time.Duration // given to Add at 50 ms
		wantAts []time.Duration
	}{
		{"later timeout replaces", 0, 100 * time.Millisecond, 200 * time.Millisecond, []time.Duration{250 * time.Millisecond}},
		{"earlier timeout replaces", 0, 300 * time.Millisecond, 10 * time.Millisecond, []time.Duration{60 * time.Millisecond}},
		{"zero keeps the timeout", 0, 100 * time.Millisecond, 0, []time.Duration{100 * time.Millisecond}},
		{"persistent: new period", ev.Persist, 100 * time.Millisecond, 30 * time.Millisecond,
			[]time.Duration{80 * time.Millisecond, 110 * time.Millisecond, 140 * time.Millisecond}},
		{"persistent: zero keeps the period", ev.Persist, 100 * time.Millisecond, 0,
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, c := manualLoop(t)
			var got []time.Duration
			e := ev.NewEvent(l, -1, tt.flags, func(e *ev.Event, what ev.Events) {
				got = append(got, since(c))
				if len(got) == len(tt.wantAts) {
					e.Del()
				}
			})
			e.Add(tt.first)
			for step := time.Duration(0); step < 400*time.Millisecond; step += 10 * time.Millisecond {
				if step == 50*time.Millisecond {
					e.Add(tt.second)
				}
				l.Run(ev.RunNoWait)
				c.Advance(10 * time.Millisecond)
			}
			if !equalDurations(got, tt.wantAts) {
				t.Fatalf("fired at %v; want %v", got, tt.wantAts)
			}
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPeerEventPersistentTimeoutJump(t *testing.T) {
	// libevent: test_persistent_timeout_jump. A persistent 100 ms timeout
	// whose loop did not run for 300 ms fires once, not three times, and
	// its next deadline counts from now.
	l, c := manualLoop(t)
	n := 0
	e := ev.NewEvent(l, -1, ev.Persist, func(*ev.Event, ev.Events) { n++ })
	e.Add(100 * time.Millisecond)
	c.Advance(300 * time.Millisecond)
	l.LoopExit(50 * time.Millisecond)
	l.Run(ev.RunNoWait)
	c.Advance(50 * time.Millisecond)
	l.Run(ev.RunNoWait)
	if !l.GotExit() || n != 1 {
		t.Fatalf("after the jump: fired %d times, GotExit %v; want 1, true", n, l.GotExit())
	}
	if _, dl := e.Pending(ev.Timeout); dl.Sub(time.Unix(0, 0)) != 400*time.Millisecond {
		t.Fatalf("next deadline %v after the epoch; want 400ms (now + period)", dl.Sub(time.Unix(0, 0)))
	}
	e.Del()
}

func TestPeerEventPersistentActiveTimeout(t *testing.T) {
	// libevent: test_persistent_active_timeout. Activating a persistent
	// event by hand restarts its timeout from that moment, as descriptor
	// activity does.
	l, c := manualLoop(t)
	var got []firing
	e := ev.NewEvent(l, -1, ev.Persist, func(_ *ev.Event, what ev.Events) {
		got = append(got, firing{since(c), what})
	})
	e.Add(200 * time.Millisecond)
	if err := l.Once(-1, 0, 100*time.Millisecond, func(ev.Events) { e.Active(ev.Read) }); err != nil {
		t.Fatal(err)
	}
	for range 60 {
		l.Run(ev.RunNoWait)
		c.Advance(10 * time.Millisecond)
	}
	e.Del()
	want := []firing{{100 * time.Millisecond, ev.Read}, {300 * time.Millisecond, ev.Timeout}, {500 * time.Millisecond, ev.Timeout}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("firings %v; want %v", got, want)
	}
}

func TestPeerEventReAddInCallback(t *testing.T) {
	// libevent: test_simpletimeout, test_loopexit's re-adding callbacks. A
	// non-persistent event is deleted before its callback, which may add
	// it again, with or without its descriptor.
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		r, w := pipe(t)
		var got []ev.Events
		e := ev.NewEvent(l, r, ev.Read, func(e *ev.Event, what ev.Events) {
			got = append(got, what)
			drain(r)
			if p, _ := e.Pending(ev.Read | ev.Timeout); p != 0 || e.Added() {
				t.Errorf("in its callback a non-persistent event is pending for %v (added %v); want nothing", p, e.Added())
			}
			if len(got) < 3 {
				if err := e.Add(time.Millisecond); err != nil { // the pipe stays empty: the timeout fires
					t.Error(err)
				}
			}
		})
		write(t, w, "x")
		if err := e.Add(0); err != nil {
			t.Fatal(err)
		}
		runUntil(t, l, func() bool { return len(got) == 3 })
		if got[0] != ev.Read || got[1] != ev.Timeout || got[2] != ev.Timeout || e.Added() {
			t.Fatalf("re-added event: %v, added %v; want [read timeout timeout], false", got, e.Added())
		}
	})
}

func TestPeerEventDelInSamePass(t *testing.T) {
	// libevent: test_del_wait's setting and the re-add test in regress.c:
	// two events ready in one pass; whichever runs first deletes the other,
	// whose callback then does not run, and re-adding it later works.
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		r1, w1 := pipe(t)
		r2, w2 := pipe(t)
		var ran []string
		var e1, e2 *ev.Event
		e1 = ev.NewEvent(l, r1, ev.Read|ev.Persist, func(*ev.Event, ev.Events) { ran = append(ran, "e1"); drain(r1); e2.Del() })
		e2 = ev.NewEvent(l, r2, ev.Read|ev.Persist, func(*ev.Event, ev.Events) { ran = append(ran, "e2"); drain(r2); e1.Del() })
		e1.Add(0)
		e2.Add(0)
		write(t, w1, "x")
		write(t, w2, "x")
		runUntil(t, l, func() bool { return len(ran) > 0 })
		l.Run(ev.RunNoWait)
		if len(ran) != 1 {
			t.Fatalf("callbacks %v; want one: the first deletes the other", ran)
		}
		if e1.Added() == e2.Added() {
			t.Fatalf("added: e1 %v, e2 %v; want exactly the one that ran", e1.Added(), e2.Added())
		}
		other := e1
		if ran[0] == "e1" {
			other = e2
		}
		if err := other.Add(0); err != nil {
			t.Fatal(err)
		}
		runUntil(t, l, func() bool { return len(ran) == 2 })
		if ran[1] == ran[0] {
			t.Fatalf("callbacks %v; want the re-added one second", ran)
		}
		e1.Del()
		e2.Del()
	})
}

func TestPeerEventDelOwnPersistent(t *testing.T) {
	// libevent: event_del of a persistent event from its own callback (the
	// pattern of test_persistent_timeout): it fires no more, even with its
	// descriptor still ready and its timeout still due.
	l, c := manualLoop(t)
	r, w := pipe(t)
	n := 0
	e := ev.NewEvent(l, r, ev.Read|ev.Persist, func(e *ev.Event, what ev.Events) {
		n++
		e.Del()
	})
	e.Add(10 * time.Millisecond)
	write(t, w, "x") // never read: level-triggered, it would fire again
	for range 5 {
		l.Run(ev.RunNoWait)
		c.Advance(10 * time.Millisecond)
	}
	if n != 1 {
		t.Fatalf("fired %d times after deleting itself; want 1", n)
	}
}

func TestPeerEventActiveFlags(t *testing.T) {
	// libevent: test_event_active_flags, test_active_by_fd's use of
	// event_active: the callback gets exactly the flags given, a
	// non-persistent added event is deleted by running, a persistent one
	// stays added, and an event that was never added runs too.
	tests := []struct {
		name      string
		flags     ev.Events
		add       bool
		active    ev.Events
		wantAdded bool
	}{
		{"not added", ev.Read, false, ev.Write | ev.Custom, false},
		{"added, one-shot", ev.Read, true, ev.Timeout, false},
		{"added, persistent", ev.Read | ev.Persist, true, ev.Read | ev.SignalEvent, true},
		{"no flags at all", 0, false, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLoop(t)
			r, _ := pipe(t)
			var got []ev.Events
			e := ev.NewEvent(l, r, tt.flags, func(_ *ev.Event, what ev.Events) { got = append(got, what) })
			if tt.add {
				if err := e.Add(time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			e.Active(tt.active)
			l.Run(ev.RunNoWait)
			if len(got) != 1 || got[0] != tt.active {
				t.Fatalf("callbacks %v; want one with %v", got, tt.active)
			}
			if e.Added() != tt.wantAdded {
				t.Fatalf("added after running: %v; want %v", e.Added(), tt.wantAdded)
			}
			e.Del()
		})
	}
}

func TestPeerEventReAddDropsFiredTimeout(t *testing.T) {
	// libevent: event_add of an event whose timeout fired but whose callback
	// has not run yet reschedules the timeout and drops that activation
	// (event_add_nolock_'s "active due to a timeout" case). Here A's
	// callback runs first and postpones B, whose timeout fired in the same
	// poll.
	for _, flags := range []ev.Events{0, ev.Persist} {
		t.Run(flags.String(), func(t *testing.T) {
			l, c := manualLoop(t)
			var got []string
			var b *ev.Event
			a := ev.NewEvent(l, -1, 0, func(*ev.Event, ev.Events) {
				got = append(got, "a@"+since(c).String())
				b.Add(200 * time.Millisecond)
			})
			b = ev.NewEvent(l, -1, flags, func(b *ev.Event, what ev.Events) {
				got = append(got, "b@"+since(c).String()+":"+what.String())
				b.Del()
			})
			a.Add(100 * time.Millisecond)
			b.Add(100 * time.Millisecond)
			for range 40 {
				c.Advance(10 * time.Millisecond)
				l.Run(ev.RunNoWait)
			}
			if s := strings.Join(got, " "); s != "a@100ms b@300ms:timeout" {
				t.Fatalf("callbacks %s; want a@100ms b@300ms:timeout", s)
			}
		})
	}
	// A queued activation of another kind survives the re-add.
	l := newLoop(t)
	var got []ev.Events
	e := ev.NewEvent(l, -1, 0, func(e *ev.Event, what ev.Events) { got = append(got, what) })
	e.Active(ev.Custom)
	e.Add(time.Hour)
	l.Run(ev.RunNoWait)
	if len(got) != 1 || got[0] != ev.Custom {
		t.Fatalf("callbacks %v; want the Custom activation", got)
	}
}

func TestPeerEventOneShotFdAndTimeout(t *testing.T) {
	// libevent: a non-persistent event with a descriptor and a timeout is
	// deleted as a whole when either fires: after a read, no timeout is
	// left.
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		r, w := pipe(t)
		var got []ev.Events
		e := ev.NewEvent(l, r, ev.Read, func(e *ev.Event, what ev.Events) {
			got = append(got, what)
			if p, _ := e.Pending(ev.Timeout | ev.Read); p != 0 {
				t.Errorf("in the callback, pending %v; want nothing", p)
			}
		})
		e.Add(time.Hour)
		write(t, w, "x")
		runUntil(t, l, func() bool { return len(got) == 1 })
		if got[0] != ev.Read || e.Added() || l.ActiveCount() != 0 {
			t.Fatalf("callback %v, added %v, active %d; want read, false, 0", got[0], e.Added(), l.ActiveCount())
		}
	})
}

func TestPeerEventPending(t *testing.T) {
	// libevent: test_event_pending. event_pending reports what an event
	// waits for and, with a tv, when its timeout is due; an event that is
	// not added reports nothing; an activated one reports its flags.
	l, c := manualLoop(t)
	r, w := pipe(t)
	e := ev.NewEvent(l, r, ev.Read|ev.Write, func(*ev.Event, ev.Events) {})
	if p, dl := e.Pending(ev.Read | ev.Write | ev.Timeout); p != 0 || !dl.IsZero() {
		t.Fatalf("not added: Pending = %v, %v; want 0, zero time", p, dl)
	}
	c.Advance(time.Second)
	e.Add(500 * time.Millisecond)
	want := time.Unix(1, 500e6)
	tests := []struct {
		ask, want ev.Events
	}{
		{ev.Read, ev.Read},
		{ev.Write | ev.Timeout, ev.Write | ev.Timeout},
		{ev.Closed, 0},
		{ev.Read | ev.Write | ev.Timeout | ev.Closed, ev.Read | ev.Write | ev.Timeout},
	}
	for _, tt := range tests {
		p, dl := e.Pending(tt.ask)
		if p != tt.want {
			t.Errorf("Pending(%v) = %v; want %v", tt.ask, p, tt.want)
		}
		if tt.want&ev.Timeout != 0 && !dl.Equal(want) {
			t.Errorf("Pending(%v) deadline %v; want %v", tt.ask, dl, want)
		}
	}
	e.Del()
	if p, _ := e.Pending(ev.Read | ev.Write | ev.Timeout); p != 0 {
		t.Fatalf("deleted: Pending = %v; want 0", p)
	}
	_ = w
}

func TestPeerStrictPriorityActivatedMidPass(t *testing.T) {
	// libevent: event_active of a more urgent event while a less urgent
	// queue runs (event_active_nolock_ sets event_continue): the rest of
	// the less urgent queue waits, the urgent one runs in the next pass,
	// then the rest. libev's order is the same within one pass.
	for _, strict := range []bool{true, false} {
		name, opts := "libev", priorityOpts(strict)
		if strict {
			name = "strict"
		}
		t.Run(name, func(t *testing.T) {
			l := newLoop(t, opts...)
			var trace []string
			var iters []uint64
			mk := func(name string, pri int, then func()) *ev.Event {
				e := ev.NewEvent(l, -1, 0, func(*ev.Event, ev.Events) {
					trace = append(trace, name)
					iters = append(iters, l.Iteration())
					if then != nil {
						then()
					}
				})
				e.SetPriority(pri)
				return e
			}
			h := mk("H", 1, nil)
			l1, l3 := mk("L1", -1, nil), mk("L3", -1, nil)
			l2 := mk("L2", -1, func() { h.Active(ev.Custom) })
			l1.Active(ev.Custom)
			l2.Active(ev.Custom)
			l3.Active(ev.Custom)
			l.Run(ev.RunDefault)
			if got := strings.Join(trace, ","); got != "L1,L2,H,L3" {
				t.Fatalf("order %s; want L1,L2,H,L3", got)
			}
			sameL2H := iters[1] == iters[2]
			if sameL2H == strict {
				t.Fatalf("iterations %v: H in the same pass as L2 = %v; want %v", iters, sameL2H, !strict)
			}
		})
	}
}

func TestPeerStrictPrioritiesReArming(t *testing.T) {
	// libevent: test_priorities. Two events that re-activate themselves
	// three times: the urgent one runs all its rounds before the other
	// runs once, with strict priorities and without.
	for _, strict := range []bool{true, false} {
		l := newLoop(t, priorityOpts(strict)...)
		var trace []string
		mk := func(name string, pri int) *ev.Event {
			n := 0
			e := ev.NewEvent(l, -1, 0, func(e *ev.Event, _ ev.Events) {
				trace = append(trace, name)
				if n++; n < 3 {
					e.Active(ev.Timeout) // libevent's zero timeout
				}
			})
			e.SetPriority(pri)
			return e
		}
		one, two := mk("one", ev.MaxPriority), mk("two", ev.MinPriority)
		one.Active(ev.Timeout)
		two.Active(ev.Timeout)
		l.Run(ev.RunDefault)
		if got := strings.Join(trace, ","); got != "one,one,one,two,two,two" {
			t.Fatalf("strict %v: order %s; want one,one,one,two,two,two", strict, got)
		}
	}
}

func TestPeerLoopExitAndBreakOutsideRun(t *testing.T) {
	// libevent: test_loopexit (an exit asked for before dispatch ends the
	// first pass) and test_loopbreak; GotExit and GotBreak are reset by
	// the next Run. A LoopBreak made before Run is kept (a deliberate
	// difference: libevent forgets it).
	l := newLoop(t)
	n := 0
	tick := ev.NewIdle(l, func(*ev.Idle) { n++ }) // once per pass, forever
	tick.Start()
	l.LoopExit(0)
	l.Run(ev.RunDefault)
	if !l.GotExit() || l.GotBreak() || n != 1 {
		t.Fatalf("exit before Run: GotExit %v, GotBreak %v, callbacks %d; want true, false, 1", l.GotExit(), l.GotBreak(), n)
	}
	l.LoopBreak()
	l.Run(ev.RunDefault)
	if l.GotExit() || !l.GotBreak() || n != 2 {
		t.Fatalf("break before Run: GotExit %v, GotBreak %v, callbacks %d; want false, true, 2", l.GotExit(), l.GotBreak(), n)
	}
	l.Run(ev.RunNoWait)
	if l.GotExit() || l.GotBreak() {
		t.Fatalf("a later Run: GotExit %v, GotBreak %v; want both reset", l.GotExit(), l.GotBreak())
	}
	tick.Stop()
}

func TestPeerOnceWithoutTimeout(t *testing.T) {
	// libevent: event_base_once with no descriptor and a NULL timeout runs
	// the callback at the next pass (regress.c's test_event_once).
	l := newLoop(t)
	var got []ev.Events
	if err := l.Once(-1, 0, 0, func(what ev.Events) { got = append(got, what) }); err != nil {
		t.Fatal(err)
	}
	l.Run(ev.RunDefault)
	if len(got) != 1 || got[0] != ev.Timeout {
		t.Fatalf("Once(-1, 0, 0): callbacks %v; want one with timeout", got)
	}
}

func TestPeerEdgeTriggered(t *testing.T) {
	// libevent: regress_et.c's test_edgetriggered. A persistent
	// edge-triggered read event that reads one byte of many is called once
	// per arrival of data, not while data remains; a level-triggered one
	// is called again. poll(2) has no edge mode, so only the default
	// backend runs the edge case.
	tests := []struct {
		name      string
		edge      bool
		wantCalls int
	}{
		{"edge", true, 1},
		{"level", false, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLoop(t)
			a, b := socketpair(t)
			flags := ev.Read | ev.Persist
			if tt.edge {
				flags |= ev.EdgeTriggered
			}
			calls := 0
			var one [1]byte
			e := ev.NewEvent(l, a, flags, func(*ev.Event, ev.Events) {
				calls++
				unix.Read(a, one[:])
			})
			e.Add(0)
			write(t, b, "test string")
			runUntil(t, l, func() bool { return calls > 0 })
			for range 3 {
				l.Run(ev.RunNoWait)
			}
			e.Del()
			if calls != tt.wantCalls {
				t.Fatalf("callbacks %d over four passes; want %d", calls, tt.wantCalls)
			}
		})
	}
}

func TestPeerEOF(t *testing.T) {
	// libevent: test-eof.c. A peer writes and closes: the read event sees
	// the data, then a read of zero bytes, and the test deletes it.
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		a, b := rawSocketpair(t)
		write(t, b, "test string")
		unix.Close(b)
		var got []byte
		eof := false
		var buf [256]byte
		e := ev.NewEvent(l, a, ev.Read|ev.Persist, func(e *ev.Event, _ ev.Events) {
			n, err := unix.Read(a, buf[:])
			switch {
			case err != nil:
				t.Errorf("read: %v", err)
				e.Del()
			case n == 0:
				eof = true
				e.Del()
			default:
				got = append(got, buf[:n]...)
			}
		})
		e.Add(0)
		runUntil(t, l, func() bool { return !e.Added() })
		unix.Close(a)
		if string(got) != "test string" || !eof {
			t.Fatalf("read %q, eof %v; want %q, true", got, eof, "test string")
		}
	})
}

func TestPeerWriteAfterPeerClose(t *testing.T) {
	// libevent: test-weof.c. Writing from a write event to a socket whose
	// peer closed fails with EPIPE (the Go runtime does not kill the
	// process with SIGPIPE for descriptors other than 1 and 2).
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		a, b := rawSocketpair(t)
		unix.Close(b)
		var werr error
		writes := 0
		e := ev.NewEvent(l, a, ev.Write|ev.Persist, func(e *ev.Event, what ev.Events) {
			writes++
			if _, err := unix.Write(a, []byte("test string")); err != nil {
				werr = err
				e.Del()
			}
		})
		e.Add(0)
		runUntil(t, l, func() bool { return !e.Added() })
		unix.Close(a)
		if !errors.Is(werr, syscall.EPIPE) && !errors.Is(werr, syscall.ECONNRESET) {
			t.Fatalf("write after the peer closed: %v after %d writes; want EPIPE", werr, writes)
		}
	})
}

func TestPeerClosed(t *testing.T) {
	// libevent: test-closed.c. An event for Closed alone (no Read) fires
	// when the peer shuts its writing side, before the timeout, without
	// reading.
	l := newLoop(t)
	a, b := socketpair(t)
	var got ev.Events
	e := ev.NewEvent(l, a, ev.Closed, func(_ *ev.Event, what ev.Events) { got = what })
	e.Add(10 * time.Second)
	write(t, b, "unread data")
	if err := shutdownWrite(b); err != nil {
		t.Fatal(err)
	}
	runUntil(t, l, func() bool { return got != 0 })
	if got != ev.Closed {
		t.Fatalf("event %v; want closed alone", got)
	}
}

func TestPeerPriorityActiveInversion(t *testing.T) {
	// libevent: test_priority_active_inversion. A callback activates an
	// event of its own priority, then a more urgent one: the urgent one
	// runs next, the other after it.
	for _, strict := range []bool{true, false} {
		l := newLoop(t, priorityOpts(strict)...)
		var order []int
		var evs [3]*ev.Event
		for i := range evs {
			evs[i] = ev.NewEvent(l, -1, 0, func(*ev.Event, ev.Events) {
				order = append(order, i)
				if len(order) == 1 {
					evs[1].Active(ev.Read)
					evs[2].Active(ev.Timeout)
				}
			})
		}
		evs[0].SetPriority(-1)
		evs[1].SetPriority(-1)
		evs[2].SetPriority(ev.MaxPriority)
		evs[0].Active(ev.Write)
		l.Run(ev.RunDefault)
		if !slices.Equal(order, []int{0, 2, 1}) {
			t.Fatalf("strict %v: order %v; want [0 2 1]", strict, order)
		}
	}
}

func TestPeerNonPersistReAdd(t *testing.T) {
	// libevent: test_nonpersist_readd. Two one-shot read events, both
	// ready; each callback reads and adds the other. Both run in one pass;
	// the first one's Add of the second (still added, queued) changes
	// nothing, and the second, deleted before its callback, re-adds the
	// first: at the end exactly the last one added is waiting.
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		a, b := socketpair(t)
		var lastAdded *ev.Event
		calls := 0
		var e1, e2 *ev.Event
		cb := func(fd int, other **ev.Event) ev.EventFunc {
			return func(*ev.Event, ev.Events) {
				drain(fd)
				lastAdded = *other
				if err := (*other).Add(0); err != nil {
					t.Error(err)
				}
				calls++
			}
		}
		e1 = ev.NewEvent(l, a, ev.Read, cb(a, &e2))
		e2 = ev.NewEvent(l, b, ev.Read, cb(b, &e1))
		write(t, a, "Hello")
		write(t, b, "Hello")
		e1.Add(0)
		e2.Add(0)
		runUntil(t, l, func() bool { return calls > 0 })
		if calls != 2 {
			t.Fatalf("callbacks in the first pass: %d; want 2", calls)
		}
		p1, _ := e1.Pending(ev.Read)
		p2, _ := e2.Pending(ev.Read)
		if (lastAdded == e1) != (p1 == ev.Read) || (lastAdded == e2) != (p2 == ev.Read) {
			t.Fatalf("pending: e1 %v, e2 %v, last added e1 %v; want only the last added", p1, p2, lastAdded == e1)
		}
		e1.Del()
		e2.Del()
	})
}

func TestPeerMultipleEventsSameFd(t *testing.T) {
	// libevent: test_multiple_events_for_same_fd. A read event and a
	// write event on one descriptor: the write one fires on its own, and
	// once deleted, the read one still fires when data comes.
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		a, b := socketpair(t)
		var got ev.Events
		cb := func(_ *ev.Event, what ev.Events) { got |= what }
		e1 := ev.NewEvent(l, a, ev.Read, cb)
		e2 := ev.NewEvent(l, a, ev.Write, cb)
		e1.Add(0)
		e2.Add(0)
		runUntil(t, l, func() bool { return got != 0 })
		if got != ev.Write {
			t.Fatalf("first pass: %v; want write alone", got)
		}
		e2.Del()
		write(t, b, "test")
		runUntil(t, l, func() bool { return got&ev.Read != 0 })
		if e1.Added() {
			t.Fatal("the one-shot read event is still added")
		}
	})
}

func TestPeerTimerTimeoutNotLater(t *testing.T) {
	// libevent: regress_timer_timeout.c. Re-adding a timeout outside the
	// loop, over and over, never puts its deadline further than the
	// timeout from the present: the time it counts from is read afresh.
	l := newLoop(t)
	e := ev.NewEvent(l, -1, 0, func(*ev.Event, ev.Events) {})
	const dur = 100 * time.Microsecond
	worst := time.Duration(0)
	for range 1000 {
		e.Add(dur)
		_, dl := e.Pending(ev.Timeout)
		if rem := time.Until(dl); rem-dur > worst {
			worst = rem - dur
		}
	}
	e.Del()
	if worst > 0 {
		t.Fatalf("a deadline was %v further than the timeout from now; want never", worst)
	}
}
