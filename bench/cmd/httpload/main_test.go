package main

import (
	"bufio"
	"strings"
	"testing"
	"time"
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
