package stream_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
	"golang.org/x/sys/unix"
)

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

// TestWriteBufferShapes: WriteBuffer of one segment, of several, of a
// reference, of a file segment, with nothing queued (written at once) and
// behind queued output (moved); the peer receives every byte in order,
// the source Buffer ends empty and each reference is released once.
func TestWriteBufferShapes(t *testing.T) {
	data := pattern(3000)
	f, err := os.Create(filepath.Join(t.TempDir(), "seg"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Write(data)
	released := 0
	shapes := []struct {
		name string
		fill func(b *buffer.Buffer) []byte // returns what it added
	}{
		{"one segment", func(b *buffer.Buffer) []byte { b.Write(data[:100]); return data[:100] }},
		{"several segments", func(b *buffer.Buffer) []byte {
			b.Write(data[:10])
			var other buffer.Buffer
			other.Write(data[10:2000])
			b.AppendBuffer(&other)
			b.AddReference(data[2000:2500], func([]byte) { released++ })
			return data[:2500]
		}},
		{"reference", func(b *buffer.Buffer) []byte {
			b.AddReference(data[:700], func([]byte) { released++ })
			return data[:700]
		}},
		{"file segment", func(b *buffer.Buffer) []byte {
			b.AddFile(f, 100, 1500)
			return data[100:1600]
		}},
		{"memory, then a file segment", func(b *buffer.Buffer) []byte {
			b.Write(data[:5])
			b.AddFile(f, 5, 995)
			return data[:1000]
		}},
	}
	for _, queued := range []bool{false, true} {
		for _, s := range shapes {
			t.Run(fmt.Sprintf("%s/queued=%v", s.name, queued), func(t *testing.T) {
				l := newLoop(t)
				a, b := connPair(t, l)
				var got []byte
				collect(b, &got, nil)
				var want []byte
				if queued {
					a.Output().WriteString("first")
					want = []byte("first")
				}
				released = 0
				var src buffer.Buffer
				want = append(want, s.fill(&src)...)
				if err := a.WriteBuffer(&src); err != nil {
					t.Fatalf("WriteBuffer: %v", err)
				}
				if src.Len() != 0 {
					t.Errorf("source holds %d bytes after WriteBuffer; want 0", src.Len())
				}
				runUntil(t, l, func() bool { return len(got) >= len(want) })
				if !bytes.Equal(got, want) {
					t.Fatalf("peer received %d bytes that differ from the %d written", len(got), len(want))
				}
				if refs := strings.Count(s.name, "reference") + strings.Count(s.name, "several"); released != refs {
					t.Errorf("%d releases; want %d", released, refs)
				}
			})
		}
	}
}

// TestWriteBufferReleaseAdds: a reference moved by WriteBuffer travels
// with its bytes to the connection's output, and its release function runs
// when the end of the pass has written them, not inside WriteBuffer; what
// that function adds to the Buffer it came from (which AddReference
// allows) stays there, for the caller.
func TestWriteBufferReleaseAdds(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	var got []byte
	collect(b, &got, nil)
	var src buffer.Buffer
	released := 0
	src.AddReference([]byte("lent,"), func([]byte) {
		released++
		src.WriteString("added by release")
	})
	if err := a.WriteBuffer(&src); err != nil {
		t.Fatalf("WriteBuffer: %v", err)
	}
	if released != 0 || src.Len() != 0 || a.OutputLen() != 5 {
		t.Fatalf("after WriteBuffer: %d releases, source holds %d bytes, %d queued; want 0, 0, 5", released, src.Len(), a.OutputLen())
	}
	runUntil(t, l, func() bool { return len(got) >= 5 })
	if string(got) != "lent," || released != 1 || string(src.Pullup(-1)) != "added by release" {
		t.Fatalf("peer received %q, %d releases, source holds %q; want \"lent,\", 1, \"added by release\"", got, released, src.Pullup(-1))
	}
}

// TestWriteBufferFrozen: a Buffer whose front is frozen cannot be moved;
// WriteBuffer says so with buffer.ErrFrozen, whether or not output is
// queued, and the connection stays usable.
func TestWriteBufferFrozen(t *testing.T) {
	for _, queued := range []bool{false, true} {
		t.Run(fmt.Sprintf("queued=%v", queued), func(t *testing.T) {
			l := newLoop(t)
			a, b := connPair(t, l)
			var got []byte
			var events []stream.What
			collect(b, &got, &events)
			var aEvents []stream.What
			a.SetCallbacks(nil, nil, func(_ *stream.Conn, what stream.What, _ error) { aEvents = append(aEvents, what) })
			want := ""
			if queued {
				a.Output().WriteString("first,")
				want = "first,"
			}
			var src buffer.Buffer
			src.WriteString("frozen")
			src.Freeze(true)
			if err := a.WriteBuffer(&src); !errors.Is(err, buffer.ErrFrozen) {
				t.Errorf("WriteBuffer of a frozen Buffer: %v; want buffer.ErrFrozen", err)
			}
			if src.Len() != len("frozen") {
				t.Errorf("frozen source holds %d bytes; want 6, untouched", src.Len())
			}
			if _, err := a.WriteString("after"); err != nil {
				t.Fatalf("Write after the refused WriteBuffer: %v", err)
			}
			want += "after"
			runUntil(t, l, func() bool { return len(got) >= len(want) || a.Closed() })
			if string(got) != want || a.Closed() || len(aEvents) != 0 {
				t.Fatalf("peer received %q, writer closed %v, writer events %v; want %q, false, none", got, a.Closed(), aEvents, want)
			}
		})
	}
}

// peek returns what fd has to read now, without reading it or waiting.
func peek(t *testing.T, fd int) string {
	t.Helper()
	p := make([]byte, 1<<16)
	n, _, err := unix.Recvfrom(fd, p, unix.MSG_PEEK|unix.MSG_DONTWAIT)
	if err == unix.EAGAIN {
		return ""
	}
	if err != nil {
		t.Fatalf("recv: %v", err)
	}
	return string(p[:n])
}

func TestCork(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	a.Cork()
	a.WriteString("one ")
	a.Write([]byte("two "))
	var buf buffer.Buffer
	buf.WriteString("three")
	if err := a.WriteBuffer(&buf); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		l.Run(ev.RunNoWait)
	}
	if got := peek(t, b.Fd()); got != "" || a.OutputLen() != 13 {
		t.Fatalf("corked: the peer can read %q and %d bytes are queued; want nothing sent, 13 queued", got, a.OutputLen())
	}
	if err := a.Uncork(); err != nil {
		t.Fatalf("Uncork: %v", err)
	}
	// Uncork wrote all of it at once, before any loop iteration.
	if got := peek(t, b.Fd()); got != "one two three" || a.OutputLen() != 0 {
		t.Fatalf("uncorked: the peer can read %q, %d bytes queued; want everything sent", got, a.OutputLen())
	}
	if err := a.Uncork(); err != nil {
		t.Errorf("a second Uncork: %v", err)
	}
	// No longer corked: a write goes out at the end of the pass.
	a.WriteString("!")
	if got := peek(t, b.Fd()); got != "one two three" {
		t.Errorf("after a write, before the pass ends: the peer can read %q", got)
	}
	l.Run(ev.RunNoWait)
	if got := peek(t, b.Fd()); got != "one two three!" {
		t.Errorf("after Uncork: the peer can read %q", got)
	}
}

func TestCorkMoreThanTheSocketTakes(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	want := pattern(8 << 20)
	a.Cork()
	for off := 0; off < len(want); off += 1 << 16 {
		a.Write(want[off : off+1<<16])
	}
	var got []byte
	collect(b, &got, nil)
	if err := a.Uncork(); err != nil {
		t.Fatal(err)
	}
	if a.OutputLen() == 0 {
		t.Fatal("8 MiB written at once to a peer that has not read; want the rest queued")
	}
	runUntil(t, l, func() bool { return len(got) == len(want) })
	if !bytes.Equal(got, want) {
		t.Fatal("bytes differ")
	}
}

func TestCorkEndedByClose(t *testing.T) {
	for _, how := range []string{"CloseAfterFlush", "CloseWrite"} {
		t.Run(how, func(t *testing.T) {
			l := newLoop(t)
			a, b := connPair(t, l)
			var got []byte
			var events []stream.What
			collect(b, &got, &events)
			a.Cork()
			a.WriteString("all of it")
			if how == "CloseAfterFlush" {
				a.CloseAfterFlush()
			} else {
				a.CloseWrite()
			}
			runUntil(t, l, func() bool { return len(events) > 0 })
			if string(got) != "all of it" || events[0]&stream.EOF == 0 {
				t.Errorf("the peer read %q then %v; want everything, then EOF", got, events[0])
			}
		})
	}
}

func TestCorkWritingDisabled(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	a.Disable(stream.Write)
	a.Cork()
	a.WriteString("held")
	a.Uncork()
	l.Run(ev.RunNoWait)
	if got := peek(t, b.Fd()); got != "" {
		t.Fatalf("writing disabled: the peer can read %q; want nothing", got)
	}
	a.Enable(stream.Write)
	var got []byte
	collect(b, &got, nil)
	runUntil(t, l, func() bool { return len(got) == 4 })
	if string(got) != "held" {
		t.Errorf("got %q", got)
	}
}

func TestCorkClosed(t *testing.T) {
	l := newLoop(t)
	a, _ := connPair(t, l)
	a.Cork()
	a.WriteString("dropped")
	a.Close()
	if err := a.Uncork(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Uncork after Close: %v; want net.ErrClosed", err)
	}
	a.Cork() // no effect, no panic
	if err := a.Uncork(); err != nil {
		t.Errorf("Uncork of a Cork after Close: %v; want nil (nothing was corked)", err)
	}
}

func TestCorkPair(t *testing.T) {
	// A pair's output moves on the loop anyway: Cork has no effect.
	l := newLoop(t)
	a, b := stream.NewPair(l)
	t.Cleanup(func() { a.Close(); b.Close() })
	var got []byte
	collect(b, &got, nil)
	a.Enable(stream.Write)
	a.Cork()
	a.WriteString("through")
	runUntil(t, l, func() bool { return len(got) == 7 })
	a.Uncork()
}

// TestCorkAfterCloseWrite: a Cork after CloseWrite or CloseAfterFlush
// (output still queued) does not hold the output back: they asked for it to
// be sent, and nothing would ever uncork a connection whose writing side is
// closing.
func TestCorkAfterCloseWrite(t *testing.T) {
	for _, how := range []string{"CloseWrite", "CloseAfterFlush"} {
		t.Run(how, func(t *testing.T) {
			l := newLoop(t)
			a, b := connPair(t, l)
			want := pattern(8 << 20)
			a.Write(want) // the peer has not read: most of it stays queued
			if a.OutputLen() == 0 {
				t.Skip("the socket took 8 MiB at once")
			}
			if how == "CloseWrite" {
				a.CloseWrite()
			} else {
				a.CloseAfterFlush()
			}
			a.Cork() // too late: the write side is closing
			var got []byte
			var events []stream.What
			collect(b, &got, &events)
			runUntil(t, l, func() bool { return len(events) > 0 })
			if !bytes.Equal(got, want) || events[0]&stream.EOF == 0 {
				t.Errorf("the peer read %d of %d bytes then %v; want everything, then EOF", len(got), len(want), events[0])
			}
		})
	}
}

// TestCorkDuringDial: while corked, queued output waits, also at the end of
// a Dial, when the output queued while connecting is otherwise written.
func TestCorkDuringDial(t *testing.T) {
	l := newLoop(t)
	var server *stream.Conn
	ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{}, func(_ *stream.Listener, c *stream.Conn) { server = c })
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := stream.Dial(l, "tcp", ln.Addr().String(), 0)
	if err != nil {
		t.Fatal(err)
	}
	connected := false
	c.SetCallbacks(nil, nil, func(_ *stream.Conn, what stream.What, err error) { connected = what&stream.Connected != 0 })
	c.Cork()
	c.WriteString("held")
	var got []byte
	runUntil(t, l, func() bool { return connected && server != nil })
	closeAtEnd(t, c, server)
	collect(server, &got, nil)
	for range 5 {
		l.Run(ev.RunNoWait)
	}
	if len(got) != 0 || c.OutputLen() != 4 {
		t.Errorf("corked while connecting: the server read %q, %d bytes queued; want nothing sent, 4 queued", got, c.OutputLen())
	}
	c.Uncork()
	runUntil(t, l, func() bool { return len(got) == 4 })
}

// TestCorkHoldsQueuedOutput: Cork with output already queued (the write
// interest armed): the queued output waits too.
func TestCorkHoldsQueuedOutput(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	want := pattern(8 << 20)
	a.Write(want)
	l.Run(ev.RunNoWait) // the end of the pass writes what the socket takes
	if a.OutputLen() == 0 {
		t.Skip("the socket took 8 MiB at once")
	}
	queued := a.OutputLen()
	a.Cork()
	var got []byte
	collect(b, &got, nil)
	for range 20 {
		l.Run(ev.RunNoWait)
	}
	if a.OutputLen() != queued {
		t.Errorf("corked: %d of %d queued bytes were written; want none", queued-a.OutputLen(), queued)
	}
	a.Uncork()
	runUntil(t, l, func() bool { return len(got) == len(want) })
}

func TestCorkRateLimited(t *testing.T) {
	// Uncork of a rate-limited connection leaves the writing to the loop,
	// which keeps to the limit: the first tick's burst goes out, the rest
	// follows, nothing is lost.
	l := newLoop(t)
	a, b := connPair(t, l)
	a.SetRateLimit(stream.RateLimit{WriteRate: 1 << 20, Tick: 10 * time.Millisecond}) // 10 KiB per tick
	want := pattern(64 << 10)
	a.Cork()
	a.Write(want)
	if err := a.Uncork(); err != nil {
		t.Fatal(err)
	}
	if n := len(peek(t, b.Fd())); n > 11<<10 {
		t.Errorf("Uncork wrote %d bytes at once; want at most one tick's 10 KiB", n)
	}
	var got []byte
	collect(b, &got, nil)
	runUntil(t, l, func() bool { return len(got) == len(want) })
	if !bytes.Equal(got, want) {
		t.Fatal("bytes differ")
	}
}

// TestCloseWriteOnPipe: CloseWrite on a Conn over a pipe's write end,
// which shutdown(2) refuses (it is no socket), closes the descriptor once
// the output is written: the reader gets every byte, then EOF. On the read
// end, which only reads, it is refused with errors.ErrUnsupported and
// changes nothing.
func TestCloseWriteOnPipe(t *testing.T) {
	for _, tc := range []struct {
		name   string
		queued int // bytes written before CloseWrite
	}{
		{"nothing queued", 0},
		{"some bytes", 100},
		{"more than the pipe holds", 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLoop(t)
			var p [2]int
			if err := unix.Pipe(p[:]); err != nil { // NewConn sets close-on-exec
				t.Fatal(err)
			}
			if fl, err := unix.FcntlInt(uintptr(p[1]), unix.F_GETFL, 0); err != nil || fl&unix.O_ACCMODE != unix.O_WRONLY {
				unix.Close(p[0])
				unix.Close(p[1])
				t.Skipf("a pipe's write end is not write-only here (flags %#x, %v)", fl, err)
			}
			r, err := stream.NewConn(l, p[0])
			if err != nil {
				t.Fatal(err)
			}
			w, err := stream.NewConn(l, p[1])
			if err != nil {
				t.Fatal(err)
			}
			closeAtEnd(t, r, w)
			var got []byte
			var events []stream.What
			collect(r, &got, &events)
			var wEvents []stream.What
			w.SetCallbacks(nil, nil, func(_ *stream.Conn, what stream.What, err error) {
				wEvents = append(wEvents, what)
				t.Logf("writer event %v: %v", what, err)
			})
			want := pattern(tc.queued)
			if _, err := w.Write(want); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if err := w.CloseWrite(); err != nil {
				t.Fatalf("CloseWrite: %v", err)
			}
			if _, err := w.WriteString("late"); !errors.Is(err, net.ErrClosed) {
				t.Errorf("Write after CloseWrite: %v; want net.ErrClosed", err)
			}
			runUntil(t, l, func() bool { return len(events) > 0 })
			if !bytes.Equal(got, want) || len(events) != 1 || events[0] != stream.Reading|stream.EOF {
				t.Fatalf("reader got %d bytes (equal: %v), events %v; want %d bytes, [reading|eof]",
					len(got), bytes.Equal(got, want), events, len(want))
			}
			if len(wEvents) != 0 || w.Closed() || w.Fd() != -1 {
				t.Errorf("writer events %v, Closed %v, Fd %d; want no event, open, Fd -1", wEvents, w.Closed(), w.Fd())
			}
			if err := w.Close(); err != nil {
				t.Errorf("Close after CloseWrite: %v", err)
			}
			// The read end cannot be shut down for writing: it only reads.
			if err := r.CloseWrite(); !errors.Is(err, errors.ErrUnsupported) {
				t.Errorf("CloseWrite on the read end: %v; want errors.ErrUnsupported", err)
			}
			if r.Closed() || r.Fd() != p[0] {
				t.Errorf("read end Closed %v, Fd %d after a refused CloseWrite; want open, %d", r.Closed(), r.Fd(), p[0])
			}
		})
	}
}

// TestWriteFileSegmentError queues a file segment whose file was cut
// short after AddFile: the connection fails with the buffer's own error,
// which says the file ended early (io.ErrUnexpectedEOF), not with a
// "write" system-call error that would blame the socket.
func TestWriteFileSegmentError(t *testing.T) {
	l := newLoop(t)
	a, _ := connPair(t, l)
	path := filepath.Join(t.TempDir(), "page")
	if err := os.WriteFile(path, bytes.Repeat([]byte("x"), 100000), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var failed error
	a.SetCallbacks(nil, nil, func(c *stream.Conn, what stream.What, err error) {
		if what&stream.Error != 0 {
			failed = err
		}
	})
	var src buffer.Buffer
	src.AddFile(f, 0, 100000)
	if err := os.Truncate(path, 10); err != nil {
		t.Fatal(err)
	}
	a.WriteBuffer(&src)
	runUntil(t, l, func() bool { return failed != nil })
	var se *os.SyscallError
	if !errors.Is(failed, io.ErrUnexpectedEOF) || errors.As(failed, &se) {
		t.Errorf("error = %v (%T); want the buffer's short-file error, not a *os.SyscallError", failed, failed)
	}
}

// TestWriteBufferStates: WriteBuffer skips its checks for a connection
// without extras that may write now; in every state where one of them
// matters it must answer as Write does (which always makes them): the
// same error, and the same bytes queued rather than written.
func TestWriteBufferStates(t *testing.T) {
	for _, s := range []struct {
		name string
		set  func(c *stream.Conn)
	}{
		{"plain", func(*stream.Conn) {}},
		{"closed", func(c *stream.Conn) { c.Close() }},
		{"close after flush", func(c *stream.Conn) { c.CloseAfterFlush() }},
		{"write closed", func(c *stream.Conn) { c.CloseWrite() }},
		{"corked", func(c *stream.Conn) { c.Cork() }},
		{"write disabled", func(c *stream.Conn) { c.Disable(stream.Write) }},
		{"queued", func(c *stream.Conn) { c.Output().WriteString("q") }},
		{"output pinned, empty", func(c *stream.Conn) { c.Output() }},
		{"extras", func(c *stream.Conn) { c.SetWriteLowWatermark(1) }},
	} {
		t.Run(s.name, func(t *testing.T) {
			type result struct {
				err    string
				queued int
			}
			var got [2]result
			for i, viaBuffer := range []bool{false, true} {
				l := newLoop(t)
				a, _ := connPair(t, l)
				s.set(a)
				var err error
				if viaBuffer {
					var src buffer.Buffer
					src.WriteString("hello")
					err = a.WriteBuffer(&src)
				} else {
					_, err = a.Write([]byte("hello"))
				}
				got[i] = result{fmt.Sprint(err), a.OutputLen()}
				if !a.Closed() {
					a.Close()
				}
			}
			if got[0] != got[1] {
				t.Errorf("Write: %+v; WriteBuffer: %+v", got[0], got[1])
			}
		})
	}
}
