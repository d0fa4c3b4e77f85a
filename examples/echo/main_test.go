package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/eventide-go/eventide/internal/evtest"
)

func TestMain(m *testing.M) { evtest.Main(m) }

// dialEcho serves the echo with lines of at most maxLine bytes on a loop in
// another goroutine and returns a connection to it, closed at cleanup.
func dialEcho(t *testing.T, maxLine int) net.Conn {
	t.Helper()
	l := evtest.NewLoop(t)
	ln, err := listen(l, "127.0.0.1:0", false, maxLine)
	if err != nil {
		t.Fatal(err)
	}
	evtest.Serve(t, l, func() { ln.Close() })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestEcho runs the service on a loop in another goroutine and talks to it
// with the standard library.
func TestEcho(t *testing.T) {
	c := dialEcho(t, 1<<10)
	// Two lines in one write, one split across writes, CRLF and LF.
	r := bufio.NewReader(c)
	c.Write([]byte("hello\r\nwor"))
	c.Write([]byte("ld\nbye\n"))
	for _, want := range []string{"You said hello\n", "You said world\n", "You said bye\n"} {
		got, err := r.ReadString('\n')
		if err != nil || got != want {
			t.Fatalf("got %q, %v; want %q", got, err, want)
		}
	}
}

// TestEchoHalfClose sends many lines and shuts down its writing side at
// once: every answer must still arrive before the server closes.
func TestEchoHalfClose(t *testing.T) {
	c := dialEcho(t, 1<<10)
	const lines = 2000
	var req []byte
	for range lines {
		req = append(req, "a line of text\n"...)
	}
	if _, err := c.Write(req); err != nil {
		t.Fatal(err)
	}
	c.(*net.TCPConn).CloseWrite()
	all, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if want := lines * len("You said a line of text\n"); len(all) != want {
		t.Fatalf("read %d bytes before the server closed; want %d", len(all), want)
	}
}

// TestEchoLineTooLong sends a line longer than the limit without ending it:
// the server answers the complete lines before it, then closes instead of
// buffering without bound. A line of exactly the limit is still answered.
func TestEchoLineTooLong(t *testing.T) {
	const max = 16
	c := dialEcho(t, max)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	exact := strings.Repeat("x", max)
	// The endless line is written in pieces, as a client trickling it would;
	// the server may close (and reset) before the last ones, so write errors
	// are expected.
	go func() {
		c.Write([]byte("short\n" + exact + "\n"))
		for range 64 {
			if _, err := c.Write(bytes.Repeat([]byte("y"), 1<<10)); err != nil {
				return
			}
		}
	}()
	all, err := io.ReadAll(c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server kept the connection open: %v (read %q)", err, all)
	}
	// EOF or a reset (the server closed with the long line unread) both
	// end the exchange.
	if want := "You said short\nYou said " + exact + "\n"; string(all) != want {
		t.Fatalf("got %q before the server closed; want %q", all, want)
	}
}
