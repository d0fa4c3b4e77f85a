package evhttp_test

import (
	"errors"
	"fmt"
	"net/url"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

func TestEncodeURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abcXYZ019-._~", "abcXYZ019-._~"},
		{"a b", "a%20b"},
		{"/path?q=1&r=2#f", "%2Fpath%3Fq%3D1%26r%3D2%23f"},
		{"caf\xc3\xa9", "caf%C3%A9"},
		{"+%", "%2B%25"},
		{"\x00\xff", "%00%FF"},
	}
	for _, tt := range tests {
		if got := evhttp.EncodeURI(tt.in); got != tt.want {
			t.Errorf("EncodeURI(%q): got %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestDecodeURI(t *testing.T) {
	tests := []struct {
		in          string
		plusAsSpace bool
		want        string
		err         error
	}{
		{"", false, "", nil},
		{"a%20b", false, "a b", nil},
		{"a+b", false, "a+b", nil},
		{"a+b", true, "a b", nil},
		{"%e9%C3%a9", false, "\xe9\xc3\xa9", nil},
		{"%", false, "", evhttp.ErrBadEscape},
		{"%2", false, "", evhttp.ErrBadEscape},
		{"%zz", true, "", evhttp.ErrBadEscape},
		{"100%", false, "", evhttp.ErrBadEscape},
		{"%00", false, "\x00", nil},
	}
	for _, tt := range tests {
		got, err := evhttp.DecodeURI(tt.in, tt.plusAsSpace)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("DecodeURI(%q, %v): got %q, %v; want %q, %v", tt.in, tt.plusAsSpace, got, err, tt.want, tt.err)
		}
	}
}

func TestHTMLEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{`<a href="x">Tom & Jerry's</a>`, "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#039;s&lt;/a&gt;"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := evhttp.HTMLEscape(tt.in); got != tt.want {
			t.Errorf("HTMLEscape(%q): got %q; want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzDecodeURI(f *testing.F) {
	for _, s := range []string{"", "a b", "%41", "100%", "+", "caf\xc3\xa9", "%zz", "a%2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := evhttp.EncodeURI(s)
		dec, err := evhttp.DecodeURI(enc, false)
		if err != nil || dec != s {
			t.Fatalf("round trip of %q: got %q, %v", s, dec, err)
		}
		if dec, err = evhttp.DecodeURI(enc, true); err != nil || dec != s {
			t.Fatalf("round trip (plus as space) of %q: got %q, %v", s, dec, err)
		}
		// Differential: url.QueryUnescape also decodes '+' as a space and
		// rejects bad escapes.
		got, err := evhttp.DecodeURI(s, true)
		want, werr := url.QueryUnescape(s)
		if (err == nil) != (werr == nil) || got != want && err == nil {
			t.Fatalf("DecodeURI(%q): got %q, %v; net/url %q, %v", s, got, err, want, werr)
		}
	})
}

func ExampleEncodeURI() {
	enc := evhttp.EncodeURI("a b/c?d=é")
	dec, _ := evhttp.DecodeURI(enc, false)
	fmt.Println(enc)
	fmt.Println(dec)
	// Output:
	// a%20b%2Fc%3Fd%3D%C3%A9
	// a b/c?d=é
}

func ExampleDecodeURI() {
	s, err := evhttp.DecodeURI("some+thing%21", true)
	fmt.Println(s, err)
	_, err = evhttp.DecodeURI("100%", false)
	fmt.Println(err)
	// Output:
	// some thing! <nil>
	// evhttp: invalid percent escape
}

func ExampleHTMLEscape() {
	fmt.Println(evhttp.HTMLEscape(`<b>"R&D"</b>`))
	// Output: &lt;b&gt;&quot;R&amp;D&quot;&lt;/b&gt;
}
