package evhttp_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

// TestURIStringAuthorityRelativePath checks that String keeps a path that
// does not start with '/' apart from an authority: "//h" + "p" would read
// as the host "hp" (RFC 3986 §3.3: a path after an authority is empty or
// begins with "/").
func TestURIStringAuthorityRelativePath(t *testing.T) {
	tests := []struct {
		u    evhttp.URI
		want string
	}{
		{evhttp.URI{Scheme: "http", Host: "h", Port: -1, Path: "p"}, "http://h/p"},
		{evhttp.URI{Host: "h", Port: 80, Path: "a/b"}, "//h:80/a/b"},
		{evhttp.URI{Scheme: "file", Port: -1, EmptyAuthority: true, Path: "x"}, "file:///x"},
		{evhttp.URI{Scheme: "http", Host: "h", Port: -1, Path: "/p"}, "http://h/p"},
		{evhttp.URI{Scheme: "http", Host: "h", Port: -1}, "http://h"},
		{evhttp.URI{Scheme: "a", Port: -1, Path: "p"}, "a:p"},
	}
	for _, tt := range tests {
		if got := tt.u.String(); got != tt.want {
			t.Errorf("%+v.String(): got %q; want %q", tt.u, got, tt.want)
		}
	}
	// A base built with an authority and a relative path resolves under
	// its host, not into it.
	base := &evhttp.URI{Scheme: "http", Host: "a", Port: -1, Path: "b"}
	ref, err := evhttp.ParseURI("g")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := base.ResolveReference(ref).String(), "http://a/g"; got != want {
		t.Errorf("resolve g against %+v: got %q; want %q", base, got, want)
	}
}

// FuzzURIFixedPoint checks that a parsed URI survives String and ParseURI
// unchanged field by field, and that resolving it as a reference (against
// an RFC 3986 §5.4 base) and as a base gives URIs that do too, without dot
// segments unless the reference has no path (the base's is kept, §5.2.2).
func FuzzURIFixedPoint(f *testing.F) {
	for _, s := range []string{
		"http://user:pw@example.com:8080/a/b?q=1&r#frag", "HTTP://H:0080", "http://@h", "http://:80",
		"http://[::1]:", "http://[v1.x]/", "//h/p", "g;x?y#s", "../../g", "///g", "////x", "a:",
		"http://h#a?b/c", "file:///x/../y", "./a:b", "?", "#", "http://h//x", "..//g",
	} {
		f.Add(s, "")
		f.Add("http://a/b/c/d;p?q", s)
	}
	f.Fuzz(func(t *testing.T, s, r string) {
		u, err := evhttp.ParseURI(s)
		if err != nil {
			return
		}
		fixedPoint(t, "ParseURI("+s+")", u)
		ref, err := evhttp.ParseURI(r)
		if err != nil {
			return
		}
		got := u.ResolveReference(ref)
		if ref.Path != "" && (strings.Contains(got.Path, "/./") || strings.Contains(got.Path, "/../") || strings.HasSuffix(got.Path, "/..")) {
			t.Fatalf("resolve %q against %q: path %q keeps dot segments", r, s, got.Path)
		}
		fixedPoint(t, "resolve "+r+" against "+s, got)
	})
}

func fixedPoint(t *testing.T, what string, u *evhttp.URI) {
	t.Helper()
	s := u.String()
	v, err := evhttp.ParseURI(s)
	if err != nil {
		t.Fatalf("%s = %+v: ParseURI(%q): %v", what, u, s, err)
	}
	// Normalisations String may make: an empty userinfo is dropped ("@h"),
	// and "./" keeps a relative "a:b" from reading as a scheme.
	w := *u
	if w.Userinfo == "" && !w.EmptyAuthority && w.Host == "" && w.Port < 0 && v.EmptyAuthority {
		w.EmptyAuthority = true
	}
	if v.Path != w.Path && v.Path == "./"+w.Path {
		w.Path = v.Path
	}
	if w.Path != "" && w.Path[0] != '/' && (w.Host != "" || w.Userinfo != "" || w.Port >= 0 || w.EmptyAuthority) {
		w.Path = "/" + w.Path
	}
	if w.Path == v.Path[min(2, len(v.Path)):] && strings.HasPrefix(w.Path, "//") {
		w.Path = v.Path
	}
	if !reflect.DeepEqual(*v, w) {
		t.Fatalf("%s = %+v: String %q parses back as %+v", what, u, s, v)
	}
}
