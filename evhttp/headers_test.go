package evhttp_test

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

func fields(h *evhttp.Headers) []string {
	var out []string
	for n, v := range h.All() {
		out = append(out, n+": "+v)
	}
	return out
}

func TestHeadersValidation(t *testing.T) {
	tests := []struct {
		name, value string
		ok          bool
	}{
		{"Content-Type", "text/plain", true},
		{"X-Empty", "", true},
		{"X-Tab", "a\tb", true},
		{"X-UTF8", "café", true},
		{"", "v", false},
		{"Bad Name", "v", false},
		{"Bad:Name", "v", false},
		{"X", "a\r\nInjected: yes", false},
		{"X", "a\nb", false},
		{"X", "a\rb", false},
		{"X", "a\x00b", false},
	}
	for _, tt := range tests {
		var h evhttp.Headers
		errAdd := h.Add(tt.name, tt.value)
		errSet := h.Set(tt.name, tt.value)
		for _, err := range []error{errAdd, errSet} {
			if (err == nil) != tt.ok || err != nil && !errors.Is(err, evhttp.ErrInvalidHeader) {
				t.Errorf("Add/Set(%q, %q): got %v; want ok=%v", tt.name, tt.value, err, tt.ok)
			}
		}
		if !tt.ok && h.Len() != 0 {
			t.Errorf("invalid field %q was stored", tt.name)
		}
	}
}

func TestHeaders(t *testing.T) {
	var h evhttp.Headers
	h.Add("Accept", "a")
	h.Add("X-Multi", "1")
	h.Add("x-multi", "2")
	h.Add("Host", "h")
	if got := h.Get("X-MULTI"); got != "1" {
		t.Errorf("Get: got %q; want 1", got)
	}
	if got := h.Values("x-Multi"); !reflect.DeepEqual(got, []string{"1", "2"}) {
		t.Errorf("Values: got %q; want [1 2]", got)
	}
	if h.Get("Missing") != "" || h.Values("Missing") != nil {
		t.Errorf("missing field: got a value")
	}
	h.Set("X-MULTI", "3")
	if got, want := fields(&h), []string{"Accept: a", "X-MULTI: 3", "Host: h"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Set: got %q; want %q", got, want)
	}
	c := h.Clone()
	h.Del("accept")
	if got, want := fields(&h), []string{"X-MULTI: 3", "Host: h"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Del: got %q; want %q", got, want)
	}
	if c.Len() != 3 {
		t.Errorf("Clone shares storage: got len %d; want 3", c.Len())
	}
	hh := c.ToHTTP()
	if want := (http.Header{"Accept": {"a"}, "X-Multi": {"3"}, "Host": {"h"}}); !reflect.DeepEqual(hh, want) {
		t.Errorf("ToHTTP: got %v; want %v", hh, want)
	}
	back, err := evhttp.HeadersFromHTTP(http.Header{"B": {"1", "2"}, "A": {"0"}})
	if got, want := fields(&back), []string{"A: 0", "B: 1", "B: 2"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("HeadersFromHTTP: got %q, %v; want %q", got, err, want)
	}
	if _, err := evhttp.HeadersFromHTTP(http.Header{"X": {"a\nb"}}); !errors.Is(err, evhttp.ErrInvalidHeader) {
		t.Errorf("HeadersFromHTTP(invalid): got %v; want ErrInvalidHeader", err)
	}
	h.Clear()
	if h.Len() != 0 {
		t.Errorf("Clear: got len %d; want 0", h.Len())
	}
	for range c.All() {
		break
	}
}

func FuzzHeaders(f *testing.F) {
	f.Add("Content-Type", "text/html", "content-type")
	f.Add("X", "a\r\nb", "x")
	f.Fuzz(func(t *testing.T, name, value, lookup string) {
		var h evhttp.Headers
		err := h.Add(name, value)
		if want := isToken(name) && !strings.ContainsAny(value, "\r\n\x00"); (err == nil) != want {
			t.Fatalf("Add(%q, %q): got %v; want valid %v", name, value, err, want)
		}
		if err != nil {
			return
		}
		// Where we accept, net/http's validation agrees and the lookups match.
		hh := h.ToHTTP()
		if got, want := h.Get(lookup), hh.Get(lookup); got != want && isASCII(lookup) {
			t.Fatalf("Get(%q) after Add(%q, %q): got %q; net/http %q", lookup, name, value, got, want)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == ' ' {
			return false
		}
	}
	return true
}

func ExampleHeaders() {
	var h evhttp.Headers
	h.Add("Content-Type", "text/plain")
	h.Add("Set-Cookie", "a=1")
	h.Add("set-cookie", "b=2")
	fmt.Println(h.Get("content-type"))
	fmt.Println(h.Values("Set-Cookie"))
	fmt.Println(h.Add("X-Evil", "v\r\nInjected: 1"))
	for name, value := range h.All() {
		fmt.Printf("%s: %s\n", name, value)
	}
	// Output:
	// text/plain
	// [a=1 b=2]
	// evhttp: invalid header field
	// Content-Type: text/plain
	// Set-Cookie: a=1
	// set-cookie: b=2
}

// TestHeadersValueBytes puts every byte at every position of values of
// lengths around the eight-byte words Set reads: only CR, LF and NUL are
// refused.
func TestHeadersValueBytes(t *testing.T) {
	var h evhttp.Headers
	for c := 0; c < 256; c++ {
		want := c != '\r' && c != '\n' && c != 0
		for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 24} {
			for k := range n {
				v := []byte(strings.Repeat("v", n))
				v[k] = byte(c)
				if got := h.Set("X", string(v)) == nil; got != want {
					t.Fatalf("byte %#02x at %d of %d: accepted %v; want %v", c, k, n, got, want)
				}
			}
		}
	}
}

// isToken reports whether s is an RFC 9110 §5.6.2 token, byte by byte.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// TestHeadersNameBytes puts every byte at every position of names of
// lengths around the eight-byte words Set reads: only the token bytes are
// accepted, whichever way the name is tested.
func TestHeadersNameBytes(t *testing.T) {
	var h evhttp.Headers
	const base = "Content-Type-Length-9z"
	for c := 0; c < 256; c++ {
		want := isToken(string(rune(c))) && c < 0x80
		for _, n := range []int{1, 2, 7, 8, 9, 12, 15, 16, 17, 22} {
			for k := range n {
				name := []byte(base[:n])
				name[k] = byte(c)
				if got := h.Set(string(name), "v") == nil; got != want {
					t.Fatalf("byte %#02x at %d of %q: accepted %v; want %v", c, k, base[:n], got, want)
				}
				if got := h.Add(string(name), "v") == nil; got != want {
					t.Fatalf("Add: byte %#02x at %d of %q: accepted %v; want %v", c, k, base[:n], got, want)
				}
			}
		}
	}
	if h.Add("", "v") == nil || h.Set("", "v") == nil {
		t.Error("empty name accepted")
	}
}
