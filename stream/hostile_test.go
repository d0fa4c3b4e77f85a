package stream_test

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

// TestPairCloseAfterFlushPeerGone closes one end of a pair while the other
// has output queued for it; the other's CloseAfterFlush (and Flush, and
// Close) must then finish rather than wait forever for a reader that is
// gone.
func TestPairCloseAfterFlushPeerGone(t *testing.T) {
	tests := []struct {
		name string
		end  func(c *stream.Conn)
	}{
		{"CloseAfterFlush", func(c *stream.Conn) { c.CloseAfterFlush() }},
		{"CloseWrite", func(c *stream.Conn) { c.CloseWrite() }},
		{"Flush then Close", func(c *stream.Conn) { c.Flush(); c.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLoop(t)
			a, b := stream.NewPair(l)
			closeAtEnd(t, a, b)
			var eventsA []stream.What
			a.SetCallbacks(nil, nil, func(_ *stream.Conn, what stream.What, _ error) { eventsA = append(eventsA, what) })
			a.Write(pattern(100 << 10)) // b does not read: it stays queued
			b.Close()
			tt.end(a)
			runUntil(t, l, func() bool { return l.PendingCount() == 0 })
			l.Run(ev.RunNoWait)
			if tt.name == "CloseAfterFlush" && !a.Closed() {
				t.Fatalf("CloseAfterFlush with the peer gone: still open with %d bytes queued", a.OutputLen())
			}
			if !a.Closed() {
				a.Close()
			}
		})
	}
}

// TestPairBothCloseWithDataQueued closes both ends of pairs in every order
// while each has data queued for the other, from the loop and from each
// other's callbacks: no callback after Close, no panic, nothing active.
func TestPairBothCloseWithDataQueued(t *testing.T) {
	l := newLoop(t)
	for i := range 4 {
		a, b := stream.NewPair(l)
		closeAtEnd(t, a, b)
		calls := 0
		cb := func(c *stream.Conn, other *stream.Conn) {
			if c.Closed() {
				t.Errorf("callback on a closed Conn")
			}
			calls++
			if i%2 == 0 {
				other.Close()
			}
			c.Close()
		}
		a.SetCallbacks(func(c *stream.Conn) { cb(c, b) }, func(c *stream.Conn) { cb(c, b) },
			func(c *stream.Conn, _ stream.What, _ error) { cb(c, b) })
		b.SetCallbacks(func(c *stream.Conn) { cb(c, a) }, func(c *stream.Conn) { cb(c, a) },
			func(c *stream.Conn, _ stream.What, _ error) { cb(c, a) })
		a.Enable(stream.Read)
		b.Enable(stream.Read)
		a.Write(pattern(1000))
		b.Write(pattern(2000))
		if i >= 2 {
			a.Close()
		}
		runUntil(t, l, func() bool { return a.Closed() && b.Closed() })
		for range 3 {
			l.Run(ev.RunNoWait)
		}
		if err := a.Close(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("second Close: %v; want net.ErrClosed", err)
		}
	}
}

// TestCloseInEveryCallbackTwice closes a socket Conn from its read, write
// and event callbacks (twice in a row), with and without deferred
// callbacks: no callback runs afterwards and the second Close returns
// net.ErrClosed.
func TestCloseInEveryCallbackTwice(t *testing.T) {
	for _, deferred := range []bool{false, true} {
		for _, where := range []string{"read", "write", "eof", "error"} {
			t.Run(where, func(t *testing.T) {
				l := newLoop(t)
				a, b := connPair(t, l)
				a.SetDeferCallbacks(deferred)
				calls, after := 0, 0
				var second error
				closeNow := func(c *stream.Conn) {
					if c.Closed() {
						after++
						return
					}
					calls++
					c.Close()
					second = c.Close()
				}
				a.SetCallbacks(
					func(c *stream.Conn) {
						if where == "read" {
							closeNow(c)
						}
					},
					func(c *stream.Conn) {
						if where == "write" {
							closeNow(c)
						}
					},
					func(c *stream.Conn, what stream.What, _ error) {
						if where == "eof" && what&stream.EOF != 0 || where == "error" && what&stream.Error != 0 {
							closeNow(c)
						}
					})
				a.Enable(stream.Read)
				switch where {
				case "read":
					b.Write([]byte("hello"))
				case "write":
					b.SetCallbacks(nil, nil, nil)
					a.Write(pattern(4 << 20)) // more than the socket takes: queued, then written by the loop
					b.SetCallbacks(func(c *stream.Conn) { c.Input().Drain(c.Input().Len()) }, nil, nil)
					b.Enable(stream.Read)
				case "eof":
					b.CloseWrite()
				case "error":
					a.Write(pattern(4 << 20))
					b.Close() // unread data: the kernel resets a
				}
				runUntil(t, l, func() bool { return a.Closed() })
				for range 3 {
					l.Run(ev.RunNoWait)
				}
				if where == "error" && calls == 0 {
					// The reset may come as EOF first on a Unix socket;
					// what matters is that a closed, once.
					return
				}
				if calls != 1 || after != 0 {
					t.Errorf("closing callback ran %d times, callbacks after Close %d; want 1, 0", calls, after)
				}
				if !errors.Is(second, net.ErrClosed) {
					t.Errorf("second Close in the callback: %v; want net.ErrClosed", second)
				}
			})
		}
	}
}

// TestCloseOtherPendingConn has two connections readable in the same pass;
// the first one's read callback closes the second, whose callback must not
// run.
func TestCloseOtherPendingConn(t *testing.T) {
	l := newLoop(t)
	a1, b1 := connPair(t, l)
	a2, b2 := connPair(t, l)
	reads := map[*stream.Conn]int{}
	other := func(c *stream.Conn) *stream.Conn {
		if c == a1 {
			return a2
		}
		return a1
	}
	for _, c := range []*stream.Conn{a1, a2} {
		c.SetCallbacks(func(c *stream.Conn) {
			if c.Closed() {
				t.Errorf("read callback on a closed Conn")
			}
			reads[c]++
			other(c).Close()
			c.Input().Drain(c.Input().Len())
		}, nil, nil)
		c.Enable(stream.Read)
	}
	b1.Write([]byte("x"))
	b2.Write([]byte("y"))
	runUntil(t, l, func() bool { return len(reads) > 0 })
	for range 3 {
		l.Run(ev.RunNoWait)
	}
	if got := len(reads); got != 1 {
		t.Errorf("read callbacks ran on %d connections; want 1 (the other was closed while pending)", got)
	}
}

// TestConnCloseAfterLoopClose closes the loop from a read callback, then
// the connections: no panic, every descriptor closed.
func TestConnCloseAfterLoopClose(t *testing.T) {
	before := openFDs(t)
	l, err := ev.NewLoop()
	if err != nil {
		t.Fatal(err)
	}
	a, b := connPair(t, l)
	a.SetCallbacks(func(c *stream.Conn) {
		l.Close()
		c.Write([]byte("after")) // the descriptor is still open: fine
	}, nil, nil)
	a.Enable(stream.Read)
	b.Write([]byte("x"))
	if err := l.Run(ev.RunDefault); err != nil {
		t.Fatal(err)
	}
	if !l.Closed() {
		t.Fatal("loop not closed")
	}
	if err := a.Close(); err != nil {
		t.Errorf("Close of a Conn after its loop: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("Close of a Conn after its loop: %v", err)
	}
	if got := openFDs(t); got != before {
		t.Errorf("descriptors: %d before, %d after", before, got)
	}
}

// TestFilterCloseAfterFlushHeldOutput writes to a filter whose output
// function holds bytes back until it has 4 (ErrNeedMore) and emits the
// rest only when flushing: CloseAfterFlush must flush the filter and
// close, and the peer must get every byte.
func TestFilterCloseAfterFlushHeldOutput(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	out := func(src, dst *buffer.Buffer, flush bool) error {
		n := src.Len() / 4 * 4
		if flush {
			n = src.Len()
		}
		if n == 0 {
			return stream.ErrNeedMore
		}
		src.RemoveBuffer(dst, n)
		return nil
	}
	f := stream.NewFilter(a, nil, out)
	var got []byte
	var events []stream.What
	collect(b, &got, &events)
	f.WriteString("abcdefg") // "abcd" passes, "efg" is held
	runUntil(t, l, func() bool { return len(got) >= 4 })
	f.CloseAfterFlush()
	runUntil(t, l, func() bool { return len(events) > 0 })
	if string(got) != "abcdefg" || events[0] != stream.Reading|stream.EOF {
		t.Errorf("peer got %q then %v; want %q then reading|eof", got, events, "abcdefg")
	}
	if !f.Closed() || !a.Closed() {
		t.Errorf("filter closed %v, under closed %v; want both", f.Closed(), a.Closed())
	}
}

// TestFilterErrorsAtOddPlaces makes the input filter fail on the n-th call
// for several n, with the error returned after it consumed part of its
// input and while flushing at EOF: one Error event with that error, the
// filter and the Conn under it closed, no callback afterwards.
func TestFilterErrorsAtOddPlaces(t *testing.T) {
	errBoom := errors.New("boom")
	for failAt := 1; failAt <= 4; failAt++ {
		l := newLoop(t)
		a, b := connPair(t, l)
		calls := 0
		in := func(src, dst *buffer.Buffer, flush bool) error {
			calls++
			if calls == failAt || flush {
				src.Drain(src.Len() / 2)
				return errBoom
			}
			if src.Len() < 3 {
				return stream.ErrNeedMore
			}
			src.RemoveBuffer(dst, src.Len())
			return nil
		}
		f := stream.NewFilter(a, in, nil)
		var errs []error
		after := 0
		f.SetCallbacks(func(c *stream.Conn) {
			if c.Closed() {
				after++
			}
			c.Input().Drain(c.Input().Len())
		}, nil, func(c *stream.Conn, what stream.What, err error) {
			if c.Closed() {
				after++
			}
			if what&stream.Error != 0 {
				errs = append(errs, err)
			}
		})
		f.Enable(stream.Read)
		for _, s := range []string{"a", "bc", "defg", "h"} {
			b.WriteString(s)
			l.Run(ev.RunNoWait)
			l.Run(ev.RunNoWait)
		}
		b.CloseWrite()
		runUntil(t, l, func() bool { return f.Closed() })
		l.Run(ev.RunNoWait)
		if len(errs) != 1 || !errors.Is(errs[0], errBoom) || after != 0 || !a.Closed() {
			t.Errorf("fail at call %d: errors %v, callbacks after close %d, under closed %v; want [boom], 0, true",
				failAt, errs, after, a.Closed())
		}
	}
}

// TestWriteAfterPeerGone writes to a socket whose peer closed: EPIPE (or
// ECONNRESET) as an error, once to the event callback, and no SIGPIPE
// ends the process.
func TestWriteAfterPeerGone(t *testing.T) {
	l := newLoop(t)
	a, b := tcpPair(t, l)
	var errs []error
	a.SetCallbacks(nil, nil, func(_ *stream.Conn, what stream.What, err error) {
		if what&stream.Error != 0 {
			errs = append(errs, err)
		}
	})
	b.Close()
	var werr error
	for i := 0; i < 100 && werr == nil; i++ {
		_, werr = a.Write(bytes.Repeat([]byte("x"), 1000))
		l.Run(ev.RunNoWait)
	}
	runUntil(t, l, func() bool { return a.Closed() })
	if len(errs) != 1 || !errors.Is(errs[0], syscall.EPIPE) && !errors.Is(errs[0], syscall.ECONNRESET) {
		t.Errorf("errors %v; want one EPIPE or ECONNRESET", errs)
	}
}

// TestDialAndListenErrorsLeakNothing dials and listens where it must fail,
// in every way, and counts descriptors: each failure is an error (returned
// or one Error event), the Conn ends closed, and no descriptor is left.
func TestDialAndListenErrorsLeakNothing(t *testing.T) {
	l := newLoop(t)
	before := openFDs(t)
	refused := freePort(t)
	long := "/tmp/" + strings.Repeat("x", 200)
	dials := []struct{ network, address string }{
		{"tcp", refused},
		{"tcp", "10.255.255.1:9"}, // unroutable: times out, or unreachable at once
		{"tcp", "127.0.0.1"},
		{"tcp", "127.0.0.1:99999"},
		{"tcp", "[::1"},
		{"tcp", ":"},
		{"tcp", "127.0.0.1:-1"},
		{"udp", "127.0.0.1:80"},
		{"unix", filepath.Join(t.TempDir(), "none")},
		{"unix", long},
		{"unix", ""},
	}
	for _, d := range dials {
		c, err := stream.DialWith(l, d.network, d.address, stream.DialConfig{Timeout: 50 * time.Millisecond})
		if err != nil {
			if c != nil {
				t.Errorf("Dial(%q, %q) returned a Conn with the error %v", d.network, d.address, err)
			}
			continue
		}
		var events []stream.What
		c.SetCallbacks(nil, nil, func(c *stream.Conn, what stream.What, err error) {
			if what == stream.Connected {
				c.Close() // a sandbox that answers for every address
				events = append(events, stream.Error)
				return
			}
			events = append(events, what)
			if err == nil {
				t.Errorf("Dial(%q, %q): event %v without an error", d.network, d.address, what)
			}
		})
		runUntil(t, l, func() bool { return c.Closed() })
		l.Run(ev.RunNoWait)
		if len(events) != 1 || events[0]&stream.Error == 0 {
			t.Errorf("Dial(%q, %q): events %v; want one error", d.network, d.address, events)
		}
	}
	busy, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{}, func(*stream.Listener, *stream.Conn) {})
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	ro := filepath.Join(t.TempDir(), "ro")
	os.Mkdir(ro, 0o500)
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	listens := []struct{ network, address string }{
		{"tcp", busy.Addr().String()},
		{"tcp", "127.0.0.1"},
		{"tcp", "256.0.0.1:0"},
		{"tcp", "example.invalid:0"},
		{"udp", "127.0.0.1:0"},
		{"unix", long},
		{"unix", file},                        // exists: EADDRINUSE
		{"unix", filepath.Join(file, "sock")}, // a file as directory: ENOTDIR
	}
	if os.Geteuid() != 0 {
		listens = append(listens, struct{ network, address string }{"unix", filepath.Join(ro, "sock")})
	}
	for _, a := range listens {
		ln, err := stream.Listen(l, a.network, a.address, stream.ListenConfig{}, func(*stream.Listener, *stream.Conn) {})
		if err == nil {
			ln.Close()
			t.Errorf("Listen(%q, %q) succeeded; want an error", a.network, a.address)
			continue
		}
		var op *net.OpError
		if !errors.As(err, &op) {
			t.Errorf("Listen(%q, %q) = %v; want a *net.OpError", a.network, a.address, err)
		}
	}
	if _, err := os.Stat(file); err != nil {
		t.Errorf("a failed unix Listen removed the file in its way: %v", err)
	}
	busy.Close()
	if got := openFDs(t); got != before {
		t.Errorf("descriptors: %d before the failures, %d after", before, got)
	}
}

// TestCloseAfterFlushSlowReader queues 8 MB and calls CloseAfterFlush
// against a peer that reads 1 KB per readiness: every byte arrives, in
// order, then EOF; the writer gets no callback.
func TestCloseAfterFlushSlowReader(t *testing.T) {
	l := newLoop(t)
	a, b := tcpPair(t, l)
	fd := b.Fd()
	want := pattern(8 << 20)
	calls := 0
	a.SetCallbacks(func(*stream.Conn) { calls++ }, func(*stream.Conn) { calls++ },
		func(*stream.Conn, stream.What, error) { calls++ })
	a.Write(want)
	a.CloseAfterFlush()
	var got []byte
	eof := false
	buf := make([]byte, 1024)
	r := ev.NewIO(l, fd, ev.Read, func(w *ev.IO, _ ev.Events) {
		n, err := syscall.Read(fd, buf)
		switch {
		case n > 0:
			got = append(got, buf[:n]...)
		case n == 0 && err == nil:
			eof = true
			w.Stop()
		case err != syscall.EAGAIN:
			t.Errorf("read: %v", err)
			w.Stop()
		}
	})
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	runUntil(t, l, func() bool { return eof || !r.Active() })
	if !bytes.Equal(got, want) {
		t.Errorf("reader got %d bytes (equal %v); want the %d written", len(got), bytes.Equal(got, want[:min(len(got), len(want))]), len(want))
	}
	if !a.Closed() || calls != 0 {
		t.Errorf("writer closed %v, callbacks %d; want true, 0", a.Closed(), calls)
	}
}

// TestStressToggles runs connections (bounded for the race detector) that
// send random-sized writes while the receivers toggle reading, watermarks
// and rate limits at random from their callbacks and from a timer: every
// byte arrives, in order.
func TestStressToggles(t *testing.T) {
	const conns = 100
	const perConn = 64 << 10
	l := newLoop(t)
	rng := rand.New(rand.NewPCG(1, 2))
	type side struct {
		a, b   *stream.Conn
		sent   int
		got    []byte
		want   []byte
		closed bool
	}
	sides := make([]*side, conns)
	for i := range sides {
		s := &side{want: pattern(perConn + i)}
		s.a, s.b = connPair(t, l)
		s.b.SetCallbacks(func(c *stream.Conn) {
			in := c.Input()
			k := in.Len()
			if rng.IntN(3) == 0 {
				k = rng.IntN(k + 1) // leave some for later
			}
			n := len(s.got)
			s.got = append(s.got, make([]byte, k)...)
			in.Read(s.got[n:])
			switch rng.IntN(8) {
			case 0:
				c.Disable(stream.Read)
			case 1:
				low := rng.IntN(64)
				c.SetReadWatermarks(low, low+rng.IntN(4096)+1)
			case 2:
				c.SetReadWatermarks(0, 0)
			case 3:
				c.SetRateLimit(stream.RateLimit{ReadRate: 1 << 20, Tick: time.Millisecond})
			case 4:
				c.SetRateLimit(stream.RateLimit{})
			}
		}, nil, func(c *stream.Conn, what stream.What, err error) {
			if what&stream.EOF != 0 {
				// What is left below the low watermark is ours.
				in := c.Input()
				n := len(s.got)
				s.got = append(s.got, make([]byte, in.Len())...)
				in.Read(s.got[n:])
				s.closed = true
				c.Close()
			} else {
				t.Errorf("conn %d: event %v %v", i, what, err)
			}
		})
		s.b.Enable(stream.Read)
		s.a.SetCallbacks(nil, nil, func(c *stream.Conn, what stream.What, err error) {
			t.Errorf("writer %d: event %v %v", i, what, err)
		})
		sides[i] = s
	}
	// Writers send random-sized pieces from a timer; the same timer
	// re-enables reading at random.
	tick := ev.NewTimer(l, 0, time.Millisecond, func(*ev.Timer) {
		for _, s := range sides {
			if s.sent < len(s.want) && s.a.OutputLen() < 256<<10 {
				n := min(len(s.want)-s.sent, 1+rng.IntN(9000))
				s.a.Write(s.want[s.sent : s.sent+n])
				s.sent += n
				if s.sent == len(s.want) {
					s.a.CloseAfterFlush()
				}
			}
			if !s.closed && rng.IntN(4) == 0 {
				s.b.Enable(stream.Read)
			}
			if !s.closed && rng.IntN(16) == 0 {
				s.b.SetReadWatermarks(0, 0)
				s.b.SetRateLimit(stream.RateLimit{})
			}
		}
	})
	tick.Start()
	defer tick.Stop()
	runUntil(t, l, func() bool {
		for _, s := range sides {
			if !s.closed {
				return false
			}
		}
		return true
	})
	for i, s := range sides {
		if !bytes.Equal(s.got, s.want) {
			t.Errorf("conn %d: got %d bytes, want %d (equal prefix %v)", i, len(s.got), len(s.want), bytes.HasPrefix(s.want, s.got))
		}
	}
}

// TestHugeRateLimits sets rates so high that rate × tick overflows an
// int64 (math.MaxInt: "as fast as it goes"): data must flow at full
// speed, not at the 1 byte per tick a wrapped rate gave.
func TestHugeRateLimits(t *testing.T) {
	for _, rate := range []int{math.MaxInt, math.MaxInt / 2, math.MaxInt / 3} {
		l := newLoop(t)
		a, b := connPair(t, l)
		cfg := stream.RateLimit{ReadRate: rate, WriteRate: rate, Tick: time.Second}
		a.SetRateLimit(cfg)
		b.SetRateLimit(cfg)
		var got []byte
		collect(b, &got, nil)
		want := pattern(1 << 20)
		a.Write(want)
		for range 3 { // spend and refill, more than once
			runUntil(t, l, func() bool { return len(got) == len(want) })
			got = got[:0]
			a.Write(want)
		}
		runUntil(t, l, func() bool { return len(got) == len(want) })
		a.Close()
		b.Close()
	}
}

// TestLoopCloseInAccept closes the loop from the accept callback while
// more connections wait in the backlog: no accept callback runs after
// Close, and every descriptor is closed once the test closes what it
// was given.
func TestLoopCloseInAccept(t *testing.T) {
	before := openFDs(t)
	l, err := ev.NewLoop()
	if err != nil {
		t.Fatal(err)
	}
	var accepted []*stream.Conn
	after := 0
	ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{}, func(_ *stream.Listener, c *stream.Conn) {
		if l.Depth() == 0 || len(accepted) > 0 {
			after++
		}
		accepted = append(accepted, c)
		l.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	var clients []net.Conn
	for range 5 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	if err := l.Run(ev.RunDefault); err != nil {
		t.Fatal(err)
	}
	if !l.Closed() || after != 0 {
		t.Errorf("loop closed %v, accept callbacks after Close %d; want true, 0", l.Closed(), after)
	}
	for _, c := range accepted {
		c.Close()
	}
	ln.Close()
	for _, c := range clients {
		c.Close()
	}
	if got := openFDs(t); got != before {
		t.Errorf("descriptors: %d before, %d after", before, got)
	}
}

// TestLoopCloseInConnCallbacks closes the loop from the first of several
// callbacks that one event calls in a row (a pair's transfer: the reader's
// read callback then the writer's write callback; deferred callbacks: read,
// write, then events): none of the others runs.
func TestLoopCloseInConnCallbacks(t *testing.T) {
	for _, kind := range []string{"pair", "deferred"} {
		t.Run(kind, func(t *testing.T) {
			l, err := ev.NewLoop()
			if err != nil {
				t.Fatal(err)
			}
			var a, b *stream.Conn
			if kind == "pair" {
				a, b = stream.NewPair(l)
			} else {
				a, b = connPair(t, l)
				a.SetDeferCallbacks(true)
				b.SetDeferCallbacks(true)
			}
			calls := 0
			first := func(c *stream.Conn) {
				calls++
				if calls == 1 {
					l.Close()
				}
			}
			for _, c := range []*stream.Conn{a, b} {
				c.SetCallbacks(first, first, func(c *stream.Conn, _ stream.What, _ error) { first(c) })
				c.Enable(stream.Read)
			}
			a.Write(pattern(100))
			b.Write(pattern(100))
			if err := l.Run(ev.RunDefault); err != nil {
				t.Fatal(err)
			}
			if !l.Closed() || calls != 1 {
				t.Errorf("loop closed %v, callbacks %d; want true, 1", l.Closed(), calls)
			}
			a.Close()
			b.Close()
		})
	}
}
