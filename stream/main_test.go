package stream_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/internal/evtest"
	"github.com/eventide-go/eventide/stream"
)

// TestMain fails the package if any goroutine outlives the tests.
func TestMain(m *testing.M) { evtest.Main(m) }

// newLoop returns a loop checked when the test ends (evtest.NewLoop): no
// active watcher (every connection and listener was closed) and, once
// closed, no descriptor left open.
func newLoop(t testing.TB) *ev.Loop {
	t.Helper()
	return evtest.NewLoop(t)
}

// openFDs counts the process's open descriptors.
func openFDs(t testing.TB) int { return evtest.OpenFDs(t) }

// runUntil runs l until done reports true (evtest.RunUntil).
func runUntil(t testing.TB, l *ev.Loop, done func() bool) {
	t.Helper()
	evtest.RunUntil(t, l, done)
}

// connPair returns two Conns over a Unix socketpair, closed (if still
// open) when the test ends.
func connPair(t testing.TB, l *ev.Loop) (a, b *stream.Conn) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, err = stream.NewConn(l, fds[0])
	if err != nil {
		t.Fatal(err)
	}
	b, err = stream.NewConn(l, fds[1])
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, a, b)
	return a, b
}

// closeAtEnd closes conns that are still open when the test ends (before
// the loop's own check, which cleanups registered earlier run after).
func closeAtEnd(t testing.TB, conns ...*stream.Conn) {
	t.Cleanup(func() {
		for _, c := range conns {
			if !c.Closed() {
				c.Close()
			}
		}
	})
}

// tcpPair returns a connection made with Dial and the one a Listener
// accepted for it, on 127.0.0.1.
func tcpPair(t testing.TB, l *ev.Loop) (client, server *stream.Conn) {
	t.Helper()
	ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{}, func(_ *stream.Listener, c *stream.Conn) {
		server = c
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err = stream.Dial(l, "tcp", ln.Addr().String(), 0)
	if err != nil {
		t.Fatal(err)
	}
	connected := false
	client.SetCallbacks(nil, nil, func(_ *stream.Conn, what stream.What, err error) {
		if what&stream.Connected != 0 {
			connected = true
		}
	})
	runUntil(t, l, func() bool { return connected && server != nil })
	client.SetCallbacks(nil, nil, nil)
	closeAtEnd(t, client, server)
	return client, server
}

// pattern returns n bytes of a deterministic non-repeating-ish sequence.
func pattern(n int) []byte {
	p := make([]byte, n)
	x := uint32(2463534242)
	for i := range p {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		p[i] = byte(x)
	}
	return p
}

// echo makes c write back everything it reads.
func echo(c *stream.Conn) {
	c.SetCallbacks(func(c *stream.Conn) { c.WriteBuffer(c.Input()) }, nil,
		func(c *stream.Conn, what stream.What, err error) {
			if what&(stream.EOF|stream.Error) != 0 {
				c.Close()
			}
		})
	c.Enable(stream.Read | stream.Write)
}

// collect makes c append everything it reads to *got.
func collect(c *stream.Conn, got *[]byte, events *[]stream.What) {
	c.SetCallbacks(func(c *stream.Conn) {
		in := c.Input()
		n := len(*got)
		*got = append(*got, make([]byte, in.Len())...)
		in.Read((*got)[n:])
	}, nil, func(c *stream.Conn, what stream.What, err error) {
		if events != nil {
			*events = append(*events, what)
		}
	})
	c.Enable(stream.Read)
}
