package stream_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

func TestReadHighWatermark(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	const high = 1000
	b.SetReadWatermarks(0, high)
	maxSeen, calls := 0, 0
	b.SetCallbacks(func(c *stream.Conn) {
		calls++
		maxSeen = max(maxSeen, c.Input().Len())
	}, nil, nil)
	b.Enable(stream.Read)
	a.Write(pattern(100000))
	runUntil(t, l, func() bool { return b.Input().Len() >= high })
	// Reading stopped: more loop iterations read nothing.
	for range 5 {
		l.Run(ev.RunNoWait)
	}
	if n := b.Input().Len(); n != high || maxSeen != high {
		t.Fatalf("input holds %d bytes (max seen %d); want it stopped at the high watermark %d", n, maxSeen, high)
	}
	// Draining from outside the read callback resumes reading.
	total := 0
	drain := ev.NewTimer(l, time.Millisecond, time.Millisecond, func(*ev.Timer) {
		n := b.Input().Len()
		total += n
		b.Input().Drain(n)
	})
	drain.Start()
	defer drain.Stop()
	runUntil(t, l, func() bool { return total >= 100000 })
	if total != 100000 {
		t.Fatalf("drained %d bytes; want 100000", total)
	}
}

func TestReadLowWatermark(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	b.SetReadWatermarks(10, 0)
	var lens []int
	b.SetCallbacks(func(c *stream.Conn) {
		lens = append(lens, c.Input().Len())
		c.Input().Drain(c.Input().Len())
	}, nil, nil)
	b.Enable(stream.Read)
	a.WriteString("12345")
	for range 5 {
		l.Run(ev.RunNoWait)
	}
	if len(lens) != 0 {
		t.Fatalf("read callback ran with %v bytes; want no call below the low watermark", lens)
	}
	a.WriteString("67890")
	runUntil(t, l, func() bool { return len(lens) > 0 })
	if lens[0] != 10 {
		t.Fatalf("read callback saw %d bytes; want 10", lens[0])
	}
}

func TestWatermarkPanics(t *testing.T) {
	l := newLoop(t)
	a, _ := connPair(t, l)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"negative low", func() { a.SetReadWatermarks(-1, 0) }},
		{"negative high", func() { a.SetReadWatermarks(0, -1) }},
		{"low above high", func() { a.SetReadWatermarks(10, 5) }},
		{"negative write low", func() { a.SetWriteLowWatermark(-1) }},
		{"negative timeout", func() { a.SetTimeouts(-1, 0) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); len(s) < 8 || s[:8] != "stream: " {
					t.Errorf("panic %v; want a \"stream: ...\" panic", r)
				}
			}()
			tc.f()
		})
	}
}

// TestPartialConsumption leaves part of each read in the input: the rest
// must be kept (copied out of the loop's shared read buffer) and come
// first in the next callback, byte-exact.
func TestPartialConsumption(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	var got []byte
	b.SetCallbacks(func(c *stream.Conn) {
		in := c.Input()
		p := make([]byte, (in.Len()+1)/2)
		in.Read(p)
		got = append(got, p...)
	}, nil, nil)
	b.Enable(stream.Read)
	want := pattern(1 << 20)
	for off := 0; off < len(want); off += 10007 {
		a.Write(want[off:min(off+10007, len(want))])
		l.Run(ev.RunNoWait)
	}
	// A callback runs only when bytes arrive: take the last half-left
	// bytes from outside.
	runUntil(t, l, func() bool { return len(got)+b.Input().Len() == len(want) })
	rest := make([]byte, b.Input().Len())
	b.Input().Read(rest)
	got = append(got, rest...)
	if !bytes.Equal(got, want) {
		t.Fatal("bytes differ")
	}
}

// TestMovedInput is the lent-storage rule: a read callback that moves its
// input into a Buffer of its own keeps valid bytes there while later
// reads come in, whether it keeps them across callbacks or consumes them
// before returning.
func TestMovedInput(t *testing.T) {
	tests := []struct {
		name    string
		consume bool // drain the moved bytes inside the callback
	}{
		{"kept across reads", false},
		{"consumed in the callback", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLoop(t)
			a, b := connPair(t, l)
			var kept buffer.Buffer
			var got []byte
			reads := 0
			b.SetCallbacks(func(c *stream.Conn) {
				reads++
				kept.AppendBuffer(c.Input())
				if tt.consume {
					p := make([]byte, kept.Len())
					kept.Read(p)
					got = append(got, p...)
				}
			}, nil, nil)
			b.Enable(stream.Read)
			want := pattern(64 * 50)
			for i := 0; i < len(want); i += 64 {
				// One message per read: the next is written only once
				// the previous one was delivered.
				r := reads
				a.Write(want[i : i+64])
				runUntil(t, l, func() bool { return reads > r })
			}
			if !tt.consume {
				got = make([]byte, kept.Len())
				kept.Read(got)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("after %d reads the moved bytes differ from those sent", reads)
			}
		})
	}
}

func TestNewConnBadFd(t *testing.T) {
	l := newLoop(t)
	if _, err := stream.NewConn(l, -1); err == nil {
		t.Error("NewConn(-1) succeeded")
	}
}

// TestReadCallbackChangesConn: the first read callback of a connection
// without extras gives it some (watermarks, a timeout, a rate limit,
// deferred callbacks) or moves part of its input away, and consumes only
// part of what it was shown; every byte must still arrive once, in order.
func TestReadCallbackChangesConn(t *testing.T) {
	tests := []struct {
		name  string
		first func(c *stream.Conn, own *buffer.Buffer)
	}{
		{"nothing", func(*stream.Conn, *buffer.Buffer) {}},
		{"watermarks", func(c *stream.Conn, _ *buffer.Buffer) { c.SetReadWatermarks(2, 1<<20) }},
		{"timeouts", func(c *stream.Conn, _ *buffer.Buffer) { c.SetTimeouts(time.Hour, time.Hour) }},
		{"rate limit", func(c *stream.Conn, _ *buffer.Buffer) {
			c.SetRateLimit(stream.RateLimit{ReadRate: 1 << 30, WriteRate: 1 << 30})
		}},
		{"deferred callbacks", func(c *stream.Conn, _ *buffer.Buffer) { c.SetDeferCallbacks(true) }},
		{"part moved to another Buffer", func(c *stream.Conn, own *buffer.Buffer) {
			c.Input().RemoveBuffer(own, 3)
		}},
		{"Pullup kept in the input", func(c *stream.Conn, _ *buffer.Buffer) { c.Input().Pullup(-1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLoop(t)
			a, b := connPair(t, l)
			var own buffer.Buffer
			var got []byte
			reads := 0
			b.SetCallbacks(func(c *stream.Conn) {
				in := c.Input()
				if reads++; reads == 1 {
					tt.first(c, &own)
					// Consume only part of it: the rest stays for the
					// next callback.
					p := make([]byte, own.Len()+in.Len()/2)
					own.Read(p)
					in.Read(p[len(p)-in.Len()/2:])
					got = append(got, p...)
					return
				}
				p := make([]byte, in.Len())
				in.Read(p)
				got = append(got, p...)
			}, nil, nil)
			b.Enable(stream.Read)
			want := pattern(64 * 40)
			for i := 0; i < len(want); i += 64 {
				r := reads
				a.Write(want[i : i+64])
				runUntil(t, l, func() bool { return reads > r })
			}
			runUntil(t, l, func() bool { return len(got) >= len(want) })
			if !bytes.Equal(got, want) {
				t.Fatalf("received %d bytes that differ from the %d sent", len(got), len(want))
			}
		})
	}
}

// TestReadCallbackCloses: a read callback that closes its connection with
// input left, after moving part of it to a Buffer of its own; the moved
// bytes stay valid, and the next connection read on the same loop gets
// its own bytes.
func TestReadCallbackCloses(t *testing.T) {
	l := newLoop(t)
	a1, b1 := connPair(t, l)
	a2, b2 := connPair(t, l)
	var kept buffer.Buffer
	closed := false
	b1.SetCallbacks(func(c *stream.Conn) {
		c.Input().RemoveBuffer(&kept, 10)
		c.Close()
		closed = true
	}, nil, nil)
	var got []byte
	collect(b2, &got, nil)
	b1.Enable(stream.Read)
	first := pattern(100)
	a1.Write(first)
	runUntil(t, l, func() bool { return closed })
	second := bytes.Repeat([]byte("z"), 200)
	a2.Write(second)
	runUntil(t, l, func() bool { return len(got) >= len(second) })
	if !bytes.Equal(got, second) {
		t.Errorf("second connection received %q; want %q", got, second)
	}
	p := make([]byte, kept.Len())
	kept.Read(p)
	if !bytes.Equal(p, first[:10]) {
		t.Errorf("bytes moved out before Close: %x; want %x", p, first[:10])
	}
}
