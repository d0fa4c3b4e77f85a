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
