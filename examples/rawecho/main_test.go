package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/eventide-go/eventide/internal/evtest"
)

func TestMain(m *testing.M) { evtest.Main(m) }

// TestRawEcho sends 1 MiB through the server and reads it back.
func TestRawEcho(t *testing.T) {
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

// TestRawEchoLoops serves one address from two loops running at once
// (-loops 2): 64 clients, each echoing 64 KiB concurrently, and both loops
// must have accepted some of them (all 64 on one loop has a chance of
// 2^-63 with the kernel's SO_REUSEPORT hash).
func TestRawEchoLoops(t *testing.T) {
	loops := evtest.NewLoops(t, 2)
	lns, err := listenAll(loops, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if a, b := lns[0].Addr().String(), lns[1].Addr().String(); a != b {
		t.Fatalf("listeners on %s and %s; want one address", a, b)
	}
	base := make([]int, len(loops))
	for i, l := range loops {
		evtest.Serve(t, l, func() { lns[i].Close() })
		evtest.Do(l, func() { base[i] = l.Stats().Active })
	}

	const clients = 64
	conns := make([]net.Conn, clients)
	for i := range conns {
		c, err := net.Dial("tcp", lns[0].Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// A first echo proves the connection accepted by some loop.
		if _, err := c.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
		conns[i] = c
	}
	total := 0
	for i, l := range loops {
		var n int
		evtest.Do(l, func() { n = l.Stats().Active - base[i] })
		if n == 0 {
			t.Errorf("loop %d accepted none of %d connections", i, clients)
		}
		total += n
	}
	if total != clients {
		t.Errorf("the loops watch %d connections; want %d", total, clients)
	}

	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i, c := range conns {
		wg.Go(func() {
			want := bytes.Repeat([]byte{byte(i)}, 64<<10)
			go func() {
				c.Write(want)
				c.(*net.TCPConn).CloseWrite()
			}()
			got, err := io.ReadAll(c)
			if err != nil || !bytes.Equal(got, want) {
				errs <- fmt.Errorf("client %d: read %d bytes, %v; want the %d sent", i, len(got), err, len(want))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
