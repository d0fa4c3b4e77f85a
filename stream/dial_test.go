package stream_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/eventide-go/eventide/stream"
)

// freePort returns a 127.0.0.1 address nothing listens on.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestDialRefused(t *testing.T) {
	l := newLoop(t)
	c, err := stream.Dial(l, "tcp", freePort(t), time.Second)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	var what stream.What
	var gotErr error
	c.SetCallbacks(nil, nil, func(_ *stream.Conn, w stream.What, err error) { what, gotErr = w, err })
	runUntil(t, l, func() bool { return what != 0 })
	if what != stream.Writing|stream.Error || !errors.Is(gotErr, syscall.ECONNREFUSED) {
		t.Fatalf("event %v, %v; want writing|error, connection refused", what, gotErr)
	}
	var op *net.OpError
	if !errors.As(gotErr, &op) || op.Op != "dial" {
		t.Errorf("error %T %v; want a *net.OpError for dial", gotErr, gotErr)
	}
	if !c.Closed() {
		t.Error("connection open after an error event")
	}
}

// TestDialTimeout fills the accept queue of a listener that never accepts:
// Linux then drops further SYNs, so the next connects stay in progress
// and their timeout fires.
func TestDialTimeout(t *testing.T) {
	l := newLoop(t)
	ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{Backlog: 1}, func(*stream.Listener, *stream.Conn) {})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ln.Disable()
	var timeouts, done int
	var conns []*stream.Conn
	for range 8 {
		c, err := stream.Dial(l, "tcp", ln.Addr().String(), 100*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		c.SetCallbacks(nil, nil, func(_ *stream.Conn, w stream.What, err error) {
			done++
			if w == stream.Writing|stream.Timeout|stream.Error {
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Errorf("timeout error %v; want os.ErrDeadlineExceeded", err)
				}
				timeouts++
			}
		})
	}
	closeAtEnd(t, conns...)
	runUntil(t, l, func() bool { return done == len(conns) })
	if timeouts == 0 {
		t.Fatalf("no dial timed out; want the ones past the full backlog to")
	}
}

func TestDialBadAddress(t *testing.T) {
	l := newLoop(t)
	for _, tc := range []struct{ network, address string }{
		{"tcp", "no-port"},
		{"tcp", "127.0.0.1:99999"},
		{"udp", "127.0.0.1:1"},
		{"tcp4", "[::1]:80"},
		{"unix", ""},
	} {
		c, err := stream.Dial(l, tc.network, tc.address, 0)
		if err == nil || c != nil {
			t.Errorf("Dial(%q, %q) = %v, %v; want an error", tc.network, tc.address, c, err)
		}
	}
}

func TestDialUnix(t *testing.T) {
	l := newLoop(t)
	path := filepath.Join(t.TempDir(), "s")
	var server *stream.Conn
	ln, err := stream.Listen(l, "unix", path, stream.ListenConfig{}, func(_ *stream.Listener, c *stream.Conn) {
		server = c
		echo(c)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := stream.Dial(l, "unix", path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, c)
	var got []byte
	var events []stream.What
	collect(c, &got, &events)
	c.WriteString("ping") // queued until connected
	runUntil(t, l, func() bool { return len(got) == 4 })
	if string(got) != "ping" || len(events) != 1 || events[0] != stream.Connected {
		t.Fatalf("got %q, events %v; want %q, [connected]", got, events, "ping")
	}
	closeAtEnd(t, server)
	// A path nobody listens on fails through the event callback.
	c2, err := stream.Dial(l, "unix", path+"-none", 0)
	if err != nil {
		t.Fatal(err)
	}
	var what stream.What
	c2.SetCallbacks(nil, nil, func(_ *stream.Conn, w stream.What, err error) { what = w })
	runUntil(t, l, func() bool { return what != 0 })
	if what&stream.Error == 0 {
		t.Fatalf("event %v; want an error", what)
	}
}
