package evhttp_test

import (
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
