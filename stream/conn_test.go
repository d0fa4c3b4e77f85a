package stream_test

import (
	"bytes"
	"testing"

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
