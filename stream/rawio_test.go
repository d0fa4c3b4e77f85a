package stream_test

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/stream"
)

// TestConnOnPipe runs a Conn over each end of a pipe: a descriptor that is
// no socket, which the Conn must read and write with read(2) and write(2)
// (on sockets it uses recv and send). The bytes go through Write, through
// WriteBuffer with one segment and with several, and arrive intact, then EOF.
func TestConnOnPipe(t *testing.T) {
	l := newLoop(t)
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		t.Fatal(err)
	}
	r, err := stream.NewConn(l, p[0])
	if err != nil {
		unix.Close(p[0])
		unix.Close(p[1])
		t.Fatal(err)
	}
	w, err := stream.NewConn(l, p[1])
	if err != nil {
		r.Close()
		unix.Close(p[1])
		t.Fatal(err)
	}
	closeAtEnd(t, r, w)
	var got []byte
	var events []stream.What
	collect(r, &got, &events)

	want := pattern(200000)
	w.Write(want[:1000])
	var one buffer.Buffer
	one.Write(want[1000:2000])
	if err := w.WriteBuffer(&one); err != nil {
		t.Fatal(err)
	}
	var many buffer.Buffer
	for i := 2000; i < len(want); i += 10000 {
		var part buffer.Buffer
		part.Write(want[i:min(i+10000, len(want))])
		many.AppendBuffer(&part)
	}
	if err := w.WriteBuffer(&many); err != nil {
		t.Fatal(err)
	}
	w.CloseAfterFlush()
	runUntil(t, l, func() bool { return len(events) > 0 })
	if !bytes.Equal(got, want) || events[0] != stream.Reading|stream.EOF {
		t.Fatalf("got %d bytes (equal %v), events %v; want %d bytes then reading|EOF",
			len(got), bytes.Equal(got, want), events, len(want))
	}
}
