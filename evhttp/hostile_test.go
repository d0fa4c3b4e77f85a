package evhttp_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
)

// TestNonReadingClientBoundsOutput floods a connection with pipelined
// requests, each answered at once with a reply ten times its size, from a
// client that never reads: the server must stop parsing (and so reading)
// once replies pile up, instead of buffering the replies of the whole
// flood until the write timeout.
func TestNonReadingClientBoundsOutput(t *testing.T) {
	reply := []byte(strings.Repeat("r", 256))
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) { r.SendReply(200, "", reply) })
	})
	c := ts.dial()
	req := "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	flood := []byte(strings.Repeat(req, (32<<20)/len(req)))
	c.SetWriteDeadline(time.Now().Add(2 * time.Second))
	n, err := c.Write(flood)
	if !errors.Is(err, os.ErrDeadlineExceeded) || n > 24<<20 {
		t.Fatalf("wrote %d of %d bytes (%v); want the write to block well before the end", n, len(flood), err)
	}
	var buffered int
	ts.do(func() { buffered = evhttp.BufferedOutput(ts.srv) })
	if buffered > 1<<20 {
		t.Errorf("server buffers %d reply bytes for a client that does not read; want at most 1 MiB", buffered)
	}
}

// TestIdleTimeoutWaitsForTheReply answers with more than the socket
// buffers hold to a client that starts reading only after the idle
// timeout: the reply is still being written, so the connection is not
// idle and the whole reply must arrive (the write timeout, not the idle
// one, bounds a slow reader).
func TestIdleTimeoutWaitsForTheReply(t *testing.T) {
	big := []byte(strings.Repeat("b", 32<<20))
	ts := startServer(t, evhttp.Config{IdleTimeout: 50 * time.Millisecond, WriteTimeout: 20 * time.Second}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) { r.SendReply(200, "", big) })
	})
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	<-time.After(300 * time.Millisecond) // a client busy elsewhere, past the idle timeout
	resp, body := readResponse(t, bufio.NewReader(c), "GET")
	if resp.StatusCode != 200 || len(body) != len(big) {
		t.Errorf("got %d with %d body bytes; want 200 with %d", resp.StatusCode, len(body), len(big))
	}
}

// pipelineMix is a pipeline of every body framing, the HEAD in the middle
// proving that no body follows its reply.
const pipelineMix = "GET /a?x=1 HTTP/1.1\r\nHost: x\r\n\r\n" +
	"HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n" +
	"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" +
	"PUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2;e=\"a;b\"\r\nab\r\n1\r\nc\r\n0\r\nT: 1\r\n\r\n" +
	"GET /z HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" +
	"DELETE /d HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"

// pipelineMixReplies is what echo answers to pipelineMix, as
// "method target body" per reply (the HEAD reply has no body).
var pipelineMixReplies = []string{"GET /a?x=1 ", "", "POST /p hello", "PUT /c abc", "GET /z ", "DELETE /d "}

func TestPipelineHundredMixed(t *testing.T) {
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	c := ts.dial()
	const rounds = 17 // 102 requests in one write
	io.WriteString(c, strings.Repeat(pipelineMix, rounds))
	br := bufio.NewReader(c)
	for i := range rounds * len(pipelineMixReplies) {
		want := pipelineMixReplies[i%len(pipelineMixReplies)]
		method := "GET"
		if want == "" {
			method = "HEAD"
		}
		resp, body := readResponse(t, br, method)
		if resp.StatusCode != 200 || body != want || resp.Close {
			t.Fatalf("reply %d: got %d %q close=%v; want 200 %q keep-alive", i, resp.StatusCode, body, resp.Close, want)
		}
	}
}

// TestPipelineMalformedInMiddle checks that the requests before a
// malformed one are answered in order, then the error with
// "Connection: close", and that nothing after it is parsed (the bytes
// after a bad request can never be trusted to start a request).
func TestPipelineMalformedInMiddle(t *testing.T) {
	tests := []struct {
		name string
		bad  string
		want int
	}{
		{"smuggled TE", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"bad chunk", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\n0\r\n\r\n", 400},
		{"unknown method", "BREW / HTTP/1.1\r\nHost: x\r\n\r\n", 501},
		{"expectation", "GET / HTTP/1.1\r\nHost: x\r\nExpect: tea\r\n\r\n", 417},
		{"version", "GET / HTTP/3.0\r\nHost: x\r\n\r\n", 505},
	}
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.dial()
			after := "GET /after HTTP/1.1\r\nHost: x\r\n\r\n"
			io.WriteString(c, pipelineMix+tt.bad+after+after)
			br := bufio.NewReader(c)
			for i, want := range pipelineMixReplies {
				method := "GET"
				if want == "" {
					method = "HEAD"
				}
				if resp, body := readResponse(t, br, method); resp.StatusCode != 200 || body != want {
					t.Fatalf("reply %d: got %d %q; want 200 %q", i, resp.StatusCode, body, want)
				}
			}
			resp, _ := readResponse(t, br, "GET")
			if resp.StatusCode != tt.want || !resp.Close {
				t.Errorf("got %d close=%v; want %d with Connection: close", resp.StatusCode, resp.Close, tt.want)
			}
			expectEOF(t, br)
		})
	}
}

// stripDate removes the Date fields, which may differ between two runs.
func stripDate(b []byte) string {
	var out []string
	for _, l := range strings.SplitAfter(string(b), "\r\n") {
		if !strings.HasPrefix(l, "Date: ") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

// TestPipelineSplitAtEveryOffset feeds pipelineMix in two writes cut at
// every offset, the server reading each part on its own (a socketpair and
// a loop run between the writes): the replies must be the same bytes as
// for the pipeline in one piece.
func TestPipelineSplitAtEveryOffset(t *testing.T) {
	ls := newLoopServer(t, evhttp.Config{}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	exchange := func(parts ...string) string {
		fd := ls.connect(t)
		defer unix.Close(fd)
		var out []byte
		buf := make([]byte, 64<<10)
		drain := func() {
			for {
				n, _ := unix.Read(fd, buf)
				if n <= 0 {
					return
				}
				out = append(out, buf[:n]...)
			}
		}
		for _, p := range parts {
			if n, err := unix.Write(fd, []byte(p)); n != len(p) {
				t.Fatalf("write: %d of %d (%v)", n, len(p), err)
			}
			ls.l.Run(ev.RunNoWait)
			drain()
		}
		want := len(pipelineMixReplies)
		ls.runUntil(t, func() bool {
			drain()
			return strings.Count(string(out), "HTTP/1.1 200 OK\r\n") == want
		})
		return stripDate(out)
	}
	whole := exchange(pipelineMix)
	for i := 1; i < len(pipelineMix); i++ {
		if got := exchange(pipelineMix[:i], pipelineMix[i:]); got != whole {
			t.Fatalf("split at %d: got\n%q\nwant\n%q", i, got, whole)
		}
	}
}

// TestResetDuringChunkedReply resets the connection (SO_LINGER 0) while a
// streamed reply is being written: the server closes the connection, runs
// the waiting SendChunk completions, and a handler that keeps sending to
// the orphaned request is harmless.
func TestResetDuringChunkedReply(t *testing.T) {
	closed := make(chan struct{})
	chunk := []byte(strings.Repeat("c", 64<<10))
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) {
			r.Conn().SetCloseCallback(func() { close(closed) })
			r.StartReply(200, "")
			sent := 0
			var next func()
			next = func() {
				if sent++; sent == 1000 {
					r.EndReply()
					return
				}
				r.SendChunk(chunk, next)
			}
			next()
		})
	})
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, err := io.ReadFull(c, make([]byte, 256<<10)); err != nil {
		t.Fatalf("read the start of the reply: %v", err)
	}
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("connection still open 10 s after the client reset it")
	}
	var n int
	ts.do(func() { n = ts.srv.NumConns() })
	if n != 0 {
		t.Errorf("NumConns after a reset: %d; want 0", n)
	}
}

// TestHalfCloseAfterRequest shuts down the client's writing side right
// after a complete request (as "nc -N" does): the reply must still arrive,
// then the server closes.
func TestHalfCloseAfterRequest(t *testing.T) {
	tests := []struct {
		name, req, want string
	}{
		{"GET", "GET /g HTTP/1.1\r\nHost: x\r\n\r\n", "GET /g "},
		{"POST", "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi", "POST /p hi"},
		{"chunked", "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n", "POST /c hi"},
		{"HTTP/1.0", "GET /o HTTP/1.0\r\n\r\n", "GET /o "},
	}
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.dial()
			io.WriteString(c, tt.req)
			c.(*net.TCPConn).CloseWrite()
			br := bufio.NewReader(c)
			if resp, body := readResponse(t, br, "GET"); resp.StatusCode != 200 || body != tt.want {
				t.Errorf("got %d %q; want 200 %q", resp.StatusCode, body, tt.want)
			}
			expectEOF(t, br)
		})
	}
}

// TestIncompleteRequestThenClose sends part of a request and shuts down
// its side: a request cut short can never be answered, so the server
// closes without a reply (as net/http does), whatever part was missing.
func TestIncompleteRequestThenClose(t *testing.T) {
	tests := []struct{ name, req string }{
		{"head", "GET / HTTP/1.1\r\nHost: x\r\n"},
		{"short body", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"},
		{"chunk data", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"},
		{"no last chunk", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n"},
		{"trailer", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: 1\r\n"},
	}
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.dial()
			io.WriteString(c, tt.req)
			c.(*net.TCPConn).CloseWrite()
			if b, err := io.ReadAll(c); err != nil || len(b) != 0 {
				t.Errorf("got %q (%v); want the connection closed without a reply", b, err)
			}
		})
	}
}

// TestBodyTimeout sends a head and part of its body, then nothing: the
// body timeout closes the connection.
func TestBodyTimeout(t *testing.T) {
	ts := startServer(t, evhttp.Config{ReadBodyTimeout: 100 * time.Millisecond}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	for _, req := range []string{
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
	} {
		c := ts.dial()
		io.WriteString(c, req)
		start := time.Now()
		if b, err := io.ReadAll(c); err != nil || len(b) != 0 || time.Since(start) > 5*time.Second {
			t.Errorf("%q: got %q (%v) after %v; want closed without a reply after ~100ms", req, b, err, time.Since(start))
		}
	}
}

// TestHostileRequests sends each vector of request-smuggling scanners and
// conformance suites, after a valid request on the same connection, and
// checks the status of the second reply and that every error closes the
// connection ("Connection: close", then EOF). want 0 means the vector is
// an acceptable request, answered 200 by echo with body.
func TestHostileRequests(t *testing.T) {
	const h = "Host: x\r\n"
	const te = "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n"
	const cl = "POST / HTTP/1.1\r\n" + h
	tests := []struct {
		name string
		req  string
		want int
		body string // the echoed body of an acceptable request
	}{
		// Transfer-Encoding variants (RFC 9112 §6.1, §6.3).
		{"TE chunked, identity", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400, ""},
		{"TE identity, chunked", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n", 501, ""},
		{"TE Chunked", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 0, "abc"},
		{"TE trailing OWS", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked \r\n\r\n3\r\nabc\r\n0\r\n\r\n", 0, "abc"},
		{"TE leading tab", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding:\tchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 0, "abc"},
		{"TE x-chunked", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: x-chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400, ""},
		{"two TE chunked", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, ""},
		{"TE gzip then chunked lines", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501, ""},
		{"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 411, ""},
		{"TE and CL in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc", 400, ""},
		{"TE and CL", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400, ""},
		{"TE on GET", "GET / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 0, "abc"},
		// Chunk lines (RFC 9112 §7.1).
		{"chunk size +", te + "+3\r\nabc\r\n0\r\n\r\n", 400, ""},
		{"chunk size -", te + "-3\r\nabc\r\n0\r\n\r\n", 400, ""},
		{"chunk size 0x", te + "0x3\r\nabc\r\n0\r\n\r\n", 400, ""},
		{"chunk size leading space", te + " 3\r\nabc\r\n0\r\n\r\n", 400, ""},
		{"chunk size trailing space", te + "3 \r\nabc\r\n0\r\n\r\n", 400, ""},
		{"chunk size space before ext", te + "3 ;a\r\nabc\r\n0\r\n\r\n", 400, ""},
		{"chunk size 17 digits", te + "00000000000000003\r\nabc\r\n0\r\n\r\n", 400, ""},
		{"chunk size 16 digits", te + "0000000000000003\r\nabc\r\n0\r\n\r\n", 0, "abc"},
		{"chunk ext quoted ;", te + "3;a=\"x;y\"\r\nabc\r\n0\r\n\r\n", 0, "abc"},
		{"chunk ext quoted CR", te + "3;a=\"x\ry\"\r\nabc\r\n0\r\n\r\n", 400, ""},
		{"chunk ext quoted escape", te + "3;a=\"\\\"\"\r\nabc\r\n0\r\n\r\n", 0, "abc"},
		{"last chunk ext", te + "3\r\nabc\r\n0;x\r\n\r\n", 0, "abc"},
		{"last chunk 00", te + "3\r\nabc\r\n00\r\n\r\n", 0, "abc"},
		{"chunk line bare LF", te + "3\nabc\r\n0\r\n\r\n", 400, ""},
		{"chunk data bare LF", te + "3\r\nabc\n0\r\n\r\n", 400, ""},
		{"chunk data no CRLF", te + "3\r\nabc0\r\n\r\n", 400, ""},
		{"chunk data too long", te + "3\r\nabcd\r\n0\r\n\r\n", 400, ""},
		{"final bare LF", te + "3\r\nabc\r\n0\r\n\n", 400, ""},
		{"trailer framing fields", te + "3\r\nabc\r\n0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nHost: evil\r\n\r\n", 0, "abc"},
		{"trailer obs-fold", te + "3\r\nabc\r\n0\r\nT: a\r\n b\r\n\r\n", 400, ""},
		{"trailer too large", te + "3\r\nabc\r\n0\r\nX: " + strings.Repeat("a", 9000) + "\r\n\r\n", 431, ""},
		// Content-Length (RFC 9110 §8.6, RFC 9112 §6.3).
		{"CL +5", cl + "Content-Length: +5\r\n\r\nabcde", 400, ""},
		{"CL -1", cl + "Content-Length: -1\r\n\r\nabcde", 400, ""},
		{"CL 05", cl + "Content-Length: 05\r\n\r\nabcde", 0, "abcde"},
		{"CL 5 OWS", cl + "Content-Length: 5 \r\n\r\nabcde", 0, "abcde"},
		{"CL 5,5", cl + "Content-Length: 5,5\r\n\r\nabcde", 400, ""},
		{"CL 5, 6", cl + "Content-Length: 5, 6\r\n\r\nabcde", 400, ""},
		{"two CL equal", cl + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nabcde", 0, "abcde"},
		{"two CL differ", cl + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nabcde", 400, ""},
		{"two CL 5 and 05", cl + "Content-Length: 5\r\nContent-Length: 05\r\n\r\nabcde", 400, ""},
		{"CL 20 digits", cl + "Content-Length: 99999999999999999999\r\n\r\n", 400, ""},
		{"CL empty", cl + "Content-Length: \r\n\r\nabcde", 400, ""},
		{"CL above limit", cl + "Content-Length: 9999999999\r\n\r\n", 413, ""},
		// Request line (RFC 9112 §3).
		{"two spaces", "GET  / HTTP/1.1\r\n" + h + "\r\n", 400, ""},
		{"space after target", "GET /  HTTP/1.1\r\n" + h + "\r\n", 400, ""},
		{"tab separator", "GET\t/ HTTP/1.1\r\n" + h + "\r\n", 400, ""},
		{"lowercase method", "get / HTTP/1.1\r\n" + h + "\r\n", 501, ""},
		{"unknown method", "FOO / HTTP/1.1\r\n" + h + "\r\n", 501, ""},
		{"HTTP/1.2", "GET / HTTP/1.2\r\n" + h + "\r\n", 0, ""},
		{"HTTP/2.0", "GET / HTTP/2.0\r\n" + h + "\r\n", 505, ""},
		{"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, ""},
		{"HTTP/1.1x", "GET / HTTP/1.1x\r\n" + h + "\r\n", 400, ""},
		{"absolute-form", "GET http://other/p HTTP/1.1\r\n" + h + "\r\n", 0, ""},
		{"absolute-form userinfo", "GET http://u@h/ HTTP/1.1\r\n" + h + "\r\n", 400, ""},
		{"asterisk GET", "GET * HTTP/1.1\r\n" + h + "\r\n", 400, ""},
		{"asterisk OPTIONS", "OPTIONS * HTTP/1.1\r\n" + h + "\r\n", 0, ""},
		{"authority-form GET", "GET x:80 HTTP/1.1\r\n" + h + "\r\n", 400, ""},
		{"CONNECT", "CONNECT x:80 HTTP/1.1\r\nHost: x:80\r\n\r\n", 405, ""},
		{"target 10 KB", "GET /" + strings.Repeat("a", 10<<10) + " HTTP/1.1\r\n" + h + "\r\n", 414, ""},
		{"%00 in path", "GET /a%00b HTTP/1.1\r\n" + h + "\r\n", 0, ""},
		{"dot segments", "GET /a/../../b HTTP/1.1\r\n" + h + "\r\n", 0, ""},
		{"fragment", "GET /a#f HTTP/1.1\r\n" + h + "\r\n", 400, ""},
		{"raw 0xff in target", "GET /\xff HTTP/1.1\r\n" + h + "\r\n", 400, ""},
		{"TLS ClientHello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400, ""},
		// Header fields (RFC 9110 §5, RFC 9112 §5).
		{"space before colon", "GET / HTTP/1.1\r\n" + h + "X : y\r\n\r\n", 400, ""},
		{"empty name", "GET / HTTP/1.1\r\n" + h + ": y\r\n\r\n", 400, ""},
		{"non-token name", "GET / HTTP/1.1\r\n" + h + "X(y): z\r\n\r\n", 400, ""},
		{"obs-fold", "GET / HTTP/1.1\r\n" + h + "X: y\r\n z\r\n\r\n", 400, ""},
		{"bare CR", "GET / HTTP/1.1\r\n" + h + "X: y\rz\r\n\r\n", 400, ""},
		{"NUL", "GET / HTTP/1.1\r\n" + h + "X: y\x00z\r\n\r\n", 400, ""},
		{"DEL", "GET / HTTP/1.1\r\n" + h + "X: y\x7fz\r\n\r\n", 400, ""},
		{"obs-text", "GET / HTTP/1.1\r\n" + h + "X: y\x80\xffz\r\n\r\n", 0, ""},
		{"no Host", "GET / HTTP/1.1\r\n\r\n", 400, ""},
		{"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, ""},
		{"Host userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400, ""},
		{"Host port too big", "GET / HTTP/1.1\r\nHost: a:99999\r\n\r\n", 400, ""},
		{"Host port not digits", "GET / HTTP/1.1\r\nHost: a:x\r\n\r\n", 400, ""},
		{"Host empty", "GET / HTTP/1.1\r\nHost: \r\n\r\n", 0, ""},
		{"1000 headers", "GET / HTTP/1.1\r\n" + h + strings.Repeat("X: y\r\n", 1000) + "\r\n", 431, ""},
		{"64 KB header", "GET / HTTP/1.1\r\n" + h + "X: " + strings.Repeat("a", 64<<10) + "\r\n\r\n", 431, ""},
		{"head at limit", "GET / HTTP/1.1\r\n" + h + "X: " + strings.Repeat("a", 16<<10-32) + "\r\n\r\n", 0, ""},
		{"head over limit", "GET / HTTP/1.1\r\n" + h + "X: " + strings.Repeat("a", 16<<10-31) + "\r\n\r\n", 431, ""},
		{"Expect 100 without body", "GET / HTTP/1.1\r\n" + h + "Expect: 100-continue\r\n\r\n", 0, ""},
		{"Expect other", "GET / HTTP/1.1\r\n" + h + "Expect: something-else\r\n\r\n", 417, ""},
		{"Expect empty", "GET / HTTP/1.1\r\n" + h + "Expect:\r\n\r\n", 417, ""},
		{"h2c upgrade ignored", "GET / HTTP/1.1\r\n" + h + "Connection: upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n", 0, ""},
		{"empty lines", "\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n" + h + "\r\n", 0, ""},
		{"too many empty lines", "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n" + h + "\r\n", 400, ""},
	}
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) { r.SendReply(200, "", r.Body().Pullup(-1)) })
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.dial()
			io.WriteString(c, "GET /first HTTP/1.1\r\nHost: x\r\n\r\n"+tt.req)
			br := bufio.NewReader(c)
			if resp, _ := readResponse(t, br, "GET"); resp.StatusCode != 200 {
				t.Fatalf("first reply: got %d; want 200", resp.StatusCode)
			}
			resp, body := readResponse(t, br, "GET")
			if tt.want == 0 {
				if resp.StatusCode != 200 || body != tt.body || resp.Close {
					t.Errorf("got %d %q close=%v; want 200 %q, keep-alive", resp.StatusCode, body, resp.Close, tt.body)
				}
				return
			}
			if resp.StatusCode != tt.want || !resp.Close {
				t.Errorf("got %d close=%v; want %d with Connection: close", resp.StatusCode, resp.Close, tt.want)
			}
			expectEOF(t, br)
		})
	}
}

// TestShutdownFinishesWrittenReply shuts the server down while a reply
// larger than the socket buffers is still being written to a client that
// has not read it yet: the connection has no request left, but it is not
// idle, and the whole reply must arrive before the server closes it.
func TestShutdownFinishesWrittenReply(t *testing.T) {
	big := []byte(strings.Repeat("s", 32<<20))
	queued := make(chan struct{})
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) {
			r.SendReply(200, "", big)
			close(queued)
		})
	})
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	<-queued
	done := make(chan struct{})
	ts.do(func() { ts.srv.Shutdown(0, func() { close(done) }) })
	br := bufio.NewReader(c)
	resp, body := readResponse(t, br, "GET")
	if resp.StatusCode != 200 || len(body) != len(big) {
		t.Errorf("got %d with %d body bytes; want 200 with %d", resp.StatusCode, len(body), len(big))
	}
	expectEOF(t, br)
	c.Close()
	<-done
}

// TestProducerStoppedByCloseCallback streams a reply without end, each
// piece sent from the previous one's completion until the close callback
// says the client left, and resets the connection: the producer must be
// told, though the failed write leaves its piece unwritten and the
// completions run at once once the connection is gone.
func TestProducerStoppedByCloseCallback(t *testing.T) {
	const bound = 100000 // a test that fails must not hang
	stopped := make(chan int, 1)
	chunk := []byte(strings.Repeat("c", 64<<10))
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) {
			gone, sent := false, 0
			r.Conn().SetCloseCallback(func() { gone = true })
			r.StartReply(200, "")
			var next func()
			next = func() {
				if gone || sent == bound {
					r.EndReply()
					stopped <- sent
					return
				}
				sent++
				r.SendChunk(chunk, next)
			}
			next()
		})
	})
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, err := io.ReadFull(c, make([]byte, 256<<10)); err != nil {
		t.Fatalf("read the start of the reply: %v", err)
	}
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
	if sent := <-stopped; sent == bound {
		t.Errorf("producer sent %d pieces after the reset; want it stopped by the close callback", sent)
	}
}

// TestSendChunkAfterDisconnect streams a reply for a request whose client
// has gone, ending it from a completion, as a producer does.
func TestSendChunkAfterDisconnect(t *testing.T) {
	var held *evhttp.Request
	gone := make(chan struct{})
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) {
			r.Conn().SetCloseCallback(func() { close(gone) })
			r.StartReply(200, "")
			held = r
		})
	})
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	ts.waitHeld(&held)
	c.Close()
	<-gone
	calls := 0
	ts.do(func() {
		held.SendChunk([]byte("late"), func() {
			calls++
			held.SendChunk([]byte("later"), func() {
				calls++
				held.EndReply()
			})
		})
	})
	if calls != 2 {
		t.Errorf("completions run: got %d; want 2", calls)
	}
}

// TestProducerHeldBackBySlowClient streams pieces, each sent from the
// previous one's completion, to a client that stops reading: the
// completions must wait for the output to leave, so that the producer is
// held back instead of queueing its whole stream.
func TestProducerHeldBackBySlowClient(t *testing.T) {
	const pieces = 1000 // 64 MiB, far beyond the socket buffers
	chunk := []byte(strings.Repeat("c", 64<<10))
	sent := 0
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) {
			r.StartReply(200, "")
			var next func()
			next = func() {
				if sent == pieces {
					r.EndReply()
					return
				}
				sent++
				r.SendChunk(chunk, next)
			}
			next()
		})
	})
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, err := io.ReadFull(c, make([]byte, 1<<20)); err != nil {
		t.Fatalf("read the start of the reply: %v", err)
	}
	var n, buffered int
	ts.do(func() { n, buffered = sent, evhttp.BufferedOutput(ts.srv) })
	if n == pieces {
		t.Errorf("client read 1 MiB, then none: producer sent all %d pieces, %d bytes buffered; want it held back", n, buffered)
	}
}
