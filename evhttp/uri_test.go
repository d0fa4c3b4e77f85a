package evhttp_test

import (
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

func TestParseURI(t *testing.T) {
	tests := []struct {
		in   string
		want *evhttp.URI // nil: rejected
	}{
		{"http://user:pw@example.com:8080/a/b?q=1&r#frag",
			&evhttp.URI{Scheme: "http", Userinfo: "user:pw", Host: "example.com", Port: 8080, Path: "/a/b", RawQuery: "q=1&r", Fragment: "frag"}},
		{"/path?q", &evhttp.URI{Port: -1, Path: "/path", RawQuery: "q"}},
		{"https://[::1]:443", &evhttp.URI{Scheme: "https", Host: "[::1]", Port: 443}},
		{"http://h:", &evhttp.URI{Scheme: "http", Host: "h", Port: -1}},
		{"mailto:a@b.c", &evhttp.URI{Scheme: "mailto", Port: -1, Path: "a@b.c"}},
		{"//h/p", &evhttp.URI{Host: "h", Port: -1, Path: "/p"}},
		{"a/b%20c", &evhttp.URI{Port: -1, Path: "a/b%20c"}},
		{"", &evhttp.URI{Port: -1}},
		{"?a=1", &evhttp.URI{Port: -1, RawQuery: "a=1"}},
		{"http://h/a b", nil},
		{"http://h/%zz", nil},
		{"http://h/?q=%", nil},
		{"http://h/#a#b", nil},
		{"http://h:99999/", nil},
		{"http://h:x/", nil},
		{"http://h:-1/", nil},
		{"http://[::1/", nil},
		{"http://[zz]/", nil},
		{"http://h<>/", nil},
		{"a:b/c:d", &evhttp.URI{Scheme: "a", Port: -1, Path: "b/c:d"}},
		{"1a:b", nil},
		{"/caf\xc3\xa9", nil},
		{"http://h/\"", nil},
	}
	for _, tt := range tests {
		got, err := evhttp.ParseURI(tt.in)
		if tt.want == nil {
			if err == nil {
				t.Errorf("ParseURI(%q): got %+v; want error", tt.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseURI(%q): got %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestURIString(t *testing.T) {
	for _, s := range []string{
		"http://user:pw@example.com:8080/a/b?q=1&r#frag", "/path?q", "https://[::1]:443",
		"mailto:a@b.c", "//h/p", "a/b", "",
	} {
		u, err := evhttp.ParseURI(s)
		if err != nil {
			t.Fatalf("ParseURI(%q): %v", s, err)
		}
		if got := u.String(); got != s {
			t.Errorf("String: got %q; want %q", got, s)
		}
	}
}

func TestURIQuery(t *testing.T) {
	u, _ := evhttp.ParseURI("/s?q=a+b&n=1")
	p, err := u.Query()
	if err != nil || p.Get("q") != "a b" || p.Get("n") != "1" {
		t.Errorf("Query: got %v, %v; want q=a b, n=1", pairs(p), err)
	}
}

// TestResolveReference uses the examples of RFC 3986 §5.4.
func TestResolveReference(t *testing.T) {
	base, err := evhttp.ParseURI("http://a/b/c/d;p?q")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ ref, want string }{
		{"g:h", "g:h"}, {"g", "http://a/b/c/g"}, {"./g", "http://a/b/c/g"},
		{"g/", "http://a/b/c/g/"}, {"/g", "http://a/g"}, {"//g", "http://g"},
		{"?y", "http://a/b/c/d;p?y"}, {"g?y", "http://a/b/c/g?y"}, {"#s", "http://a/b/c/d;p?q#s"},
		{"g#s", "http://a/b/c/g#s"}, {"g?y#s", "http://a/b/c/g?y#s"}, {";x", "http://a/b/c/;x"},
		{"g;x", "http://a/b/c/g;x"}, {"g;x?y#s", "http://a/b/c/g;x?y#s"}, {"", "http://a/b/c/d;p?q"},
		{".", "http://a/b/c/"}, {"./", "http://a/b/c/"}, {"..", "http://a/b/"}, {"../", "http://a/b/"},
		{"../g", "http://a/b/g"}, {"../..", "http://a/"}, {"../../", "http://a/"}, {"../../g", "http://a/g"},
		// Abnormal examples, §5.4.2.
		{"../../../g", "http://a/g"}, {"../../../../g", "http://a/g"}, {"/./g", "http://a/g"},
		{"/../g", "http://a/g"}, {"g.", "http://a/b/c/g."}, {".g", "http://a/b/c/.g"},
		{"g..", "http://a/b/c/g.."}, {"..g", "http://a/b/c/..g"}, {"./../g", "http://a/b/g"},
		{"./g/.", "http://a/b/c/g/"}, {"g/./h", "http://a/b/c/g/h"}, {"g/../h", "http://a/b/c/h"},
		{"g;x=1/./y", "http://a/b/c/g;x=1/y"}, {"g;x=1/../y", "http://a/b/c/y"},
		{"g?y/./x", "http://a/b/c/g?y/./x"}, {"g?y/../x", "http://a/b/c/g?y/../x"},
		{"g#s/./x", "http://a/b/c/g#s/./x"}, {"g#s/../x", "http://a/b/c/g#s/../x"}, {"http:g", "http:g"},
		// An empty authority replaces the base's (it is not a path).
		{"///g", "http:///g"}, {"file:///x/../y", "file:///y"},
	}
	for _, tt := range tests {
		ref, err := evhttp.ParseURI(tt.ref)
		if err != nil {
			t.Errorf("ParseURI(%q): %v", tt.ref, err)
			continue
		}
		if got := base.ResolveReference(ref).String(); got != tt.want {
			t.Errorf("resolve %q: got %q; want %q", tt.ref, got, tt.want)
		}
	}
}

// FuzzParseURI compares ParseURI with net/url.Parse where both accept. net/url
// is more lenient (it accepts spaces in queries, bad escapes in queries,
// non-ASCII), so only our acceptances are checked against it; differences in
// representation are normalised: net/url strips brackets from Hostname and
// splits the port off the host, and reads "///x" without a scheme as a path.
func FuzzParseURI(f *testing.F) {
	for _, s := range []string{
		"http://user:pw@example.com:8080/a/b?q=1&r#frag", "/path?q", "https://[::1]:443/x",
		"mailto:a@b.c", "//h/p", "a/b", "", "http://h/%41", "http://h:/", "?q#f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := evhttp.ParseURI(s)
		if err != nil {
			return
		}
		// String is stable: parsing it again gives the same URI.
		v, err := evhttp.ParseURI(u.String())
		if err != nil || u.String() != v.String() {
			t.Fatalf("re-parse of %q: got %+v, %v", u.String(), v, err)
		}
		w, werr := url.Parse(s)
		if werr != nil {
			return
		}
		if !strings.EqualFold(w.Scheme, u.Scheme) || w.RawQuery != u.RawQuery ||
			w.EscapedFragment() != u.Fragment && w.Fragment != "" {
			t.Fatalf("ParseURI(%q) = %+v; net/url %+v", s, u, w)
		}
		// net/url reads "///x" without a scheme as a path, not as an
		// empty authority.
		if w.Opaque == "" && w.EscapedPath() != u.Path && w.RawPath != "" && !strings.HasPrefix(s, "///") {
			t.Fatalf("path of %q: got %q; net/url %q", s, u.Path, w.EscapedPath())
		}
		if w.Opaque != "" || strings.HasPrefix(s, "///") || strings.Contains(u.Host, "%") {
			return
		}
		port := -1
		if w.Port() != "" {
			port, _ = strconv.Atoi(w.Port())
		}
		if strings.Trim(u.Host, "[]") != w.Hostname() || u.Port != port {
			t.Fatalf("authority of %q: got %q port %d; net/url %q port %d", s, u.Host, u.Port, w.Hostname(), port)
		}
	})
}

func ExampleParseURI() {
	u, err := evhttp.ParseURI("http://example.com:8080/search?q=go+lang#top")
	if err != nil {
		panic(err)
	}
	fmt.Println(u.Scheme, u.Host, u.Port, u.Path, u.RawQuery, u.Fragment)
	q, _ := u.Query()
	fmt.Println(q.Get("q"))
	ref, _ := evhttp.ParseURI("../img/logo.png")
	fmt.Println(u.ResolveReference(ref))
	// Output:
	// http example.com 8080 /search q=go+lang top
	// go lang
	// http://example.com:8080/img/logo.png
}

// TestEmptyAuthority checks that an empty authority survives parsing,
// joining and resolving against it.
func TestEmptyAuthority(t *testing.T) {
	base, err := evhttp.ParseURI("file:///a/b")
	if err != nil || !base.EmptyAuthority || base.Host != "" || base.String() != "file:///a/b" {
		t.Fatalf("ParseURI(file:///a/b) = %+v, %v; want an empty authority that joins back", base, err)
	}
	for ref, want := range map[string]string{"c": "file:///a/c", "": "file:///a/b", "/d": "file:///d", "//h/e": "file://h/e"} {
		r, err := evhttp.ParseURI(ref)
		if err != nil {
			t.Fatal(err)
		}
		if got := base.ResolveReference(r).String(); got != want {
			t.Errorf("resolve %q against %v: got %q; want %q", ref, base, got, want)
		}
	}
	if u, _ := evhttp.ParseURI("file:/a"); u.EmptyAuthority || u.String() != "file:/a" {
		t.Errorf("file:/a parsed as %+v; want no authority", u)
	}
}
