package ev_test

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
)

// idleIterations runs l until a 30 ms timer fires, with nothing else to
// do, and returns how many times it polled meanwhile: a loop that waits
// polls a few times, one that a stale registration keeps busy polls
// thousands of times.
func idleIterations(t *testing.T, l *ev.Loop) uint64 {
	t.Helper()
	var tm ev.Timer
	tm.Init(l, 30*time.Millisecond, 0, func(*ev.Timer) {})
	tm.Start()
	before := l.Iteration()
	if err := l.Run(ev.RunDefault); err != nil {
		t.Fatal(err)
	}
	return l.Iteration() - before
}

// TestFdClosingWithDuplicate closes a watched descriptor that has a
// duplicate, with the duplicate's socket readable: after FdClosing the loop
// waits for its timer; without it, on epoll, the registration outlives the
// number and keeps the loop polling (the control case shows it does, so
// the first case measures something).
func TestFdClosingWithDuplicate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		for _, closing := range []bool{true, false} {
			l := newLoop(t, opts...)
			a, b := rawSocketpair(t)
			var w ev.IO
			w.Init(l, a, ev.Read, func(*ev.IO, ev.Events) {})
			w.Start()
			if err := l.Run(ev.RunNoWait); err != nil { // registers a
				t.Fatal(err)
			}
			d, err := unix.Dup(a)
			if err != nil {
				t.Fatal(err)
			}
			w.Stop()
			if closing {
				if err := l.FdClosing(a); err != nil {
					t.Fatalf("FdClosing: %v", err)
				}
			}
			unix.Close(a)
			if _, err := unix.Write(b, []byte("x")); err != nil { // d's socket is readable
				t.Fatal(err)
			}
			n := idleIterations(t, l)
			t.Logf("%s, FdClosing %v: %d polls in 30 ms", l.Backend(), closing, n)
			unix.Close(d)
			unix.Close(b)
			l.Close()
			switch {
			case closing && n > 10:
				t.Errorf("%s, FdClosing before close: %d polls while waiting 30 ms; want a few", l.Backend(), n)
			case !closing && l.Backend() == "epoll" && n < 100:
				t.Errorf("epoll without FdClosing: %d polls while waiting 30 ms; the control case expects the stale registration to keep the loop busy", n)
			}
		}
	})
}

// TestFdClosingEdges: a descriptor the backend does not have, out of range
// or negative, is nothing to do; so is one with an active watcher (it keeps
// the registration) and any after Close.
func TestFdClosingEdges(t *testing.T) {
	l := newLoop(t)
	a, _ := socketpair(t)
	for _, fd := range []int{-1, a, 1 << 20} {
		if err := l.FdClosing(fd); err != nil {
			t.Errorf("FdClosing(%d) on a descriptor never watched: %v", fd, err)
		}
	}
	var w ev.IO
	w.Init(l, a, ev.Read, func(*ev.IO, ev.Events) {})
	w.Start()
	if err := l.Run(ev.RunNoWait); err != nil { // registers a
		t.Fatal(err)
	}
	if err := l.FdClosing(a); err != nil || !w.Active() { // another watcher's: left alone
		t.Errorf("FdClosing with an active watcher: %v, active %v; want nil, true", err, w.Active())
	}
	w.Stop()
	if err := l.FdClosing(a); err != nil { // the stop not applied yet: removed now
		t.Errorf("FdClosing after Stop: %v", err)
	}
	if err := l.Run(ev.RunNoWait); err != nil { // the queued change finds nothing to do
		t.Fatal(err)
	}
	w.Start() // registered anew
	if err := l.Run(ev.RunNoWait); err != nil {
		t.Fatal(err)
	}
	w.Stop()
	l2, err := ev.NewLoop()
	if err != nil {
		t.Fatal(err)
	}
	l2.Close()
	if err := l2.FdClosing(a); err != nil {
		t.Errorf("FdClosing after Close: %v", err)
	}
}
