package http1_test

import (
	"strings"
	"testing"

	"github.com/eventide-go/eventide/internal/http1"
)

// TestFieldValueTrimming checks the OWS rules of RFC 9112 §5.1 on values.
func TestFieldValueTrimming(t *testing.T) {
	tests := []struct{ line, want string }{
		{"X: a", "a"},
		{"X:a", "a"},
		{"X: \t a b \t ", "a b"},
		{"X:", ""},
		{"X:   ", ""},
		{"X: \x80\xff", "\x80\xff"},
	}
	p := http1.NewRequestParser(http1.Limits{})
	for _, tt := range tests {
		in := "GET / HTTP/1.1\r\nHost: h\r\n" + tt.line + "\r\n\r\n"
		r := parseRequest(p, []byte(in))
		if r.Status != 0 || len(r.Headers) != 2 || r.Headers[1] != "X: "+tt.want {
			t.Errorf("%q: got %+v; want value %q", tt.line, r, tt.want)
		}
	}
}

// TestFieldValueBytes puts every byte but CR and LF at every position of
// values of lengths around the eight-byte words the check reads: RFC 9110
// §5.5 allows SP, HTAB, VCHAR and obs-text, nothing else.
func TestFieldValueBytes(t *testing.T) {
	for c := 0; c < 256; c++ {
		if c == '\r' || c == '\n' {
			continue
		}
		want := c == ' ' || c == '\t' || 0x21 <= c && c <= 0x7e || c >= 0x80
		for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 24} {
			for k := range n {
				v := []byte(strings.Repeat("v", n))
				v[k] = byte(c)
				in := "GET / HTTP/1.1\r\nHost: h\r\nX: " + string(v) + "\r\n\r\n"
				var p http1.RequestParser
				_, err := p.Feed([]byte(in))
				if got := err == nil && p.Done(); got != want {
					t.Fatalf("byte %#02x at %d of %d: accepted %v (err %v); want %v", c, k, n, got, err, want)
				}
			}
		}
	}
}
