package evhttp_test

// The server half of the peer suite: the server-side cases of libevent's
// test/regress_http.c, replayed on real sockets against a server set up like
// libevent's http_setup. Each row names the libevent test it mirrors. Where
// libevent's behaviour is lax or a smuggling risk, the row asserts eventide's
// RFC 9110/9112 behaviour and says why ("deliberate:").

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
)

const (
	peerBody    = "This is funny"
	peerChunked = "This is funnybut not hilarious.bwv 1052"
)

// peerSetup registers the handlers of libevent's http_setup (with a short
// delay for /delay) plus /echo, which answers with the request body.
func peerSetup(s *evhttp.Server) {
	basic := func(r *evhttp.Request) {
		body := []byte(peerBody)
		if r.Header("Empty") != "" {
			body = nil
		}
		r.SendReply(200, "Everything is fine", body)
	}
	s.HandleFunc("/test", basic)
	s.HandleFunc("/deleteit", basic)
	s.HandleFunc("/large", func(r *evhttp.Request) {
		r.SendReply(200, "Everything is fine", []byte(strings.Repeat(peerBody, 1<<18)))
	})
	chunked := func(r *evhttp.Request) {
		if r.URI() == "/streamed" {
			r.OutputHeaders().Set("Content-Length", "39")
		}
		r.StartReply(200, "Everything is fine")
		// Trickled over several loop iterations, as libevent's test does.
		parts := []string{"This is funny", "but not hilarious.", "bwv 1052"}
		var next func(*ev.Timer)
		next = func(*ev.Timer) {
			if len(parts) == 0 {
				r.EndReply()
				return
			}
			r.SendChunk([]byte(parts[0]), nil)
			parts = parts[1:]
			ev.NewTimer(s.Loop(), 0, 0, next).Start()
		}
		ev.NewTimer(s.Loop(), 0, 0, next).Start()
	}
	s.HandleFunc("/chunked", chunked)
	s.HandleFunc("/streamed", chunked)
	s.HandleFunc("/postit", func(r *evhttp.Request) {
		if r.Method() != evhttp.MethodPost || string(r.Body().Pullup(-1)) != "Okay.  Not really printf" {
			r.SendError(500, "unexpected post")
			return
		}
		r.SendReply(200, "Everything is fine", []byte(peerBody))
	})
	s.HandleFunc("/putit", func(r *evhttp.Request) {
		if r.Method() != evhttp.MethodPut || string(r.Body().Pullup(-1)) != "Hi, I'm some PUT data" {
			r.SendError(500, "unexpected put")
			return
		}
		r.SendReply(200, "Everything is great", []byte("That ain't funny"))
	})
	s.HandleFunc("/delay", func(r *evhttp.Request) {
		ev.NewTimer(s.Loop(), 20*time.Millisecond, 0, func(*ev.Timer) {
			r.SendReply(200, "Everything is fine", nil)
		}).Start()
	})
	s.HandleFunc("/badrequest", func(r *evhttp.Request) {
		r.OutputHeaders().Set("Content-Type", "text/xml; charset=UTF-8")
		r.SendReply(200, "OK", []byte("Hello, 127.0.0.1!"))
	})
	s.HandleFunc("/nocontent", func(r *evhttp.Request) { r.SendReply(204, "", []byte("dropped")) })
	s.HandleFunc("/echo", func(r *evhttp.Request) { r.SendReply(200, "", r.Body().Pullup(-1)) })
	s.HandleFunc("/", func(r *evhttp.Request) { r.SendReply(200, "Everything is fine", []byte("DISPATCHER_TEST")) })
}

// peerWant is one expected response.
type peerWant struct {
	method string // of the request it answers; "" means GET
	status int
	body   string
	header map[string]string // field: value; value "-" means absent, "*" present
}

// peerStep writes send, then reads the responses in want.
type peerStep struct {
	send string
	want []peerWant
}

var (
	get1 = "GET /test HTTP/1.1\r\nHost: somehost\r\n\r\n"
	ok1  = peerWant{status: 200, body: peerBody}
)

func TestPeerExchanges(t *testing.T) {
	tests := []struct {
		libevent string
		name     string
		steps    []peerStep
		closed   bool // the server closes after the last response
	}{
		{"http_basic_test", "request split across writes", []peerStep{
			{send: "GET /test HTTP/1.1\r\nHost: some"},
			{send: "host\r\nConnection: close\r\n\r\n", want: []peerWant{{status: 200, body: peerBody,
				header: map[string]string{"Content-Type": "*", "Date": "*", "Connection": "close"}}}},
		}, true},
		{"http_basic_test", "absolute-form target", []peerStep{
			{send: "GET http://somehost.net/test HTTP/1.1\r\nHost: somehost\r\nConnection: close\r\n\r\n", want: []peerWant{ok1}},
		}, true},
		{"http_basic_test", "reason phrase", []peerStep{
			{send: get1, want: []peerWant{{status: 200, body: peerBody, header: map[string]string{"Content-Length": "13"}}}},
		}, false},
		{"http_bad_request_test", "HTTP/1.0 keep-alive", []peerStep{
			{send: "GET /badrequest HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", want: []peerWant{{status: 200, body: "Hello, 127.0.0.1!",
				header: map[string]string{"Content-Type": "text/xml; charset=UTF-8", "Connection": "keep-alive"}}}},
			{send: "GET /badrequest HTTP/1.0\r\n\r\n", want: []peerWant{{status: 200, body: "Hello, 127.0.0.1!",
				header: map[string]string{"Connection": "close"}}}},
		}, true},
		{"http_delete_test", "DELETE", []peerStep{
			{send: "DELETE /deleteit HTTP/1.1\r\nHost: somehost\r\nConnection: close\r\n\r\n", want: []peerWant{ok1}},
		}, true},
		// deliberate: libevent serves methods registered with
		// evhttp_set_extended_methods; eventide knows a fixed set and
		// answers any other method 501 (RFC 9110 §9.1).
		{"http_custom_test", "extended method", []peerStep{
			{send: "CUSTOM /custom HTTP/1.1\r\nHost: somehost\r\n\r\n", want: []peerWant{{status: 501}}},
		}, true},
		{"http_failure_test", "illegal request", []peerStep{
			{send: "illegal request\r\n", want: []peerWant{{status: 400}}},
		}, true},
		{"http_persist_connection_test", "keep-alive, empty reply, close", []peerStep{
			{send: get1, want: []peerWant{ok1}},
			{send: get1, want: []peerWant{ok1}},
			{send: "GET /test HTTP/1.1\r\nHost: somehost\r\nEmpty: itis\r\n\r\n", want: []peerWant{{status: 200,
				header: map[string]string{"Content-Length": "0", "Date": "*", "Content-Type": "-"}}}},
			{send: "GET /test HTTP/1.1\r\nHost: somehost\r\nConnection: close\r\n\r\n", want: []peerWant{ok1}},
		}, true},
		{"http_dispatcher_test", "root handler with a query", []peerStep{
			{send: "GET /?arg=val HTTP/1.1\r\nHost: somehost\r\n\r\n", want: []peerWant{{status: 200, body: "DISPATCHER_TEST",
				header: map[string]string{"Content-Type": "*"}}}},
		}, false},
		{"http_post_test", "POST", []peerStep{
			{send: "POST /postit HTTP/1.1\r\nHost: somehost\r\nContent-Length: 24\r\n\r\nOkay.  Not really printf", want: []peerWant{ok1}},
		}, false},
		{"http_post_test", "POST with 100-continue", []peerStep{
			{send: "POST /postit HTTP/1.1\r\nHost: somehost\r\nExpect: 100-continue\r\nContent-Length: 24\r\n\r\n", want: []peerWant{{status: 100}}},
			{send: "Okay.  Not really printf", want: []peerWant{ok1}},
		}, false},
		{"http_put_test", "PUT", []peerStep{
			{send: "PUT /putit HTTP/1.1\r\nHost: someotherhost\r\nContent-Length: 21\r\n\r\nHi, I'm some PUT data", want: []peerWant{{status: 200, body: "That ain't funny"}}},
		}, false},
		{"http_chunk_out_test", "chunked reply twice on one connection", []peerStep{
			{send: "GET /chunked HTTP/1.1\r\nHost: somehost\r\n\r\nGET /chunked HTTP/1.1\r\nHost: somehost\r\n\r\n", want: []peerWant{
				{status: 200, body: peerChunked, header: map[string]string{"Transfer-Encoding": "chunked", "Content-Length": "-"}},
				{status: 200, body: peerChunked},
			}},
		}, false},
		// deliberate: libevent streams /streamed raw under the handler's
		// Content-Length: 39; eventide ignores a Content-Length set by the
		// handler of a streamed reply and chunks it (a handler sending
		// more or less would desynchronise the connection). The client
		// gets the same 39 bytes.
		{"http_stream_out_test", "streamed reply with a handler Content-Length", []peerStep{
			{send: "GET /streamed HTTP/1.1\r\nHost: somehost\r\n\r\n", want: []peerWant{
				{status: 200, body: peerChunked, header: map[string]string{"Transfer-Encoding": "chunked", "Content-Length": "-"}},
			}},
		}, false},
		// deliberate: libevent unfolds obs-fold lines; RFC 9112 §5.2 lets a
		// server reject them with 400, which closes a smuggling vector.
		{"http_multi_line_header_test", "obs-fold", []peerStep{
			{send: "GET /test HTTP/1.1\r\nHost: somehost\r\nX-Multi:  aaaaaaaa\r\n a\r\n\tEND\r\nX-Last: last\r\n\r\n", want: []peerWant{{status: 400}}},
		}, true},
		{"http_negative_content_length_test", "negative Content-Length", []peerStep{
			{send: "POST /echo HTTP/1.1\r\nHost: somehost\r\nContent-Length: -100\r\n\r\n", want: []peerWant{{status: 400}}},
		}, true},
		{"http_negative_content_length_test", "overflowing Content-Length", []peerStep{
			{send: "POST /echo HTTP/1.1\r\nHost: somehost\r\nContent-Length: 99999999999999999999\r\n\r\n", want: []peerWant{{status: 400}}},
		}, true},
		{"http_negative_content_length_test", "signed Content-Length", []peerStep{
			{send: "POST /echo HTTP/1.1\r\nHost: somehost\r\nContent-Length: +3\r\n\r\nabc", want: []peerWant{{status: 400}}},
		}, true},
		{"http_negative_content_length_test", "Content-Length with leading zeros", []peerStep{
			{send: "POST /echo HTTP/1.1\r\nHost: somehost\r\nContent-Length: 003\r\n\r\nabc", want: []peerWant{{status: 200, body: "abc"}}},
		}, false},
		{"http_chunked_in_test", "chunked request body", []peerStep{
			{send: "POST /echo HTTP/1.1\r\nHost: somehost\r\nTransfer-Encoding: chunked\r\n\r\nd\r\nThis is funny\r\n12\r\nbut not hilarious.\r\n8\r\nbwv 1052\r\n0\r\n\r\n",
				want: []peerWant{{status: 200, body: peerChunked}}},
		}, false},
		{"http_chunked_in_test", "NUL bytes in a body", []peerStep{
			{send: "POST /echo HTTP/1.1\r\nHost: somehost\r\nContent-Length: 3\r\n\r\na\x00b", want: []peerWant{{status: 200, body: "a\x00b"}}},
		}, false},
		// RFC 9110 §2.5: a later minor version is served as HTTP/1.1.
		{"http_basic_test", "HTTP/1.2", []peerStep{
			{send: "GET /test HTTP/1.2\r\nHost: somehost\r\n\r\n", want: []peerWant{ok1}},
		}, false},
		{"http_post_test", "HTTP/1.2 with 100-continue", []peerStep{
			{send: "POST /postit HTTP/1.2\r\nHost: somehost\r\nExpect: 100-continue\r\nContent-Length: 24\r\n\r\n", want: []peerWant{{status: 100}}},
			{send: "Okay.  Not really printf", want: []peerWant{ok1}},
		}, false},
		{"http_bad_request_test", "leading empty lines", []peerStep{
			{send: "\r\n\r\n" + get1, want: []peerWant{ok1}},
		}, false},
		// Pipelining: replies leave in request order even when the first
		// handler answers last (libevent answers one request at a time).
		{"http_close_detection_delay_test", "pipelined behind a delayed reply", []peerStep{
			{send: "GET /delay HTTP/1.1\r\nHost: somehost\r\n\r\n" + get1 + "HEAD /test HTTP/1.1\r\nHost: somehost\r\n\r\n" + get1, want: []peerWant{
				{status: 200, header: map[string]string{"Content-Length": "0"}},
				ok1,
				{method: "HEAD", status: 200, header: map[string]string{"Content-Length": "13"}},
				ok1,
			}},
		}, false},
		{"http_chunk_out_test", "HEAD of a streamed reply", []peerStep{
			{send: "HEAD /chunked HTTP/1.1\r\nHost: somehost\r\n\r\n" + get1, want: []peerWant{{method: "HEAD", status: 200}, ok1}},
		}, false},
		{"http_basic_test", "204 carries no body", []peerStep{
			{send: "GET /nocontent HTTP/1.1\r\nHost: somehost\r\n\r\n" + get1, want: []peerWant{
				{status: 204, header: map[string]string{"Content-Length": "-", "Content-Type": "-"}}, ok1}},
		}, false},
		{"http_connection_test", "Connection: close drops the pipeline behind it", []peerStep{
			{send: "GET /test HTTP/1.1\r\nHost: somehost\r\nConnection: close\r\n\r\n" + get1, want: []peerWant{ok1}},
		}, true},
		{"http_basic_test", "HTTP/1.0 without keep-alive", []peerStep{
			{send: "GET /test HTTP/1.0\r\n\r\n" + get1, want: []peerWant{{status: 200, body: peerBody, header: map[string]string{"Connection": "close"}}}},
		}, true},
		{"http_post_test", "HTTP/1.0 ignores 100-continue", []peerStep{
			{send: "POST /echo HTTP/1.0\r\nConnection: keep-alive\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi", want: []peerWant{{status: 200, body: "hi"}}},
		}, false},
		{"http_post_test", "100-continue without a body", []peerStep{
			{send: "GET /test HTTP/1.1\r\nHost: somehost\r\nExpect: 100-Continue\r\n\r\n", want: []peerWant{ok1}},
		}, false},
		{"http_post_test", "unknown expectation", []peerStep{
			{send: "POST /echo HTTP/1.1\r\nHost: somehost\r\nExpect: 101-continue\r\nContent-Length: 2\r\n\r\nhi", want: []peerWant{{status: 417}}},
		}, true},
	}
	ts := startServer(t, evhttp.Config{}, peerSetup)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.dial()
			br := bufio.NewReader(c)
			for _, st := range tt.steps {
				if _, err := io.WriteString(c, st.send); err != nil {
					t.Fatalf("%s: write: %v", tt.libevent, err)
				}
				for _, w := range st.want {
					checkPeerResponse(t, tt.libevent, br, w)
				}
			}
			if tt.closed {
				expectEOF(t, br)
				return
			}
			// Still open: one more request is served.
			io.WriteString(c, get1)
			checkPeerResponse(t, tt.libevent, br, ok1)
		})
	}
}

func checkPeerResponse(t *testing.T, libevent string, br *bufio.Reader, w peerWant) {
	t.Helper()
	method := w.method
	if method == "" {
		method = "GET"
	}
	resp, body := readResponse(t, br, method)
	// The bodies of error replies are the server's; only the status counts.
	if resp.StatusCode != w.status || body != w.body && (w.status < 400 || w.body != "") {
		t.Errorf("%s: got %d %q; want %d %q", libevent, resp.StatusCode, body, w.status, w.body)
	}
	for k, v := range w.header {
		got, ok := resp.Header[http.CanonicalHeaderKey(k)]
		switch {
		case k == "Connection" && v == "close":
			// net/http moves "Connection: close" to Response.Close.
			ok, got = resp.Close, []string{"close"}
		case k == "Transfer-Encoding":
			ok, got = len(resp.TransferEncoding) > 0, resp.TransferEncoding
		case k == "Content-Length" && v != "-" && resp.ContentLength >= 0:
			ok, got = true, []string{fmt.Sprint(resp.ContentLength)}
		}
		switch {
		case v == "-" && ok:
			t.Errorf("%s: %s: got %q; want none", libevent, k, got)
		case v == "*" && !ok, v != "-" && v != "*" && (len(got) != 1 || got[0] != v):
			t.Errorf("%s: %s: got %q; want %q", libevent, k, got, v)
		}
	}
}

// TestPeerChunkOutBytes checks the exact framing of a chunked reply to a
// request with "Connection: close": libevent still chunks it, with the
// sizes in hex.
func TestPeerChunkOutBytes(t *testing.T) {
	// libevent: http_chunk_out_test
	ts := startServer(t, evhttp.Config{}, peerSetup)
	got := ts.exchange("GET /chunked HTTP/1.1\r\nHost: somehost\r\nConnection: close\r\n\r\n")
	head, body, _ := strings.Cut(got, "\r\n\r\n")
	for _, f := range []string{"\r\nTransfer-Encoding: chunked", "\r\nConnection: close"} {
		if !strings.Contains(head, f) {
			t.Errorf("head %q lacks %q", head, f)
		}
	}
	if want := "d\r\nThis is funny\r\n12\r\nbut not hilarious.\r\n8\r\nbwv 1052\r\n0\r\n\r\n"; body != want {
		t.Errorf("body: got %q; want %q", body, want)
	}
}

// TestPeerMalformed sends requests libevent's suite (and its users' bug
// reports) exercise with bad framing: each is answered with the status
// eventide assigns, after which the connection closes.
func TestPeerMalformed(t *testing.T) {
	const te = "POST /echo HTTP/1.1\r\nHost: somehost\r\nTransfer-Encoding: chunked\r\n\r\n"
	tests := []struct {
		libevent string
		name     string
		req      string
		want     int
	}{
		{"http_failure_test", "HTTP/0.9 request line", "GET /test\r\n\r\n", 400},
		{"http_failure_test", "two spaces", "GET  /test HTTP/1.1\r\nHost: somehost\r\n\r\n", 400},
		{"http_failure_test", "extra field in the request line", "GET /test HTTP/1.1 x\r\nHost: somehost\r\n\r\n", 400},
		{"http_failure_test", "relative target", "GET test HTTP/1.1\r\nHost: somehost\r\n\r\n", 400},
		{"http_failure_test", "fragment in the target", "GET /test#frag HTTP/1.1\r\nHost: somehost\r\n\r\n", 400},
		{"http_failure_test", "truncated escape", "GET /test%2 HTTP/1.1\r\nHost: somehost\r\n\r\n", 400},
		{"http_failure_test", "non-hex escape", "GET /te%zzst HTTP/1.1\r\nHost: somehost\r\n\r\n", 400},
		{"http_failure_test", "NUL in the target", "GET /te\x00st HTTP/1.1\r\nHost: somehost\r\n\r\n", 400},
		{"http_failure_test", "NUL in a field name", "GET /test HTTP/1.1\r\nHost: somehost\r\nX\x00Y: z\r\n\r\n", 400},
		{"http_failure_test", "NUL in the method", "G\x00T /test HTTP/1.1\r\nHost: somehost\r\n\r\n", 400},
		{"http_failure_test", "lower-case method", "get /test HTTP/1.1\r\nHost: somehost\r\n\r\n", 501},
		{"http_failure_test", "HTTP/2.0", "GET /test HTTP/2.0\r\nHost: somehost\r\n\r\n", 505},
		{"http_failure_test", "IPv6 Host with nine groups", "GET /test HTTP/1.1\r\nHost: [1:2:3:4:5:6:7:8:9]\r\n\r\n", 400},
		{"http_chunked_in_test", "negative chunk size", te + "-1\r\nx\r\n0\r\n\r\n", 400},
		{"http_chunked_in_test", "0x chunk size", te + "0x3\r\nabc\r\n0\r\n\r\n", 400},
		{"http_chunked_in_test", "space before the chunk size", te + " 3\r\nabc\r\n0\r\n\r\n", 400},
		{"http_chunked_in_test", "space after the chunk size", te + "3 \r\nabc\r\n0\r\n\r\n", 400},
		{"http_chunked_in_test", "overflowing chunk size", te + "fffffffffffffffff\r\nabc\r\n0\r\n\r\n", 400},
		{"http_chunked_in_test", "chunk longer than its size", te + "3\r\nabcd\r\n0\r\n\r\n", 400},
		{"http_chunked_in_test", "bare LF after the chunk size", te + "3\nabc\r\n0\r\n\r\n", 400},
		{"http_chunked_in_test", "empty chunk size", te + "\r\nabc\r\n0\r\n\r\n", 400},
	}
	ts := startServer(t, evhttp.Config{}, peerSetup)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.dial()
			io.WriteString(c, tt.req)
			br := bufio.NewReader(c)
			resp, _ := readResponse(t, br, "GET")
			if resp.StatusCode != tt.want || !resp.Close {
				t.Errorf("%s: got %d close=%v; want %d and Connection: close", tt.libevent, resp.StatusCode, resp.Close, tt.want)
			}
			expectEOF(t, br)
		})
	}
}

// TestPeerOddTargets routes targets with escapes and absolute forms.
func TestPeerOddTargets(t *testing.T) {
	tests := []struct {
		libevent string
		target   string
		want     int
		body     string
	}{
		{"http_basic_test", "/te%73t", 200, peerBody},
		{"http_basic_test", "/%74est?x=%20&y", 200, peerBody},
		{"http_basic_test", "/TEST", 404, ""},
		{"http_basic_test", "/test/", 404, ""},
		{"http_basic_test", "/test%00", 404, ""},
		{"http_basic_test", "http://somehost.net", 200, "DISPATCHER_TEST"},
		{"http_basic_test", "http://somehost.net?arg=1", 200, "DISPATCHER_TEST"},
		{"http_basic_test", "HTTP://SOMEHOST.NET:80/test?x", 200, peerBody},
		{"http_basic_test", "http://[::1]:8080/test", 200, peerBody},
		{"http_dispatcher_test", "/?arg=val&arg2=%7E", 200, "DISPATCHER_TEST"},
	}
	ts := startServer(t, evhttp.Config{}, peerSetup)
	c := ts.dial()
	br := bufio.NewReader(c)
	for _, tt := range tests {
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: somehost\r\n\r\n", tt.target)
		resp, body := readResponse(t, br, "GET")
		if resp.StatusCode != tt.want || tt.want == 200 && body != tt.body {
			t.Errorf("%s: GET %s: got %d %q; want %d %q", tt.libevent, tt.target, resp.StatusCode, body, tt.want, tt.body)
		}
	}
}

func TestPeerAllowedMethods(t *testing.T) {
	// libevent: http_allowed_methods_test. deliberate: a known method the
	// server does not allow is 405 with Allow (RFC 9110 §15.5.6), where
	// libevent answers 501; an unknown one is 501 in both.
	ts := startServer(t, evhttp.Config{AllowedMethods: []string{evhttp.MethodPatch}}, peerSetup)
	for _, tt := range []struct {
		method string
		want   int
	}{
		{"GET", 405},
		{"PATCH", 200},
		{"FLOOP", 501},
		{"CUSTOM", 501},
	} {
		got := ts.exchange(tt.method + " /test HTTP/1.1\r\nHost: somehost\r\nConnection: close\r\n\r\n")
		if !strings.HasPrefix(got, fmt.Sprintf("HTTP/1.1 %d ", tt.want)) {
			t.Errorf("%s: got %q; want %d", tt.method, got, tt.want)
		}
		if tt.want == 405 && !strings.Contains(got, "\r\nAllow: PATCH\r\n") {
			t.Errorf("%s: got %q; want Allow: PATCH", tt.method, got)
		}
	}
}

func TestPeerDataLengthConstraints(t *testing.T) {
	// libevent: http_data_length_constraints_test. deliberate: libevent
	// answers a header or a target over its limits with 400; eventide
	// names the fault (431, 414, RFC 6585 §5 and RFC 9110 §15.5.15), and a
	// body over the limit is 413 with or without 100-continue.
	ts := startServer(t, evhttp.Config{MaxHeaderBytes: 8191, MaxBodyBytes: 8190}, peerSetup)
	long := strings.Repeat("a", 8191)
	tests := []struct {
		name string
		req  string
		want int
	}{
		{"long header", "GET /?arg=val HTTP/1.1\r\nHost: somehost\r\nLongheader: " + long + "\r\n\r\n", 431},
		{"long target", "GET /?arg=" + long + " HTTP/1.1\r\nHost: somehost\r\n\r\n", 414},
		{"long body", "POST / HTTP/1.1\r\nHost: somehost\r\nContent-Length: 8191\r\n\r\n" + long, 413},
		{"long body expecting 100", "POST / HTTP/1.1\r\nHost: somehost\r\nExpect: 100-continue\r\nContent-Length: 8191\r\n\r\n", 413},
		{"long chunked body", "POST / HTTP/1.1\r\nHost: somehost\r\nTransfer-Encoding: chunked\r\n\r\n1fff\r\n" + long + "\r\n0\r\n\r\n", 413},
	}
	for _, tt := range tests {
		if got := ts.exchange(tt.req); !strings.HasPrefix(got, fmt.Sprintf("HTTP/1.1 %d ", tt.want)) {
			t.Errorf("%s: got %.60q; want %d", tt.name, got, tt.want)
		}
	}
	// Just under the limits: served.
	if got := ts.exchange("POST /echo HTTP/1.1\r\nHost: somehost\r\nConnection: close\r\nContent-Length: 8190\r\n\r\n" + long[1:]); !strings.HasSuffix(got, "\r\n\r\n"+long[1:]) {
		t.Errorf("body at the limit: got %.60q", got)
	}
}

// TestPeerLingeringClose sends a whole body over the limit before reading:
// the 413 must reach the client, not be lost to a reset caused by the
// unread body (libevent: http_lingering_close_test).
func TestPeerLingeringClose(t *testing.T) {
	ts := startServer(t, evhttp.Config{MaxBodyBytes: 8190}, peerSetup)
	c := ts.dial()
	const size = 1 << 20
	errc := make(chan error, 1)
	go func() {
		_, err := fmt.Fprintf(c, "POST /echo HTTP/1.1\r\nHost: somehost\r\nContent-Length: %d\r\n\r\n%s", size, strings.Repeat("x", size))
		errc <- err
	}()
	br := bufio.NewReader(c)
	if resp, _ := readResponse(t, br, "POST"); resp.StatusCode != 413 {
		t.Errorf("got %d; want 413", resp.StatusCode)
	}
	if err := <-errc; err != nil {
		t.Errorf("the client could not send its body: %v", err)
	}
	expectEOF(t, br)
}

func TestPeerBadRequestEmpty(t *testing.T) {
	// libevent: http_bad_request_test. A client that connects and shuts
	// down its side without a byte gets no answer, just the close.
	ts := startServer(t, evhttp.Config{}, peerSetup)
	c := ts.dial()
	c.(*net.TCPConn).CloseWrite()
	if b, err := io.ReadAll(c); len(b) != 0 || err != nil {
		t.Errorf("got %q, %v; want EOF and nothing", b, err)
	}
}

func TestPeerIncomplete(t *testing.T) {
	// libevent: http_incomplete_test, http_incomplete_timeout_test. A head
	// cut short by the client's EOF, or by the server's timeout, gets no
	// answer: the server just closes.
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		peerSetup(s)
		s.SetTimeout(100 * time.Millisecond)
	})
	for _, eof := range []bool{true, false} {
		c := ts.dial()
		io.WriteString(c, "GET /test HTTP/1.1\r\nHost: somehost\r\n")
		if eof {
			c.(*net.TCPConn).CloseWrite()
		}
		start := time.Now()
		b, err := io.ReadAll(c)
		if len(b) != 0 || err != nil || time.Since(start) > 5*time.Second {
			t.Errorf("eof=%v: got %q, %v after %v; want a prompt close", eof, b, err, time.Since(start))
		}
	}
}

func TestPeerCloseDetection(t *testing.T) {
	// libevent: http_close_detection_test. With a 100 ms timeout, an idle
	// keep-alive connection is closed by the server and forgotten.
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		peerSetup(s)
		s.SetTimeout(100 * time.Millisecond)
	})
	c := ts.dial()
	io.WriteString(c, get1)
	br := bufio.NewReader(c)
	checkPeerResponse(t, "http_close_detection_test", br, ok1)
	expectEOF(t, br)
	waitConns(t, ts, 0)
}

func TestPeerCloseDetectionDelay(t *testing.T) {
	// libevent: http_close_detection_delay_test. The client goes away while
	// the handler holds the request: the close callback runs at once, the
	// late reply is harmless, and the server keeps no connection.
	held := make(chan *evhttp.Request, 1)
	closed := make(chan net.Addr, 1)
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/largedelay", func(r *evhttp.Request) {
			conn := r.Conn()
			// libevent: http_get_addr_test — the address is still known
			// in the close callback.
			conn.SetCloseCallback(func() { closed <- conn.RemoteAddr() })
			held <- r
		})
	})
	c := ts.dial()
	io.WriteString(c, "GET /largedelay HTTP/1.1\r\nHost: somehost\r\n\r\n")
	r := wait(t, held, "the handler")
	local := c.LocalAddr().String()
	c.Close()
	if addr := wait(t, closed, "the close callback"); addr == nil || addr.String() != local {
		t.Errorf("RemoteAddr in the close callback: got %v; want %s", addr, local)
	}
	ts.do(func() { r.SendReply(200, "", []byte("late")) })
	waitConns(t, ts, 0)
}

func TestPeerGetAddrOnServerClose(t *testing.T) {
	// libevent: http_get_addr_test, the connection closed by the server
	// after "Connection: close": the close callback runs once, and the
	// client's address is still known there.
	calls := make(chan net.Addr, 2)
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/test", func(r *evhttp.Request) {
			conn := r.Conn()
			conn.SetCloseCallback(func() { calls <- conn.RemoteAddr() })
			r.SendReply(200, "", []byte(peerBody))
		})
	})
	c := ts.dial()
	local := c.LocalAddr().String()
	got := ts.exchangeOn(c, "GET /test HTTP/1.1\r\nHost: somehost\r\nConnection: close\r\n\r\n")
	if !strings.HasSuffix(got, peerBody) {
		t.Errorf("got %q", got)
	}
	c.Close()
	if addr := wait(t, calls, "the close callback"); addr == nil || addr.String() != local {
		t.Errorf("RemoteAddr in the close callback: got %v; want %s", addr, local)
	}
	waitConns(t, ts, 0)
	if len(calls) != 0 {
		t.Errorf("close callback ran more than once")
	}
}

func TestPeerTerminateChunked(t *testing.T) {
	// libevent: http_terminate_chunked_test. The client disconnects in the
	// middle of a streamed reply: the close callback runs, and the
	// producer's further chunks are dropped with their completions still
	// called.
	closed, ended := make(chan struct{}), make(chan struct{})
	dones := make(chan int, 100)
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/test", func(r *evhttp.Request) {
			stop := false
			r.Conn().SetCloseCallback(func() { stop = true; close(closed) })
			r.StartReply(200, "OK")
			n := 0
			var tick func(*ev.Timer)
			tick = func(*ev.Timer) {
				n++
				r.SendChunk(fmt.Appendf(nil, "piece %d;", n), func() {
					select {
					case dones <- n:
					default: // never block the loop
					}
				})
				if stop {
					r.EndReply()
					close(ended)
					return
				}
				ev.NewTimer(s.Loop(), time.Millisecond, 0, tick).Start()
			}
			tick(nil)
		})
	})
	c := ts.dial()
	io.WriteString(c, "GET /test HTTP/1.1\r\nHost: some\r\n\r\n")
	br := bufio.NewReader(c)
	if line, err := br.ReadString('\n'); err != nil || line != "HTTP/1.1 200 OK\r\n" {
		t.Fatalf("got %q, %v", line, err)
	}
	c.Close()
	wait(t, closed, "the close callback")
	waitConns(t, ts, 0)
	// The producer's last timer ends the reply: wait for it, so that no
	// timer of the test is left on the loop.
	wait(t, ended, "the end of the streamed reply")
	// Completions ran, the last ones with the connection gone.
	ts.do(func() {})
	if len(dones) == 0 {
		t.Errorf("no SendChunk completion ran")
	}
}

func TestPeerWriteDuringRead(t *testing.T) {
	// libevent: http_write_during_read_test. The client sends garbage after
	// its request while the server is writing a large reply it does not
	// read yet: the reply arrives whole, and the garbage is then a
	// malformed request, answered 400.
	ts := startServer(t, evhttp.Config{}, peerSetup)
	c := ts.dial()
	io.WriteString(c, "GET /large HTTP/1.1\r\nHost: somehost\r\n\r\n")
	io.WriteString(c, "foobar\r\n\r\n")
	br := bufio.NewReader(c)
	resp, body := readResponse(t, br, "GET")
	if resp.StatusCode != 200 || len(body) != len(peerBody)<<18 {
		t.Errorf("got %d with %d bytes; want 200 with %d", resp.StatusCode, len(body), len(peerBody)<<18)
	}
	if resp, _ := readResponse(t, br, "GET"); resp.StatusCode != 400 {
		t.Errorf("garbage: got %d; want 400", resp.StatusCode)
	}
	expectEOF(t, br)
}

func TestPeerCallbacksRemoved(t *testing.T) {
	// libevent: http_primitives (evhttp_set_cb twice fails, evhttp_del_cb
	// twice fails) and a callback removed while the server runs.
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/test", hello)
	})
	c := ts.dial()
	br := bufio.NewReader(c)
	io.WriteString(c, get1)
	if resp, _ := readResponse(t, br, "GET"); resp.StatusCode != 200 {
		t.Fatalf("got %d; want 200", resp.StatusCode)
	}
	var first, second bool
	var panicked any
	ts.do(func() {
		first, second = ts.srv.Remove("/test"), ts.srv.Remove("/test")
		ts.srv.HandleFunc("/test", hello)
		func() {
			defer func() { panicked = recover() }()
			ts.srv.HandleFunc("/test", hello)
		}()
		ts.srv.Remove("/test")
	})
	if !first || second || panicked == nil {
		t.Errorf("Remove twice: got %v, %v, HandleFunc twice panicked: %v; want true, false, a panic", first, second, panicked)
	}
	io.WriteString(c, get1)
	if resp, _ := readResponse(t, br, "GET"); resp.StatusCode != 404 {
		t.Errorf("after Remove: got %d; want 404", resp.StatusCode)
	}
}

func TestPeerVirtualHost(t *testing.T) {
	// libevent: http_virtual_host_test.
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		peerSetup(s)
		second := evhttp.NewServer(s.Loop(), evhttp.Config{})
		second.HandleFunc("/funnybunny", func(r *evhttp.Request) { r.SendReply(200, "", []byte(peerBody)) })
		third := evhttp.NewServer(s.Loop(), evhttp.Config{})
		third.HandleFunc("/blackcoffee", func(r *evhttp.Request) { r.SendReply(200, "", []byte(peerBody)) })
		s.AddVirtualHost("foo.com", second)
		s.AddVirtualHost("bar.*.foo.com", third)
		// Aliases of the virtual hosts, not of the main server.
		second.AddAlias("manolito.info")
		third.AddAlias("bonkers.org")
	})
	tests := []struct {
		target, host string
		want         int
	}{
		{"/funnybunny", "somehost", 404},
		{"/funnybunny", "foo.com", 200},
		{"/blackcoffee", "bar.magic.foo.com", 200},
		{"/funnybunny", "manolito.info", 200},
		{"/blackcoffee", "bonkers.org:8000", 200},
		{"/test", "foo.com", 404},
		// RFC 9112 §3.2.2: the authority of an absolute-form target
		// replaces the Host field.
		{"http://manolito.info/funnybunny", "somehost", 200},
		{"http://somehost/funnybunny", "foo.com", 404},
	}
	c := ts.dial()
	br := bufio.NewReader(c)
	for _, tt := range tests {
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", tt.target, tt.host)
		if resp, _ := readResponse(t, br, "GET"); resp.StatusCode != tt.want {
			t.Errorf("GET %s, Host %s: got %d; want %d", tt.target, tt.host, resp.StatusCode, tt.want)
		}
	}
}

func TestPeerOnComplete(t *testing.T) {
	// libevent: http_on_complete_test. evhttp_request_set_on_complete_cb's
	// equivalent is a completion on the last SendChunk: it runs once the
	// reply has been written to the socket.
	completed := make(chan struct{})
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/oncomplete", func(r *evhttp.Request) {
			r.StartReply(200, "Everything is fine")
			r.SendChunk([]byte(peerBody), func() { close(completed) })
			r.EndReply()
		})
	})
	got := ts.exchange("GET /oncomplete HTTP/1.1\r\nHost: somehost\r\nConnection: close\r\n\r\n")
	if !strings.Contains(got, "\r\n\r\nd\r\n"+peerBody+"\r\n0\r\n\r\n") {
		t.Errorf("got %q", got)
	}
	wait(t, completed, "the completion")
}

// waitConns waits until the server has n connections.
func waitConns(t *testing.T, ts *testServer, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got int
		ts.do(func() { got = ts.srv.NumConns() })
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("NumConns: got %d; want %d", got, n)
		}
		runtimeGosched()
	}
}

// exchangeOn writes req on c and returns everything until the server
// closes.
func (ts *testServer) exchangeOn(c net.Conn, req string) string {
	ts.t.Helper()
	io.WriteString(c, req)
	b, err := io.ReadAll(c)
	if err != nil {
		ts.t.Fatalf("read: %v (got %q)", err, b)
	}
	return string(b)
}
