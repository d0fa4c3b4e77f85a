package evhttp_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

// TestBridgeLateTrailerPrefix sets http.TrailerPrefix fields only after
// the head of a chunked reply went out (a long body, a Flush), which is
// what the prefix is for: net/http sends them as the trailer.
func TestBridgeLateTrailerPrefix(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ping":
			io.WriteString(w, "pong")
			return
		case "/big":
			io.WriteString(w, strings.Repeat("z", 20000))
		case "/flushed":
			io.WriteString(w, "a")
			w.(http.Flusher).Flush()
		}
		w.Header().Set(http.TrailerPrefix+"X-P", "p-value")
	})
	ts := startBridge(t, evhttp.Config{}, h)
	ref := startRef(t, h) // closed before the loop's descriptor check
	for _, tc := range []compatCase{
		{name: "big", raw: "GET /big HTTP/1.1\r\n\r\n"},
		{name: "flushed", raw: "GET /flushed HTTP/1.1\r\n\r\n"},
		{name: "flushed HTTP/1.0", raw: "GET /flushed HTTP/1.0\r\n\r\n"},
		{name: "flushed HEAD", raw: "HEAD /flushed HTTP/1.1\r\n\r\n", method: "HEAD"},
	} {
		want := describe(t, ref, tc, nil)
		got := describe(t, ts.addr, tc, nil)
		if got != want {
			t.Errorf("%s:\n got  %s\n want %s (net/http)", tc.name, got, want)
		}
	}
}

// TestBridgeProtoVersion sends request lines with every HTTP/1 minor
// version: Request.Proto must agree with ProtoMinor, as with net/http.
func TestBridgeProtoVersion(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %d.%d", r.Proto, r.ProtoMajor, r.ProtoMinor)
	})
	ts := startBridge(t, evhttp.Config{}, h)
	ref := startRef(t, h) // closed before the loop's descriptor check
	for _, proto := range []string{"HTTP/1.0", "HTTP/1.1", "HTTP/1.2", "HTTP/1.9"} {
		tc := compatCase{name: proto, raw: "GET / " + proto + "\r\n\r\n"}
		want := describe(t, ref, tc, nil)
		got := describe(t, ts.addr, tc, nil)
		if got != want {
			t.Errorf("%s:\n got  %s\n want %s (net/http)", tc.name, got, want)
		}
	}
}

// TestBridgeBodyCutShort sends half a request body and shuts down the
// client's side: the handler's Read fails with io.ErrUnexpectedEOF, as with
// net/http, and the error still wraps net.ErrClosed, as documented.
func TestBridgeBodyCutShort(t *testing.T) {
	readErr := make(chan error, 1)
	ts := startBridge(t, evhttp.Config{StreamBodies: true}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
	}))
	c := ts.dial()
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
	c.(*net.TCPConn).CloseWrite()
	err := wait(t, readErr, "the handler's Read")
	if !errors.Is(err, io.ErrUnexpectedEOF) || !errors.Is(err, net.ErrClosed) {
		t.Errorf("Read: got %v; want an error wrapping io.ErrUnexpectedEOF and net.ErrClosed", err)
	}
}
