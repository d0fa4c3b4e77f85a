package stream_test

import (
	"bytes"
	"errors"
	"syscall"
	"testing"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

func TestPair(t *testing.T) {
	l := newLoop(t)
	a, b := stream.NewPair(l)
	closeAtEnd(t, a, b)
	if a.Fd() != -1 || a.LocalAddr() != nil {
		t.Errorf("pair Fd %d, LocalAddr %v; want -1, nil", a.Fd(), a.LocalAddr())
	}
	var got []byte
	var events []stream.What
	collect(b, &got, &events)
	writes := 0
	a.SetCallbacks(nil, func(*stream.Conn) { writes++ }, nil)
	want := pattern(1 << 20)
	a.Write(want[:1000])
	a.Write(want[1000:])
	if len(got) != 0 {
		t.Fatal("bytes moved inside Write; want them moved from the loop")
	}
	runUntil(t, l, func() bool { return len(got) == len(want) })
	if !bytes.Equal(got, want) || writes == 0 {
		t.Fatalf("got %d bytes (equal %v), %d write callbacks; want all, at least one", len(got), bytes.Equal(got, want), writes)
	}
	a.Close()
	runUntil(t, l, func() bool { return len(events) > 0 })
	if events[0] != stream.Reading|stream.EOF {
		t.Fatalf("event %v after the peer closed; want reading|eof", events[0])
	}
	if _, err := b.WriteString("x"); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("write to a closed peer: %v; want EPIPE", err)
	}
}

func TestPairWatermarkAndCloseWrite(t *testing.T) {
	l := newLoop(t)
	a, b := stream.NewPair(l)
	closeAtEnd(t, a, b)
	b.SetReadWatermarks(0, 100)
	var events []stream.What
	b.SetCallbacks(func(*stream.Conn) {}, nil, func(_ *stream.Conn, w stream.What, _ error) { events = append(events, w) })
	b.Enable(stream.Read)
	a.Write(pattern(1000))
	a.CloseWrite()
	for range 5 {
		l.Run(ev.RunNoWait)
	}
	if n := b.Input().Len(); n != 100 {
		t.Fatalf("reader holds %d bytes; want the high watermark, 100", n)
	}
	total := 0
	runUntil(t, l, func() bool {
		n := b.Input().Len()
		total += n
		b.Input().Drain(n)
		return len(events) > 0
	})
	if total != 1000 || events[0] != stream.Reading|stream.EOF {
		t.Fatalf("read %d bytes then %v; want 1000 then reading|eof", total, events)
	}
}
