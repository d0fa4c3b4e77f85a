package evhttp_test

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

func pairs(p evhttp.Params) []string {
	var out []string
	for k, v := range p.All() {
		out = append(out, k+"="+v)
	}
	return out
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		err     error
		lenient []string
	}{
		{"", nil, nil, nil},
		{"q=test&s=some+thing", []string{"q=test", "s=some thing"}, nil, []string{"q=test", "s=some thing"}},
		{"a=1&a=2&b=", []string{"a=1", "a=2", "b="}, nil, []string{"a=1", "a=2", "b="}},
		{"a=1&", []string{"a=1"}, nil, []string{"a=1"}},
		{"k%20ey=v%3D1", []string{"k ey=v=1"}, nil, []string{"k ey=v=1"}},
		{"a=b=c", []string{"a=b=c"}, nil, []string{"a=b=c"}},
		{"flag&a=1", nil, evhttp.ErrBadQuery, []string{"a=1"}},
		{"=1&a=1", nil, evhttp.ErrBadQuery, []string{"a=1"}},
		{"a=1&&b=2", nil, evhttp.ErrBadQuery, []string{"a=1", "b=2"}},
		{"a=%zz&b=2", nil, evhttp.ErrBadEscape, []string{"b=2"}},
	}
	for _, tt := range tests {
		p, err := evhttp.ParseQuery(tt.in)
		if got := pairs(p); !reflect.DeepEqual(got, tt.want) || !errors.Is(err, tt.err) {
			t.Errorf("ParseQuery(%q): got %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
		if got := pairs(evhttp.ParseQueryLenient(tt.in)); !reflect.DeepEqual(got, tt.lenient) {
			t.Errorf("ParseQueryLenient(%q): got %q; want %q", tt.in, got, tt.lenient)
		}
	}
}

func TestParams(t *testing.T) {
	var p evhttp.Params
	p.Add("a", "1")
	p.Add("b", "2")
	p.Add("a", "3")
	if got := p.Get("a"); got != "1" {
		t.Errorf("Get: got %q; want 1", got)
	}
	if got := p.Values("a"); !reflect.DeepEqual(got, []string{"1", "3"}) {
		t.Errorf("Values: got %q; want [1 3]", got)
	}
	if !p.Has("b") || p.Has("c") || p.Get("c") != "" || p.Values("c") != nil {
		t.Errorf("Has/Get/Values on missing key misbehave")
	}
	p.Set("a", "x")
	if got := pairs(p); !reflect.DeepEqual(got, []string{"a=x", "b=2"}) {
		t.Errorf("Set: got %q; want [a=x b=2]", got)
	}
	p.Set("c", "y z&")
	if got, want := p.Encode(), "a=x&b=2&c=y%20z%26"; got != want {
		t.Errorf("Encode: got %q; want %q", got, want)
	}
	p.Del("b")
	if got := pairs(p); p.Len() != 2 || !reflect.DeepEqual(got, []string{"a=x", "c=y z&"}) {
		t.Errorf("Del: got %q (len %d); want [a=x c=y z&]", got, p.Len())
	}
	for range p.All() {
		break // early stop must be honoured
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "a=1&b=2", "a=1&a=2", "q=some+thing%21", "x", "a=%zz", "a=1;b=2", "&", "=&="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := evhttp.ParseQuery(s)
		if err != nil {
			return
		}
		// Encode then parse gives the same pairs.
		q, err := evhttp.ParseQuery(p.Encode())
		if err != nil || !reflect.DeepEqual(pairs(q), pairs(p)) {
			t.Fatalf("re-parse of %q: got %q, %v; want %q", p.Encode(), pairs(q), err, pairs(p))
		}
		// net/url agrees where it accepts (it rejects ';').
		want, werr := url.ParseQuery(s)
		if werr != nil {
			return
		}
		got := url.Values{}
		for k, v := range p.All() {
			got[k] = append(got[k], v)
		}
		if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("ParseQuery(%q): got %v; net/url %v", s, got, want)
		}
	})
}

func ExampleParseQuery() {
	p, err := evhttp.ParseQuery("q=test&s=some+thing&q=again")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Get("s"))
	fmt.Println(p.Values("q"))
	p.Set("page", "2")
	fmt.Println(p.Encode())
	// Output:
	// some thing
	// [test again]
	// q=test&s=some%20thing&q=again&page=2
}
