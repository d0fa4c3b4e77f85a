//go:build !race

package evhttp_test

import (
	"bytes"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

// TestKeepAliveZeroAllocs checks that a keep-alive GET answered 200 with a
// small body allocates nothing per request once the connection is warm:
// the Request, its parser arena and headers are reused, the method is a
// constant, routing indexes the map with the raw path, and the Date header
// is formatted once per second.
func TestKeepAliveZeroAllocs(t *testing.T) {
	body := []byte("Hello, World!")
	ls := newLoopServer(t, evhttp.Config{ServerName: "eventide"}, func(s *evhttp.Server) {
		s.HandleFunc("/", func(r *evhttp.Request) {
			r.OutputHeaders().Set("Content-Type", "text/plain")
			r.SendReply(200, "OK", body)
		})
	})
	rt := newRoundTripper(t, ls, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
	for range 100 {
		rt.do(t)
	}
	if got := testing.AllocsPerRun(1000, func() { rt.do(t) }); got != 0 {
		t.Errorf("allocations per keep-alive request: got %v; want 0", got)
	}
}

// TestPipelinedZeroAllocs is TestKeepAliveZeroAllocs for 16 pipelined GETs
// per write, whose replies are corked and leave in one write.
func TestPipelinedZeroAllocs(t *testing.T) {
	body := []byte("Hello, World!")
	ls := newLoopServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/", func(r *evhttp.Request) { r.SendReply(200, "OK", body) })
	})
	one := "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
	rt := newRoundTripper(t, ls, one)
	rt.req = bytes.Repeat([]byte(one), 16)
	rt.size *= 16
	for range 100 {
		rt.do(t)
	}
	if got := testing.AllocsPerRun(1000, func() { rt.do(t) }); got != 0 {
		t.Errorf("allocations per 16 pipelined requests: got %v; want 0", got)
	}
}
