package ev_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
)

func TestIOReadWrite(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		a, b := socketpair(t)
		var got []ev.Events
		w := ev.NewIO(l, a, ev.Write, func(w *ev.IO, rev ev.Events) {
			got = append(got, rev)
			w.Stop()
		})
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		l.Run(ev.RunDefault)
		if len(got) != 1 || got[0] != ev.Write {
			t.Fatalf("writable socket: events %v; want [write]", got)
		}
		var data string
		r := ev.NewIO(l, b, ev.Read, func(w *ev.IO, rev ev.Events) {
			data += drain(b)
			if len(data) == 5 {
				w.Stop()
			}
		})
		if err := r.Start(); err != nil {
			t.Fatal(err)
		}
		write(t, a, "hello")
		runUntil(t, l, func() bool { return !r.Active() })
		if data != "hello" {
			t.Fatalf("read %q; want hello", data)
		}
	})
}

func TestIOModify(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		a, _ := socketpair(t)
		var got []ev.Events
		w := ev.NewIO(l, a, ev.Read, func(w *ev.IO, rev ev.Events) {
			got = append(got, rev)
			w.Stop()
		})
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		w.Modify(ev.Write) // nothing to read, always writable
		l.Run(ev.RunDefault)
		if len(got) != 1 || got[0] != ev.Write {
			t.Fatalf("after Modify(Write): events %v; want [write]", got)
		}
	})
}

func TestIOTwoWatchersOneFd(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		a, b := socketpair(t)
		var reads, writes int
		rw := ev.NewIO(l, a, ev.Read, func(w *ev.IO, rev ev.Events) { reads++; drain(a); w.Stop() })
		ww := ev.NewIO(l, a, ev.Write, func(w *ev.IO, rev ev.Events) { writes++; w.Stop() })
		for _, w := range []*ev.IO{rw, ww} {
			if err := w.Start(); err != nil {
				t.Fatal(err)
			}
		}
		write(t, b, "x")
		l.Run(ev.RunDefault)
		if reads != 1 || writes != 1 {
			t.Fatalf("two watchers on one descriptor: reads %d, writes %d; want 1, 1", reads, writes)
		}
	})
}

// TestIOWatchersOfOneFdAcrossQueueGrowth: several watchers of one ready
// descriptor run once each, in start order, wherever the growth of the
// pending queue falls among them (the loop queues what fits, then the
// rest after growing it). Earlier passes that run n callbacks leave the
// queue with room for about n entries.
func TestIOWatchersOfOneFdAcrossQueueGrowth(t *testing.T) {
	for before := range 6 {
		l := newLoop(t)
		for range before {
			l.FeedEvent(ev.NewIdle(l, func(*ev.Idle) {}), ev.Custom)
		}
		l.Run(ev.RunNoWait)
		a, b := socketpair(t)
		write(t, b, "x")
		var trace []string
		ws := make([]*ev.IO, 3)
		for i := range ws {
			name := string(rune('0' + i))
			ws[i] = ev.NewIO(l, a, ev.Read, func(*ev.IO, ev.Events) { trace = append(trace, name) })
			if err := ws[i].Start(); err != nil {
				t.Fatal(err)
			}
		}
		l.Run(ev.RunOnce)
		if got := strings.Join(trace, ","); got != "0,1,2" {
			t.Errorf("after %d callbacks: watchers of one descriptor ran %q; want 0,1,2", before, got)
		}
		for _, w := range ws {
			w.Stop()
		}
	}
}

func TestIOPeerClose(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		f, err := s.(*net.TCPConn).File() // a dup, in blocking mode: we only poll it
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		fd := int(f.Fd())
		var plain, closed ev.Events
		pw := ev.NewIO(l, fd, ev.Read, func(w *ev.IO, rev ev.Events) { plain |= rev; w.Stop() })
		cw := ev.NewIO(l, fd, ev.Closed, func(w *ev.IO, rev ev.Events) { closed |= rev; w.Stop() })
		for _, w := range []*ev.IO{pw, cw} {
			if err := w.Start(); err != nil {
				t.Fatal(err)
			}
		}
		c.Close()
		runUntil(t, l, func() bool { return !pw.Active() && !cw.Active() })
		if plain != ev.Read {
			t.Errorf("peer close, Read watcher: %v; want read", plain)
		}
		if closed != ev.Closed {
			t.Errorf("peer close, Closed watcher: %v; want closed", closed)
		}
	})
}

func TestIOEdgeTriggered(t *testing.T) {
	l := newLoop(t) // poll(2) has no edges; see the package doc
	a, b := socketpair(t)
	n := 0
	w := ev.NewIO(l, a, ev.Read|ev.EdgeTriggered, func(*ev.IO, ev.Events) { n++ })
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	write(t, b, "x")
	runUntil(t, l, func() bool { return n == 1 })
	for range 3 {
		l.Run(ev.RunNoWait) // unread data, but no new edge
	}
	if n != 1 {
		t.Fatalf("edge-triggered watcher ran %d times for one write; want 1", n)
	}
	write(t, b, "y")
	runUntil(t, l, func() bool { return n == 2 })
}

func TestIOBadDescriptors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		cb := func(*ev.IO, ev.Events) {}
		if err := ev.NewIO(l, -1, ev.Read, cb).Start(); !errors.Is(err, ev.ErrBadFD) {
			t.Errorf("Start with fd -1: %v; want ErrBadFD", err)
		}
		r, w := pipe(t)
		unix.Close(w) // closed, and not reused before Start
		closedFd := w
		if err := ev.NewIO(l, closedFd, ev.Read, cb).Start(); !errors.Is(err, unix.EBADF) {
			t.Errorf("Start with a closed fd: %v; want EBADF", err)
		}
		_ = r
	})
}

func TestIOAlwaysReadyFile(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		f, err := os.Create(filepath.Join(t.TempDir(), "f"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		devnull, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		defer devnull.Close()
		for _, fd := range []int{int(f.Fd()), int(devnull.Fd())} {
			var got ev.Events
			w := ev.NewIO(l, fd, ev.Read|ev.Write, func(w *ev.IO, rev ev.Events) { got = rev; w.Stop() })
			if err := w.Start(); err != nil {
				t.Fatalf("Start on a regular file or /dev/null: %v", err)
			}
			l.Run(ev.RunDefault)
			if got != ev.Read|ev.Write {
				t.Fatalf("file descriptor readiness: %v; want read|write", got)
			}
		}
	})
}

// TestIOClosedWhileWatched closes a watched descriptor behind the loop's back
// and reuses its number: the old watchers are stopped with Error, and a new
// watcher on the reused number works.
func TestIOClosedWhileWatched(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		a, b := socketpair(t)
		var first ev.Events
		w1 := ev.NewIO(l, a, ev.Read, func(w *ev.IO, rev ev.Events) { first |= rev })
		if err := w1.Start(); err != nil {
			t.Fatal(err)
		}
		unix.Close(a)
		w1.Modify(ev.Read | ev.Write) // the loop learns of the close when it applies this
		l.Run(ev.RunNoWait)
		if w1.Active() || first&ev.Error == 0 {
			t.Fatalf("watcher of a closed descriptor: active %v, events %v; want stopped with error", w1.Active(), first)
		}
		// Reuse the number: a new pipe may well get it.
		var p [2]int
		if err := unix.Pipe(p[:]); err != nil {
			t.Fatal(err)
		}
		defer unix.Close(p[0])
		defer unix.Close(p[1])
		nonblock(t, p[:])
		read := false
		w2 := ev.NewIO(l, p[0], ev.Read, func(w *ev.IO, rev ev.Events) { read = true; w.Stop() })
		if err := w2.Start(); err != nil {
			t.Fatal(err)
		}
		write(t, p[1], "z")
		runUntil(t, l, func() bool { return read })
		_ = b
	})
}

// TestIOReusedNumberSameIteration stops a watcher, closes its descriptor and
// watches a new descriptor that got the same number, all in one callback:
// the loop must register the new descriptor although the interest is the
// same as the old one's (the kernel dropped the old registration on close).
func TestIOReusedNumberSameIteration(t *testing.T) {
	forEachBackend(t, func(t *testing.T, opts ...ev.Option) {
		l := newLoop(t, opts...)
		var p [2]int
		if err := unix.Pipe(p[:]); err != nil {
			t.Fatal(err)
		}
		nonblock(t, p[:])
		num := p[0]
		r2, w2 := pipe(t)
		var got string
		second := new(ev.IO)
		first := ev.NewIO(l, num, ev.Read, func(w *ev.IO, _ ev.Events) {
			drain(num)
			w.Stop()
			unix.Close(p[1])
			unix.Close(num)
			// The new pipe's read end takes the old number.
			if err := unix.Dup2(r2, num); err != nil {
				t.Error(err)
				return
			}
			second.Init(l, num, ev.Read, func(w *ev.IO, _ ev.Events) {
				got += drain(num)
				w.Stop()
			})
			if err := second.Start(); err != nil {
				t.Error(err)
			}
			write(t, w2, "again")
		})
		t.Cleanup(func() { unix.Close(num) })
		if err := first.Start(); err != nil {
			t.Fatal(err)
		}
		write(t, p[1], "x")
		runUntil(t, l, func() bool { return got != "" })
		if got != "again" {
			t.Fatalf("read %q from the reused number; want again", got)
		}
	})
}

// TestIOEdgeAndLevelOnOneFd: the registration is edge-triggered only while
// every watcher of the descriptor asks for edges. With a level-triggered
// watcher beside it the edge-triggered one is reported as often as the
// level one (more often, never less); once the level one stops, the
// registration turns edge-triggered and unread data is reported no more.
func TestIOEdgeAndLevelOnOneFd(t *testing.T) {
	l := newLoop(t) // poll(2) has no edges; see the package doc
	a, b := socketpair(t)
	var edges, levels int
	et := ev.NewIO(l, a, ev.Read|ev.EdgeTriggered, func(*ev.IO, ev.Events) { edges++ })
	lt := ev.NewIO(l, a, ev.Read, func(*ev.IO, ev.Events) { levels++ })
	for _, w := range []*ev.IO{et, lt} {
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
	}
	defer et.Stop()
	write(t, b, "x")
	runUntil(t, l, func() bool { return levels == 1 })
	for range 3 {
		l.Run(ev.RunNoWait) // unread data: the level watcher runs every time
	}
	if levels != 4 || edges != 4 {
		t.Fatalf("unread data, four passes: level watcher ran %d times, edge watcher %d; want 4, 4", levels, edges)
	}
	lt.Stop()
	l.Run(ev.RunNoWait) // applies the change; the kernel may report the data once more
	e := edges
	for range 3 {
		l.Run(ev.RunNoWait)
	}
	if edges != e || e > 5 {
		t.Fatalf("edge-triggered alone: ran %d times, then %d more with no new data; want at most 5, then 0", e, edges-e)
	}
	write(t, b, "y")
	runUntil(t, l, func() bool { return edges == e+1 })
}
