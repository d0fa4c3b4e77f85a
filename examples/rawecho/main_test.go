package main

import (
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/eventide-go/eventide/internal/evtest"
)

func TestMain(m *testing.M) { evtest.Main(m) }

// TestRawEcho sends 1 MiB through the server and reads it back.
func TestRawEcho(t *testing.T) {
	l := evtest.NewLoop(t)
	ln, err := listen(l, "127.0.0.1:0")
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
	want := make([]byte, 1<<20)
	for i := range want {
		want[i] = byte(i * 7)
	}
	go func() {
		c.Write(want)
		c.(*net.TCPConn).CloseWrite()
	}()
	got, err := io.ReadAll(c)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes, %v; want the %d sent back", len(got), err, len(want))
	}
}
