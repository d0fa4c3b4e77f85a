package stream_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

// lines is an output filter that passes whole lines only, holding a
// partial one back until flush.
func lines(src, dst *buffer.Buffer, flush bool) error {
	var pos buffer.Pos
	end, n := src.SearchEOL(&pos, buffer.EOLLF)
	if n == 0 {
		if flush {
			src.RemoveBuffer(dst, src.Len())
			return nil
		}
		return stream.ErrNeedMore
	}
	src.RemoveBuffer(dst, end.Offset+n)
	return nil
}

func TestFilter(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	f := stream.NewFilter(a, upper, lines)
	closeAtEnd(t, f)
	var got []byte
	collect(f, &got, nil)
	var peer []byte
	collect(b, &peer, nil)
	b.WriteString("shout\n")
	f.WriteString("one\ntw")
	runUntil(t, l, func() bool { return string(got) == "SHOUT\n" && string(peer) == "one\n" })
	f.WriteString("o\n")
	runUntil(t, l, func() bool { return string(peer) == "one\ntwo\n" })
	f.WriteString("tail")
	f.CloseWrite() // flushes the held-back partial line
	var events []stream.What
	b.SetCallbacks(func(c *stream.Conn) {
		in := c.Input()
		k := len(peer)
		peer = append(peer, make([]byte, in.Len())...)
		in.Read(peer[k:])
	}, nil, func(_ *stream.Conn, w stream.What, _ error) { events = append(events, w) })
	runUntil(t, l, func() bool { return len(events) > 0 })
	if string(peer) != "one\ntwo\ntail" || events[0] != stream.Reading|stream.EOF {
		t.Fatalf("peer got %q then %v; want %q then reading|eof", peer, events, "one\ntwo\ntail")
	}
	f.Close()
	if !a.Closed() {
		t.Error("closing the filter left the connection under it open")
	}
}

func TestFilterError(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	bad := errors.New("bad input")
	f := stream.NewFilter(a, func(src, dst *buffer.Buffer, _ bool) error {
		if bytes.Contains(src.Pullup(-1), []byte("!")) {
			return bad
		}
		src.RemoveBuffer(dst, src.Len())
		return nil
	}, nil)
	var what stream.What
	var gotErr error
	f.SetCallbacks(func(c *stream.Conn) { c.Input().Drain(c.Input().Len()) }, nil,
		func(_ *stream.Conn, w stream.What, err error) { what, gotErr = w, err })
	f.Enable(stream.Read)
	b.WriteString("fine")
	b.WriteString("bad!")
	runUntil(t, l, func() bool { return what != 0 })
	if what != stream.Error || !errors.Is(gotErr, bad) {
		t.Fatalf("event %v, %v; want error, %v", what, gotErr, bad)
	}
	if !f.Closed() || !a.Closed() {
		t.Fatalf("filter closed %v, under closed %v; want both closed", f.Closed(), a.Closed())
	}
}

// upper is an input filter that upper-cases ASCII.
func upper(src, dst *buffer.Buffer, _ bool) error {
	p := make([]byte, src.Len())
	src.Read(p)
	dst.Write(bytes.ToUpper(p))
	return nil
}

// TestFilterClosedByItsFunction closes the filtering connection from inside
// its input filter function, which then goes on and writes to dst, with
// or without an error: no callback may run after Close, and what the
// function wrote must not stay in a Buffer the loop hands out again (the
// next connection to take one would read it as its own input).
func TestFilterClosedByItsFunction(t *testing.T) {
	errLate := errors.New("late")
	for _, tt := range []struct {
		name string
		err  error // what the function returns after closing
	}{
		{"returns nil", nil},
		{"returns ErrNeedMore", stream.ErrNeedMore},
		{"returns an error", errLate},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := newLoop(t)
			a, b := connPair(t, l)
			var f *stream.Conn
			f = stream.NewFilter(a, func(src, dst *buffer.Buffer, _ bool) error {
				f.Close()
				src.RemoveBuffer(dst, src.Len())
				return tt.err
			}, nil)
			after := 0
			f.SetCallbacks(func(*stream.Conn) { after++ }, func(*stream.Conn) { after++ },
				func(*stream.Conn, stream.What, error) { after++ })
			f.Enable(stream.Read)
			b.WriteString("stale")
			runUntil(t, l, func() bool { return f.Closed() })
			l.Run(ev.RunNoWait)
			if after != 0 || !a.Closed() {
				t.Errorf("callbacks after Close: %d, under closed %v; want 0, true", after, a.Closed())
			}
			// A connection with deferred callbacks reads into a Buffer of
			// its own, taken from the loop.
			c, d := connPair(t, l)
			c.SetDeferCallbacks(true)
			var got []byte
			collect(c, &got, nil)
			d.WriteString("fresh")
			runUntil(t, l, func() bool { return len(got) >= 5 })
			if string(got) != "fresh" {
				t.Errorf("the next connection read %q; want %q", got, "fresh")
			}
		})
	}
}
