package http1_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/internal/http1"
)

// reqResult is everything observable about one parsed request head.
type reqResult struct {
	Status    int // 0 when accepted
	Reason    string
	Consumed  int
	Method    string
	Target    string
	Proto     string
	Headers   []string
	Kind      http1.BodyKind
	Length    int64
	KeepAlive bool
	Expect100 bool
	Expect    bool // HasExpect
	Host      string
	Upgrade   string
}

// parseRequest feeds in to a fresh parser in the given pieces and describes
// the outcome.
func parseRequest(p *http1.RequestParser, pieces ...[]byte) reqResult {
	p.Reset()
	var r reqResult
	for _, piece := range pieces {
		n, err := p.Feed(piece)
		r.Consumed += n
		if err != nil {
			var e *http1.Error
			if !errors.As(err, &e) {
				panic(err)
			}
			r.Status, r.Reason = e.Status, e.Reason
			r.Consumed = 0
			return r
		}
		if p.Done() {
			break
		}
		if n != len(piece) {
			panic(fmt.Sprintf("Feed consumed %d of %d bytes without finishing", n, len(piece)))
		}
	}
	if !p.Done() {
		r.Status, r.Reason = -1, "incomplete"
		return r
	}
	major, minor := p.Proto()
	r.Method, r.Target = string(p.Method()), string(p.Target())
	r.Proto = fmt.Sprintf("%d.%d", major, minor)
	for i := range p.NumHeaders() {
		n, v := p.Header(i)
		r.Headers = append(r.Headers, string(n)+": "+string(v))
	}
	r.Kind, r.Length, r.KeepAlive, r.Expect100 = p.BodyKind(), p.ContentLength(), p.KeepAlive(), p.Expect100()
	r.Expect = p.HasExpect()
	r.Host, r.Upgrade = string(p.Host()), string(p.Upgrade())
	return r
}

// splits returns in cut in every way the tests exercise: whole, byte by
// byte, and in two pieces at every offset.
func splits(in []byte) [][][]byte {
	out := [][][]byte{{in}}
	var bytewise [][]byte
	for i := range in {
		bytewise = append(bytewise, in[i:i+1])
	}
	out = append(out, bytewise)
	for i := 1; i < len(in); i++ {
		out = append(out, [][]byte{in[:i], in[i:]})
	}
	return out
}

// checkSplits parses in every split way and fails if any differs from the
// whole-input result, which it returns.
func checkSplits(t testing.TB, p *http1.RequestParser, in []byte) reqResult {
	t.Helper()
	all := splits(in)
	want := parseRequest(p, all[0]...)
	for i, pieces := range all[1:] {
		got := parseRequest(p, pieces...)
		if got.Status == -1 && want.Status > 0 {
			// An error detected only at a line end cannot be seen before
			// the line is complete; every split ends the input, so this
			// cannot happen.
			t.Fatalf("split %d of %q: incomplete; want %+v", i, in, want)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("split %d of %q:\n got %+v\nwant %+v", i, in, got, want)
		}
	}
	return want
}

const get = "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: test\r\n" +
	"Accept: */*\r\nAccept-Encoding: gzip\r\nAccept-Language: en\r\nCookie: a=b\r\n\r\n"

func TestRequestAccept(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want reqResult
	}{
		{"get", get, reqResult{Method: "GET", Target: "/index.html?q=1", Proto: "1.1",
			Headers: []string{"Host: example.com", "User-Agent: test", "Accept: */*",
				"Accept-Encoding: gzip", "Accept-Language: en", "Cookie: a=b"},
			KeepAlive: true, Host: "example.com"}},
		{"post length", "POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
			reqResult{Method: "POST", Target: "/f", Proto: "1.1",
				Headers: []string{"Host: h", "Content-Length: 5"}, Kind: http1.BodyLength,
				Length: 5, KeepAlive: true, Host: "h"}},
		{"largest length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9223372036854775807\r\n\r\n",
			reqResult{Method: "POST", Target: "/", Proto: "1.1",
				Headers: []string{"Host: h", "Content-Length: 9223372036854775807"}, Kind: http1.BodyLength,
				Length: 1<<63 - 1, KeepAlive: true, Host: "h"}},
		{"length with many leading zeros", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 000000000000000000000000005\r\n\r\n",
			reqResult{Method: "POST", Target: "/", Proto: "1.1",
				Headers: []string{"Host: h", "Content-Length: 000000000000000000000000005"}, Kind: http1.BodyLength,
				Length: 5, KeepAlive: true, Host: "h"}},
		{"duplicate identical length folded", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
			reqResult{Method: "POST", Target: "/", Proto: "1.1",
				Headers: []string{"Host: h", "Content-Length: 5", "Content-Length: 5"}, Kind: http1.BodyLength,
				Length: 5, KeepAlive: true, Host: "h"}},
		{"chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
			reqResult{Method: "POST", Target: "/", Proto: "1.1",
				Headers: []string{"Host: h", "Transfer-Encoding: chunked"}, Kind: http1.BodyChunked,
				KeepAlive: true, Host: "h"}},
		{"chunked case-insensitive", "POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding:  Chunked \r\n\r\n",
			reqResult{Method: "POST", Target: "/", Proto: "1.1",
				Headers: []string{"Host: h", "transfer-encoding: Chunked"}, Kind: http1.BodyChunked,
				KeepAlive: true, Host: "h"}},
		{"1.1 close", "GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n",
			reqResult{Method: "GET", Target: "/", Proto: "1.1",
				Headers: []string{"Host: h", "Connection: foo, close"}, Host: "h"}},
		// RFC 9110 §2.5: a later 1.x is processed as 1.1 (chunked,
		// persistent, Host required), its version kept as received.
		{"1.2 as 1.1", "POST / HTTP/1.2\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
			reqResult{Method: "POST", Target: "/", Proto: "1.2",
				Headers: []string{"Host: h", "Transfer-Encoding: chunked"}, Kind: http1.BodyChunked,
				KeepAlive: true, Host: "h"}},
		{"1.0 default close without host", "GET / HTTP/1.0\r\n\r\n",
			reqResult{Method: "GET", Target: "/", Proto: "1.0"}},
		{"1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
			reqResult{Method: "GET", Target: "/", Proto: "1.0",
				Headers: []string{"Connection: Keep-Alive"}, KeepAlive: true}},
		{"leading empty lines", "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
			reqResult{Method: "GET", Target: "/", Proto: "1.1", Headers: []string{"Host: h"},
				KeepAlive: true, Host: "h"}},
		{"expect and upgrade", "GET /ws HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
			reqResult{Method: "GET", Target: "/ws", Proto: "1.1",
				Headers:   []string{"Host: h", "Expect: 100-Continue", "Upgrade: websocket", "Connection: Upgrade"},
				KeepAlive: true, Expect100: true, Expect: true, Host: "h", Upgrade: "websocket"}},
		{"other expectation", "GET / HTTP/1.1\r\nHost: h\r\nExpect: something\r\n\r\n",
			reqResult{Method: "GET", Target: "/", Proto: "1.1", Headers: []string{"Host: h", "Expect: something"},
				KeepAlive: true, Expect: true, Host: "h"}},
		{"empty value and tab", "GET / HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nX-Tab:\ta\tb\t\r\n\r\n",
			reqResult{Method: "GET", Target: "/", Proto: "1.1",
				Headers: []string{"Host: h", "X-Empty: ", "X-Tab: a\tb"}, KeepAlive: true, Host: "h"}},
		{"obs-text value", "GET / HTTP/1.1\r\nHost: h\r\nX: caf\xc3\xa9\r\n\r\n",
			reqResult{Method: "GET", Target: "/", Proto: "1.1",
				Headers: []string{"Host: h", "X: caf\xc3\xa9"}, KeepAlive: true, Host: "h"}},
		{"absolute-form", "GET http://example.com:8080/a?b HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
			reqResult{Method: "GET", Target: "http://example.com:8080/a?b", Proto: "1.1",
				Headers: []string{"Host: example.com:8080"}, KeepAlive: true, Host: "example.com:8080"}},
		{"authority-form", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
			reqResult{Method: "CONNECT", Target: "example.com:443", Proto: "1.1",
				Headers: []string{"Host: example.com:443"}, KeepAlive: true, Host: "example.com:443"}},
		{"asterisk-form", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
			reqResult{Method: "OPTIONS", Target: "*", Proto: "1.1", Headers: []string{"Host: h"},
				KeepAlive: true, Host: "h"}},
		{"ipv6 host", "GET /%41 HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
			reqResult{Method: "GET", Target: "/%41", Proto: "1.1", Headers: []string{"Host: [::1]:80"},
				KeepAlive: true, Host: "[::1]:80"}},
		{"empty host", "GET / HTTP/1.1\r\nHost:\r\n\r\n",
			reqResult{Method: "GET", Target: "/", Proto: "1.1", Headers: []string{"Host: "},
				KeepAlive: true}},
	}
	p := http1.NewRequestParser(http1.Limits{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkSplits(t, p, []byte(tt.in))
			want := tt.want
			want.Consumed = strings.LastIndex(tt.in, "\r\n\r\n") + 4
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestRequestReject(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		status int
	}{
		{"CL and TE", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
		{"TE and CL", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400},
		{"differing CL", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400},
		{"CL list", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n", 400},
		{"CL signed", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n", 400},
		{"CL negative", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400},
		{"CL hex", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x5\r\n\r\n", 400},
		{"CL empty", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", 400},
		{"CL overflow", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9223372036854775808\r\n\r\n", 400},
		{"CL overflow 19 nines", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9999999999999999999\r\n\r\n", 400},
		{"CL overflow 20 digits", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10000000000000000000\r\n\r\n", 400},
		{"TE gzip only", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
		{"TE chunked not last", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400},
		{"TE chunked not last across lines", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
		{"TE chunked twice", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400},
		{"TE unknown coding", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
		{"TE empty element", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: , chunked\r\n\r\n", 400},
		{"TE vertical tab", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \vchunked\r\n\r\n", 400},
		{"TE chunked-false", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked-false\r\n\r\n", 400},
		{"TE in 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 411},
		{"TE in 1.0, bad coding", "POST / HTTP/1.0\r\nTransfer-Encoding: ,\r\n\r\n", 411},
		{"TE and CL in 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400},
		{"CL and TE in 1.0", "POST / HTTP/1.0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
		{"NUL in value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\x00b\r\n\r\n", 400},
		{"bare CR in value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 400},
		{"DEL in value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\x7fb\r\n\r\n", 400},
		{"bare CR in request line", "GET /\r HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"bare LF request line", "GET / HTTP/1.1\nHost: h\r\n\r\n", 400},
		{"bare LF header", "GET / HTTP/1.1\r\nHost: h\n\r\n", 400},
		{"bare LF end", "GET / HTTP/1.1\r\nHost: h\r\n\n", 400},
		{"space before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400},
		{"tab before colon", "GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", 400},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", 400},
		{"obs-fold tab", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n", 400},
		{"empty name", "GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n", 400},
		{"no colon", "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400},
		{"bad name char", "GET / HTTP/1.1\r\nHost: h\r\nX(y): v\r\n\r\n", 400},
		{"non-ascii name", "GET / HTTP/1.1\r\nHost: h\r\nX\xc3\xa9: v\r\n\r\n", 400},
		{"bad method char", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"empty method", " / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"TLS ClientHello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n", 400},
		{"junk then bare LF", "GE\x00T / HTTP/1.1\nHost: h\r\n\r\n", 400},
		{"bare CR in method", "GET\rX / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"bare CR in method without target", "GET\rX\r\nHost: h\r\n\r\n", 400},
		{"method without target", "GET\r\nHost: h\r\n\r\n", 400},
		{"CR then junk before request", "\r\x16 / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"junk after empty line", "\r\n\x16\x03", 400},
		{"junk filling head", "GET" + strings.Repeat("\x16", http1.DefaultMaxHeadBytes), 400},
		{"missing host", "GET / HTTP/1.1\r\n\r\n", 400},
		{"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400},
		{"two hosts 1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400},
		{"bad host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
		{"host IPv6 too many groups", "GET / HTTP/1.1\r\nHost: [1:2:3:4:5:6:7:8:9]:80\r\n\r\n", 400},
		{"host IPv4 in brackets", "GET / HTTP/1.1\r\nHost: [1.2.3.4]\r\n\r\n", 400},
		{"host userinfo", "GET / HTTP/1.1\r\nHost: u@h\r\n\r\n", 400},
		{"host bad port", "GET / HTTP/1.1\r\nHost: h:x\r\n\r\n", 400},
		{"host escaped ASCII", "GET / HTTP/1.1\r\nHost: h%41\r\n\r\n", 400},
		{"target host escaped NUL", "0 A://0%00000 HTTP/1.0\r\n\r\n", 400},
		{"target host escaped ASCII", "GET http://h%2F/ HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"target relative", "GET index.html HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"target fragment", "GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"target bad escape", "GET /a%2 HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"target bad escape hex", "GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"target non-ascii", "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"target quote", "GET /\"x\" HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"target userinfo", "GET http://u:p@h/ HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"target no authority", "GET http:/x HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"target empty host", "GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"authority-form without CONNECT", "GET h:80 HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"CONNECT origin-form", "CONNECT /x HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"CONNECT without port", "CONNECT h HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"CONNECT port too big", "CONNECT h:65536 HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"asterisk without OPTIONS", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"two spaces", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"tab separator", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"trailing space", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400},
		{"no version", "GET /\r\nHost: h\r\n\r\n", 400},
		{"lower-case version", "GET / http/1.1\r\nHost: h\r\n\r\n", 400},
		{"version two digits", "GET / HTTP/1.10\r\nHost: h\r\n\r\n", 400},
		{"version 2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
		{"version 0.9", "GET / HTTP/0.9\r\nHost: h\r\n\r\n", 505},
		{"version 1.2 without Host", "GET / HTTP/1.2\r\n\r\n", 400},
		{"too many leading lines", strings.Repeat("\r\n", 5) + "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"target too long", "GET /" + strings.Repeat("a", http1.DefaultMaxTargetBytes) + " HTTP/1.1\r\nHost: h\r\n\r\n", 414},
		{"request line fills head", "GET /" + strings.Repeat("a", http1.DefaultMaxHeadBytes), 414},
		{"method fills head", strings.Repeat("M", http1.DefaultMaxHeadBytes+1), 501},
		{"head too large", "GET / HTTP/1.1\r\nHost: h\r\nX: " + strings.Repeat("a", http1.DefaultMaxHeadBytes) + "\r\n\r\n", 431},
		{"too many headers", "GET / HTTP/1.1\r\nHost: h\r\n" + strings.Repeat("X: y\r\n", http1.DefaultMaxHeaders) + "\r\n", 431},
	}
	p := http1.NewRequestParser(http1.Limits{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.in)
			got := parseRequest(p, in)
			if got.Status != tt.status {
				t.Fatalf("got status %d (%s); want %d", got.Status, got.Reason, tt.status)
			}
			if len(in) > 600 {
				return // splitting the limit tests at every offset is slow and adds nothing
			}
			for _, pieces := range splits(in)[1:] {
				if g := parseRequest(p, pieces...); g.Status != tt.status || g.Reason != got.Reason {
					t.Fatalf("split %d pieces: got %d %q; want %d %q", len(pieces), g.Status, g.Reason, tt.status, got.Reason)
				}
			}
		})
	}
}

// TestRequestJunkFailsEarly checks that bytes that cannot start a request
// line fail at once, without waiting for a line end that may never come
// (a TLS handshake on the plain port), while a valid method, empty lines
// and a CR that may end one keep the parser waiting.
func TestRequestJunkFailsEarly(t *testing.T) {
	tests := []struct {
		in   string
		fail bool
	}{
		{"\x16\x03\x01", true},
		{"GET\x00", true},
		{"PRI\x7f", true},
		{"G\r ", true},
		{"\r\r", true},
		{"\r\n\x80", true},
		{"GET", false},
		{"GET /\x00", false}, // the target is checked with the whole line
		{"\r", false},
		{"\r\n\r\nPOST", false},
		{"M-SEARCH\r", false},
	}
	p := http1.NewRequestParser(http1.Limits{})
	for _, tt := range tests {
		for _, pieces := range splits([]byte(tt.in)) {
			r := parseRequest(p, pieces...)
			if fail := r.Status == 400; fail != tt.fail {
				t.Errorf("%q in %d pieces: got %d %s; want failure %v", tt.in, len(pieces), r.Status, r.Reason, tt.fail)
			}
		}
	}
}

func TestRequestZeroValueAndSticky(t *testing.T) {
	var p http1.RequestParser
	if _, err := p.Feed([]byte("GET / HTTP/1.1\r\nHost: h\r\n\r\n")); err != nil || !p.Done() {
		t.Fatalf("zero value: got err %v done %v; want nil true", err, p.Done())
	}
	p.Reset()
	_, err1 := p.Feed([]byte("GET / HTTP/1.1\nHost"))
	n, err2 := p.Feed([]byte(": h\r\n\r\n"))
	if err1 == nil || err2 != err1 || n != 0 {
		t.Fatalf("sticky: got %v then %v (n=%d); want the same error twice, n=0", err1, err2, n)
	}
	p.Reset()
	n, err := p.Feed([]byte("GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /next"))
	if err != nil || n != 27 {
		t.Fatalf("pipelined: got n=%d err=%v; want 27 nil", n, err)
	}
	if n, err := p.Feed([]byte(" HTTP/1.1\r\n")); n != 0 || err != nil || !p.Done() {
		t.Fatalf("Feed after Done: got n=%d err=%v; want 0 nil", n, err)
	}
}

func TestRequestLookup(t *testing.T) {
	p := http1.NewRequestParser(http1.Limits{})
	in := "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\nConnection: keep-alive, Upgrade\r\n\r\n"
	if _, err := p.Feed([]byte(in)); err != nil {
		t.Fatal(err)
	}
	if v, ok := p.Get("X-a"); !ok || string(v) != "1" {
		t.Errorf("Get: got %q %v; want \"1\" true", v, ok)
	}
	if _, ok := p.Get("X-B"); ok {
		t.Errorf("Get(X-B): got ok; want missing")
	}
	var vals []string
	for v := range p.Values("X-A") {
		vals = append(vals, string(v))
	}
	if !reflect.DeepEqual(vals, []string{"1", "2"}) {
		t.Errorf("Values: got %q; want [1 2]", vals)
	}
	if !p.ConnectionHas("upgrade") || p.ConnectionHas("close") {
		t.Errorf("ConnectionHas: got upgrade=%v close=%v; want true false", p.ConnectionHas("upgrade"), p.ConnectionHas("close"))
	}
	if !p.HasHost() {
		t.Errorf("HasHost: got false; want true")
	}
}

// TestRequestWholeHeadEdges checks heads that arrive whole (the parser's
// one-pass path) at the edges where it must hand over to the line-by-line
// path: at and just past each limit, with a body or a second request
// behind the head, and with every byte a field value may or may not hold.
// Each must parse exactly as when fed byte by byte and split at every
// offset.
func TestRequestWholeHeadEdges(t *testing.T) {
	const line = "GET / HTTP/1.1\r\n" // 16 bytes
	lim := http1.Limits{MaxHeadBytes: 64, MaxHeaders: 3, MaxTargetBytes: 8}
	fill := func(n int) string { return strings.Repeat("v", n) }
	tests := []struct {
		name   string
		in     string
		status int // 0: parsed; -1: incomplete
	}{
		// 16 + 9 ("Host: h\r\n") + 2 = 27; "X: " + value + CRLF = 5+n.
		{"head exactly at the limit", line + "Host: h\r\nX: " + fill(32) + "\r\n\r\n", 0},
		{"head one byte over", line + "Host: h\r\nX: " + fill(33) + "\r\n\r\n", 431},
		{"fields at the limit", line + "Host: h\r\nA: 1\r\nB: 2\r\n\r\n", 0},
		{"one field too many", line + "Host: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431},
		{"target at the limit", "GET /2345678 HTTP/1.1\r\nHost: h\r\n\r\n", 0},
		{"target one byte over", "GET /23456789 HTTP/1.1\r\nHost: h\r\n\r\n", 414},
		{"body behind", line + "Host: h\r\nContent-Length: 3\r\n\r\nabc", 0},
		{"request behind", line + "Host: h\r\n\r\n" + line + "Host: h\r\n\r\n", 0},
		{"partial request behind", line + "Host: h\r\n\r\nGET", 0},
		{"OWS and HTAB", line + "Host:\th\t\r\nX:  a\tb  \r\n\r\n", 0},
		{"empty value", line + "Host: h\r\nX:\r\n\r\n", 0},
		{"obs-text", line + "Host: h\r\nX: \x80\xff\r\n\r\n", 0},
		{"DEL in a value", line + "Host: h\r\nX: a\x7fb\r\n\r\n", 400},
		{"CR in a value", line + "Host: h\r\nX: a\rb\r\n\r\n", 400},
		{"NUL in a long value", line + "Host: h\r\nX: 0123456789\x00\r\n\r\n", 400},
		{"bare LF ends a field", line + "Host: h\nX: 1\r\n\r\n", 400},
		{"bare LF ends the head", line + "Host: h\r\n\n", 400},
		{"space before colon", line + "Host : h\r\n\r\n", 400},
		{"obs-fold", line + "Host: h\r\n x\r\n\r\n", 400},
		{"no colon", line + "Host\r\n\r\n", 400},
		{"empty name", line + ": h\r\n\r\n", 400},
		{"leading empty line", "\r\n" + line + "Host: h\r\n\r\n", 0},
		{"missing Host", line + "X: 1\r\n\r\n", 400},
		{"bad version", "GET / HTTP/1.x\r\nHost: h\r\n\r\n", 400},
		{"no empty line yet", line + "Host: h\r\n", -1},
		{"CR of the empty line only", line + "Host: h\r\n\r", -1},
	}
	p := http1.NewRequestParser(lim)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkSplits(t, p, []byte(tt.in))
			if got.Status != tt.status {
				t.Fatalf("got status %d (%s); want %d", got.Status, got.Reason, tt.status)
			}
		})
	}
}

// TestRequestUpgradeAfterFault checks Upgrade on a head whose framing was
// refused: the head is complete but not Done, so there is no Upgrade field
// to report, whatever fields the head holds (it used to return the first
// field's value, or panic on a head without fields).
func TestRequestUpgradeAfterFault(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"no fields", "GET / HTTP/1.1\r\n\r\n"},
		{"missing Host", "GET / HTTP/1.1\r\nX: y\r\n\r\n"},
		{"Upgrade and two Hosts", "GET / HTTP/1.1\r\nUpgrade: ws\r\nHost: a\r\nHost: b\r\n\r\n"},
	}
	p := http1.NewRequestParser(http1.Limits{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, pieces := range splits([]byte(tt.in)) {
				if r := parseRequest(p, pieces...); r.Status <= 0 {
					t.Fatalf("%q in %d pieces: got no error; want one", tt.in, len(pieces))
				}
				if got := p.Upgrade(); got != nil {
					t.Fatalf("%q in %d pieces: Upgrade got %q; want nil", tt.in, len(pieces), got)
				}
			}
		})
	}
}

// TestRequestHostSequence parses a sequence of requests with one parser, as
// a keep-alive connection does, each whole and byte by byte: a Host equal to
// the previous accepted one is not checked again, so a different, an
// invalid, or a long one after a valid one must still get its own verdict.
func TestRequestHostSequence(t *testing.T) {
	long := strings.Repeat("a", 70) + ".example"
	tests := []struct {
		host   string
		status int
	}{
		{"a.example", 0},
		{"a.example", 0},
		{"a.example:80", 0},
		{"a.example:8O", 400}, // differs from the remembered value in its last byte
		{"a.example:80", 0},
		{"a.example:8", 0},
		{"a.example:", 400},
		{"a b", 400},
		{"a b", 400}, // a rejected Host is never remembered
		{"a.example:80", 0},
		{"u@a.example:80", 400},
		{"a.example:80@", 400},
		{long, 0}, // too long to remember: checked every time
		{long, 0},
		{long + "%41", 400},
		{"[::1]:8080", 0},
		{"[::1]:8080", 0},
		{"[::1%25lo]:8080", 400},
		{"h%C3%A9", 0},
		{"h%41", 400},
		{"", 0}, // empty: allowed, and not remembered
		{"", 0},
		{"a.example", 0},
	}
	p := http1.NewRequestParser(http1.Limits{})
	for i, tt := range tests {
		in := []byte("GET / HTTP/1.1\r\nHost: " + tt.host + "\r\n\r\n")
		for _, pieces := range [][][]byte{{in}, bytewise(in)} {
			got := parseRequest(p, pieces...)
			if got.Status != tt.status {
				t.Fatalf("request %d, Host %q in %d pieces: got status %d (%s); want %d",
					i, tt.host, len(pieces), got.Status, got.Reason, tt.status)
			}
			if tt.status == 0 && got.Host != tt.host {
				t.Fatalf("request %d: got Host %q; want %q", i, got.Host, tt.host)
			}
		}
	}
}
