package http1_test

import (
	"strings"
	"testing"

	"github.com/eventide-go/eventide/internal/http1"
)

func TestRequestLimits(t *testing.T) {
	p := http1.NewRequestParser(http1.Limits{MaxHeadBytes: 64, MaxHeaders: 2, MaxTargetBytes: 8})
	tests := []struct {
		in     string
		status int
	}{
		{"GET /12345678 HTTP/1.1\r\nHost: h\r\n\r\n", 414},
		{"GET /1234567 HTTP/1.1\r\nHost: h\r\n\r\n", 0},
		{strings.Repeat("M", 65) + " / HTTP/1.1\r\nHost: h\r\n\r\n", 501},
		{strings.Repeat("M", 50) + " /123456789 HTTP/1.1\r\nHost: h\r\n\r\n", 414},
		{"GET / HTTP/1.1\r\nHost: h\r\nA: b\r\nC: d\r\n\r\n", 431},
		{"GET / HTTP/1.1\r\nHost: h\r\nA: " + strings.Repeat("b", 40) + "\r\n\r\n", 431},
	}
	for _, tt := range tests {
		if got := parseRequest(p, []byte(tt.in)); got.Status != tt.status {
			t.Errorf("%q: got status %d (%s); want %d", tt.in, got.Status, got.Reason, tt.status)
		}
	}
}
