package http1_test

import (
	"testing"

	"github.com/eventide-go/eventide/internal/http1"
)

// TestTarget checks the request-target forms of RFC 9112 §3.2 one by one.
func TestTarget(t *testing.T) {
	tests := []struct {
		method, target string
		status         int // 0 = accepted
	}{
		{"GET", "/", 0},
		{"GET", "/a/b;c=d?x=1&y=%2F:@!$'()*+,", 0},
		{"GET", "/~user/-._", 0},
		{"GET", "http://h", 0},
		{"GET", "http://h?q", 0},
		{"GET", "HTTPS://h.example:0/p", 0},
		{"GET", "http://[::1]/", 0},
		{"GET", "http://[v1.x]/", 400},
		{"GET", "http://[::ffff:1.2.3.4]/", 0},
		{"GET", "http://[1:2:3:4:5:6:7:8:9]/", 400},
		{"GET", "http://[1.2.3.4]/", 400},
		{"GET", "http://[v5]/", 400},
		{"GET", "http://[::1%25eth0]/", 400},
		{"CONNECT", "[1::2::3]:443", 400},
		{"GET", "http://h%41/", 400}, // an ASCII byte escaped in a host: net/url refuses it
		{"GET", "http://h%00/", 400},
		{"0", "A://0%00000", 400}, // found by FuzzRequestDifferential
		{"GET", "http://h%7f/", 400},
		{"GET", "http://h%80/", 0}, // non-ASCII bytes may be escaped
		{"GET", "http://h%C3%A9/", 0},
		{"GET", "http://h%fF/", 0},
		{"GET", "http://h%25/", 0}, // %25 too, as net/url allows (RFC 6874)
		{"GET", "http://h%8/", 400},
		{"GET", "http://h%8g/", 400},
		{"CONNECT", "h%2e:443", 400},
		{"CONNECT", "h%e2:443", 0},
		{"GET", "http://h%4/", 400},
		{"GET", "http://[::1/", 400},
		{"GET", "http://[]/", 400},
		{"GET", "http://[::1]x/", 400},
		{"GET", "http://h:/", 400},
		{"GET", "http://h:1234567/", 400},
		{"GET", "http://u@h/", 400},
		{"GET", "http://h:80@evil/", 400},
		{"GET", "1http://h/", 400},
		{"GET", "/a\\b", 400},
		{"GET", "/a%", 400},
		{"GET", "/{}", 400},
		{"OPTIONS", "*", 0},
		{"OPTIONS", "/", 0},
		{"OPTIONS", "**", 400},
		{"CONNECT", "h:443", 0},
		{"CONNECT", "[::1]:443", 0},
		{"CONNECT", "[::1]", 400},
		{"CONNECT", ":443", 400},
		{"CONNECT", "h:", 400},
		{"CONNECT", "h:4a", 400},
		{"CONNECT", "u@h:443", 400},
		{"CONNECT", "http://h/", 400},
		{"CONNECT", "*", 400},
	}
	p := http1.NewRequestParser(http1.Limits{})
	for _, tt := range tests {
		in := tt.method + " " + tt.target + " HTTP/1.1\r\nHost: h\r\n\r\n"
		if got := parseRequest(p, []byte(in)); got.Status != tt.status {
			t.Errorf("%s %s: got status %d (%s); want %d", tt.method, tt.target, got.Status, got.Reason, tt.status)
		}
	}
}
