package evhttp_test

import (
	"bufio"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

func TestServerBasic(t *testing.T) {
	ts := startServer(t, evhttp.Config{ServerName: "test"}, func(s *evhttp.Server) {
		s.HandleFunc("/hello", hello)
	})
	c := ts.dial()
	br := bufio.NewReader(c)
	c.Write([]byte("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"))
	resp, body := readResponse(t, br, "GET")
	if resp.StatusCode != 200 || body != "hello" {
		t.Fatalf("got %d %q; want 200 hello", resp.StatusCode, body)
	}
	if got := resp.Header.Get("Server"); got != "test" {
		t.Errorf("Server: got %q; want test", got)
	}
	if resp.Header.Get("Date") == "" {
		t.Errorf("no Date header")
	}
	c.Write([]byte("GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
	resp, _ = readResponse(t, br, "GET")
	if resp.StatusCode != 404 {
		t.Errorf("got %d; want 404", resp.StatusCode)
	}
	expectEOF(t, br)
	_ = strings.TrimSpace
}
