package evhttp_test

// The helper half of the peer suite: the URI, query, escaping and header
// cases of libevent's test/regress_http.c, each row naming the libevent test
// it mirrors. Where libevent is lenient (it copies malformed escapes through,
// folds header lines, has a non-conformant URI mode) eventide is strict, and
// the row says so.

import (
	"errors"
	"reflect"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

func TestPeerParseURI(t *testing.T) {
	tests := []struct {
		libevent string
		in       string
		want     *evhttp.URI // nil: rejected
		str      string      // want.String(); "" means in
	}{
		// Rejected by libevent in every mode.
		{"http_parse_uri_test", "http://www.\x01.test.com/why-hello", nil, ""},
		{"http_parse_uri_test", "http://www.%7test.com/why-hello", nil, ""},
		{"http_parse_uri_test", "h%3ttp://www.test.com/why-hello", nil, ""},
		{"http_parse_uri_test", "99:99/foo", nil, ""},
		{"http_parse_uri_test", "http://www.test.com:999x/", nil, ""},
		{"http_parse_uri_test", "http://www.test.com:x/", nil, ""},
		{"http_parse_uri_test", "http://[hello-there]/", nil, ""},
		{"http_parse_uri_test", "http://[::1]]/", nil, ""},
		{"http_parse_uri_test", "http://[::1/", nil, ""},
		{"http_parse_uri_test", "http://[foob/", nil, ""},
		{"http_parse_uri_test", "http://[/", nil, ""},
		{"http_parse_uri_test", "http://[ffff:ffff:ffff:ffff:Ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]/", nil, ""},
		{"http_parse_uri_test", "http://[vX.foo]/", nil, ""},
		{"http_parse_uri_test", "http://[v.foo]/", nil, ""},
		{"http_parse_uri_test", "http://[v5.fo%o]/", nil, ""},
		{"http_parse_uri_test", "http://[v5X]/", nil, ""},
		{"http_parse_uri_test", "http://[v5]/", nil, ""},
		{"http_parse_uri_test", "http://[]/", nil, ""},
		{"http_parse_uri_test", "http://f\x01red@www.example.com/", nil, ""},
		{"http_parse_uri_test", "http://f%0red@www.example.com/", nil, ""},
		{"http_parse_uri_test", "http://www.example.com:9999999999999999999999999999999999999/", nil, ""},
		{"http_parse_uri_test", "http://www.example.com:hihi/", nil, ""},
		{"http_parse_uri_test", "://www.example.com/", nil, ""},
		// evhttp_uri_set_host refuses an IPv4 address in brackets: an
		// IP-literal is IPv6 or IPvFuture (RFC 3986 §3.2.2).
		{"http_parse_uri_test", "http://[1.2.3.4]/", nil, ""},
		{"http_parse_uri_test", "http://www.[foo].com/", nil, ""},
		// Accepted only by libevent's EVHTTP_URI_NONCONFORMANT mode
		// (parse_uri_nc); ParseURI has no such mode and rejects them.
		{"http_parse_uri_nc", "http://www.test.com/ why hello", nil, ""},
		{"http_parse_uri_nc", "http://www.test.com/why-hello\x01", nil, ""},
		{"http_parse_uri_nc", "http://www.test.com/why-hello?\x01", nil, ""},
		{"http_parse_uri_nc", "http://www.test.com/why-hello#\x01", nil, ""},
		{"http_parse_uri_nc", "http://www.test.com/why-hell%7o", nil, ""},
		{"http_parse_uri_nc", "http://www.test.com/why-hello%7", nil, ""},
		{"http_parse_uri_nc", "http://www.test.com/foo?ba%r", nil, ""},
		{"http_parse_uri_nc", "http://www.test.com/foo#ba%r", nil, ""},

		// Accepted, with the components libevent reports.
		{"http_parse_uri_test", "mailto:foo@bar",
			&evhttp.URI{Scheme: "mailto", Port: -1, Path: "foo@bar"}, ""},
		{"http_parse_uri_test", "http://www.test.com/?q=t%33est",
			&evhttp.URI{Scheme: "http", Host: "www.test.com", Port: -1, Path: "/", RawQuery: "q=t%33est"}, ""},
		{"http_parse_uri_test", "http://%77ww.test.com",
			&evhttp.URI{Scheme: "http", Host: "%77ww.test.com", Port: -1}, ""},
		{"http_parse_uri_test", "http://www.test.com?q=test",
			&evhttp.URI{Scheme: "http", Host: "www.test.com", Port: -1, RawQuery: "q=test"}, ""},
		{"http_parse_uri_test", "http://www.test.com#fragment",
			&evhttp.URI{Scheme: "http", Host: "www.test.com", Port: -1, Fragment: "fragment"}, ""},
		{"http_parse_uri_test", "http://8000/",
			&evhttp.URI{Scheme: "http", Host: "8000", Port: -1, Path: "/"}, ""},
		{"http_parse_uri_test", "http://:8000/",
			&evhttp.URI{Scheme: "http", Port: 8000, Path: "/"}, ""},
		{"http_parse_uri_test", "http://www.test.com:/",
			&evhttp.URI{Scheme: "http", Host: "www.test.com", Port: -1, Path: "/"}, "http://www.test.com/"},
		{"http_parse_uri_test", "http://www.test.com:",
			&evhttp.URI{Scheme: "http", Host: "www.test.com", Port: -1}, "http://www.test.com"},
		{"http_parse_uri_test", "ftp://www.test.com/?q=test",
			&evhttp.URI{Scheme: "ftp", Host: "www.test.com", Port: -1, Path: "/", RawQuery: "q=test"}, ""},
		{"http_parse_uri_test", "ftp://[::1]:999/?q=test",
			&evhttp.URI{Scheme: "ftp", Host: "[::1]", Port: 999, Path: "/", RawQuery: "q=test"}, ""},
		{"http_parse_uri_test", "ftp://[ff00::127.0.0.1]/?q=test",
			&evhttp.URI{Scheme: "ftp", Host: "[ff00::127.0.0.1]", Port: -1, Path: "/", RawQuery: "q=test"}, ""},
		{"http_parse_uri_test", "ftp://[v99.not_(any:time)_soon]/?q=test",
			&evhttp.URI{Scheme: "ftp", Host: "[v99.not_(any:time)_soon]", Port: -1, Path: "/", RawQuery: "q=test"}, ""},
		{"http_parse_uri_test", "http://[1:2:3:4::]/",
			&evhttp.URI{Scheme: "http", Host: "[1:2:3:4::]", Port: -1, Path: "/"}, ""},
		{"http_parse_uri_test", "http://[v7.wobblewobble]/",
			&evhttp.URI{Scheme: "http", Host: "[v7.wobblewobble]", Port: -1, Path: "/"}, ""},
		{"http_parse_uri_test", "scheme://user:pass@foo.com:42/?q=test&s=some+thing#fragment",
			&evhttp.URI{Scheme: "scheme", Userinfo: "user:pass", Host: "foo.com", Port: 42, Path: "/", RawQuery: "q=test&s=some+thing", Fragment: "fragment"}, ""},
		{"http_parse_uri_test", "scheme://user@foo.com/#fragment",
			&evhttp.URI{Scheme: "scheme", Userinfo: "user", Host: "foo.com", Port: -1, Path: "/", Fragment: "fragment"}, ""},
		{"http_parse_uri_test", "scheme://%75ser@foo.com/#frag@ment",
			&evhttp.URI{Scheme: "scheme", Userinfo: "%75ser", Host: "foo.com", Port: -1, Path: "/", Fragment: "frag@ment"}, ""},
		// An empty authority is kept and joined back, as libevent does.
		{"http_parse_uri_test", "file:///some/path/to/the/file",
			&evhttp.URI{Scheme: "file", Port: -1, Path: "/some/path/to/the/file", EmptyAuthority: true}, ""},
		{"http_parse_uri_test", "///some/path/to/the-file",
			&evhttp.URI{Port: -1, Path: "/some/path/to/the-file", EmptyAuthority: true}, ""},
		{"http_parse_uri_test", "/s:ome/path/to/the-file?q=99#fred",
			&evhttp.URI{Port: -1, Path: "/s:ome/path/to/the-file", RawQuery: "q=99", Fragment: "fred"}, ""},
		{"http_parse_uri_test", "relative/path/with/co:lon",
			&evhttp.URI{Port: -1, Path: "relative/path/with/co:lon"}, ""},
		{"http_parse_uri_test", "bob?q=99&q2=q?33#fr?ed",
			&evhttp.URI{Port: -1, Path: "bob", RawQuery: "q=99&q2=q?33", Fragment: "fr?ed"}, ""},
		{"http_parse_uri_test", "#fr?ed",
			&evhttp.URI{Port: -1, Fragment: "fr?ed"}, ""},
	}
	for _, tt := range tests {
		got, err := evhttp.ParseURI(tt.in)
		if tt.want == nil {
			if err == nil {
				t.Errorf("%s: ParseURI(%q): got %+v; want an error", tt.libevent, tt.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: ParseURI(%q): got %+v, %v; want %+v", tt.libevent, tt.in, got, err, tt.want)
			continue
		}
		want := tt.str
		if want == "" {
			want = tt.in
		}
		if s := got.String(); s != want {
			t.Errorf("%s: ParseURI(%q).String(): got %q; want %q", tt.libevent, tt.in, s, want)
		}
	}
}

func TestPeerParseQuery(t *testing.T) {
	// libevent's evhttp_parse_query takes a whole URI; here the URI is
	// parsed first and its query given to ParseQuery.
	tests := []struct {
		libevent string
		uri      string
		want     []string // nil with err
		err      error
	}{
		{"http_parse_query_test", "http://www.test.com/?q=test", []string{"q=test"}, nil},
		{"http_parse_query_test", "http://www.test.com/?q=test&foo=bar", []string{"q=test", "foo=bar"}, nil},
		{"http_parse_query_test", "http://www.test.com/?q=test+foo", []string{"q=test foo"}, nil},
		{"http_parse_query_test", "http://www.test.com/?q=test%0Afoo", []string{"q=test\nfoo"}, nil},
		{"http_parse_query_test", "http://www.test.com/?q=test%0Dfoo", []string{"q=test\rfoo"}, nil},
		{"http_parse_query_test", "http://www.test.com/?q=test&&q2", nil, evhttp.ErrBadQuery},
		{"http_parse_query_test", "http://www.test.com/?q=test+this", []string{"q=test this"}, nil},
		{"http_parse_query_test", "http://www.test.com/?q=test&q2=foo", []string{"q=test", "q2=foo"}, nil},
		{"http_parse_query_test", "http://www.test.com/?q&q2=foo", nil, evhttp.ErrBadQuery},
		{"http_parse_query_test", "http://www.test.com/?q=foo&q2", nil, evhttp.ErrBadQuery},
		{"http_parse_query_test", "http://www.test.com/?q=foo&q2&q3=x", nil, evhttp.ErrBadQuery},
		{"http_parse_query_test", "http://www.test.com/?q=&q2=&q3=", []string{"q=", "q2=", "q3="}, nil},
	}
	for _, tt := range tests {
		u, err := evhttp.ParseURI(tt.uri)
		if err != nil {
			t.Errorf("%s: ParseURI(%q): %v", tt.libevent, tt.uri, err)
			continue
		}
		p, err := u.Query()
		if got := pairs(p); !reflect.DeepEqual(got, tt.want) || !errors.Is(err, tt.err) {
			t.Errorf("%s: query of %q: got %q, %v; want %q, %v", tt.libevent, tt.uri, got, err, tt.want, tt.err)
		}
	}
}

func TestPeerURIEncode(t *testing.T) {
	enc := []struct{ in, want string }{
		{"Hello", "Hello"},
		{"99", "99"},
		{"", ""},
		{"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ123456789-.~_", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ123456789-.~_"},
		{" ", "%20"},
		{"\xff\xf0\xe0", "%FF%F0%E0"},
		{"\x01\x19", "%01%19"},
		{"http://www.ietf.org/rfc/rfc3986.txt", "http%3A%2F%2Fwww.ietf.org%2Frfc%2Frfc3986.txt"},
		{"1+2=3", "1%2B2%3D3"},
		{"hello\x00world", "hello%00world"},
	}
	for _, tt := range enc { // libevent: http_uriencode_test (ENC)
		got := evhttp.EncodeURI(tt.in)
		if got != tt.want {
			t.Errorf("EncodeURI(%q): got %q; want %q", tt.in, got, tt.want)
		}
		for _, plus := range []bool{false, true} {
			if back, err := evhttp.DecodeURI(got, plus); back != tt.in || err != nil {
				t.Errorf("DecodeURI(%q, %v): got %q, %v; want %q", got, plus, back, err, tt.in)
			}
		}
	}
	dec := []struct {
		in   string
		plus bool
		want string
		err  error
	}{
		{"plus+should%20work+", true, "plus should work ", nil},
		{"%f0%a0%b0", true, "\xf0\xa0\xb0", nil},
		{"%00%00x%00%00", true, "\x00\x00x\x00\x00", nil},
		// libevent copies a malformed escape through unchanged; DecodeURI
		// is strict (a deliberate difference, documented on DecodeURI).
		{"%%xhello th+ere \xff", false, "", evhttp.ErrBadEscape},
		// The deprecated evhttp_decode_uri turns '+' into a space only
		// after a '?'; DecodeURI has no such mode: the caller splits the
		// query off and chooses.
		{"http://example.com/normal+path/?key=val+with+spaces", false, "http://example.com/normal+path/?key=val+with+spaces", nil},
	}
	for _, tt := range dec { // libevent: http_uriencode_test (DEC, OLD_DEC)
		got, err := evhttp.DecodeURI(tt.in, tt.plus)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("DecodeURI(%q, %v): got %q, %v; want %q, %v", tt.in, tt.plus, got, err, tt.want, tt.err)
		}
	}
}

func TestPeerPrimitives(t *testing.T) {
	// libevent: http_primitives
	for in, want := range map[string]string{
		"<script>": "&lt;script&gt;",
		"\"'&":     "&quot;&#039;&amp;",
	} {
		if got := evhttp.HTMLEscape(in); got != want {
			t.Errorf("HTMLEscape(%q): got %q; want %q", in, got, want)
		}
	}
	// libevent: http_bad_header_test. libevent accepts a value with an
	// embedded CRLF followed by whitespace (an obs-fold); a folded value is
	// obsolete (RFC 9112 §5.2) and lets a value forge lines, so Add refuses
	// any CR or LF.
	headerTests := []struct {
		name, value string
		ok          bool
	}{
		{"One", "Two", true},
		{"One", "Two\r\n Three", false},
		{"One\r", "Two", false},
		{"One\n", "Two", false},
		{"One", "Two\r", false},
		{"One", "Two\n", false},
	}
	var h evhttp.Headers
	for _, tt := range headerTests {
		if err := h.Add(tt.name, tt.value); (err == nil) != tt.ok {
			t.Errorf("Add(%q, %q): got %v; want ok=%v", tt.name, tt.value, err, tt.ok)
		}
	}
}
