package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/internal/evtest"
)

func TestMain(m *testing.M) { evtest.Main(m) }

func TestHTTPEcho(t *testing.T) {
	loop := evtest.NewLoop(t)
	t.Cleanup(http.DefaultClient.CloseIdleConnections) // the client's sockets, before the descriptor count
	srv := newServer(loop)
	if err := srv.Bind("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	base := "http://" + srv.Addrs()[0].String()
	evtest.Serve(t, loop, srv.Close)

	big := bytes.Repeat([]byte("0123456789\x00\xff"), 100000)
	tests := []struct {
		method, path string
		body         []byte
		status       int
		check        func(string) bool
	}{
		{"GET", "/echo?a=1&b=x+y", nil, 200, func(s string) bool {
			return strings.Contains(s, "uri: /echo?a=1&b=x+y\n") && strings.Contains(s, "query: b=x y\n")
		}},
		{"POST", "/echo", big, 200, func(s string) bool { return s == string(big) }},
		{"PUT", "/echo", []byte("put body"), 200, func(s string) bool { return s == "put body" }},
		// HEAD is GET without the body (RFC 9110 §9.3.2: every
		// general-purpose server supports both).
		{"HEAD", "/echo", nil, 200, func(s string) bool { return s == "" }},
		{"DELETE", "/echo", nil, 405, func(string) bool { return true }},
		{"GET", "/other", nil, 404, func(string) bool { return true }},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, base+tt.path, bytes.NewReader(tt.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", tt.method, tt.path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !tt.check(string(b)) {
			t.Errorf("%s %s: got %d %.80q; want %d", tt.method, tt.path, resp.StatusCode, b, tt.status)
		}
	}
}
