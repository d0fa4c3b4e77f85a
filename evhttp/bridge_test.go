package evhttp_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eventide-go/eventide/evhttp"
	"github.com/eventide-go/eventide/internal/evtest"
)

// startBridge serves h through the bridge as the generic handler.
func startBridge(t *testing.T, cfg evhttp.Config, h http.Handler) *testServer {
	t.Helper()
	return startServer(t, cfg, func(s *evhttp.Server) { s.SetGeneric(evhttp.Bridge(h)) })
}

// newClient returns a net/http client whose idle connections are closed at
// cleanup; dials counts the connections it opens.
func newClient(t *testing.T, dials *atomic.Int32) *http.Client {
	tr := &http.Transport{
		MaxIdleConnsPerHost: 100,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if dials != nil {
				dials.Add(1)
			}
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 20 * time.Second}
}

// get fetches url and returns the response with its body read.
func get(t *testing.T, c *http.Client, method, url string, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, url, err)
	}
	return resp, string(b)
}

// wait receives from ch, failing the test after 10 s.
func wait[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func TestBridgeHello(t *testing.T) {
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "Hello, World!")
	}))
	resp, body := get(t, newClient(t, nil), "GET", "http://"+ts.addr+"/", nil)
	if resp.StatusCode != 200 || body != "Hello, World!" {
		t.Fatalf("got %d %q; want 200 Hello, World!", resp.StatusCode, body)
	}
	if got, want := resp.Header.Get("Content-Type"), "text/plain; charset=utf-8"; got != want {
		t.Errorf("Content-Type: got %q; want %q (sniffed)", got, want)
	}
	if resp.ContentLength != 13 || resp.TransferEncoding != nil {
		t.Errorf("framing: got Content-Length %d, Transfer-Encoding %v; want 13, none", resp.ContentLength, resp.TransferEncoding)
	}
	if resp.Header.Get("Date") == "" {
		t.Errorf("no Date header")
	}
}

func TestBridgeRequestFields(t *testing.T) {
	got := make(chan *http.Request, 1)
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		got <- r
	}))
	c := ts.dial()
	io.WriteString(c, "POST /a%20b/c?x=1&y=2 HTTP/1.1\r\nHost: example.com:80\r\nX-Multi: one\r\nx-multi: two\r\n"+
		"user-agent: test\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
	r := wait(t, got, "the handler")
	b, _ := io.ReadAll(r.Body)
	checks := []struct {
		name      string
		got, want any
	}{
		{"Method", r.Method, "POST"},
		{"URL.Path", r.URL.Path, "/a b/c"},
		{"URL.RawQuery", r.URL.RawQuery, "x=1&y=2"},
		{"RequestURI", r.RequestURI, "/a%20b/c?x=1&y=2"},
		{"Proto", r.Proto, "HTTP/1.1"},
		{"ProtoMajor.Minor", fmt.Sprint(r.ProtoMajor, ".", r.ProtoMinor), "1.1"},
		{"Host", r.Host, "example.com:80"},
		{"Header[Host]", r.Header.Get("Host"), ""},
		{"X-Multi", strings.Join(r.Header.Values("X-Multi"), ","), "one,two"},
		{"User-Agent", r.UserAgent(), "test"},
		{"ContentLength", r.ContentLength, int64(3)},
		{"Close", r.Close, true},
		{"body", string(b), "abc"},
		{"RemoteAddr", r.RemoteAddr, c.LocalAddr().String()},
		{"Context", r.Context() != nil, true},
	}
	for _, tc := range checks {
		if tc.got != tc.want {
			t.Errorf("%s: got %v; want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestBridgeStatusAndHeaders(t *testing.T) {
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		w.Header().Add("X-B", "2")
		w.Header().Add("X-A", "1")
		w.Header().Add("X-A", "1b")
		w.Header()["bad name"] = []string{"dropped"}
		w.Header().Set("X-Split", "a\r\nInjected: yes")
		w.WriteHeader(code)
		_, err := io.WriteString(w, "body")
		w.Header().Set("X-Late", "ignored")
		if !bodyAllowedForStatus(code) && err != http.ErrBodyNotAllowed {
			panic(fmt.Sprintf("Write with status %d: got %v; want ErrBodyNotAllowed", code, err))
		}
	}))
	client := newClient(t, nil)
	for _, tc := range []struct {
		code int
		body string
	}{
		{200, "body"}, {201, "body"}, {204, ""}, {304, ""}, {404, "body"}, {500, "body"}, {599, "body"},
	} {
		resp, body := get(t, client, "GET", fmt.Sprintf("http://%s/?code=%d", ts.addr, tc.code), nil)
		if resp.StatusCode != tc.code || body != tc.body {
			t.Errorf("code %d: got %d %q; want %d %q", tc.code, resp.StatusCode, body, tc.code, tc.body)
		}
		if got := strings.Join(resp.Header.Values("X-A"), ","); got != "1,1b" {
			t.Errorf("code %d: X-A: got %q; want 1,1b", tc.code, got)
		}
		if got := resp.Header.Get("X-Split"); got != "a  Injected: yes" || resp.Header.Get("Injected") != "" {
			t.Errorf("code %d: X-Split: got %q (Injected %q); want the CR LF as spaces", tc.code, got, resp.Header.Get("Injected"))
		}
		if resp.Header.Get("X-Late") != "" {
			t.Errorf("code %d: a header set after WriteHeader was sent", tc.code)
		}
	}
}

func bodyAllowedForStatus(code int) bool { return code >= 200 && code != 204 && code != 304 }

// TestBridgeHeaderOrder checks that header fields leave sorted by name, as
// net/http writes them.
func TestBridgeHeaderOrder(t *testing.T) {
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, k := range []string{"X-C", "X-A", "X-B"} {
			w.Header().Set(k, k)
		}
		w.WriteHeader(200)
	}))
	out := ts.exchange("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	a, b, c := strings.Index(out, "X-A:"), strings.Index(out, "X-B:"), strings.Index(out, "X-C:")
	if a < 0 || !(a < b && b < c) {
		t.Errorf("got\n%s\nwant X-A, X-B, X-C in order", out)
	}
}

func TestBridgeFraming(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 10<<10) // 160 KiB
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/small":
			io.WriteString(w, "small")
		case "/big":
			io.WriteString(w, big)
		case "/declared":
			w.Header().Set("Content-Length", strconv.Itoa(len(big)))
			for i := 0; i < len(big); i += 1000 {
				io.WriteString(w, big[i:min(i+1000, len(big))])
			}
		case "/over":
			w.Header().Set("Content-Length", "3")
			if _, err := io.WriteString(w, "four"); err != http.ErrContentLength {
				panic(fmt.Sprintf("got %v; want ErrContentLength", err))
			}
			io.WriteString(w, "abc")
		case "/empty":
		}
	}))
	client := newClient(t, nil)
	for _, tc := range []struct {
		path    string
		body    string
		length  int64
		chunked bool
	}{
		{"/small", "small", 5, false},
		{"/big", big, -1, true},
		{"/declared", big, int64(len(big)), false},
		{"/over", "abc", 3, false},
		{"/empty", "", 0, false},
	} {
		resp, body := get(t, client, "GET", "http://"+ts.addr+tc.path, nil)
		chunked := len(resp.TransferEncoding) > 0
		if body != tc.body || resp.ContentLength != tc.length || chunked != tc.chunked {
			t.Errorf("%s: got %d bytes, Content-Length %d, chunked %v; want %d, %d, %v",
				tc.path, len(body), resp.ContentLength, chunked, len(tc.body), tc.length, tc.chunked)
		}
	}
}

// TestBridgeShortDeclaredLength checks that a handler writing less than
// the Content-Length it set has its connection closed.
func TestBridgeShortDeclaredLength(t *testing.T) {
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		io.WriteString(w, "short")
	}))
	out := ts.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.Contains(out, "Content-Length: 10\r\n") || !strings.HasSuffix(out, "\r\n\r\nshort") {
		t.Errorf("got %q; want Content-Length: 10, the 5 bytes, then EOF", out)
	}
}

func TestBridgeFlushStreams(t *testing.T) {
	release := make(chan struct{})
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		<-release
		io.WriteString(w, "second\n")
	}))
	resp, err := newClient(t, nil).Get("http://" + ts.addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	if line != "first\n" || err != nil {
		t.Fatalf("first line: got %q, %v", line, err)
	}
	close(release) // the handler is still running: the line was flushed
	rest, err := io.ReadAll(br)
	if string(rest) != "second\n" || err != nil {
		t.Errorf("rest: got %q, %v; want second", rest, err)
	}
	if resp.TransferEncoding == nil {
		t.Errorf("a flushed reply without Content-Length is not chunked")
	}
}

func TestBridgeResponseController(t *testing.T) {
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		var errs []string
		for _, err := range []error{
			rc.EnableFullDuplex(),
			rc.SetWriteDeadline(time.Now().Add(time.Second)),
			rc.SetReadDeadline(time.Now().Add(time.Second)),
			rc.SetWriteDeadline(time.Time{}), // "no deadline": true already
			rc.SetReadDeadline(time.Time{}),
			rc.Flush(),
		} {
			if errors.Is(err, http.ErrNotSupported) {
				err = http.ErrNotSupported
			}
			errs = append(errs, fmt.Sprint(err))
		}
		// A websocket library asks for http.Hijacker (bridge_hijack_test.go
		// hijacks).
		_, hijacker := w.(http.Hijacker)
		_, pusher := w.(http.Pusher)
		_, closeNotifier := w.(http.CloseNotifier) //lint:ignore SA1019 handlers still ask
		errs = append(errs, fmt.Sprint(hijacker, pusher, closeNotifier))
		io.WriteString(w, strings.Join(errs, ","))
	}))
	_, body := get(t, newClient(t, nil), "GET", "http://"+ts.addr+"/", nil)
	if want := "<nil>,<nil>,<nil>,<nil>,<nil>,<nil>,true false true"; body != want {
		t.Errorf("got %q; want %q", body, want)
	}
}

// TestBridgePipelining sends a slow request and a fast one on one
// connection: the fast handler finishes first, the replies leave in order.
func TestBridgePipelining(t *testing.T) {
	fastDone := make(chan struct{})
	release := make(chan struct{})
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-release
		} else {
			defer close(fastDone)
		}
		io.WriteString(w, r.URL.Path)
	}))
	c := ts.dial()
	io.WriteString(c, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	wait(t, fastDone, "the fast handler")
	close(release)
	br := bufio.NewReader(c)
	for _, want := range []string{"/slow", "/fast"} {
		if _, body := readResponse(t, br, "GET"); body != want {
			t.Errorf("got %q; want %q", body, want)
		}
	}
	expectEOF(t, br)
}

// TestBridgePipelinedBurst pipelines 16 requests, twice: bridged replies
// are held until their batch of posted functions has run, so that those
// made together leave together, and each must still arrive, in order.
func TestBridgePipelinedBurst(t *testing.T) {
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.Path)
	}))
	c := ts.dial()
	br := bufio.NewReader(c)
	for round := range 2 {
		var reqs strings.Builder
		for i := range 16 {
			fmt.Fprintf(&reqs, "GET /%d/%d HTTP/1.1\r\nHost: x\r\n\r\n", round, i)
		}
		io.WriteString(c, reqs.String())
		for i := range 16 {
			want := fmt.Sprintf("/%d/%d", round, i)
			if resp, body := readResponse(t, br, "GET"); resp.StatusCode != 200 || body != want {
				t.Fatalf("got %d %q; want 200 %q", resp.StatusCode, body, want)
			}
		}
	}
}

// TestBridgeIdleTimeout checks that the idle timer starts after a bridged
// reply the socket took at once: no write callback follows it.
func TestBridgeIdleTimeout(t *testing.T) {
	ts := startBridge(t, evhttp.Config{IdleTimeout: 50 * time.Millisecond}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hi")
	}))
	c := ts.dial()
	br := bufio.NewReader(c)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, body := readResponse(t, br, "GET"); body != "hi" {
		t.Fatalf("got %q", body)
	}
	expectEOF(t, br) // the idle timeout closed it
}

func TestBridgeContextCancelledOnDisconnect(t *testing.T) {
	started := make(chan struct{})
	cancelled := make(chan error, 1)
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
		cancelled <- r.Context().Err()
		_, err := io.WriteString(w, strings.Repeat("x", 1<<20)) // streamed: fails
		cancelled <- err
	}))
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	wait(t, started, "the handler")
	c.Close()
	if err := wait(t, cancelled, "the context"); err != context.Canceled {
		t.Errorf("ctx.Err: got %v; want context.Canceled", err)
	}
	if err := wait(t, cancelled, "the write"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write after the client left: got %v; want an error wrapping net.ErrClosed", err)
	}
}

// TestBridgeCloseNotify checks http.CloseNotifier: true once the client
// goes away while the handler runs, nothing for a handler that returns
// with its client still there.
func TestBridgeCloseNotify(t *testing.T) {
	started := make(chan struct{})
	notified := make(chan bool, 1)
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ch := w.(http.CloseNotifier).CloseNotify() //lint:ignore SA1019 frameworks still ask for it
		if r.URL.Path == "/stay" {
			io.WriteString(w, "ok")
			return
		}
		close(started)
		notified <- <-ch
	}))
	if _, body := get(t, newClient(t, nil), "GET", "http://"+ts.addr+"/stay", nil); body != "ok" {
		t.Fatalf("/stay: got %q; want ok", body)
	}
	c := ts.dial()
	io.WriteString(c, "GET /leave HTTP/1.1\r\nHost: x\r\n\r\n")
	wait(t, started, "the handler")
	c.Close()
	if got := wait(t, notified, "CloseNotify"); !got {
		t.Errorf("CloseNotify received %v; want true", got)
	}
}

// TestBridgeContextCancelledAfterHandler checks that the request's
// context ends with the handler, as with net/http.
func TestBridgeContextCancelledAfterHandler(t *testing.T) {
	ctxs := make(chan context.Context, 1)
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctxs <- r.Context()
	}))
	get(t, newClient(t, nil), "GET", "http://"+ts.addr+"/", nil)
	ctx := wait(t, ctxs, "the handler")
	wait(t, ctx.Done(), "the context's end")
}

func TestBridgePanic(t *testing.T) {
	var logged syncBuffer
	logger := slog.New(slog.NewTextHandler(&logged, nil))
	flushed := make(chan struct{})
	ts := startBridge(t, evhttp.Config{Logger: logger}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/before":
			w.Header().Set("X-Lost", "1")
			io.WriteString(w, "lost")
			panic("boom before")
		case "/after":
			io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
			<-flushed
			panic("boom after")
		case "/abort":
			panic(http.ErrAbortHandler)
		}
	}))

	out := ts.exchange("GET /before HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 500 ") || strings.Contains(out, "X-Lost") || strings.Contains(out, "lost") {
		t.Errorf("panic before any reply: got %q; want a bare 500", out)
	}

	c := ts.dial()
	io.WriteString(c, "GET /after HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "partial" {
		t.Fatalf("got %q, %v; want partial", buf, err)
	}
	close(flushed)
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Errorf("a reply cut short by a panic read as complete")
	}

	if out := ts.exchange("GET /abort HTTP/1.1\r\nHost: x\r\n\r\n"); out != "" {
		t.Errorf("ErrAbortHandler: got %q; want the connection closed without a reply", out)
	}
	log := logged.String()
	if !strings.Contains(log, "boom before") || !strings.Contains(log, "boom after") || strings.Contains(log, "abort") {
		t.Errorf("log: got\n%s\nwant both panics logged, not ErrAbortHandler", log)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestBridgeHead(t *testing.T) {
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/declared" {
			w.Header().Set("Content-Length", "1234")
			return
		}
		io.WriteString(w, "<html>hello</html>")
	}))
	c := ts.dial()
	io.WriteString(c, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\nHEAD /declared HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	br := bufio.NewReader(c)
	for _, tc := range []struct {
		method string
		length int64
		body   string
	}{
		{"HEAD", 18, ""},
		{"HEAD", 1234, ""},
		{"GET", 18, "<html>hello</html>"},
	} {
		resp, body := readResponse(t, br, tc.method)
		if resp.ContentLength != tc.length || body != tc.body {
			t.Errorf("%s: got Content-Length %d, body %q; want %d, %q", tc.method, resp.ContentLength, body, tc.length, tc.body)
		}
		if ct := resp.Header.Get("Content-Type"); tc.length == 18 && ct != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q; want the sniffed text/html", tc.method, ct)
		}
	}
	expectEOF(t, br)
}

// TestBridgeKeepAlive checks that the net/http client reuses one
// connection for sequential requests.
func TestBridgeKeepAlive(t *testing.T) {
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.RemoteAddr)
	}))
	var dials atomic.Int32
	client := newClient(t, &dials)
	addrs := map[string]bool{}
	for range 20 {
		_, body := get(t, client, "GET", "http://"+ts.addr+"/", nil)
		addrs[body] = true
	}
	if dials.Load() != 1 || len(addrs) != 1 {
		t.Errorf("got %d dials, %d client addresses; want 1, 1", dials.Load(), len(addrs))
	}
}

func TestBridgeConcurrentClients(t *testing.T) {
	clients, requests := 50, 100
	if testing.Short() {
		clients, requests = 10, 20
	}
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", r.URL.Query().Get("c"), r.URL.Query().Get("i"))
	}))
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := range clients {
		wg.Go(func() {
			client := newClient(t, nil)
			for i := range requests {
				resp, err := client.Get(fmt.Sprintf("http://%s/?c=%d&i=%d", ts.addr, c, i))
				if err != nil {
					errs <- err
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if want := fmt.Sprintf("%d %d", c, i); err != nil || string(b) != want {
					errs <- fmt.Errorf("client %d request %d: got %q, %v; want %q", c, i, b, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestBridgeServeMux(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", r.PathValue("name"))
	})
	ts := startBridge(t, evhttp.Config{}, mux)
	client := newClient(t, nil)
	for _, tc := range []struct {
		method, path string
		code         int
		body         string
	}{
		{"GET", "/hello/gopher", 200, "hello gopher"},
		{"POST", "/hello/gopher", 405, "Method Not Allowed\n"},
		{"GET", "/nope", 404, "404 page not found\n"},
	} {
		resp, body := get(t, client, tc.method, "http://"+ts.addr+tc.path, nil)
		if resp.StatusCode != tc.code || body != tc.body {
			t.Errorf("%s %s: got %d %q; want %d %q", tc.method, tc.path, resp.StatusCode, body, tc.code, tc.body)
		}
	}
}

// TestBridgeShutdownWaits checks that Shutdown waits for a bridged
// handler in flight and that its reply still goes out.
func TestBridgeShutdownWaits(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "done")
	}))
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	wait(t, started, "the handler")
	shutDown := make(chan struct{})
	var conns int
	ts.do(func() {
		ts.srv.Shutdown(0, func() { close(shutDown) })
		conns = ts.srv.NumConns()
	})
	if conns != 1 {
		t.Fatalf("after Shutdown: %d connections; want the busy one", conns)
	}
	select {
	case <-shutDown:
		t.Fatal("Shutdown finished while a handler held its request")
	default:
	}
	close(release)
	resp, body := readResponse(t, bufio.NewReader(c), "GET")
	if body != "done" || !resp.Close {
		t.Errorf("got %q, close=%v; want done with Connection: close", body, resp.Close)
	}
	c.Close()
	wait(t, shutDown, "Shutdown")
}

// TestBridgeSlowReader streams 32 MB to a client that reads nothing for a
// while: the handler's Writes block instead of buffering the reply.
func TestBridgeSlowReader(t *testing.T) {
	const size = 32 << 20
	written := make(chan int64, 1)
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int64
		piece := make([]byte, 64<<10)
		defer func() { written <- n }()
		for n < size {
			m, err := w.Write(piece)
			n += int64(m)
			if err != nil {
				return
			}
		}
	}))
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	// The handler cannot finish while nobody reads: the client's receive
	// buffer and the server's send buffer hold a few MB at most.
	select {
	case n := <-written:
		t.Fatalf("the handler wrote all %d bytes to a client that reads nothing", n)
	case <-time.After(500 * time.Millisecond):
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	if n != size || err != nil {
		t.Errorf("read %d bytes, %v; want %d", n, err, size)
	}
	if n := wait(t, written, "the handler"); n != size {
		t.Errorf("the handler wrote %d; want %d", n, size)
	}
}

func TestBridgeNilHandlerPanics(t *testing.T) {
	defer func() {
		if p := recover(); p == nil || !strings.HasPrefix(fmt.Sprint(p), "evhttp: ") {
			t.Errorf("got panic %v; want an evhttp: message", p)
		}
	}()
	evhttp.Bridge(nil)
}

// BenchmarkBridgeHello measures one keep-alive GET answered "Hello,
// World!" by a net/http handler through the bridge, over a Unix
// socketpair, the client on the loop's goroutine.
func BenchmarkBridgeHello(b *testing.B) {
	body := []byte("Hello, World!")
	ls := newLoopServer(b, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/", evhttp.Bridge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write(body)
		})))
	})
	rt := newRoundTripper(b, ls, "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	rt.yield = true
	b.ReportAllocs()
	for b.Loop() {
		rt.do(b)
	}
}

// TestBridgeUnreadBody checks that a streamed body the handler ignores is
// discarded after its reply, keeping the connection usable, also when the
// body had filled the window and paused reading.
func TestBridgeTargets(t *testing.T) {
	got := make(chan string, 1)
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(evhttp.Bridge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got <- fmt.Sprintf("%s %q %q %q", r.Method, r.URL.String(), r.Host, r.RequestURI)
		})))
	})
	for _, tc := range []struct{ req, want string }{
		// "OPTIONS *" never reaches the handler, as with net/http:
		// TestBridgeOptionsAsterisk.
		{"GET http://other:8080/p?q HTTP/1.1\r\nHost: h\r\n\r\n", `GET "http://other:8080/p?q" "other:8080" "http://other:8080/p?q"`},
		{"GET /p%2Fq HTTP/1.0\r\n\r\n", `GET "/p%2Fq" "" "/p%2Fq"`},
	} {
		c := ts.dial()
		io.WriteString(c, tc.req)
		if g := wait(t, got, "the handler"); g != tc.want {
			t.Errorf("%q: got %s; want %s", tc.req, g, tc.want)
		}
		c.Close()
	}
}

// TestBridgeHeadAnd304Headers checks the framing headers net/http sends for
// HEAD and 304 replies: a HEAD handler that writes nothing announces no
// length and no type; one that writes announces the length; a 304 carries
// no Content-Type. It also checks that a chunked request's
// Transfer-Encoding is in TransferEncoding, not in Header.
func TestBridgeHeadAnd304Headers(t *testing.T) {
	te := make(chan string, 1)
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/empty":
		case "/small":
			io.WriteString(w, "twelve bytes")
		case "/304":
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusNotModified)
		case "/chunked":
			te <- fmt.Sprint(r.Header.Values("Transfer-Encoding"), r.TransferEncoding)
			io.Copy(io.Discard, r.Body)
		}
	}))
	c := ts.dial()
	br := bufio.NewReader(c)
	for _, tc := range []struct {
		method, path       string
		wantLength, wantCT string
	}{
		{"HEAD", "/empty", "", ""},
		{"HEAD", "/small", "12", "text/plain; charset=utf-8"},
		{"GET", "/304", "", ""},
	} {
		fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: x\r\n\r\n", tc.method, tc.path)
		resp, _ := readResponse(t, br, tc.method)
		gotLen, gotCT := resp.Header.Get("Content-Length"), resp.Header.Get("Content-Type")
		if gotLen != tc.wantLength || gotCT != tc.wantCT || len(resp.TransferEncoding) != 0 {
			t.Errorf("%s %s: Content-Length %q, Content-Type %q, Transfer-Encoding %v; want %q, %q, none",
				tc.method, tc.path, gotLen, gotCT, resp.TransferEncoding, tc.wantLength, tc.wantCT)
		}
	}
	io.WriteString(c, "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
	if got := wait(t, te, "the chunked request"); got != "[] [chunked]" {
		t.Errorf("Header Transfer-Encoding, TransferEncoding: %s; want [] [chunked]", got)
	}
	readResponse(t, br, "POST")
}

// TestBridgeOmittedHeaders checks net/http's ways of sending no
// Content-Type or Date: a nil header value, and a Flush before any byte
// (nothing to sniff).
func TestBridgeOmittedHeaders(t *testing.T) {
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/nil":
			w.Header()["Content-Type"] = nil
			w.Header()["Date"] = nil
			io.WriteString(w, "<html>x</html>")
		case "/flushfirst":
			w.(http.Flusher).Flush()
			io.WriteString(w, "<html>x</html>")
		case "/plain":
			io.WriteString(w, "<html>x</html>")
		}
	}))
	c := ts.dial()
	br := bufio.NewReader(c)
	for _, tc := range []struct {
		path        string
		wantCT      string
		wantDate    bool
		wantChunked bool
	}{
		{"/nil", "", false, false},
		{"/flushfirst", "", true, true},
		{"/plain", "text/html; charset=utf-8", true, false},
	} {
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", tc.path)
		resp, body := readResponse(t, br, "GET")
		_, hasCT := resp.Header["Content-Type"]
		gotCT := resp.Header.Get("Content-Type")
		if gotCT != tc.wantCT || (tc.wantCT == "" && hasCT) || (resp.Header.Get("Date") != "") != tc.wantDate ||
			(len(resp.TransferEncoding) > 0) != tc.wantChunked || body != "<html>x</html>" {
			t.Errorf("%s: Content-Type %q (present %v), Date %q, Transfer-Encoding %v, body %q; want %q, date %v, chunked %v",
				tc.path, gotCT, hasCT, resp.Header.Get("Date"), resp.TransferEncoding, body, tc.wantCT, tc.wantDate, tc.wantChunked)
		}
	}
}

// TestBridgeLoopClosedFirst closes the loop while a bridged handler is
// blocked writing to a client that does not read, without closing the
// Server first: the Server closes with its loop, so the handler's Write
// fails instead of waiting forever for a loop that is gone, and the
// listener's and the connection's descriptors are closed (NewLoop's check).
func TestBridgeLoopClosedFirst(t *testing.T) {
	l := evtest.NewLoop(t)
	s := evhttp.NewServer(l, evhttp.Config{})
	started := make(chan struct{})
	returned := make(chan error, 1)
	s.SetGeneric(evhttp.Bridge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		_, err := w.Write(make([]byte, 16<<20)) // more than the sockets hold
		returned <- err
	})))
	if err := s.Bind("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	addr := s.Addrs()[0].String()
	evtest.Serve(t, l, nil)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	wait(t, started, "the handler")
	evtest.Do(l, func() { l.Close() })
	if err := wait(t, returned, "the handler's Write"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write after the loop closed: got %v; want an error wrapping net.ErrClosed", err)
	}
}
