package http1_test

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httputil"
	"net/textproto"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/internal/http1"
)

// knownStricter lists, by Error.Reason, the faults for which we reject input
// that net/http's ReadRequest (or its chunked reader) accepts. Each entry is a
// documented category of doc.go's "Known differences"; a reason missing here
// makes the differential fuzzers fail.
var knownStricter = map[string]string{
	"bare LF line terminator":                                        "bare LF",
	"obsolete line folding":                                          "obs-fold",
	"invalid request target":                                         "request target syntax",
	"request target form not allowed for method":                     "request target form",
	"userinfo in request target":                                     "userinfo",
	"HTTP version not supported":                                     "HTTP version",
	"Transfer-Encoding in HTTP/1.0 message":                          "Transfer-Encoding in HTTP/1.0",
	"Transfer-Encoding in HTTP/1.0 request; Content-Length required": "Transfer-Encoding in HTTP/1.0",
	"invalid Host header":                                            "Host",
	"missing Host header":                                            "Host",
	"multiple Host headers":                                          "Host",
	"header section too large":                                       "limits",
	"too many header fields":                                         "limits",
	"request target too long":                                        "limits",
	"method too long":                                                "limits",
	"invalid header field value":                                     "field value bytes",
	"invalid chunk extension":                                        "chunk line syntax",
	"invalid chunk size":                                             "chunk line syntax",
	"chunk size line too long":                                       "limits",
	"too much chunk framing for its data":                            "limits",
	"trailer section too large":                                      "limits",
	"too many empty lines before start line":                         "leading empty lines",
	"both Content-Length and Transfer-Encoding":                      "Content-Length with Transfer-Encoding",
	"whitespace between field name and colon":                        "whitespace before colon",
}

// trailerFault lists the faults only a trailer section can have: the stdlib
// chunked reader stops after the last chunk and leaves the trailer section to
// its caller, so it never sees them.
var trailerFault = map[string]bool{
	"invalid header field name":               true,
	"header line without colon":               true,
	"too many header fields":                  true,
	"obsolete line folding":                   true,
	"invalid header field value":              true,
	"bare LF line terminator":                 true,
	"trailer section too large":               true,
	"whitespace between field name and colon": true,
}

// knownLenient reports whether in is a request we accept and net/http rejects
// for a documented reason: empty lines before the request line.
func knownLenient(in []byte) bool { return bytes.HasPrefix(in, []byte("\r\n")) }

var requestSeeds = []string{
	get,
	"POST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world",
	"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
	"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
	"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
	"GET http://example.com/a?b=c HTTP/1.1\r\nHost: example.com\r\n\r\n",
	// Smuggling attempts.
	"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
	"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: h\r\nX: y\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: h\nContent-Length: 5\r\n\r\nhello",
	"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5 ;x\r\nhello\r\n0\r\n\r\n",
	"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello",
}

type goRequest struct {
	Method, Target, Proto string
	Headers               []string
}

// canonicalHeaders returns name: value pairs sorted, without the fields
// net/http moves out of Header (Host) or rewrites while framing.
func canonicalHeaders(pairs [][2]string) []string {
	var out []string
	for _, kv := range pairs {
		name := textproto.CanonicalMIMEHeaderKey(kv[0])
		switch name {
		case "Host", "Transfer-Encoding", "Content-Length", "Trailer":
			continue
		}
		out = append(out, name+": "+kv[1])
	}
	slices.Sort(out)
	return out
}

func FuzzRequestDifferential(f *testing.F) {
	for _, s := range requestSeeds {
		f.Add([]byte(s))
	}
	p := http1.NewRequestParser(http1.Limits{})
	d := http1.NewChunkedDecoder(http1.ChunkedLimits{})
	f.Fuzz(func(t *testing.T, in []byte) {
		ours := parseRequest(p, in)
		if bw := parseRequest(p, bytewise(in)...); !reflect.DeepEqual(bw, ours) {
			t.Fatalf("byte by byte: got %+v; want %+v", bw, ours)
		}
		if ours.Status == -1 {
			return // incomplete head: net/http would see EOF
		}
		req, goErr := http.ReadRequest(bufio.NewReader(bytes.NewReader(in)))
		switch {
		case ours.Status > 0 && goErr == nil:
			if knownStricter[ours.Reason] == "" {
				t.Fatalf("we reject (%d %s), net/http accepts %q", ours.Status, ours.Reason, in)
			}
			return
		case ours.Status > 0:
			return
		case goErr != nil:
			if !knownLenient(in) {
				t.Fatalf("we accept %+v, net/http rejects (%v) %q", ours, goErr, in)
			}
			return
		}
		// Both accept the head: compare it.
		var pairs [][2]string
		for _, h := range ours.Headers {
			n, v, _ := strings.Cut(h, ": ")
			pairs = append(pairs, [2]string{n, v})
		}
		var goPairs [][2]string
		for n, vs := range req.Header {
			for _, v := range vs {
				goPairs = append(goPairs, [2]string{n, v})
			}
		}
		want := goRequest{req.Method, req.RequestURI, req.Proto, canonicalHeaders(goPairs)}
		got := goRequest{ours.Method, ours.Target, "HTTP/" + ours.Proto, canonicalHeaders(pairs)}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("head differs for %q:\n got %+v\nwant %+v", in, got, want)
		}
		// net/http takes Host from an absolute-form or authority-form target.
		if ours.Host != req.Host && strings.HasPrefix(ours.Target, "/") {
			t.Fatalf("Host: got %q; want %q", ours.Host, req.Host)
		}
		// Compare bodies where both can read a complete one.
		rest := in[ours.Consumed:]
		goBody, goBodyErr := io.ReadAll(req.Body)
		var body []byte
		switch ours.Kind {
		case http1.BodyLength:
			if int64(len(rest)) < ours.Length {
				return
			}
			body = rest[:ours.Length]
		case http1.BodyChunked:
			r := decodeChunked(d, rest)
			if r.Status == -1 {
				return
			}
			if r.Status > 0 {
				if goBodyErr == nil && knownStricter[r.Reason] == "" {
					t.Fatalf("we reject the chunked body (%s), net/http accepts %q", r.Reason, in)
				}
				return
			}
			body = []byte(r.Body)
		}
		if goBodyErr != nil {
			t.Fatalf("we accept body %q, net/http fails: %v; input %q", body, goBodyErr, in)
		}
		if !bytes.Equal(body, goBody) {
			t.Fatalf("body: got %q; want %q", body, goBody)
		}
	})
}

func bytewise(in []byte) [][]byte {
	out := make([][]byte, len(in))
	for i := range in {
		out[i] = in[i : i+1]
	}
	return out
}

func FuzzChunked(f *testing.F) {
	for _, s := range []string{
		"5\r\nhello\r\n0\r\n\r\n",
		"5;ext=1\r\nhello\r\n6;a=\"q\"\r\n world\r\n0\r\nT: v\r\n\r\n",
		"0\r\n\r\n",
		"5 \r\nhello\r\n0\r\n\r\n",
		"5\nhello\n0\n\n",
		"ffffffffffffffff\r\n",
		"1\r\nab\r\n0\r\n\r\n",
		"0\r\nA: b\r\n c\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	d := http1.NewChunkedDecoder(http1.ChunkedLimits{})
	f.Fuzz(func(t *testing.T, in []byte) {
		ours := decodeChunked(d, in)
		if bw := decodeChunked(d, bytewise(in)...); !reflect.DeepEqual(bw, ours) {
			t.Fatalf("byte by byte: got %+v; want %+v", bw, ours)
		}
		if ours.Status == -1 {
			return
		}
		goBody, goErr := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(in)))
		switch {
		case ours.Status > 0 && goErr == nil:
			if knownStricter[ours.Reason] == "" && !trailerFault[ours.Reason] {
				t.Fatalf("we reject (%s), net/http accepts %q", ours.Reason, in)
			}
		case ours.Status > 0:
		case goErr != nil:
			t.Fatalf("we accept %+v, net/http rejects (%v) %q", ours, goErr, in)
		case string(goBody) != ours.Body:
			t.Fatalf("body: got %q; want %q", ours.Body, goBody)
		}
	})
}

// FuzzRequestSplitsLimits parses one input three ways under small limits
// drawn by the fuzzer: whole (the one-pass path for a complete head), byte
// by byte, and in two pieces at a drawn offset (the line reader, from the
// point where the head stops being whole). All three must agree on every
// result and every fault, so no limit or byte can reach the two paths
// differently.
func FuzzRequestSplitsLimits(f *testing.F) {
	for _, s := range requestSeeds {
		f.Add([]byte(s), uint8(64), uint8(3), uint8(16), uint16(7))
	}
	f.Add([]byte("GET / HTTP/1.1\r\nHost: h\r\nX: "+strings.Repeat("v", 32)+"\r\n\r\n"), uint8(64), uint8(2), uint8(8), uint16(30))
	f.Fuzz(func(t *testing.T, in []byte, head, fields, target uint8, cut uint16) {
		lim := http1.Limits{MaxHeadBytes: int(head) + 1, MaxHeaders: int(fields%8) + 1, MaxTargetBytes: int(target) + 1}
		p := http1.NewRequestParser(lim)
		whole := parseRequest(p, in)
		if bw := parseRequest(p, bytewise(in)...); !reflect.DeepEqual(bw, whole) {
			t.Fatalf("limits %+v, byte by byte: got %+v; want %+v", lim, bw, whole)
		}
		at := int(cut) % (len(in) + 1)
		if two := parseRequest(p, in[:at], in[at:]); !reflect.DeepEqual(two, whole) {
			t.Fatalf("limits %+v, split at %d: got %+v; want %+v", lim, at, two, whole)
		}
	})
}
