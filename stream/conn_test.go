package stream_test

import (
	"bytes"
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

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

func TestWriteStringAndBuffer(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	var got []byte
	collect(b, &got, nil)
	a.WriteString("hello, ")
	var buf bytes.Buffer
	buf.WriteString("world")
	out := a.Output()
	out.WriteString("!")
	a.Write(buf.Bytes())
	runUntil(t, l, func() bool { return len(got) >= 13 })
	if string(got) != "hello, !world" {
		t.Fatalf("got %q; want %q", got, "hello, !world")
	}
}

func TestWriteClosed(t *testing.T) {
	l := newLoop(t)
	a, _ := connPair(t, l)
	if err := a.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := a.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write after Close: %v; want net.ErrClosed", err)
	}
	if _, err := a.WriteString("x"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("WriteString after Close: %v; want net.ErrClosed", err)
	}
	if err := a.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second Close: %v; want net.ErrClosed", err)
	}
	if err := a.Enable(stream.Read); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Enable after Close: %v; want net.ErrClosed", err)
	}
}

func TestHalfClose(t *testing.T) {
	l := newLoop(t)
	a, b := tcpPair(t, l)
	var gotB []byte
	var eventsB []stream.What
	collect(b, &gotB, &eventsB)
	var gotA []byte
	collect(a, &gotA, nil)
	a.WriteString("request")
	if err := a.CloseWrite(); err != nil {
		t.Fatalf("CloseWrite: %v", err)
	}
	if _, err := a.WriteString("more"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write after CloseWrite: %v; want net.ErrClosed", err)
	}
	runUntil(t, l, func() bool { return len(eventsB) > 0 })
	if string(gotB) != "request" || eventsB[0] != stream.Reading|stream.EOF {
		t.Fatalf("peer got %q then %v; want %q then reading|eof", gotB, eventsB[0], "request")
	}
	b.WriteString("response")
	runUntil(t, l, func() bool { return len(gotA) >= 8 })
	if string(gotA) != "response" {
		t.Fatalf("half-closed side read %q; want %q", gotA, "response")
	}
}

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

func TestSlowReaderOutputGrows(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	writeCalls := 0
	a.SetCallbacks(nil, func(*stream.Conn) { writeCalls++ }, nil)
	want := pattern(8 << 20)
	for off := 0; off < len(want); off += 1 << 16 {
		a.Write(want[off : off+1<<16])
	}
	for range 10 {
		l.Run(ev.RunNoWait)
	}
	if n := a.Output().Len(); n < 4<<20 {
		t.Fatalf("output holds %d bytes; want most of the 8 MiB queued while the peer does not read", n)
	}
	if writeCalls != 0 {
		t.Fatalf("write callback ran %d times while the output could not drain; want 0", writeCalls)
	}
	var got []byte
	collect(b, &got, nil)
	runUntil(t, l, func() bool { return len(got) == len(want) && writeCalls > 0 })
	if !bytes.Equal(got, want) {
		t.Fatal("bytes differ")
	}
	if n := a.Output().Len(); n != 0 {
		t.Fatalf("output holds %d bytes after the write callback; want 0", n)
	}
}

func TestCloseAfterFlush(t *testing.T) {
	l := newLoop(t)
	a, b := tcpPair(t, l)
	want := pattern(6 << 20)
	a.Write(want)
	a.CloseAfterFlush()
	if a.Closed() {
		t.Fatal("closed before the output was written")
	}
	// A slow reader: 64 KiB per millisecond at most.
	var got []byte
	var events []stream.What
	b.SetReadWatermarks(0, 64<<10)
	collect(b, &got, &events)
	take := func() {
		in := b.Input()
		n := len(got)
		got = append(got, make([]byte, in.Len())...)
		in.Read(got[n:])
	}
	b.SetCallbacks(func(c *stream.Conn) {}, nil, func(_ *stream.Conn, what stream.What, _ error) {
		take() // what is left in the input at EOF
		events = append(events, what)
	})
	tick := ev.NewTimer(l, time.Millisecond, time.Millisecond, func(*ev.Timer) { take() })
	tick.Start()
	defer tick.Stop()
	runUntil(t, l, func() bool { return len(events) > 0 })
	if !a.Closed() {
		t.Error("connection not closed after flushing")
	}
	if !bytes.Equal(got, want) || events[0] != stream.Reading|stream.EOF {
		t.Fatalf("reader got %d bytes (equal: %v) then %v; want all %d then reading|eof", len(got), bytes.Equal(got, want), events[0], len(want))
	}
}

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

func TestPeerResetMidWrite(t *testing.T) {
	l := newLoop(t)
	a, b := tcpPair(t, l)
	var events []stream.What
	var errs []error
	a.SetCallbacks(nil, nil, func(_ *stream.Conn, what stream.What, err error) {
		events = append(events, what)
		errs = append(errs, err)
	})
	a.Write(pattern(4 << 20))
	b.SetLinger(0)
	b.Close() // RST: unread data and linger 0
	for range 3 {
		a.Write(pattern(1 << 16))
	}
	runUntil(t, l, func() bool { return a.Closed() })
	for range 5 {
		a.Write(pattern(10)) // no more events
		l.Run(ev.RunNoWait)
	}
	if len(events) != 1 || events[0]&stream.Error == 0 {
		t.Fatalf("events %v; want exactly one error event", events)
	}
	if !errors.Is(errs[0], syscall.ECONNRESET) && !errors.Is(errs[0], syscall.EPIPE) {
		t.Errorf("error %v; want ECONNRESET or EPIPE", errs[0])
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

func TestSockopts(t *testing.T) {
	l := newLoop(t)
	a, _ := tcpPair(t, l)
	if err := a.SetNoDelay(true); err != nil {
		t.Errorf("SetNoDelay: %v", err)
	}
	if err := a.SetKeepAlive(true, 30*time.Second); err != nil {
		t.Errorf("SetKeepAlive: %v", err)
	}
	if err := a.SetLinger(5); err != nil {
		t.Errorf("SetLinger: %v", err)
	}
	if a.LocalAddr() == nil || a.RemoteAddr() == nil {
		t.Errorf("addresses %v, %v; want both", a.LocalAddr(), a.RemoteAddr())
	}
	if a.Fd() < 0 || a.Loop() != l {
		t.Errorf("Fd %d, Loop %p; want a descriptor and %p", a.Fd(), a.Loop(), l)
	}
}

func TestWhatString(t *testing.T) {
	for _, tc := range []struct {
		what stream.What
		want string
	}{
		{0, "0"},
		{stream.Reading | stream.EOF, "reading|eof"},
		{stream.Writing | stream.Timeout | stream.Error, "writing|error|timeout"},
		{stream.Connected, "connected"},
	} {
		if got := tc.what.String(); got != tc.want {
			t.Errorf("%#x.String() = %q; want %q", uint16(tc.what), got, tc.want)
		}
	}
	if got := (stream.Read | stream.Write).String(); got != "read|write" {
		t.Errorf("Direction String = %q; want read|write", got)
	}
}
