package http1_test

import (
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
