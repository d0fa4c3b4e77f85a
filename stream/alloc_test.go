//go:build !race

package stream_test

import (
	"testing"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

func TestEchoAllocs(t *testing.T) {
	for _, tc := range []struct {
		name string
		tcp  bool
		size int
	}{
		{"socketpair/64B", false, 64},
		{"socketpair/16KiB", false, 16 << 10},
		{"tcp/64B", true, 64},
		{"tcp/4KiB", true, 4 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newBenchRig(t, tc.tcp, tc.size)
			for range 100 {
				r.roundTrip(t) // warm the pools and the loop's tables
			}
			if n := testing.AllocsPerRun(1000, func() { r.roundTrip(t) }); n != 0 {
				t.Errorf("%v allocations per echoed message; want 0", n)
			}
		})
	}
}

func TestPartialLineAllocs(t *testing.T) {
	// A line protocol: each message arrives in two reads; the first half
	// is kept (copied into pooled chunks) until the rest arrives.
	l := newLoop(t)
	a, b := connPair(t, l)
	lines := 0
	b.SetCallbacks(func(c *stream.Conn) {
		for {
			if _, ok := c.Input().ReadLine(0); !ok {
				return
			}
			lines++
		}
	}, nil, nil)
	b.Enable(stream.Read)
	first, second := []byte("hello, "), []byte("world\n")
	step := func() {
		want := lines + 1
		a.Write(first)
		l.Run(ev.RunOnce)
		a.Write(second)
		for lines < want {
			l.Run(ev.RunOnce)
		}
	}
	for range 100 {
		step()
	}
	if n := testing.AllocsPerRun(1000, step); n != 0 {
		t.Errorf("%v allocations per line; want 0", n)
	}
}
