package ev_test

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/eventide-go/eventide/ev"
)

func TestEventNonPersistentFiresOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		r, w := pipe(t)
		var got []ev.Events
		e := ev.NewEvent(l, r, ev.Read, func(e *ev.Event, what ev.Events) {
			got = append(got, what)
			if e.Added() {
				t.Error("a non-persistent event is still added in its callback")
			}
		})
		if err := e.Add(0); err != nil {
			t.Fatal(err)
		}
		write(t, w, "x") // left unread: level-triggered, it would fire again if still added
		l.Run(ev.RunDefault)
		if len(got) != 1 || got[0] != ev.Read {
			t.Fatalf("non-persistent event: %v; want one [read]", got)
		}
	})
}

func TestEventPersistentUntilDel(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		r, w := pipe(t)
		n := 0
		e := ev.NewEvent(l, r, ev.Read|ev.Persist, func(e *ev.Event, what ev.Events) {
			drain(r)
			if n++; n == 5 {
				e.Del()
			}
		})
		if err := e.Add(0); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			write(t, w, "x")
			runUntil(t, l, func() bool { return n == i+1 })
		}
		if e.Added() || n != 5 {
			t.Fatalf("persistent event: fired %d times, added %v; want 5, false", n, e.Added())
		}
	})
}

func TestEventTimeout(t *testing.T) {
	c := ev.NewManualClock(time.Unix(0, 0))
	l := newLoop(t, ev.WithClock(c))
	r, w := pipe(t)
	var got []ev.Events
	var at []time.Duration
	start := c.Now()
	e := ev.NewEvent(l, r, ev.Read|ev.Persist, func(e *ev.Event, what ev.Events) {
		got = append(got, what)
		at = append(at, c.Now().Sub(start))
		drain(r)
	})
	if err := e.Add(100 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if p, dl := e.Pending(ev.Read | ev.Timeout); p != ev.Read|ev.Timeout || !dl.Equal(start.Add(100*time.Millisecond)) {
		t.Fatalf("Pending = %v, %v; want read|timeout, start+100ms", p, dl)
	}
	c.Advance(100 * time.Millisecond) // timeout: re-armed from the old deadline
	l.Run(ev.RunNoWait)
	c.Advance(50 * time.Millisecond)
	write(t, w, "x") // activity at 150 ms: re-armed from now, to 250 ms
	runUntil(t, l, func() bool { return len(got) == 2 })
	c.Advance(99 * time.Millisecond)
	l.Run(ev.RunNoWait)
	if len(got) != 2 {
		t.Fatalf("timeout fired %v after activity at 150ms; want not before 250ms", at)
	}
	c.Advance(time.Millisecond)
	l.Run(ev.RunNoWait)
	want := []ev.Events{ev.Timeout, ev.Read, ev.Timeout}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("events %v at %v; want %v", got, at, want)
	}
	e.RemoveTimer()
	if p, _ := e.Pending(ev.Timeout | ev.Read); p != ev.Read {
		t.Fatalf("after RemoveTimer Pending = %v; want read", p)
	}
	e.Del()
}

func TestEventActiveMergesFlags(t *testing.T) {
	l := newLoop(t)
	var got []ev.Events
	e := ev.NewEvent(l, -1, 0, func(e *ev.Event, what ev.Events) { got = append(got, what) })
	e.Active(ev.Read)
	e.Active(ev.Write | ev.Custom)
	if p, _ := e.Pending(ev.Read | ev.Write | ev.Custom); p != ev.Read|ev.Write|ev.Custom {
		t.Fatalf("Pending of an activated event = %v", p)
	}
	l.Run(ev.RunDefault)
	if len(got) != 1 || got[0] != ev.Read|ev.Write|ev.Custom {
		t.Fatalf("two activations: callbacks %v; want one with read|write|custom", got)
	}
	// Del drops a queued activation.
	e.Active(ev.Read)
	e.Del()
	l.Run(ev.RunNoWait)
	if len(got) != 1 {
		t.Fatal("a deleted event's queued activation ran")
	}
}

func TestEventPureTimerAndReAdd(t *testing.T) {
	c := ev.NewManualClock(time.Unix(0, 0))
	l := newLoop(t, ev.WithClock(c))
	fired := 0
	e := ev.NewEvent(l, -1, 0, func(*ev.Event, ev.Events) { fired++ })
	e.Add(time.Second)
	c.Advance(900 * time.Millisecond)
	l.Run(ev.RunNoWait)
	e.Add(time.Second) // re-adding reschedules
	c.Advance(900 * time.Millisecond)
	l.Run(ev.RunNoWait)
	if fired != 0 {
		t.Fatal("re-added timer event fired at its old deadline")
	}
	c.Advance(100 * time.Millisecond)
	l.Run(ev.RunNoWait)
	if fired != 1 || e.Added() {
		t.Fatalf("timer event: fired %d, added %v; want 1, false", fired, e.Added())
	}
}

func TestOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		r, w := pipe(t)
		var got []ev.Events
		if err := l.Once(r, ev.Read, time.Hour, func(what ev.Events) { got = append(got, what) }); err != nil {
			t.Fatal(err)
		}
		if err := l.Once(-1, 0, time.Millisecond, func(what ev.Events) { got = append(got, what) }); err != nil {
			t.Fatal(err)
		}
		runUntil(t, l, func() bool { return len(got) == 1 }) // the 1 ms timer; the read one waits
		write(t, w, "x")
		runUntil(t, l, func() bool { return len(got) == 2 })
		if len(got) != 2 || got[0] != ev.Timeout || got[1] != ev.Read {
			t.Fatalf("Once: %v; want [timeout read]", got)
		}
	})
}

func TestEventClosed(t *testing.T) {
	l := newLoop(t)
	a, b := socketpair(t)
	var got ev.Events
	e := ev.NewEvent(l, a, ev.Closed, func(e *ev.Event, what ev.Events) { got = what })
	if err := e.Add(0); err != nil {
		t.Fatal(err)
	}
	if err := shutdownWrite(b); err != nil {
		t.Fatal(err)
	}
	l.Run(ev.RunDefault)
	if got&ev.Closed == 0 {
		t.Fatalf("peer shutdown: event %v; want closed", got)
	}
}

func TestFeedInvokeClearPending(t *testing.T) {
	l := newLoop(t)
	var got []ev.Events
	w := ev.NewIO(l, 0, ev.Read, func(_ *ev.IO, rev ev.Events) { got = append(got, rev) })
	l.Invoke(w, ev.Write)
	if len(got) != 1 || got[0] != ev.Write {
		t.Fatalf("Invoke: %v; want [write]", got)
	}
	l.FeedEvent(w, ev.Read)
	l.FeedEvent(w, ev.Custom)
	if rev := l.ClearPending(w); rev != ev.Read|ev.Custom || w.Pending() {
		t.Fatalf("ClearPending = %v, pending %v; want read|custom, false", rev, w.Pending())
	}
	l.Run(ev.RunNoWait)
	if len(got) != 1 {
		t.Fatal("a cleared watcher ran")
	}
}

func TestSignalEvent(t *testing.T) {
	l := newLoop(t)
	n := 0
	e := ev.NewEvent(l, int(syscall.SIGUSR2), ev.SignalEvent|ev.Persist, func(e *ev.Event, what ev.Events) {
		if what != ev.SignalEvent {
			t.Errorf("signal event fired with %v; want signal", what)
		}
		if n++; n == 2 {
			e.Del()
		}
	})
	if err := e.Add(0); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		syscall.Kill(os.Getpid(), syscall.SIGUSR2)
		runUntil(t, l, func() bool { return n == i+1 })
	}
	if e.Added() {
		t.Fatal("event still added after Del")
	}
	if err := ev.NewEvent(l, int(syscall.SIGKILL), ev.SignalEvent, func(*ev.Event, ev.Events) {}).Add(0); err == nil {
		t.Fatal("a SIGKILL signal event was added")
	}
}
