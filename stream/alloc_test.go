//go:build !race

package stream_test

import (
	"testing"

	"golang.org/x/sys/unix"

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

// TestBatchEchoAllocs: echoes on several connections in one pass, whose
// replies leave in one batch at the end of the pass (through io_uring
// where the system has it), allocate nothing either.
func TestBatchEchoAllocs(t *testing.T) {
	l := newLoop(t)
	const conns = 8
	var peers [conns]int
	for i := range peers {
		c, peer := sockConn(t, l)
		echo(c)
		peers[i] = peer
	}
	msg := pattern(64)
	buf := make([]byte, 1024)
	step := func() {
		for _, p := range peers {
			unix.Write(p, msg)
		}
		got := 0
		for got < conns*len(msg) {
			l.Run(ev.RunOnce)
			for _, p := range peers {
				if n, err := unix.Read(p, buf); err == nil {
					got += n
				}
			}
		}
	}
	for range 100 {
		step()
	}
	if n := testing.AllocsPerRun(1000, step); n != 0 {
		t.Errorf("%v allocations per batch of %d echoes; want 0", n, conns)
	}
	if !stream.RingActive(l) {
		t.Log("no io_uring here: the batch was written one connection at a time")
	}
}
