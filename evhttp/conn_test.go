package evhttp_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
)

// echo answers with the method, the target and the body.
func echo(r *evhttp.Request) {
	body := r.Method() + " " + r.URI() + " " + string(r.Body().Pullup(-1))
	r.SendReply(200, "", []byte(body))
}

func TestPipelinedRepliesInOrder(t *testing.T) {
	// The first request is answered last (from a timer): the replies must
	// still leave in request order.
	var held *evhttp.Request
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/slow", func(r *evhttp.Request) {
			held = r
			tm := ev.NewTimer(s.Loop(), 20*time.Millisecond, 0, func(*ev.Timer) {
				held.SendReply(200, "", []byte("slow"))
			})
			tm.Start()
		})
		s.SetGeneric(echo)
	})
	c := ts.dial()
	io.WriteString(c, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"+
		"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"+
		"GET /c?q=1 HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	for _, want := range []string{"slow", "POST /b abc", "GET /c?q=1 "} {
		resp, body := readResponse(t, br, "GET")
		if resp.StatusCode != 200 || body != want {
			t.Errorf("got %d %q; want 200 %q", resp.StatusCode, body, want)
		}
	}
}

func TestKeepAliveReuse(t *testing.T) {
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	c := ts.dial()
	br := bufio.NewReader(c)
	for i := range 5 {
		fmt.Fprintf(c, "GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
		resp, body := readResponse(t, br, "GET")
		if want := fmt.Sprintf("GET /%d ", i); body != want || resp.Close {
			t.Errorf("request %d: got %q close=%v; want %q, keep-alive", i, body, resp.Close, want)
		}
	}
	var n int
	ts.do(func() { n = ts.srv.NumConns() })
	if n != 1 {
		t.Errorf("NumConns: got %d; want 1", n)
	}
}

func TestHTTP10(t *testing.T) {
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) { s.SetGeneric(echo) })

	// Without keep-alive: one response, then the server closes.
	got := ts.exchange("GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\n\r\n")
	if n := strings.Count(got, "HTTP/1.1 200"); n != 1 || !strings.Contains(got, "Connection: close\r\n") {
		t.Errorf("HTTP/1.0: got %q; want one response with Connection: close", got)
	}

	// With keep-alive: the connection stays.
	c := ts.dial()
	br := bufio.NewReader(c)
	for range 2 {
		io.WriteString(c, "GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
		resp, body := readResponse(t, br, "GET")
		if body != "GET /k " || resp.Header.Get("Connection") != "keep-alive" {
			t.Errorf("got %q Connection=%q; want keep-alive", body, resp.Header.Get("Connection"))
		}
	}
}

func TestConnectionClose(t *testing.T) {
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	got := ts.exchange("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
	if n := strings.Count(got, "HTTP/1.1 "); n != 1 {
		t.Errorf("got %d responses in %q; want 1", n, got)
	}
}

func TestHandlerConnectionClose(t *testing.T) {
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) {
			r.OutputHeaders().Set("Connection", "close")
			r.SendReply(200, "OK", []byte("bye"))
		})
	})
	got := ts.exchange("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
	if n := strings.Count(got, "HTTP/1.1 "); n != 1 || !strings.HasSuffix(got, "bye") {
		t.Errorf("got %q; want one response ending in bye", got)
	}
}

func TestHead(t *testing.T) {
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) { s.HandleFunc("/h", hello) })
	c := ts.dial()
	br := bufio.NewReader(c)
	io.WriteString(c, "HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /h HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, body := readResponse(t, br, "HEAD")
	if resp.StatusCode != 200 || resp.ContentLength != 5 || body != "" {
		t.Errorf("HEAD: got %d length %d body %q; want 200, 5, none", resp.StatusCode, resp.ContentLength, body)
	}
	// The GET right after proves no body bytes followed the HEAD response.
	if resp, body = readResponse(t, br, "GET"); body != "hello" {
		t.Errorf("GET after HEAD: got %d %q", resp.StatusCode, body)
	}
}

func TestExpectContinue(t *testing.T) {
	ts := startServer(t, evhttp.Config{MaxBodyBytes: 100}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	c := ts.dial()
	br := bufio.NewReader(c)
	io.WriteString(c, "PUT /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
	resp, _ := readResponse(t, br, "PUT")
	if resp.StatusCode != 100 {
		t.Fatalf("got %d; want 100 before the body", resp.StatusCode)
	}
	io.WriteString(c, "data")
	if resp, body := readResponse(t, br, "PUT"); resp.StatusCode != 200 || body != "PUT /e data" {
		t.Errorf("got %d %q; want 200 echo", resp.StatusCode, body)
	}

	// Too large: 413 without reading the body, and the connection closes.
	io.WriteString(c, "PUT /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n")
	if resp, _ := readResponse(t, br, "PUT"); resp.StatusCode != 413 {
		t.Errorf("got %d; want 413", resp.StatusCode)
	}
	expectEOF(t, br)

	// An expectation other than 100-continue: 417.
	if got := ts.exchange("PUT /e HTTP/1.1\r\nHost: x\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx"); !strings.HasPrefix(got, "HTTP/1.1 417 ") {
		t.Errorf("got %q; want 417", got)
	}
}

func TestChunkedBody(t *testing.T) {
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) {
			body := string(r.Body().Pullup(-1)) + " trailer=" + r.Trailer("X-Sum") + " header=" + r.InputHeaders().Get("X-Sum")
			r.SendReply(200, "", []byte(body))
		})
	})
	c := ts.dial()
	br := bufio.NewReader(c)
	io.WriteString(c, "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"+
		"3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nX-Sum: 7\r\n\r\n")
	want := "abcdefg trailer=7 header="
	if resp, body := readResponse(t, br, "POST"); resp.StatusCode != 200 || body != want {
		t.Errorf("got %d %q; want 200 %q", resp.StatusCode, body, want)
	}
}

func TestMalformedRequests(t *testing.T) {
	tests := []struct {
		name string
		req  string
		want int
	}{
		{"CL and TE", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"two CLs", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400},
		{"CL list", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc", 400},
		{"TE not chunked last", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 400},
		{"TE unknown coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
		{"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 411},
		{"space before colon", "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n", 400},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400},
		{"bare LF", "GET / HTTP/1.1\nHost: x\n\n", 400},
		{"NUL in header", "GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", 400},
		{"no Host", "GET / HTTP/1.1\r\n\r\n", 400},
		{"two Hosts", "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400},
		{"version", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
		{"bad version", "GET / HTTX/1.1\r\nHost: x\r\n\r\n", 400},
		{"long URI", "GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
		{"long header", "GET / HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("a", 17000) + "\r\n\r\n", 431},
		{"unknown method", "BREW / HTTP/1.1\r\nHost: x\r\n\r\n", 501},
		{"method not allowed", "TRACE / HTTP/1.1\r\nHost: x\r\n\r\n", 405},
		{"body too large", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n", 413},
		{"chunked too large", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" + strings.Repeat("a", 1024) + "\r\n0\r\n\r\n", 413},
		{"bad chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
		{"chunk without CRLF", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", 400},
	}
	ts := startServer(t, evhttp.Config{MaxBodyBytes: 1000}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A valid request first: the error reply must come after its reply.
			c := ts.dial()
			io.WriteString(c, "GET /first HTTP/1.1\r\nHost: x\r\n\r\n"+tt.req)
			br := bufio.NewReader(c)
			if _, body := readResponse(t, br, "GET"); body != "GET /first " {
				t.Errorf("first reply: got %q", body)
			}
			resp, _ := readResponse(t, br, "GET")
			if resp.StatusCode != tt.want || !resp.Close {
				t.Errorf("got %d close=%v; want %d and Connection: close", resp.StatusCode, resp.Close, tt.want)
			}
			if tt.want == 405 && resp.Header.Get("Allow") == "" {
				t.Errorf("405 without Allow")
			}
			expectEOF(t, br)
		})
	}
}

func TestHeaderTimeoutCutsTrickler(t *testing.T) {
	ts := startServer(t, evhttp.Config{ReadHeaderTimeout: 300 * time.Millisecond}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	trickler := ts.dial()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		// One byte every 20 ms: pacing, as a slow client does.
		req := "GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + strings.Repeat("a", 1000)
		for i := 0; i < len(req); i++ {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := trickler.Write([]byte{req[i]}); err != nil {
				return
			}
		}
	}()
	// Meanwhile another client is served at once.
	if got := ts.exchange("GET /other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); !strings.HasSuffix(got, "GET /other ") {
		t.Errorf("other client: got %q", got)
	}
	start := time.Now()
	b, _ := io.ReadAll(trickler)
	if d := time.Since(start); d > 5*time.Second || len(b) != 0 {
		t.Errorf("trickler cut after %v with %q; want closed after ~300ms, no reply", d, b)
	}
}

func TestIdleTimeout(t *testing.T) {
	ts := startServer(t, evhttp.Config{IdleTimeout: 100 * time.Millisecond}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	readResponse(t, br, "GET")
	expectEOF(t, br)
}

// TestIdleTimeoutCountsFromLastRequest keeps a connection busy for three
// idle timeouts, a whole request in each read: it must stay open, and close
// one idle timeout after its last reply. (The idle timer is armed once and
// not moved at each request; it used to close the busy connection one
// idle timeout after it first went idle, cutting request 6 of 15.)
func TestIdleTimeoutCountsFromLastRequest(t *testing.T) {
	const idle = 500 * time.Millisecond // requests every 100 ms: 400 ms to spare on a loaded machine
	ts := startServer(t, evhttp.Config{IdleTimeout: idle}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	c := ts.dial()
	br := bufio.NewReader(c)
	tick := time.NewTicker(idle / 5)
	defer tick.Stop()
	for i := range 15 {
		<-tick.C
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := br.Peek(1); err != nil {
			t.Fatalf("request %d of 15, %v after the first: %v", i+1, time.Duration(i)*idle/5, err)
		}
		readResponse(t, br, "GET")
	}
	last := time.Now()
	expectEOF(t, br)
	if d := time.Since(last); d < idle*3/4 {
		t.Errorf("closed %v after the last reply; want about %v", d, idle)
	}
}

func TestMaxConns(t *testing.T) {
	ts := startServer(t, evhttp.Config{MaxConns: 1}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	first := ts.dial()
	io.WriteString(first, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	readResponse(t, bufio.NewReader(first), "GET")
	got := ts.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(got, "HTTP/1.1 503 ") {
		t.Errorf("second connection: got %q; want 503", got)
	}
}

func TestCloseCallbackWhileHeld(t *testing.T) {
	closed := make(chan struct{})
	var held *evhttp.Request
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) {
			held = r // never answered while the client is there
			r.Conn().SetCloseCallback(func() { close(closed) })
		})
	})
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	// Wait until the handler holds the request, then disconnect.
	ts.waitHeld(&held)
	c.Close()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("close callback did not fire")
	}
	// A late reply is harmless.
	ts.do(func() { held.SendReply(200, "", []byte("late")) })
}

func TestShutdownGraceful(t *testing.T) {
	var held *evhttp.Request
	got := make(chan struct{})
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/hold", func(r *evhttp.Request) { held = r; close(got) })
		s.SetGeneric(echo)
	})
	idle := ts.dial()
	io.WriteString(idle, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
	idleBr := bufio.NewReader(idle)
	readResponse(t, idleBr, "GET")

	busy := ts.dial()
	io.WriteString(busy, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
	<-got
	done := make(chan struct{})
	ts.do(func() { ts.srv.Shutdown(10*time.Second, func() { close(done) }) })
	expectEOF(t, idleBr) // the idle connection is closed at once
	select {
	case <-done:
		t.Fatal("Shutdown done while a request is in flight")
	default:
	}
	ts.do(func() { held.SendReply(200, "", []byte("finished")) })
	br := bufio.NewReader(busy)
	resp, body := readResponse(t, br, "GET")
	if body != "finished" || !resp.Close {
		t.Errorf("in-flight reply: got %q close=%v; want finished with Connection: close", body, resp.Close)
	}
	expectEOF(t, br)
	busy.Close() // ends the server's lingering close at once
	<-done
}

// TestShutdownAnswersQueued: a connection has pipelined requests queued
// when Shutdown comes, the first held by its handler, the second already
// answered behind it. Both replies go out, in order (a request that has
// run is answered, not dropped), the first without "Connection: close",
// and then the connection closes. (The second reply's head was written
// before Shutdown, so it announces nothing: the client sees a keep-alive
// connection closed while idle, as after net/http's Shutdown.)
func TestShutdownAnswersQueued(t *testing.T) {
	var held *evhttp.Request
	answered := make(chan struct{})
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/hold", func(r *evhttp.Request) { held = r })
		s.HandleFunc("/b", func(r *evhttp.Request) { echo(r); close(answered) })
	})
	c := ts.dial()
	io.WriteString(c, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
	<-answered // its reply waits behind the held one
	done := make(chan struct{})
	ts.do(func() { ts.srv.Shutdown(10*time.Second, func() { close(done) }) })
	ts.do(func() { held.SendReply(200, "", []byte("first")) })
	br := bufio.NewReader(c)
	resp, body := readResponse(t, br, "GET")
	if body != "first" || resp.Close {
		t.Errorf("first reply: got %q close=%v; want first, not the last reply", body, resp.Close)
	}
	if _, body = readResponse(t, br, "POST"); body != "POST /b hi" {
		t.Errorf("second reply: got %q; want \"POST /b hi\"", body)
	}
	expectEOF(t, br)
	c.Close()
	<-done
}

func TestShutdownDeadline(t *testing.T) {
	got := make(chan struct{})
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) { close(got) }) // never answers
	})
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	<-got
	done := make(chan struct{})
	ts.do(func() { ts.srv.Shutdown(50*time.Millisecond, func() { close(done) }) })
	<-done
	expectEOF(t, bufio.NewReader(c))
}

func TestStreamedReply(t *testing.T) {
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) {
			r.StartReply(200, "")
			n := 0
			var next func()
			next = func() {
				if n == 3 {
					r.EndReply()
					return
				}
				n++
				r.SendChunk([]byte(fmt.Sprintf("part%d;", n)), next)
			}
			next()
		})
	})
	c := ts.dial()
	br := bufio.NewReader(c)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
	for range 2 {
		resp, body := readResponse(t, br, "GET")
		if body != "part1;part2;part3;" || len(resp.TransferEncoding) != 1 {
			t.Errorf("got %q TE=%v; want 3 parts, chunked", body, resp.TransferEncoding)
		}
	}
	// HTTP/1.0: the body runs until the connection closes.
	if got := ts.exchange("GET / HTTP/1.0\r\n\r\n"); !strings.HasSuffix(got, "\r\n\r\npart1;part2;part3;") {
		t.Errorf("HTTP/1.0: got %q", got)
	}
}

func TestStreamedBodyBackpressure(t *testing.T) {
	const size = 1 << 20
	ts := startServer(t, evhttp.Config{MaxBodyBytes: -1}, func(s *evhttp.Server) {
		s.HandleStream("/up", func(r *evhttp.Request) {
			total, pauses := 0, 0
			r.SetBodyHandler(func(chunk *buffer.Buffer, done bool) {
				if !done && pauses < 3 && chunk.Len() > 0 {
					// Leave the chunk: reading stops until ResumeBody.
					pauses++
					ev.NewTimer(s.Loop(), time.Millisecond, 0, func(*ev.Timer) {
						total += chunk.Len()
						chunk.Reset()
						r.ResumeBody()
					}).Start()
					return
				}
				total += chunk.Len()
				chunk.Reset()
				if done {
					r.SendReply(200, "", fmt.Appendf(nil, "%d bytes, %d pauses", total, pauses))
				}
			})
		})
	})
	c := ts.dial()
	go func() {
		fmt.Fprintf(c, "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", size)
		c.Write(make([]byte, size))
	}()
	_, body := readResponse(t, bufio.NewReader(c), "POST")
	if want := fmt.Sprintf("%d bytes, 3 pauses", size); body != want {
		t.Errorf("got %q; want %q", body, want)
	}
}

func TestVirtualHosts(t *testing.T) {
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/", func(r *evhttp.Request) { r.SendReply(200, "", []byte("main")) })
		vh := evhttp.NewServer(s.Loop(), evhttp.Config{})
		vh.HandleFunc("/", func(r *evhttp.Request) { r.SendReply(200, "", []byte("vhost")) })
		s.AddVirtualHost("*.example.com", vh)
		s.AddAlias("www.example.com")
	})
	for _, tt := range []struct{ host, want string }{
		{"a.example.com", "vhost"},
		{"B.Example.COM:8080", "vhost"},
		{"www.example.com", "main"},
		{"example.org", "main"},
	} {
		got := ts.exchange("GET / HTTP/1.1\r\nHost: " + tt.host + "\r\nConnection: close\r\n\r\n")
		if !strings.HasSuffix(got, "\r\n\r\n"+tt.want) {
			t.Errorf("Host %s: got %q; want body %q", tt.host, got, tt.want)
		}
	}
}

func TestRequestFilter(t *testing.T) {
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(echo)
		s.SetRequestFilter(func(r *evhttp.Request) bool { return r.Header("X-Token") == "ok" })
	})
	if got := ts.exchange("GET / HTTP/1.1\r\nHost: x\r\nX-Token: ok\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(got, "HTTP/1.1 200 ") {
		t.Errorf("accepted: got %q", got)
	}
	if got := ts.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n"); !strings.HasPrefix(got, "HTTP/1.1 403 ") {
		t.Errorf("rejected: got %q; want 403", got)
	}
}

func TestRequestAccessors(t *testing.T) {
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) {
			form, err := r.Form()
			q := r.Query()
			u, _ := r.ParsedURI()
			out := fmt.Sprintf("method=%s uri=%s path=%s q=%s form=%s,%s err=%v proto=%s host=%s ua=%s addr=%v uripath=%s",
				r.Method(), r.URI(), r.Path(), q.Get("q"), form.Get("q"), form.Get("s"), err, r.Proto(), r.Host(),
				r.InputHeaders().Get("user-agent"), r.RemoteAddr() != nil, u.Path)
			r.SendReply(200, "", []byte(out))
		})
	})
	body := "s=some+thing"
	got := ts.exchange("POST /a%20b?q=te%2Fst HTTP/1.1\r\nHost: h\r\nUser-Agent: t\r\nConnection: close\r\n" +
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + fmt.Sprint(len(body)) + "\r\n\r\n" + body)
	want := "method=POST uri=/a%20b?q=te%2Fst path=/a b q=te/st form=te/st,some thing err=<nil> proto=HTTP/1.1 host=h ua=t addr=true uripath=/a%20b"
	if !strings.HasSuffix(got, want) {
		t.Errorf("got %q; want body %q", got, want)
	}
}

func TestHalfCloseAfterManyPipelined(t *testing.T) {
	// More requests than the reply queue holds, then a half-close: every
	// request is still answered, then the server closes.
	const n = 40
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	c := ts.dial()
	var req strings.Builder
	for i := range n {
		fmt.Fprintf(&req, "GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
	}
	io.WriteString(c, req.String())
	c.(interface{ CloseWrite() error }).CloseWrite()
	br := bufio.NewReader(c)
	for i := range n {
		if _, body := readResponse(t, br, "GET"); body != fmt.Sprintf("GET /%d ", i) {
			t.Fatalf("response %d: got %q", i, body)
		}
	}
	expectEOF(t, br)
}

// TestHalfCloseThenLateReplies: three pipelined requests, then the client
// shuts down its side; the handlers answer only after the server has seen
// the EOF. Every request is answered, in order, then the server closes:
// the first late reply must not close the connection on the two behind it,
// whose handlers have run.
func TestHalfCloseThenLateReplies(t *testing.T) {
	var held []*evhttp.Request
	eof := make(chan struct{})
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) {
			if len(held) == 0 {
				r.Conn().SetCloseCallback(func() { close(eof) })
			}
			held = append(held, r)
		})
	})
	c := ts.dial()
	io.WriteString(c, "GET /0 HTTP/1.1\r\nHost: x\r\n\r\nGET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n")
	c.(interface{ CloseWrite() error }).CloseWrite()
	wait(t, eof, "the close callback of the client's EOF")
	ts.do(func() {
		if len(held) != 3 {
			t.Errorf("handlers ran %d times; want 3", len(held))
		}
		for _, r := range held {
			echo(r)
		}
	})
	br := bufio.NewReader(c)
	for i := range 3 {
		if _, body := readResponse(t, br, "GET"); body != fmt.Sprintf("GET /%d ", i) {
			t.Fatalf("reply %d: got %q", i, body)
		}
	}
	expectEOF(t, br)
}

func TestHalfCloseMidRequest(t *testing.T) {
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	c := ts.dial()
	io.WriteString(c, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
	c.(interface{ CloseWrite() error }).CloseWrite()
	got, _ := io.ReadAll(c)
	// The first request may or may not be answered before the server
	// notices the second can never complete; nothing else may come.
	if s := string(got); s != "" && !strings.HasSuffix(s, "GET /a ") {
		t.Errorf("got %q", s)
	}
}

func TestExpectContinueWaitsItsTurn(t *testing.T) {
	// The second request expects 100-continue while the first is still
	// unanswered: the 100 must follow the first reply, not overtake it.
	var held *evhttp.Request
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/hold", func(r *evhttp.Request) { held = r })
		s.SetGeneric(echo)
	})
	c, br := behindHeld(t, ts, &held, "PUT /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
	if resp, _ := readResponse(t, br, "PUT"); resp.StatusCode != 100 {
		t.Fatalf("got %d; want 100", resp.StatusCode)
	}
	io.WriteString(c, "ok")
	if _, body := readResponse(t, br, "PUT"); body != "PUT /e ok" {
		t.Errorf("got %q", body)
	}
}

// behindHeld sends "GET /hold" and then next on one connection, answers
// the held request "first" once its handler has it, and returns the
// connection and a reader past that first reply.
func behindHeld(t *testing.T, ts *testServer, held **evhttp.Request, next string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c := ts.dial()
	br := bufio.NewReader(c)
	io.WriteString(c, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n"+next)
	ts.waitHeld(held)
	ts.do(func() { (*held).SendReply(200, "", []byte("first")) })
	if _, body := readResponse(t, br, "GET"); body != "first" {
		t.Fatalf("got %q; want the first reply first", body)
	}
	return c, br
}

// TestExpectContinueRefusedWhileWaiting: a request that expects 100-continue
// waits behind an unanswered one, and its handler (streamed bodies run it
// at once) refuses it before its turn. No 100 goes out, so the client never
// sends the body: the refusal says "Connection: close" and the connection
// closes after it.
func TestExpectContinueRefusedWhileWaiting(t *testing.T) {
	var held *evhttp.Request
	ts := startServer(t, evhttp.Config{StreamBodies: true}, func(s *evhttp.Server) {
		s.HandleFunc("/hold", func(r *evhttp.Request) { held = r })
		s.HandleFunc("/refuse", func(r *evhttp.Request) { r.SendReply(403, "", []byte("no")) })
	})
	_, br := behindHeld(t, ts, &held, "PUT /refuse HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
	resp, body := readResponse(t, br, "PUT")
	if resp.StatusCode != 403 || body != "no" || !resp.Close {
		t.Errorf("got %d %q, Connection: close %v; want 403 \"no\" with Connection: close", resp.StatusCode, body, resp.Close)
	}
	expectEOF(t, br)
}

// TestExpectContinueRefusedBodyNotParsed: a request expecting
// 100-continue waits behind an unanswered one and its handler refuses it
// before its turn, but the client sent the body anyway (RFC 9110 §10.1.1
// lets it). The body is still the body: it must never be parsed as a
// request of its own.
func TestExpectContinueRefusedBodyNotParsed(t *testing.T) {
	const smuggled = "GET /secret HTTP/1.1\r\nHost: x\r\n\r\n"
	var held *evhttp.Request
	secret := false
	ts := startServer(t, evhttp.Config{StreamBodies: true}, func(s *evhttp.Server) {
		s.HandleFunc("/hold", func(r *evhttp.Request) { held = r })
		s.HandleFunc("/refuse", func(r *evhttp.Request) { r.SendReply(403, "", []byte("no")) })
		s.HandleFunc("/secret", func(r *evhttp.Request) { secret = true; hello(r) })
	})
	c := ts.dial()
	br := bufio.NewReader(c)
	io.WriteString(c, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n"+
		fmt.Sprintf("PUT /refuse HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n%s", len(smuggled), smuggled))
	ts.waitHeld(&held)
	var ran bool
	ts.do(func() { ran = secret; held.SendReply(200, "", []byte("first")) })
	if ran {
		t.Error("the refused request's body ran as a request of its own")
	}
	if _, body := readResponse(t, br, "GET"); body != "first" {
		t.Fatalf("got %q; want the first reply first", body)
	}
	resp, body := readResponse(t, br, "PUT")
	if resp.StatusCode != 403 || body != "no" {
		t.Errorf("got %d %q; want 403 \"no\"", resp.StatusCode, body)
	}
	expectEOF(t, br)
	ts.do(func() { ran = secret })
	if ran {
		t.Error("the refused request's body ran as a request of its own")
	}
}

// TestExpectContinueHTTP10Ignored: an HTTP/1.0 request's Expect:
// 100-continue is ignored (RFC 9110 §10.1.1: the client does not wait for
// a 100 it cannot get), so a streamed handler replying before the body
// leaves the connection as the request asked: the body is discarded and
// the next request answered.
func TestExpectContinueHTTP10Ignored(t *testing.T) {
	ts := startServer(t, evhttp.Config{StreamBodies: true}, func(s *evhttp.Server) {
		s.HandleFunc("/early", func(r *evhttp.Request) { r.SendReply(403, "", []byte("no")) })
		s.SetGeneric(echo)
	})
	c := ts.dial()
	br := bufio.NewReader(c)
	io.WriteString(c, "PUT /early HTTP/1.0\r\nConnection: keep-alive\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
	resp, body := readResponse(t, br, "PUT")
	if resp.StatusCode != 403 || body != "no" || resp.Close {
		t.Fatalf("got %d %q, Connection: close %v; want 403 \"no\" kept alive", resp.StatusCode, body, resp.Close)
	}
	io.WriteString(c, "hiGET /next HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	if _, body := readResponse(t, br, "GET"); body != "GET /next " {
		t.Errorf("got %q; want the next request answered", body)
	}
}

func TestStreamBodiesChunked(t *testing.T) {
	ts := startServer(t, evhttp.Config{StreamBodies: true}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) {
			var got []byte
			pieces := 0
			r.SetBodyHandler(func(chunk *buffer.Buffer, done bool) {
				if chunk.Len() > 0 {
					pieces++
				}
				got = append(got, chunk.Pullup(-1)...)
				chunk.Reset()
				if done {
					r.SendReply(200, "", fmt.Appendf(nil, "%s trailer=%s", got, r.Trailer("T")))
				}
			})
		})
	})
	c := ts.dial()
	br := bufio.NewReader(c)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
	io.WriteString(c, "6\r\n world\r\n0\r\nT: z\r\n\r\n")
	if _, body := readResponse(t, br, "POST"); body != "hello world trailer=z" {
		t.Errorf("got %q", body)
	}
}

// TestUnansweredPipelineBoundsInput floods a connection with pipelined
// requests its handler never answers: the server must stop reading (a
// bounded input, not the whole flood in memory), so the client's write
// blocks until its deadline.
func TestUnansweredPipelineBoundsInput(t *testing.T) {
	var held []*evhttp.Request
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) { held = append(held, r) })
	})
	c := ts.dial()
	req := "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	flood := []byte(strings.Repeat(req, (64<<20)/len(req)))
	c.SetWriteDeadline(time.Now().Add(2 * time.Second))
	n, err := c.Write(flood)
	if !errors.Is(err, os.ErrDeadlineExceeded) || n > 32<<20 {
		t.Fatalf("wrote %d of %d bytes (%v); want the write to block well before the end", n, len(flood), err)
	}
	var parsed int
	ts.do(func() { parsed = len(held) })
	if parsed != 16 {
		t.Errorf("handlers got %d requests; want the 16 a connection may have waiting", parsed)
	}
}

// TestWriteTimeoutSmallReplies is TestWriteTimeout with many small
// replies to a client that pipelines requests and never reads: each reply
// goes to the socket directly, and once the socket stops taking them the
// rest waits on the connection, under the write timeout.
func TestWriteTimeoutSmallReplies(t *testing.T) {
	closed := make(chan struct{})
	body := make([]byte, 8<<10)
	ts := startServer(t, evhttp.Config{WriteTimeout: 200 * time.Millisecond}, func(s *evhttp.Server) {
		var once sync.Once
		s.SetGeneric(func(r *evhttp.Request) {
			once.Do(func() { r.Conn().SetCloseCallback(func() { close(closed) }) })
			r.SendReply(200, "", body)
		})
	})
	c := ts.dial()
	go func() {
		// 4,000 replies are 32 MiB, more than the socket buffers hold;
		// the write fails once the server has closed the connection.
		io.WriteString(c, strings.Repeat("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 4000))
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("connection still open 10 s after its replies stopped draining")
	}
}

// TestWriteTimeout answers with more than the socket buffers hold to a
// client that never reads: the write timeout closes the connection.
func TestWriteTimeout(t *testing.T) {
	closed := make(chan struct{})
	big := make([]byte, 32<<20)
	ts := startServer(t, evhttp.Config{WriteTimeout: 200 * time.Millisecond}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) {
			r.Conn().SetCloseCallback(func() { close(closed) })
			r.SendReply(200, "", big)
		})
	})
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("connection still open 10 s after its replies stopped draining")
	}
	var n int
	ts.do(func() { n = ts.srv.NumConns() })
	if n != 0 {
		t.Errorf("NumConns after the write timeout: %d; want 0", n)
	}
}

// TestMaxConnsSlotFreedWhileRejectedLingers fills the only slot, has a
// second client answered 503 keep its side open (the server lingers on
// it), then closes the first: the slot is free again at once, not once
// the rejected connection's lingering close ends.
func TestMaxConnsSlotFreedWhileRejectedLingers(t *testing.T) {
	firstGone := make(chan struct{})
	ts := startServer(t, evhttp.Config{MaxConns: 1}, func(s *evhttp.Server) {
		s.HandleFunc("/first", func(r *evhttp.Request) {
			r.Conn().SetCloseCallback(func() { close(firstGone) })
			hello(r)
		})
		s.SetGeneric(hello)
	})
	first := ts.dial()
	io.WriteString(first, "GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
	readResponse(t, bufio.NewReader(first), "GET")
	rejected := ts.dial()
	if b, _ := io.ReadAll(rejected); !strings.HasPrefix(string(b), "HTTP/1.1 503 ") {
		t.Fatalf("second connection: got %q; want 503", b)
	}
	first.Close()
	<-firstGone
	got := ts.exchange("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(got, "HTTP/1.1 200 ") {
		t.Errorf("after the first connection closed: got %q; want 200", got)
	}
}

// TestStreamedChunkedBodyTooLarge sends a chunked body beyond
// MaxBodyBytes to loop-native streaming handlers, which wait for the end
// of the body: the client must not wait for ever.
func TestStreamedChunkedBodyTooLarge(t *testing.T) {
	tests := []struct {
		name  string
		start bool   // the handler starts its reply before the body ends
		want  string // the reply's prefix
	}{
		{"not started", false, "HTTP/1.1 413 "},
		{"started", true, "HTTP/1.1 200 "}, // cut short: the connection closes
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gone := make(chan struct{})
			ts := startServer(t, evhttp.Config{MaxBodyBytes: 10, StreamBodies: true}, func(s *evhttp.Server) {
				s.SetGeneric(func(r *evhttp.Request) {
					r.Conn().SetCloseCallback(func() { close(gone) })
					if tt.start {
						r.StartReply(200, "")
					}
					r.SetBodyHandler(func(chunk *buffer.Buffer, done bool) {
						chunk.Reset()
						if done && tt.start {
							r.EndReply()
						} else if done {
							r.SendReply(200, "", []byte("ok"))
						}
					})
				})
			})
			c := ts.dial()
			io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"+
				"14\r\n"+strings.Repeat("a", 20)+"\r\n0\r\n\r\n")
			b, err := io.ReadAll(c)
			if err != nil || !strings.HasPrefix(string(b), tt.want) {
				t.Errorf("got %q, %v; want %q…, then the connection closed", b, err, tt.want)
			}
			c.Close()
			<-gone // the handler is told
		})
	}
}

// TestHeadDeadlinePerRequest sends the second request's first bytes in
// the same segment as the end of the first one's head, which took most of
// ReadHeaderTimeout: the second head's deadline starts at its own first
// byte.
func TestHeadDeadlinePerRequest(t *testing.T) {
	const timeout = time.Second // margins of 250 and 500 ms for a loaded machine
	ts := startServer(t, evhttp.Config{ReadHeaderTimeout: timeout}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	c := ts.dial()
	br := bufio.NewReader(c)
	io.WriteString(c, "GET /1 HTTP/1.1\r\n")
	<-time.After(timeout * 3 / 4) // pacing: a slow client, not synchronisation
	io.WriteString(c, "Host: x\r\n\r\nGET /2 HTTP/1.1\r\n")
	readResponse(t, br, "GET")
	<-time.After(timeout / 2)
	io.WriteString(c, "Host: x\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("second request, whose head took %v of %v: %v; want a reply", timeout/2, timeout, err)
	}
	resp.Body.Close()
}

// TestExpectContinueUnmatched: a request expecting 100-continue that no
// handler serves (on the main server or the virtual host its Host picks),
// or whose method is refused, is answered at once, without 100 Continue
// and without waiting for a body that will be of no use; since the client
// may or may not send that body now, the reply says "Connection: close"
// and the connection closes after it. Alone or behind an unanswered
// request, and whether the client sends the body anyway or not.
func TestExpectContinueUnmatched(t *testing.T) {
	var held *evhttp.Request
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/hold", func(r *evhttp.Request) { held = r })
		s.HandleFunc("/known", echo)
		vh := evhttp.NewServer(s.Loop(), evhttp.Config{})
		vh.HandleFunc("/other", echo)
		s.AddVirtualHost("v.example", vh)
	})
	const smuggled = "GET /known HTTP/1.1\r\nHost: x\r\n\r\n"
	tests := []struct {
		name         string
		method, path string
		host         string
		behind       bool // behind a held request
		body         bool // the client sends the body without waiting
		want         int
	}{
		{"alone", "PUT", "/missing", "x", false, false, 404},
		{"alone, body sent anyway", "PUT", "/missing", "x", false, true, 404},
		{"virtual host", "PUT", "/known", "v.example", false, false, 404},
		{"method refused", "TRACE", "/known", "x", false, false, 405},
		{"behind a held request", "PUT", "/missing", "x", true, false, 404},
		{"behind a held request, body sent anyway", "PUT", "/missing", "x", true, true, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n",
				tt.method, tt.path, tt.host, len(smuggled))
			if tt.body {
				req += smuggled
			}
			var br *bufio.Reader
			if tt.behind {
				ts.do(func() { held = nil })
				_, br = behindHeld(t, ts, &held, req)
			} else {
				c := ts.dial()
				br = bufio.NewReader(c)
				io.WriteString(c, req)
			}
			resp, _ := readResponse(t, br, tt.method)
			if resp.StatusCode != tt.want || !resp.Close {
				t.Fatalf("got %d, Connection: close %v; want %d with Connection: close (and no 100 Continue)", resp.StatusCode, resp.Close, tt.want)
			}
			expectEOF(t, br)
		})
	}
}

// TestVirtualHostWithoutHost: a request without a host (HTTP/1.0 may omit
// Host; an empty Host names none) is served by the main server even when
// a virtual host's pattern matches anything, as in libevent; so is one
// whose host no pattern matches.
func TestVirtualHostWithoutHost(t *testing.T) {
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/", func(r *evhttp.Request) { r.SendReply(200, "", []byte("main")) })
		vh := evhttp.NewServer(s.Loop(), evhttp.Config{})
		vh.HandleFunc("/", func(r *evhttp.Request) { r.SendReply(200, "", []byte("vhost")) })
		s.AddVirtualHost("a.example", evhttp.NewServer(s.Loop(), evhttp.Config{}))
		s.AddVirtualHost("*", vh)
	})
	for _, tt := range []struct{ name, req, want string }{
		{"HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", "main"},
		{"empty Host", "GET / HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n", "main"},
		{"any Host", "GET / HTTP/1.1\r\nHost: b.example\r\nConnection: close\r\n\r\n", "vhost"},
		{"absolute-form", "GET http://b.example/ HTTP/1.0\r\n\r\n", "vhost"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := ts.exchange(tt.req); !strings.HasSuffix(got, "\r\n\r\n"+tt.want) {
				t.Errorf("got %q; want body %q", got, tt.want)
			}
		})
	}
	ts2 := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/", func(r *evhttp.Request) { r.SendReply(200, "", []byte("main")) })
		s.AddVirtualHost("a.example", evhttp.NewServer(s.Loop(), evhttp.Config{}))
	})
	if got := ts2.exchange("GET / HTTP/1.1\r\nHost: b.example\r\nConnection: close\r\n\r\n"); !strings.HasSuffix(got, "\r\n\r\nmain") {
		t.Errorf("unmatched Host: got %q; want body %q", got, "main")
	}
}

// TestHostSequenceOnOneConnection sends requests one after another on a
// keep-alive connection with the same, different and invalid Host values:
// the parser skips checking a Host identical to the last one it accepted,
// so an invalid one after valid ones must still get 400 (and the close).
func TestHostSequenceOnOneConnection(t *testing.T) {
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) { r.SendReply(200, "", []byte(r.Host())) })
	})
	tests := [][]string{
		{"a.example", "a.example", "b.example:80", "b.example:80", "a.example", "a.example:8O"},
		{"h", "h", "h%41"},
		{"h:80", "h:80@evil"},
		{"[::1]:80", "[::1]:80", "[::1%25lo]:80"},
		{"a.example", "a b"},
	}
	for _, hosts := range tests {
		c := ts.dial()
		br := bufio.NewReader(c)
		for i, host := range hosts {
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
			resp, body := readResponse(t, br, "GET")
			if i == len(hosts)-1 {
				if resp.StatusCode != 400 || !resp.Close {
					t.Errorf("%q, request %d: got %d close=%v; want 400 and Connection: close", hosts, i, resp.StatusCode, resp.Close)
				}
				expectEOF(t, br)
				break
			}
			if resp.StatusCode != 200 || body != host {
				t.Errorf("%q, request %d: got %d %q; want 200 %q", hosts, i, resp.StatusCode, body, host)
			}
		}
	}
}
