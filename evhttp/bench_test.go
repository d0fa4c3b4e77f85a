package evhttp_test

import (
	"bytes"
	"errors"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
)

// roundTripper sends one fixed request on a socketpair connection and
// reads its response, running the server's loop in between.
type roundTripper struct {
	ls   *loopServer
	fd   int
	req  []byte
	buf  []byte
	size int // response size, learned from the first exchange
	// yield makes do yield while it waits, so that a bridged handler's
	// goroutine runs even when the client and the loop spin on the only P.
	yield bool
}

func newRoundTripper(tb testing.TB, ls *loopServer, req string) *roundTripper {
	rt := &roundTripper{ls: ls, fd: ls.connect(tb), req: []byte(req), buf: make([]byte, 64<<10)}
	tb.Cleanup(func() { unix.Close(rt.fd) })
	// Learn the size of one response.
	unix.Write(rt.fd, rt.req)
	for {
		ls.l.Run(ev.RunNoWait)
		n, err := unix.Read(rt.fd, rt.buf[rt.size:])
		if n > 0 {
			rt.size += n
		}
		if err != nil && !errors.Is(err, unix.EAGAIN) || n == 0 && err == nil {
			tb.Fatalf("read: %v", err)
		}
		if i := bytes.Index(rt.buf[:rt.size], []byte("\r\n\r\n")); i >= 0 && bytes.HasSuffix(rt.buf[:rt.size], []byte("!")) {
			return rt
		}
	}
}

func (rt *roundTripper) do(tb testing.TB) {
	if _, err := unix.Write(rt.fd, rt.req); err != nil {
		tb.Fatalf("write: %v", err)
	}
	got := 0
	for got < rt.size {
		rt.ls.l.Run(ev.RunNoWait)
		n, _ := unix.Read(rt.fd, rt.buf[got:])
		if n > 0 {
			got += n
		} else if rt.yield {
			runtime.Gosched()
		}
	}
}

// BenchmarkKeepAliveGet measures one keep-alive GET → 200 "Hello, World!"
// over a Unix socketpair, client and loop on one goroutine.
func BenchmarkKeepAliveGet(b *testing.B) {
	ls := newLoopServer(b, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/", func(r *evhttp.Request) { r.SendReply(200, "OK", []byte("Hello, World!")) })
	})
	rt := newRoundTripper(b, ls, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
	b.ReportAllocs()
	for b.Loop() {
		rt.do(b)
	}
}

// BenchmarkPipelined16 measures 16 pipelined GETs per write.
func BenchmarkPipelined16(b *testing.B) {
	ls := newLoopServer(b, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/", func(r *evhttp.Request) { r.SendReply(200, "OK", []byte("Hello, World!")) })
	})
	one := "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
	rt := newRoundTripper(b, ls, one)
	rt.req = bytes.Repeat([]byte(one), 16)
	rt.size *= 16
	b.ReportAllocs()
	for b.Loop() {
		rt.do(b)
	}
}
