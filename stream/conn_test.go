package stream_test

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

func TestEcho10MB(t *testing.T) {
	l := newLoop(t)
	client, server := tcpPair(t, l)
	echo(server)
	want := pattern(10 << 20)
	var got []byte
	collect(client, &got, nil)
	// Write in uneven pieces, some eager, most queued.
	for off := 0; off < len(want); {
		n := min(len(want)-off, 1+off%70000)
		if k, err := client.Write(want[off : off+n]); k != n || err != nil {
			t.Fatalf("Write = %d, %v; want %d, nil", k, err, n)
		}
		off += n
	}
	runUntil(t, l, func() bool { return len(got) >= len(want) })
	if !bytes.Equal(got, want) {
		t.Fatalf("echoed bytes differ from those sent (got %d bytes, want %d)", len(got), len(want))
	}
}

func TestCloseInCallbackStopsCallbacks(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	calls := 0
	b.SetCallbacks(func(c *stream.Conn) {
		calls++
		c.Close()
	}, func(*stream.Conn) { calls++ }, func(*stream.Conn, stream.What, error) { calls++ })
	b.Enable(stream.Read | stream.Write)
	a.WriteString("x")
	a.Close()
	runUntil(t, l, func() bool { return calls > 0 })
	for range 5 {
		l.Run(ev.RunNoWait)
	}
	if calls != 1 {
		t.Fatalf("%d callbacks; want 1 (none after Close)", calls)
	}
}

// TestDisableDropsReportedReadiness turns a direction off after the poller
// reported it ready but before the connection's callback for it ran: in
// the connection's own read callback (for writing), or in another
// connection's read callback earlier in the same pass (for reading). The
// report must be dropped, as libevent's event_del drops an active event:
// no byte written, no read callback.
func TestDisableDropsReportedReadiness(t *testing.T) {
	// rawPeer returns a Conn whose output is queued (its peer, a raw
	// descriptor, has not read) and that waits for reading too, and the
	// peer's descriptor.
	rawPeer := func(t *testing.T, l *ev.Loop) (*stream.Conn, int) {
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(fds[1]) })
		if err := unix.SetNonblock(fds[1], true); err != nil {
			t.Fatal(err)
		}
		c, err := stream.NewConn(l, fds[0])
		if err != nil {
			t.Fatal(err)
		}
		closeAtEnd(t, c)
		c.Write(pattern(4 << 20))
		l.Run(ev.RunNoWait) // the end of the pass writes what the socket takes
		if c.OutputLen() == 0 {
			t.Fatal("4 MiB written at once to a peer that has not read; want some queued")
		}
		c.Enable(stream.Read)
		return c, fds[1]
	}
	// readyBoth makes the Conn of peer both writable (its peer reads
	// everything it can) and readable (its peer writes a byte).
	readyBoth := func(peer int) {
		buf := make([]byte, 1<<16)
		for {
			if n, err := unix.Read(peer, buf); n <= 0 || err != nil {
				break
			}
		}
		unix.Write(peer, []byte("x"))
	}

	t.Run("Disable(Write) in the read callback", func(t *testing.T) {
		l := newLoop(t)
		c, peer := rawPeer(t, l)
		queued := c.OutputLen()
		reads := 0
		c.SetCallbacks(func(c *stream.Conn) {
			reads++
			c.Input().Drain(c.Input().Len())
			c.Disable(stream.Write)
		}, nil, nil)
		readyBoth(peer)
		runUntil(t, l, func() bool { return reads > 0 })
		l.Run(ev.RunNoWait)
		if got := c.OutputLen(); got != queued {
			t.Errorf("output queued: %d after Disable(Write) in the read callback; want %d (nothing written)", got, queued)
		}
	})

	t.Run("Disable(Read) by another connection", func(t *testing.T) {
		l := newLoop(t)
		c1, peer1 := rawPeer(t, l)
		c2, peer2 := rawPeer(t, l)
		reads := map[*stream.Conn]int{}
		for _, c := range []*stream.Conn{c1, c2} {
			other := c2
			if c == c2 {
				other = c1
			}
			c.SetCallbacks(func(c *stream.Conn) {
				reads[c]++
				c.Input().Drain(c.Input().Len())
				other.Disable(stream.Read)
			}, nil, nil)
		}
		unix.Write(peer1, []byte("x"))
		unix.Write(peer2, []byte("y"))
		runUntil(t, l, func() bool { return len(reads) > 0 })
		for range 3 {
			l.Run(ev.RunNoWait)
		}
		if got := len(reads); got != 1 {
			t.Errorf("read callbacks ran on %d connections; want 1 (the other's reading was disabled while its readiness was pending)", got)
		}
	})
}
