package main

import (
	"bufio"
	"io"
	"net"
	"testing"

	"github.com/eventide-go/eventide/internal/evtest"
)

func TestMain(m *testing.M) { evtest.Main(m) }

// TestEcho runs the service on a loop in another goroutine and talks to it
// with the standard library.
func TestEcho(t *testing.T) {
	l := evtest.NewLoop(t)
	ln, err := listen(l, "127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	evtest.Serve(t, l, func() { ln.Close() })

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
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
	l := evtest.NewLoop(t)
	ln, err := listen(l, "127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	evtest.Serve(t, l, func() { ln.Close() })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
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
