package stream_test

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

// TestMain fails the package if any goroutine outlives the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newLoop returns a loop checked when the test ends: no active watcher
// (every connection and listener was closed) and, once closed, no
// descriptor left open.
func newLoop(t testing.TB) *ev.Loop {
	t.Helper()
	before := openFDs(t)
	l, err := ev.NewLoop()
	if err != nil {
		t.Fatalf("NewLoop: %v", err)
	}
	t.Cleanup(func() {
		if st := l.Stats(); st.Active != 0 && !l.Closed() {
			var b strings.Builder
			l.Dump(&b)
			t.Errorf("loop has %d active watchers at the end of the test:\n%s", st.Active, b.String())
		}
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if after := openFDs(t); after != before {
			t.Errorf("open descriptors: %d before the loop, %d after closing it", before, after)
		}
	})
	return l
}

// openFDs counts the process's open descriptors.
func openFDs(t testing.TB) int {
	if runtime.GOOS != "linux" {
		return 0
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// runUntil runs l until done reports true, failing the test after 20 s.
// It never sleeps: each round waits in the loop, at most 50 ms.
func runUntil(t testing.TB, l *ev.Loop, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	guard := ev.NewTimer(l, 50*time.Millisecond, 0, func(*ev.Timer) {})
	defer guard.Stop()
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within 20s")
		}
		guard.Stop()
		guard.Start()
		if err := l.Run(ev.RunOnce); err != nil {
			t.Fatalf("Run: %v", err)
		}
	}
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
