package stream_test

// Peer tests: the behaviours libevent's regression suites for bufferevents
// and listeners (test/regress_bufferevent.c, test/regress_listener.c)
// check, written anew against Conn and Listener on real sockets. Each test
// names the libevent test it mirrors; deliberate differences are stated
// where they show.

import (
	"bytes"
	"errors"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

// peerKinds builds the two transports libevent's tests run on: a
// socketpair and an in-memory pair.
var peerKinds = []struct {
	name string
	make func(t *testing.T, l *ev.Loop) (a, b *stream.Conn)
}{
	{"socket", func(t *testing.T, l *ev.Loop) (a, b *stream.Conn) { return connPair(t, l) }},
	{"pair", func(t *testing.T, l *ev.Loop) (a, b *stream.Conn) {
		a, b = stream.NewPair(l)
		closeAtEnd(t, a, b)
		return a, b
	}},
}

// wait runs l for about d without waiting on anything else, to let
// something that must not happen have its chance.
func wait(t *testing.T, l *ev.Loop, d time.Duration) {
	t.Helper()
	done := false
	tm := ev.NewTimer(l, d, 0, func(*ev.Timer) { done = true })
	tm.Start()
	runUntil(t, l, func() bool { return done })
}

// libevent: test_bufferevent, test_bufferevent_pair. 8333 bytes written
// by one end arrive whole at the other; its read callback moves them out
// and disables reading.
//
// Deliberate difference: a write that the socket takes at once does not
// call the write callback (doc.go, "Write is eager"); libevent's output
// always drains from the loop and calls it. The pair, which moves bytes
// from the loop, does call it.
func TestPeerBufferevent(t *testing.T) {
	for _, k := range peerKinds {
		t.Run(k.name, func(t *testing.T) {
			l := newLoop(t)
			a, b := k.make(t, l)
			if k.name == "pair" && (a.Fd() != -1 || b.Fd() != -1) {
				t.Fatalf("pair Fd = %d, %d; want -1", a.Fd(), b.Fd())
			}
			wrote, got := false, 0
			failed := func(_ *stream.Conn, w stream.What, err error) { t.Errorf("event %v: %v", w, err) }
			a.SetCallbacks(nil, func(c *stream.Conn) {
				if c.OutputLen() == 0 {
					wrote = true
				}
			}, failed)
			b.SetCallbacks(func(c *stream.Conn) {
				if c.Input().Len() == 8333 {
					var dst buffer.Buffer
					c.Input().RemoveBuffer(&dst, 8333)
					c.Disable(stream.Read)
					got = dst.Len()
				}
			}, nil, failed)
			a.Disable(stream.Read)
			b.Enable(stream.Read)
			if a.Enabled() != stream.Write || b.Enabled() != stream.Read|stream.Write {
				t.Fatalf("enabled %v, %v; want write, read|write", a.Enabled(), b.Enabled())
			}
			a.Write(pattern(8333))
			runUntil(t, l, func() bool { return got == 8333 && (wrote || k.name == "socket") })
		})
	}
}

// libevent: test_bufferevent_watermarks, test_bufferevent_pair_watermarks.
// With read watermarks 10 and 20 every read callback sees 10 to 20 bytes;
// with a write low watermark of 100 the write callback never sees more
// than 100 queued, and sees 0 at the end.
func TestPeerWatermarks(t *testing.T) {
	for _, k := range peerKinds {
		t.Run(k.name, func(t *testing.T) {
			l := newLoop(t)
			a, b := k.make(t, l)
			const total = 65000
			nread, drained := 0, false
			b.SetReadWatermarks(10, 20)
			b.SetCallbacks(func(c *stream.Conn) {
				n := c.Input().Len()
				if n < 10 || n > 20 {
					t.Errorf("read callback with %d bytes; want 10..20", n)
				}
				c.Input().Drain(n)
				if nread += n; nread == total {
					c.Disable(stream.Read)
				}
			}, nil, nil)
			a.SetWriteLowWatermark(100)
			a.SetCallbacks(nil, func(c *stream.Conn) {
				if n := c.OutputLen(); n > 100 {
					t.Errorf("write callback with %d bytes queued; want ≤ 100", n)
				} else if n == 0 {
					drained = true
				}
			}, nil)
			a.Disable(stream.Read)
			b.Enable(stream.Read)
			a.Write(pattern(total))
			runUntil(t, l, func() bool { return nread == total && (drained || a.OutputLen() == 0) })
		})
	}
}

// addX and stripX are libevent's test filters: the output one puts an
// 'x' before every byte, the input one takes it away again.
func addX(src, dst *buffer.Buffer, _ bool) error {
	for _, v := range src.Peek(-1, nil) {
		for _, c := range v {
			dst.Write([]byte{'x', c})
		}
	}
	src.Drain(src.Len())
	return nil
}

func stripX(src, dst *buffer.Buffer, _ bool) error {
	for src.Len() >= 2 {
		p := src.Pullup(2)
		if p[0] != 'x' {
			return errors.New("no x")
		}
		dst.WriteByte(p[1])
		src.Drain(2)
	}
	return nil
}

// libevent: test_bufferevent_filters, test_bufferevent_pair_filters
func TestPeerFilters(t *testing.T) {
	for _, k := range peerKinds {
		t.Run(k.name, func(t *testing.T) {
			l := newLoop(t)
			a, b := k.make(t, l)
			fa := stream.NewFilter(a, nil, addX)
			fb := stream.NewFilter(b, stripX, nil)
			closeAtEnd(t, fa, fb)
			if fa.Fd() != -1 || fb.Fd() != -1 {
				t.Fatalf("filter Fd = %d, %d; want -1", fa.Fd(), fb.Fd())
			}
			want := pattern(8333)
			var got []byte
			wrote := false
			fa.SetCallbacks(nil, func(c *stream.Conn) { wrote = wrote || c.OutputLen() == 0 },
				func(_ *stream.Conn, w stream.What, err error) { t.Errorf("writer event %v: %v", w, err) })
			collect(fb, &got, nil)
			fa.Disable(stream.Read)
			fa.Write(want)
			runUntil(t, l, func() bool { return len(got) >= len(want) && wrote })
			if !bytes.Equal(got, want) {
				t.Fatalf("filtered bytes differ (%d; want %d)", len(got), len(want))
			}
		})
	}
}

// libevent: test_bufferevent_connect (and _defer). A listener's accept
// callback writes a string on each connection and closes it once it is
// flushed; two dialed connections enable reading on Connected and find
// the whole string in their input at EOF.
//
// Deliberate difference: libevent's sender frees the bufferevent in its
// write callback once the output is empty. Here the eager Write usually
// sends everything at once and the write callback does not run; the way
// to say "close once flushed" is CloseAfterFlush.
func TestPeerConnect(t *testing.T) {
	const msg = "Now is the time for all good events to signal for the good of their protocol"
	for _, deferred := range []bool{false, true} {
		l := newLoop(t)
		ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{ReuseAddr: true}, func(_ *stream.Listener, c *stream.Conn) {
			c.SetDeferCallbacks(deferred)
			c.SetCallbacks(nil, nil, func(_ *stream.Conn, w stream.What, err error) { t.Errorf("sender event %v: %v", w, err) })
			c.WriteString(msg)
			c.CloseAfterFlush()
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := ln.Enable(); err != nil {
			t.Fatalf("Enable of an enabled listener: %v", err)
		}
		read := 0
		for range 2 {
			c, err := stream.Dial(l, "tcp", ln.Addr().String(), 0)
			if err != nil {
				t.Fatal(err)
			}
			closeAtEnd(t, c)
			c.SetDeferCallbacks(deferred)
			c.SetCallbacks(nil, nil, func(c *stream.Conn, w stream.What, err error) {
				switch {
				case w&stream.Error != 0:
					t.Errorf("connector error %v: %v", w, err)
				case w&stream.Connected != 0:
					c.Enable(stream.Read)
				case w&stream.EOF != 0:
					buf := make([]byte, 512)
					n, _ := c.Input().Read(buf)
					if string(buf[:n]) != msg {
						t.Errorf("read %q at EOF; want %q", buf[:n], msg)
					}
					read++
					c.Close()
				}
			})
		}
		runUntil(t, l, func() bool { return read == 2 })
		ln.Close()
	}
}

// libevent: test_bufferevent_connect_fail. A port bound but not listening
// refuses: the event callback gets an Error, never Connected.
func TestPeerConnectFail(t *testing.T) {
	l := newLoop(t)
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, _ := unix.Getsockname(fd)
	port := sa.(*unix.SockaddrInet4).Port
	c, err := stream.Dial(l, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 0)
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, c)
	var what stream.What
	c.SetCallbacks(nil, nil, func(_ *stream.Conn, w stream.What, err error) { what = w })
	runUntil(t, l, func() bool { return what != 0 })
	if what&stream.Error == 0 || what&stream.Connected != 0 || !c.Closed() {
		t.Fatalf("event %v, closed %v; want an error and the connection closed", what, c.Closed())
	}
}

// libevent: test_bufferevent_timeouts. A read timeout fires once, as
// Reading|Timeout, and disables reading; it does not fire again until
// Enable; traffic within the timeout keeps pushing it back.
func TestPeerTimeouts(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	var events []stream.What
	a.SetCallbacks(func(c *stream.Conn) { c.Input().Drain(c.Input().Len()) }, nil,
		func(_ *stream.Conn, w stream.What, err error) {
			events = append(events, w)
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("timeout error %v; want os.ErrDeadlineExceeded", err)
			}
		})
	// The timeout is long against the 10 ms traffic below, so that only
	// a loop stalled for a quarter second could see it fire meanwhile.
	a.SetTimeouts(250*time.Millisecond, 0)
	a.Enable(stream.Read)
	runUntil(t, l, func() bool { return len(events) > 0 })
	wait(t, l, 300*time.Millisecond)
	if len(events) != 1 || events[0] != stream.Reading|stream.Timeout {
		t.Fatalf("events %v; want one reading|timeout", events)
	}
	// Traffic every 10 ms for 300 ms keeps the timeout away.
	a.Enable(stream.Read)
	sent := 0
	tick := ev.NewTimer(l, 10*time.Millisecond, 10*time.Millisecond, func(*ev.Timer) {
		b.WriteString("k")
		sent++
	})
	tick.Start()
	runUntil(t, l, func() bool { return sent >= 30 })
	tick.Stop()
	if len(events) != 1 {
		t.Fatalf("events %v while the peer was writing; want no new timeout", events)
	}
	runUntil(t, l, func() bool { return len(events) == 2 })
	a.SetTimeouts(0, 0)
}

// libevent: test_bufferevent_pair_flush (BEV_FINISHED) and the close
// after flush of regress_bufferevent.c: the writer's remaining bytes all
// arrive and then the reader sees EOF, for CloseWrite and
// CloseAfterFlush alike.
func TestPeerFlushFinished(t *testing.T) {
	for _, k := range peerKinds {
		for _, how := range []string{"CloseWrite", "CloseAfterFlush"} {
			t.Run(k.name+"/"+how, func(t *testing.T) {
				l := newLoop(t)
				a, b := k.make(t, l)
				want := pattern(300000)
				var got []byte
				var events []stream.What
				collect(b, &got, &events)
				a.Write(want)
				if how == "CloseWrite" {
					if err := a.CloseWrite(); err != nil {
						t.Fatal(err)
					}
				} else {
					a.CloseAfterFlush()
				}
				runUntil(t, l, func() bool { return len(events) > 0 })
				if !bytes.Equal(got, want) || events[0] != stream.Reading|stream.EOF {
					t.Fatalf("got %d bytes then %v; want %d then reading|eof", len(got), events, len(want))
				}
			})
		}
	}
}

// libevent: the readcb/eventcb order of regress_bufferevent.c's EOF
// tests, with and without BEV_OPT_DEFER_CALLBACKS. Bytes sent just before
// the peer closes are delivered to the read callback before the EOF
// event, and a read callback that disables reading gets no more calls.
//
// Deliberate difference: libevent's pair hands written bytes to the other
// end inside bufferevent_write, so freeing the writer right after still
// delivers them. NewPair moves bytes from the loop and Close drops what is
// queued (doc.go), so the pair case closes with CloseAfterFlush.
func TestPeerDataBeforeEOFAndDisableInReadCallback(t *testing.T) {
	for _, k := range peerKinds {
		for _, deferred := range []bool{false, true} {
			t.Run(k.name+"/deferred="+strconv.FormatBool(deferred), func(t *testing.T) {
				l := newLoop(t)
				a, b := k.make(t, l)
				b.SetDeferCallbacks(deferred)
				var order []string
				b.SetCallbacks(func(c *stream.Conn) {
					order = append(order, "read:"+string(c.Input().Pullup(-1)))
					c.Input().Drain(c.Input().Len())
				}, nil, func(_ *stream.Conn, w stream.What, _ error) { order = append(order, w.String()) })
				b.Enable(stream.Read)
				a.WriteString("hello")
				if k.name == "pair" {
					a.CloseAfterFlush()
				} else {
					a.Close()
				}
				runUntil(t, l, func() bool { return len(order) >= 2 })
				if order[0] != "read:hello" || order[1] != (stream.Reading|stream.EOF).String() {
					t.Fatalf("callbacks %q; want the data, then reading|EOF", order)
				}
			})
		}
	}
	l := newLoop(t)
	a, b := connPair(t, l)
	calls := 0
	b.SetCallbacks(func(c *stream.Conn) {
		calls++
		c.Disable(stream.Read)
	}, nil, nil)
	b.Enable(stream.Read)
	a.WriteString("one")
	runUntil(t, l, func() bool { return calls == 1 })
	a.WriteString("two")
	wait(t, l, 50*time.Millisecond)
	if calls != 1 {
		t.Fatalf("read callback ran %d times after Disable(Read) in it; want 1", calls)
	}
}

// libevent: test-ratelim.c (bufferevent_set_rate_limit). The limit is a
// ceiling: moving N bytes at rate R with burst B takes at least (N-B)/R.
func TestPeerRateLimitFloor(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	const rate, burst, n = 200 << 10, 16 << 10, 96 << 10
	b.SetRateLimit(stream.RateLimit{ReadRate: rate, ReadBurst: burst})
	var got []byte
	collect(b, &got, nil)
	start := time.Now()
	a.Write(pattern(n))
	runUntil(t, l, func() bool { return len(got) == n })
	floor := time.Duration(float64(n-burst) / rate * float64(time.Second))
	if d := time.Since(start); d < floor*9/10 {
		t.Fatalf("%d bytes at %d B/s (burst %d) took %v; want at least %v", n, rate, burst, d, floor)
	}
	b.SetRateLimit(stream.RateLimit{})
}

// dialN dials n connections to ln, closed at the end of the test.
func dialN(t *testing.T, l *ev.Loop, ln *stream.Listener, n int) {
	t.Helper()
	for range n {
		c, err := stream.Dial(l, "tcp", ln.Addr().String(), 0)
		if err != nil {
			t.Fatal(err)
		}
		closeAtEnd(t, c)
	}
}

// libevent: regress_listener.c's disable/enable cases. A listener
// disabled from its accept callback accepts nothing more, even with
// connections waiting, until Enable.
func TestPeerListenerDisableInAccept(t *testing.T) {
	l := newLoop(t)
	var accepted []*stream.Conn
	ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{}, func(ln *stream.Listener, c *stream.Conn) {
		accepted = append(accepted, c)
		closeAtEnd(t, c)
		ln.Disable()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ln.Disable()
	dialN(t, l, ln, 3)
	wait(t, l, 50*time.Millisecond) // the connections complete in the backlog
	if len(accepted) != 0 {
		t.Fatalf("disabled listener accepted %d", len(accepted))
	}
	for want := 1; want <= 3; want++ {
		ln.Enable()
		runUntil(t, l, func() bool { return len(accepted) >= want })
		wait(t, l, 20*time.Millisecond)
		if len(accepted) != want {
			t.Fatalf("accepted %d after Enable #%d; want %d (Disable in the callback stops the batch)", len(accepted), want, want)
		}
	}
}

// libevent: regress_listener.c, immediate close (the accept callback
// frees the listener) and close_accepted_fd (it closes the connection).
func TestPeerListenerCloseInAccept(t *testing.T) {
	l := newLoop(t)
	accepted := 0
	ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{}, func(ln *stream.Listener, c *stream.Conn) {
		accepted++
		c.Close()
		if err := ln.Close(); err != nil {
			t.Errorf("Close in the accept callback: %v", err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	dialN(t, l, ln, 3)
	runUntil(t, l, func() bool { return accepted > 0 })
	wait(t, l, 20*time.Millisecond)
	if accepted != 1 || ln.Fd() != -1 || ln.Addr() != nil {
		t.Fatalf("accepted %d, Fd %d, Addr %v; want 1, -1, nil", accepted, ln.Fd(), ln.Addr())
	}
	if err := ln.Close(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("second Close = %v; want net.ErrClosed", err)
	}
	if err := ln.Enable(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Enable after Close = %v; want net.ErrClosed", err)
	}
}

// libevent: regress_listener.c, error callback. A socket that is readable
// but not listening makes accept fail; the error callback is told, with
// an *net.OpError, and may close the listener.
func TestPeerListenerErrorCallback(t *testing.T) {
	l := newLoop(t)
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[1])
	ln, err := stream.NewListener(l, fds[0], func(*stream.Listener, *stream.Conn) { t.Error("accepted from a socketpair") })
	if err != nil {
		unix.Close(fds[0])
		t.Fatal(err)
	}
	var got error
	ln.SetErrorFunc(func(ln *stream.Listener, err error) {
		got = err
		ln.Close()
	})
	unix.Write(fds[1], []byte("x"))
	runUntil(t, l, func() bool { return got != nil })
	var op *net.OpError
	if !errors.As(got, &op) || op.Op != "accept" || op.Net != "unix" {
		t.Fatalf("error %v; want an accept *net.OpError on unix", got)
	}
}
