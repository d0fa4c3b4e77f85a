package stream_test

import (
	"testing"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

// BenchmarkEchoRoundTrip measures one message out and back between a
// client and an echo server on one loop (two reads and two writes).
func BenchmarkEchoRoundTrip(b *testing.B) {
	for _, bc := range []struct {
		name string
		tcp  bool
		size int
	}{
		{"socketpair/64B", false, 64},
		{"socketpair/4KiB", false, 4 << 10},
		{"tcp/64B", true, 64},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := newBenchRig(b, bc.tcp, bc.size)
			b.ReportAllocs()
			b.SetBytes(int64(bc.size))
			for b.Loop() {
				r.roundTrip(b)
			}
		})
	}
}

// BenchmarkWriteSmall measures eager 64-byte writes to a socket whose peer
// drains it.
func BenchmarkWriteSmall(b *testing.B) {
	l := newLoop(b)
	a, c := connPair(b, l)
	c.SetCallbacks(func(c *stream.Conn) { c.Input().Drain(c.Input().Len()) }, nil, nil)
	c.Enable(stream.Read)
	msg := pattern(64)
	b.ReportAllocs()
	b.SetBytes(64)
	i := 0
	for b.Loop() {
		a.Write(msg)
		if i++; i%64 == 0 {
			l.Run(ev.RunNoWait)
		}
	}
}

// benchRig is echoRig without the allocation-test build constraint.
type benchRig struct {
	l      *ev.Loop
	client *stream.Conn
	got    int
	msg    []byte
}

func newBenchRig(tb testing.TB, tcp bool, size int) *benchRig {
	l := newLoop(tb)
	var a, s *stream.Conn
	if tcp {
		a, s = tcpPair(tb, l)
	} else {
		a, s = connPair(tb, l)
	}
	r := &benchRig{l: l, client: a, msg: pattern(size)}
	s.SetCallbacks(func(c *stream.Conn) { c.WriteBuffer(c.Input()) }, nil, nil)
	s.Enable(stream.Read)
	a.SetCallbacks(func(c *stream.Conn) {
		in := c.Input()
		r.got += in.Len()
		in.Drain(in.Len())
	}, nil, nil)
	a.Enable(stream.Read)
	return r
}

func (r *benchRig) roundTrip(tb testing.TB) {
	r.got = 0
	r.client.Write(r.msg)
	for r.got < len(r.msg) {
		if err := r.l.Run(ev.RunOnce); err != nil {
			tb.Fatal(err)
		}
	}
}
