package evhttp_test

import (
	"html"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

// FuzzHTMLEscape compares HTMLEscape with html.EscapeString: the same five
// bytes are escaped, with different spellings (libevent's "&#039;" and
// "&quot;").
func FuzzHTMLEscape(f *testing.F) {
	for _, s := range []string{"", "plain", `<a href="x">Tom & Jerry's</a>`, "&amp;", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := evhttp.HTMLEscape(s)
		want := strings.NewReplacer("&#39;", "&#039;", "&#34;", "&quot;").Replace(html.EscapeString(s))
		if got != want {
			t.Fatalf("HTMLEscape(%q): got %q; html.EscapeString %q", s, got, want)
		}
		if html.UnescapeString(got) != s && strings.IndexByte(s, 0) < 0 && strings.ToValidUTF8(s, "") == s {
			t.Fatalf("HTMLEscape(%q) = %q does not unescape back", s, got)
		}
	})
}

// FuzzParseQueryLenient checks that the lenient parse keeps exactly the
// pairs the strict parse accepts one by one, in order.
func FuzzParseQueryLenient(f *testing.F) {
	for _, s := range []string{"", "a=1&&b=2", "flag&a=1", "=1&a=%zz&b=+", "a=1;b=2", "&&&", "a==b", "%00=%00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want, kept []string
		for _, pair := range strings.Split(s, "&") {
			if p, err := evhttp.ParseQuery(pair); err == nil {
				want = append(want, pairs(p)...)
				kept = append(kept, pair)
			}
		}
		if got := pairs(evhttp.ParseQueryLenient(s)); !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseQueryLenient(%q): got %q; want %q", s, got, want)
		}
		// Where net/url accepts the pairs kept, it reads them alike (it
		// would also keep "flag" as flag="", where we skip it).
		if v, err := url.ParseQuery(strings.Join(kept, "&")); err == nil {
			got, lenient := url.Values{}, evhttp.ParseQueryLenient(s)
			for k, val := range lenient.All() {
				got[k] = append(got[k], val)
			}
			for k, vals := range got {
				if !reflect.DeepEqual(vals, v[k]) {
					t.Fatalf("ParseQueryLenient(%q)[%q]: got %q; net/url %q", s, k, vals, v[k])
				}
			}
		}
	})
}
