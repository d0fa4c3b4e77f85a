package stream_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/eventide-go/eventide/stream"
)

func TestTimeouts(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	type ev struct {
		what stream.What
		err  error
		at   time.Duration
	}
	var events []ev
	start := time.Now()
	a.SetCallbacks(func(*stream.Conn) {}, nil, func(_ *stream.Conn, what stream.What, err error) {
		events = append(events, ev{what, err, time.Since(start)})
	})
	a.SetTimeouts(30*time.Millisecond, 30*time.Millisecond)
	a.Enable(stream.Read)
	runUntil(t, l, func() bool { return len(events) > 0 })
	if e := events[0]; e.what != stream.Reading|stream.Timeout || !errors.Is(e.err, os.ErrDeadlineExceeded) || e.at < 30*time.Millisecond {
		t.Fatalf("event %v, %v after %v; want reading|timeout, deadline exceeded, after 30ms", e.what, e.err, e.at)
	}
	if a.Enabled()&stream.Read != 0 {
		t.Fatal("reading still enabled after a read timeout")
	}
	// Write timeout: the peer does not read.
	events = nil
	start = time.Now()
	a.Write(pattern(8 << 20))
	runUntil(t, l, func() bool { return len(events) > 0 })
	if e := events[0]; e.what != stream.Writing|stream.Timeout || e.at < 30*time.Millisecond {
		t.Fatalf("event %v after %v; want writing|timeout after 30ms", e.what, e.at)
	}
	_ = b
}

func TestDeferCallbacks(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	b.SetDeferCallbacks(true)
	var got []byte
	var events []stream.What
	collect(b, &got, &events)
	a.WriteString("deferred")
	a.Close()
	runUntil(t, l, func() bool { return len(events) > 0 })
	if string(got) != "deferred" || events[0] != stream.Reading|stream.EOF {
		t.Fatalf("got %q, %v; want %q, reading|eof", got, events, "deferred")
	}
}
