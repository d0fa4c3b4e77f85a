package stream_test

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

// TestDeferredWritesNestedRunPipe: a write callback run while a ring
// batch is finished calls l.Run (nesting, as libev allows), whose pass
// makes a batch of its own. A pipe connection of the outer batch, which
// the ring does not serve, must still be written the plain way, with its
// own result (a review found it given the nested batch's count, its output
// never written).
func TestDeferredWritesNestedRunPipe(t *testing.T) {
	l := newLoop(t)
	a, pa := sockConn(t, l)
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		t.Fatal(err)
	}
	unix.SetNonblock(p[0], true)
	t.Cleanup(func() { unix.Close(p[0]) })
	b, err := stream.NewConn(l, p[1]) // a pipe: written the plain way (resPlain)
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, b)
	c, pc := sockConn(t, l)
	d, pd := sockConn(t, l)
	e, pe := sockConn(t, l)
	nested := false
	a.SetCallbacks(nil, func(*stream.Conn) {
		if nested {
			return
		}
		nested = true
		d.WriteString("dd")
		e.WriteString("ee")
		l.Run(ev.RunNoWait)
	}, nil)
	a.WriteString("aa")
	b.WriteString("to the pipe")
	c.WriteString("cc")
	for range 5 {
		l.Run(ev.RunNoWait)
	}
	if !stream.RingActive(l) {
		t.Skip("no io_uring here")
	}
	var got [5][]byte
	for i, fd := range []int{pa, p[0], pc, pd, pe} {
		readAll(fd, &got[i])
	}
	for i, want := range []string{"aa", "to the pipe", "cc", "dd", "ee"} {
		if string(got[i]) != want {
			t.Errorf("peer %d read %q; want %q", i, got[i], want)
		}
	}
	if b.OutputLen() != 0 {
		t.Errorf("pipe output: %d bytes still queued after 5 passes", b.OutputLen())
	}
}

// TestDeferredWritesNestedRunError: as above with sockets only: the
// nested batch's failed send (peer gone: EPIPE) must not land on a
// healthy connection of the outer batch.
func TestDeferredWritesNestedRunError(t *testing.T) {
	l := newLoop(t)
	a, _ := sockConn(t, l)
	b, pb := sockConn(t, l)
	d, _ := sockConn(t, l)
	e, pe := sockConn(t, l)
	unix.Close(pe) // e's sends fail with EPIPE (rawSocketpair's cleanup closes it again: EBADF, ignored)
	var bErr error
	b.SetCallbacks(nil, nil, func(_ *stream.Conn, what stream.What, err error) { bErr = err })
	nested := false
	a.SetCallbacks(nil, func(*stream.Conn) {
		if nested {
			return
		}
		nested = true
		d.WriteString("dd")
		e.WriteString("ee")
		l.Run(ev.RunNoWait)
	}, nil)
	a.WriteString("aa")
	b.WriteString("bb")
	l.Run(ev.RunNoWait)
	if !stream.RingActive(l) {
		t.Skip("no io_uring here")
	}
	var got []byte
	readAll(pb, &got)
	if bErr != nil || b.Closed() {
		t.Errorf("healthy connection b failed: %v (closed %v; its peer read %q)", bErr, b.Closed(), got)
	}
}

// TestArenaNestedRunInReadCallback: a read lands in the arena after bytes
// still lent (a corked echo's output), so past its start. Its callback
// releases the earlier bytes (Uncork) and runs the loop (nested Run),
// then keeps its input: the nested pass must not take the arena back
// while the running read's bytes are referenced, or the next read lands
// on the kept bytes (a review found the flush resetting it).
func TestArenaNestedRunInReadCallback(t *testing.T) {
	l := newLoop(t)
	a, pa := sockConn(t, l)
	b, pb := sockConn(t, l)
	// a: a corked echo, its output holds the arena bytes of its read.
	a.Cork()
	a.SetCallbacks(func(c *stream.Conn) { c.WriteBuffer(c.Input()) }, nil, nil)
	a.Enable(stream.Read)
	// b: keeps what it reads; the first time, it uncorks a and runs the
	// loop before taking its input.
	var kept buffer.Buffer
	first := true
	b.SetCallbacks(func(c *stream.Conn) {
		if first {
			first = false
			a.Uncork()
			l.Run(ev.RunNoWait)
		}
		kept.AppendBuffer(c.Input())
	}, nil, nil)
	b.Enable(stream.Read)

	unix.Write(pa, bytes.Repeat([]byte{'a'}, 100))
	runUntil(t, l, func() bool { return a.OutputLen() == 100 })
	want := bytes.Repeat([]byte{'b'}, 1000)
	unix.Write(pb, want)
	runUntil(t, l, func() bool { return kept.Len() == 1000 })
	more := bytes.Repeat([]byte{'c'}, 1000)
	want = append(want, more...)
	unix.Write(pb, more)
	runUntil(t, l, func() bool { return kept.Len() == 2000 })
	if got := kept.Pullup(-1); !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && got[i] == want[i] {
			i++
		}
		t.Errorf("kept bytes corrupted from offset %d: %q...", i, got[i:min(i+8, len(got))])
	}
	kept.Reset()
}

// TestDeferredWritesLoopClose: a callback writes a reply and closes the
// loop (a "quit" command): the reply is sent, as it was when writes were
// made at once, though the loop's pass never reaches its end.
func TestDeferredWritesLoopClose(t *testing.T) {
	l := newLoop(t)
	b, pb := sockConn(t, l)
	ev.NewTimer(l, 0, 0, func(*ev.Timer) {
		b.WriteString("bye")
		l.Close()
	}).Start()
	l.Run(ev.RunDefault)
	var got []byte
	readAll(pb, &got)
	if string(got) != "bye" {
		t.Errorf("peer read %q after the loop closed; want %q (sent at Write before the change)", got, "bye")
	}
}

// TestDeferredWritesCorkDisableClose: Write, then Cork (or
// Disable(Write)), then Close in the same callback: the bytes written
// before the Cork are sent, as they were when writes were made at once.
func TestDeferredWritesCorkDisableClose(t *testing.T) {
	for _, how := range []string{"cork", "disable"} {
		t.Run(how, func(t *testing.T) {
			l := newLoop(t)
			c, peer := sockConn(t, l)
			ev.NewTimer(l, 0, 0, func(*ev.Timer) {
				c.WriteString("reply")
				if how == "cork" {
					c.Cork()
				} else {
					c.Disable(stream.Write)
				}
				c.Close()
			}).Start()
			l.Run(ev.RunDefault)
			var got []byte
			readAll(peer, &got)
			if string(got) != "reply" {
				t.Errorf("peer read %q; want %q", got, "reply")
			}
		})
	}
}

// TestDeferredWritesConnectedCallback: a dialed connection writes from
// its Connected event callback, and the dial's completion writes the
// output at once (handleWrite); a second connection written in the same
// pass makes the flush a ring batch, which must not find the first
// connection still marked with its output gone (a review found a nil
// dereference).
func TestDeferredWritesConnectedCallback(t *testing.T) {
	l := newLoop(t)
	var server *stream.Conn
	ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{}, func(_ *stream.Listener, c *stream.Conn) {
		server = c
		closeAtEnd(t, c)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	other, otherPeer := sockConn(t, l)
	client, err := stream.Dial(l, "tcp", ln.Addr().String(), 0)
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, client)
	client.SetCallbacks(nil, nil, func(c *stream.Conn, what stream.What, err error) {
		if what&stream.Connected != 0 {
			c.WriteString("request")
			other.WriteString("note")
		}
	})
	var got []byte
	runUntil(t, l, func() bool {
		readAll(otherPeer, &got)
		return server != nil && len(got) == 4
	})
}

// TestDeferredWritesConnectedThenClose: the same, then a Close later in
// the same pass, without io_uring: Close must not write an output that
// is gone.
func TestDeferredWritesConnectedThenClose(t *testing.T) {
	defer stream.SetRingOff(true)()
	l := newLoop(t)
	ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{}, func(_ *stream.Listener, c *stream.Conn) {
		closeAtEnd(t, c)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := stream.Dial(l, "tcp", ln.Addr().String(), 0)
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, client)
	connected := false
	client.SetCallbacks(nil, nil, func(c *stream.Conn, what stream.What, err error) {
		if what&stream.Connected != 0 {
			connected = true
			c.WriteString("request")
		}
	})
	// A check watcher runs in the same pass, after the I/O callbacks.
	chk := ev.NewCheck(l, func(*ev.Check) {
		if connected && !client.Closed() {
			client.Close()
		}
	})
	chk.Start()
	defer chk.Stop()
	runUntil(t, l, func() bool { return client.Closed() })
}
