package evhttp_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/eventide-go/eventide/evhttp"
)

// TestBridgeBodyStreaming posts 20 MB that the handler hashes as it
// streams, chunked and with a Content-Length, and small bodies buffered by
// the server.
func TestBridgeBodyStreaming(t *testing.T) {
	hash := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprintf(w, "%d %x %s", n, h.Sum(nil), r.Trailer.Get("X-Sum"))
	})
	ts := startServer(t, evhttp.Config{MaxBodyBytes: 64 << 20}, func(s *evhttp.Server) {
		s.HandleStream("/stream", evhttp.Bridge(hash))
		s.HandleFunc("/buffered", evhttp.Bridge(hash))
	})
	data := bytes.Repeat([]byte("eventide"), 20<<20/8)
	client := newClient(t, nil)
	for _, tc := range []struct {
		name    string
		path    string
		data    []byte
		chunked bool
	}{
		{"stream length", "/stream", data, false},
		{"stream chunked", "/stream", data, true},
		{"buffered length", "/buffered", data[:100000], false},
		{"buffered chunked", "/buffered", data[:100000], true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", "http://"+ts.addr+tc.path, bytes.NewReader(tc.data))
			if tc.chunked {
				// A body of unknown length goes chunked, with the trailer
				// set once it is read.
				req.Body = io.NopCloser(&trailerSetter{r: bytes.NewReader(tc.data), req: req, v: "ok"})
				req.ContentLength = -1
				req.Trailer = http.Header{"X-Sum": nil}
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := fmt.Sprintf("%d %x ", len(tc.data), sha256.Sum256(tc.data))
			if tc.chunked {
				want += "ok"
			}
			if string(got) != want {
				t.Errorf("got %q; want %q", got, want)
			}
		})
	}
}

// trailerSetter sets the request's trailer value when its body ends.
type trailerSetter struct {
	r   io.Reader
	req *http.Request
	v   string
}

func (ts *trailerSetter) Read(p []byte) (int, error) {
	n, err := ts.r.Read(p)
	if err == io.EOF {
		ts.req.Trailer.Set("X-Sum", ts.v)
	}
	return n, err
}

// TestBridgeBodyBackpressure checks that the server stops reading an
// upload the handler does not read: the client's writes stall (its write
// deadline expires) long before the 64 MB are sent, and the body then
// arrives whole once the handler reads.
func TestBridgeBodyBackpressure(t *testing.T) {
	const size = 64 << 20
	started := make(chan struct{})
	release := make(chan struct{})
	ts := startServer(t, evhttp.Config{MaxBodyBytes: -1}, func(s *evhttp.Server) {
		s.HandleStream("/", evhttp.Bridge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(started)
			<-release
			n, err := io.Copy(io.Discard, r.Body)
			fmt.Fprint(w, n, err)
		})))
	})
	c := ts.dial()
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", size)
	wait(t, started, "the handler")
	data := make([]byte, size)
	c.SetWriteDeadline(time.Now().Add(time.Second))
	n, err := c.Write(data)
	if err == nil || n >= size/2 {
		t.Fatalf("wrote %d of %d bytes (err %v) while the handler read nothing; want the writes to stall", n, size, err)
	}
	close(release)
	c.SetWriteDeadline(time.Now().Add(20 * time.Second))
	if _, err := c.Write(data[n:]); err != nil {
		t.Fatal(err)
	}
	resp, body := readResponse(t, bufio.NewReader(c), "POST")
	if want := fmt.Sprint(size, nil); resp.StatusCode != 200 || body != want {
		t.Errorf("got %d %q; want 200 %q", resp.StatusCode, body, want)
	}
}

// TestBridgeBodyTooLarge checks a streamed chunked body beyond
// MaxBodyBytes: the handler's Read fails with *http.MaxBytesError and the
// client gets 413.
func TestBridgeBodyTooLarge(t *testing.T) {
	readErr := make(chan error, 1)
	ts := startServer(t, evhttp.Config{MaxBodyBytes: 1000}, func(s *evhttp.Server) {
		s.HandleStream("/", evhttp.Bridge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, err := io.Copy(io.Discard, r.Body)
			readErr <- err
			w.WriteHeader(200) // too late: the server answered
		})))
	})
	out := ts.exchange("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"3e8\r\n" + strings.Repeat("x", 1000) + "\r\n1\r\ny\r\n0\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 413 ") {
		t.Errorf("got %q; want 413", out)
	}
	var mbe *http.MaxBytesError
	if err := wait(t, readErr, "the handler's Read"); !errors.As(err, &mbe) || mbe.Limit != 1000 {
		t.Errorf("Read: got %v; want *http.MaxBytesError with Limit 1000", err)
	}
}

func TestBridgeExpectContinue(t *testing.T) {
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleStream("/", evhttp.Bridge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(w, r.Body)
		})))
	})
	c := ts.dial()
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
	br := bufio.NewReader(c)
	line, _ := br.ReadString('\n')
	if line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("got %q; want 100 Continue", line)
	}
	br.ReadString('\n')
	io.WriteString(c, "hello")
	if resp, body := readResponse(t, br, "POST"); resp.StatusCode != 200 || body != "hello" {
		t.Errorf("got %d %q; want 200 hello", resp.StatusCode, body)
	}
}

func TestBridgeUnreadBody(t *testing.T) {
	ts := startServer(t, evhttp.Config{StreamBodies: true}, func(s *evhttp.Server) {
		s.SetGeneric(evhttp.Bridge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/some" {
				buf := make([]byte, 10)
				io.ReadFull(r.Body, buf)
			}
			io.WriteString(w, r.URL.Path)
		})))
	})
	c := ts.dial()
	br := bufio.NewReader(c)
	body := strings.Repeat("b", 1<<20)
	go func() {
		for _, path := range []string{"/none", "/some"} {
			fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", path, len(body), body)
		}
		io.WriteString(c, "GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	}()
	for _, want := range []string{"/none", "/some", "/last"} {
		if _, got := readResponse(t, br, "POST"); got != want {
			t.Errorf("got %q; want %q", got, want)
		}
	}
	expectEOF(t, br)
}

// TestBridgeAbandonedRequestCancelled pipelines two requests: the first is
// answered with "Connection: close", so the second, whose handler waits in
// Body.Read for a body that never comes, will never be answered. Its
// handler must be told at once (context cancelled, Read failing), not when
// the lingering close ends.
func TestBridgeAbandonedRequestCancelled(t *testing.T) {
	readErr := make(chan error, 1)
	ctxDone := make(chan struct{})
	ts := startBridge(t, evhttp.Config{StreamBodies: true}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/first" {
			w.Header().Set("Connection", "close")
			io.WriteString(w, "bye")
			return
		}
		_, err := io.ReadAll(r.Body)
		readErr <- err
		<-r.Context().Done()
		close(ctxDone)
	}))
	c := ts.dial()
	io.WriteString(c, "GET /first HTTP/1.1\r\nHost: x\r\n\r\n"+
		"POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npart")
	resp, body := readResponse(t, bufio.NewReader(c), "GET")
	if body != "bye" || !resp.Close {
		t.Fatalf("first reply %q, close %v; want bye, close", body, resp.Close)
	}
	if err := wait(t, readErr, "the second handler's Read"); err == nil {
		t.Error("the second handler read its whole body; want an error")
	}
	wait(t, ctxDone, "the second handler's context")
	// The client keeps its side open, so the server is still lingering:
	// the handler was told when its request was dropped, not at the close.
	var n int
	ts.do(func() { n = ts.srv.NumConns() })
	if n != 1 {
		t.Errorf("NumConns when the handler was told: %d; want 1 (the connection lingering)", n)
	}
}

// TestBridgeAnnouncedTrailer sends a chunked body with a trailer announced
// in the "Trailer" header: as with net/http, the handler sees the announced
// key in Request.Trailer before reading (value nil), the value after EOF,
// and no "Trailer" in Request.Header.
func TestBridgeAnnouncedTrailer(t *testing.T) {
	type seen struct{ before, after, header string }
	got := make(chan seen, 1)
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var s seen
		s.before = fmt.Sprint(r.Trailer)
		io.Copy(io.Discard, r.Body)
		s.after = r.Trailer.Get("X-Sum")
		s.header = r.Header.Get("Trailer")
		got <- s
	}))
	c := ts.dial()
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nTrailer: x-sum\r\nTransfer-Encoding: chunked\r\n\r\n"+
		"3\r\nabc\r\n0\r\nX-Sum: 42\r\n\r\n")
	s := wait(t, got, "the handler")
	if s.before != "map[X-Sum:[]]" || s.after != "42" || s.header != "" {
		t.Errorf("Trailer before reading %s, after %q, Header's Trailer %q; want map[X-Sum:[]], 42, none", s.before, s.after, s.header)
	}
	readResponse(t, bufio.NewReader(c), "POST")
}

// TestBridgeReadDeadline checks http.ResponseController.SetReadDeadline on
// a streamed body: the bytes received are read, then the Read that would
// wait past the deadline fails with os.ErrDeadlineExceeded; a deadline set
// from another goroutine ends a waiting Read at once; lifting the deadline
// lets the rest of the body be read.
func TestBridgeReadDeadline(t *testing.T) {
	type result struct {
		n   int
		err error
	}
	results := make(chan result, 4)
	sendRest := make(chan struct{})
	ts := startBridge(t, evhttp.Config{StreamBodies: true}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		buf := make([]byte, 10)
		// 1: three bytes came, seven never do before the deadline.
		if err := rc.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
			results <- result{0, err}
			return
		}
		n, err := io.ReadFull(r.Body, buf)
		results <- result{n, err}
		// 2: a Read waiting without a deadline, ended by a past deadline
		// set from another goroutine.
		rc.SetReadDeadline(time.Time{})
		set := make(chan error, 1)
		go func() { set <- rc.SetReadDeadline(time.Now().Add(-time.Second)) }()
		m, err := r.Body.Read(buf[n:])
		<-set
		results <- result{m, err}
		// 3: no deadline; the client sends the rest.
		rc.SetReadDeadline(time.Time{})
		close(sendRest)
		m, err = io.ReadFull(r.Body, buf[n:])
		results <- result{m, err}
		fmt.Fprintf(w, "%s", buf)
	}))
	c := ts.dial()
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
	if got := wait(t, results, "the first read"); got.n != 3 || !errors.Is(got.err, os.ErrDeadlineExceeded) {
		t.Fatalf("read with a deadline: got %d, %v; want 3, %v", got.n, got.err, os.ErrDeadlineExceeded)
	}
	if got := wait(t, results, "the read ended by another goroutine"); got.n != 0 || !errors.Is(got.err, os.ErrDeadlineExceeded) {
		t.Fatalf("read ended by a past deadline: got %d, %v; want 0, %v", got.n, got.err, os.ErrDeadlineExceeded)
	}
	wait(t, sendRest, "the handler to lift the deadline")
	io.WriteString(c, "defghij")
	if got := wait(t, results, "the last read"); got.n != 7 || got.err != nil {
		t.Fatalf("read after the deadline was lifted: got %d, %v; want 7, nil", got.n, got.err)
	}
	resp, body := readResponse(t, bufio.NewReader(c), "POST")
	if resp.StatusCode != 200 || body != "abcdefghij" {
		t.Errorf("got %d %q; want 200 \"abcdefghij\"", resp.StatusCode, body)
	}
}
