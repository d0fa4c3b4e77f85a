package evhttp_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

// TestIterateWhileChanging changes Headers and Params from inside the loop
// over All: the iteration must end, yield nothing twice and nothing that
// was not in the list (a removal used to yield the zeroed tail as a field
// named "").
func TestIterateWhileChanging(t *testing.T) {
	orig := []string{"A=1", "B=2", "A=3", "C=4"}
	tests := []struct {
		name   string
		at     string // the key whose first visit triggers the change
		header func(h *evhttp.Headers)
		param  func(p *evhttp.Params)
	}{
		{"del current", "A", func(h *evhttp.Headers) { h.Del("A") }, func(p *evhttp.Params) { p.Del("A") }},
		{"del middle", "B", func(h *evhttp.Headers) { h.Del("B") }, func(p *evhttp.Params) { p.Del("B") }},
		{"del earlier", "C", func(h *evhttp.Headers) { h.Del("A") }, func(p *evhttp.Params) { p.Del("A") }},
		{"set", "A", func(h *evhttp.Headers) { h.Set("A", "9") }, func(p *evhttp.Params) { p.Set("A", "9") }},
		{"clear", "B", func(h *evhttp.Headers) { h.Clear() }, func(p *evhttp.Params) { *p = evhttp.Params{} }},
		{"add", "A", func(h *evhttp.Headers) { h.Add("D", "5") }, func(p *evhttp.Params) { p.Add("D", "5") }},
	}
	for _, tt := range tests {
		var h evhttp.Headers
		var p evhttp.Params
		for _, kv := range orig {
			h.Add(kv[:1], kv[2:])
			p.Add(kv[:1], kv[2:])
		}
		var got []string
		for n, v := range h.All() {
			got = append(got, n+"="+v)
			if n == tt.at && len(got) <= len(orig) {
				tt.header(&h)
			}
		}
		checkYielded(t, "Headers.All, "+tt.name, got, orig)
		got = nil
		for k, v := range p.All() {
			got = append(got, k+"="+v)
			if k == tt.at && len(got) <= len(orig) {
				tt.param(&p)
			}
		}
		checkYielded(t, "Params.All, "+tt.name, got, orig)
	}
}

// checkYielded reports whether got is a subsequence of orig, allowing the
// value "9" that the "set" case gives A.
func checkYielded(t *testing.T, what string, got, orig []string) {
	t.Helper()
	j := 0
	for _, kv := range got {
		for j < len(orig) && orig[j] != kv && !(kv == "A=9" && orig[j][0] == 'A') {
			j++
		}
		if j == len(orig) {
			t.Errorf("%s: got %q; want a subsequence of %q", what, got, orig)
			return
		}
		j++
	}
}

// FuzzHeadersModel applies Add, Set, Del and Get to Headers and to a plain
// slice compared byte-wise after ASCII lowering, and checks the fields,
// their order, the net/http conversions and that no invalid field enters.
func FuzzHeadersModel(f *testing.F) {
	f.Add([]byte{0, 4, 1, 8, 2, 3, 28}, "v")
	f.Add([]byte{0, 20, 24, 1, 21, 2, 4}, "a\r\nb")
	f.Add([]byte{32, 36, 33, 37, 34, 32, 40, 44, 48, 52, 57, 61, 35}, "close")
	f.Add([]byte{36, 32, 38, 32, 33, 37}, "Close")
	f.Fuzz(func(t *testing.T, ops []byte, value string) {
		names := []string{"A", "a", "X-K", "x-k", "x-\u212a", "Bad Name", "", "B",
			"Connection", "connection", "Content-Type", "Date", "server", "Content-Length", "TRANSFER-ENCODING", "Content-Typ"}
		lower := func(s string) string {
			b := []byte(s)
			for i, c := range b {
				if 'A' <= c && c <= 'Z' {
					b[i] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
		valid := func(name, value string) bool {
			return name != "" && !strings.ContainsAny(name, " \u212a") && !strings.ContainsAny(value, "\r\n\x00")
		}
		var h evhttp.Headers
		var model []string // "name: value"
		for i, op := range ops {
			name := names[int(op>>2)%len(names)]
			v := value
			if i%2 == 1 {
				v = value[:len(value)/2]
			}
			switch op & 3 {
			case 0:
				err := h.Add(name, v)
				if (err == nil) != valid(name, v) {
					t.Fatalf("Add(%q, %q): got %v", name, v, err)
				}
				if err == nil {
					model = append(model, name+": "+v)
				}
			case 1:
				err := h.Set(name, v)
				if (err == nil) != valid(name, v) {
					t.Fatalf("Set(%q, %q): got %v", name, v, err)
				}
				if err == nil {
					var next []string
					done := false
					for _, kv := range model {
						n, _, _ := strings.Cut(kv, ": ")
						switch {
						case lower(n) != lower(name):
							next = append(next, kv)
						case !done:
							next = append(next, name+": "+v)
							done = true
						}
					}
					if !done {
						next = append(next, name+": "+v)
					}
					model = next
				}
			case 2:
				h.Del(name)
				model = slices.DeleteFunc(model, func(kv string) bool {
					n, _, _ := strings.Cut(kv, ": ")
					return lower(n) == lower(name)
				})
			case 3:
				var want []string
				for _, kv := range model {
					if n, val, _ := strings.Cut(kv, ": "); lower(n) == lower(name) {
						want = append(want, val)
					}
				}
				if got := h.Values(name); !slices.Equal(got, want) {
					t.Fatalf("Values(%q): got %q; want %q", name, got, want)
				}
			}
			if got := fields(&h); !slices.Equal(got, model) {
				t.Fatalf("after op %d (%d on %q): got %q; want %q", i, op&3, name, got, model)
			}
			if !evhttp.ReplyFieldsCounted(&h) {
				t.Fatalf("after op %d (%d on %q): the reply fields recorded differ from those counted in %q", i, op&3, name, model)
			}
		}
		hh := h.ToHTTP()
		back, err := evhttp.HeadersFromHTTP(hh)
		if err != nil {
			t.Fatalf("HeadersFromHTTP(%v): %v", hh, err)
		}
		if !reflect.DeepEqual(back.ToHTTP(), hh) {
			t.Fatalf("ToHTTP round trip: got %v; want %v", back.ToHTTP(), hh)
		}
	})
}
