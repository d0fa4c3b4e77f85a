package stream_test

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

// TestCloseWithDuplicate closes a reading Conn whose descriptor has a
// duplicate (a program that dup'ed it, a hijacked HTTP connection) while
// its socket is readable: the loop must not go on hearing of it. Before
// Close took the descriptor out of epoll's set (ev.Loop.FdClosing), the
// registration outlived the number and the loop polled thousands of times
// while waiting for a 30 ms timer.
func TestCloseWithDuplicate(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	a.SetCallbacks(func(*stream.Conn) {}, nil, nil)
	if err := a.Enable(stream.Read); err != nil {
		t.Fatal(err)
	}
	if err := l.Run(ev.RunNoWait); err != nil { // a's descriptor is registered
		t.Fatal(err)
	}
	d, err := unix.Dup(a.Fd())
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	if _, err := b.Write([]byte("for the duplicate")); err != nil {
		t.Fatal(err)
	}
	var tm ev.Timer
	tm.Init(l, 30*time.Millisecond, 0, func(*ev.Timer) {})
	tm.Start()
	before := l.Iteration()
	b.Disable(stream.Read) // the loop's only work: the timer
	if err := l.Run(ev.RunDefault); err != nil {
		t.Fatal(err)
	}
	if n := l.Iteration() - before; n > 10 {
		t.Errorf("%d polls while waiting 30 ms after closing a Conn whose descriptor has a duplicate; want a few", n)
	}
	var p [32]byte
	if n, err := unix.Read(d, p[:]); string(p[:n]) != "for the duplicate" {
		t.Errorf("the duplicate read %q, %v", p[:n], err)
	}
	unix.Close(d)
	b.Close()
}

// TestCloseWithAnotherWatcher closes a Conn whose descriptor the program
// also watches with its own ev.IO (ev allows two watchers on one
// descriptor): Close must close the descriptor all the same (the loop's
// check at cleanup counts descriptors) and leave the other watcher to the
// program, which stops it.
func TestCloseWithAnotherWatcher(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	if err := a.Enable(stream.Read); err != nil {
		t.Fatal(err)
	}
	var w ev.IO
	w.Init(l, a.Fd(), ev.Read, func(*ev.IO, ev.Events) {})
	w.Start()
	if err := l.Run(ev.RunNoWait); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if !w.Active() {
		t.Errorf("Close stopped the program's own watcher")
	}
	w.Stop()
	b.Close()
}
