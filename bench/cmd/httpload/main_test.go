package main

import (
	"bufio"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

const wrkReport = `Running 5s test @ http://127.0.0.1:8001/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   612.34us  201.00us   8.12ms   90.00%
    Req/Sec    80.12k     2.00k   85.00k    70.00%
  Latency Distribution
     50%  580.00us
     75%  650.00us
     90%  700.00us
     99%    1.23ms
  400000 requests in 5.00s, 50.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  80000.50
Transfer/sec:     10.00MB
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk([]byte(wrkReport))
	if err != nil {
		t.Fatal(err)
	}
	want := wrkResult{reqPerSec: 80000.50, reqs: 400000, p50: 580 * time.Microsecond, p99: 1230 * time.Microsecond, errors: 7}
	if r != want {
		t.Errorf("parseWrk = %+v; want %+v", r, want)
	}
	if _, err := parseWrk([]byte("garbage\n")); err == nil {
		t.Errorf("parseWrk(garbage): got no error; want one")
	}
}

func TestReadResponse(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"length", "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!", true},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nHello, \r\n6\r\nWorld!\r\n0\r\n\r\n", true},
		{"status", "HTTP/1.1 404 Not Found\r\nContent-Length: 13\r\n\r\nHello, World!", false},
		{"body", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello", false},
		{"no length", "HTTP/1.1 200 OK\r\n\r\nHello, World!", false},
	}
	for _, tt := range tests {
		err := readResponse(bufio.NewReader(strings.NewReader(tt.in)))
		if got := err == nil; got != tt.ok {
			t.Errorf("%s: readResponse error %v; want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestFrameResponse(t *testing.T) {
	ok200 := "HTTP/1.1 200 OK\r\nDate: x\r\ncontent-length: 13\r\n\r\nHello, World!"
	chunked := "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nd\r\nHello, World!\r\n0\r\n\r\n"
	tests := []struct {
		name, in string
		n        int
		ok       bool
		err      string // "" none, "incomplete", or any other error
	}{
		{"whole", ok200, len(ok200), true, ""},
		{"then more", ok200 + "HTTP/1.1", len(ok200), true, ""},
		{"404", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 45, false, ""},
		{"head cut", ok200[:20], 0, false, "incomplete"},
		{"body cut", ok200[:len(ok200)-1], 0, false, "incomplete"},
		{"chunked", chunked, len(chunked), true, ""},
		{"chunked cut", chunked[:len(chunked)-1], 0, false, "incomplete"},
		{"chunked data cut", chunked[:50], 0, false, "incomplete"},
		{"chunked trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\r\n\r\n", 58, true, ""},
		{"chunked bad size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, false, "error"},
		{"gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0, false, "error"},
		{"close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 0, false, "error"},
		{"no length", "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n", 0, false, "error"},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, false, "error"},
		{"bad status", "HTTX/1.1 200 OK\r\n\r\n", 0, false, "error"},
	}
	for _, tt := range tests {
		n, ok, err := frameResponse([]byte(tt.in))
		gotErr := ""
		switch {
		case err == errIncomplete:
			gotErr = "incomplete"
		case err != nil:
			gotErr = "error"
		}
		if gotErr != tt.err || (err == nil && (n != tt.n || ok != tt.ok)) {
			t.Errorf("%s: frameResponse = %d, %v, %v; want %d, %v, %q", tt.name, n, ok, err, tt.n, tt.ok, tt.err)
		}
	}
}

// TestRawPipelined feeds the raw generator's receive path the responses to
// a pipelined batch in pieces, over a socketpair: it counts each response,
// sends the next batch only once the whole batch is answered, and refuses
// a response nobody asked for.
func TestRawPipelined(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	const req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	const resp = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!"
	g := &rawGen{req: []byte(req + req), depth: 2, buf: make([]byte, 64<<10)}
	g.measuring.Store(true)
	c := &rawConn{fd: fds[0]}
	peer := fds[1]
	sent := func() string { // what the generator sent so far
		b := make([]byte, 4096)
		n, err := unix.Read(peer, b)
		if err == unix.EAGAIN {
			return ""
		}
		if err != nil {
			t.Fatal(err)
		}
		return string(b[:n])
	}
	write := func(s string) {
		if _, err := unix.Write(peer, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.send(c, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := sent(); got != req+req {
		t.Fatalf("first batch: sent %q; want two requests", got)
	}
	write(resp + resp[:30])
	if err := g.receive(c); err != nil {
		t.Fatal(err)
	}
	if got, s := g.done.Load(), sent(); got != 1 || s != "" {
		t.Fatalf("after one and a half responses: %d counted, sent %q; want 1 and nothing", got, s)
	}
	write(resp[30:])
	if err := g.receive(c); err != nil {
		t.Fatal(err)
	}
	if got, s := g.done.Load(), sent(); got != 2 || s != req+req {
		t.Fatalf("after the batch: %d counted, sent %q; want 2 and the next batch", got, s)
	}
	write(resp + resp + resp)
	if err := g.receive(c); err == nil {
		t.Errorf("a third response to a batch of two: no error")
	}
}
