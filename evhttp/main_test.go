package evhttp_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
	"github.com/eventide-go/eventide/internal/evtest"
)

// TestMain fails the package if any goroutine outlives the tests.
func TestMain(m *testing.M) { evtest.Main(m) }

// testServer is a Server on a loop running in its own goroutine, bound to
// 127.0.0.1:0, checked at cleanup (evtest.NewLoop, evtest.Serve): closing
// the server leaves no active watcher, and closing the loop leaves no
// descriptor open.
type testServer struct {
	t    testing.TB
	l    *ev.Loop
	srv  *evhttp.Server
	addr string
}

func startServer(t testing.TB, cfg evhttp.Config, setup func(s *evhttp.Server)) *testServer {
	t.Helper()
	l := evtest.NewLoop(t)
	s := evhttp.NewServer(l, cfg)
	if setup != nil {
		setup(s)
	}
	if err := s.Bind("127.0.0.1:0"); err != nil {
		t.Fatalf("Bind: %v", err)
	}
	ts := &testServer{t: t, l: l, srv: s, addr: s.Addrs()[0].String()}
	evtest.Serve(t, l, s.Close)
	return ts
}

// do runs fn on the server's loop and waits for it.
func (ts *testServer) do(fn func()) { evtest.Do(ts.l, fn) }

// dial connects to the server; the connection is closed at cleanup.
func (ts *testServer) dial() net.Conn {
	ts.t.Helper()
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		ts.t.Fatalf("Dial: %v", err)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	ts.t.Cleanup(func() { c.Close() })
	return c
}

// exchange writes req on a new connection and returns everything the
// server sends until it closes the connection.
func (ts *testServer) exchange(req string) string {
	ts.t.Helper()
	c := ts.dial()
	if _, err := io.WriteString(c, req); err != nil {
		ts.t.Fatalf("write: %v", err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		ts.t.Fatalf("read: %v (got %q)", err, b)
	}
	return string(b)
}

// readResponse reads one response for a request with method from br.
func readResponse(t testing.TB, br *bufio.Reader, method string) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("ReadResponse: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	resp.Body.Close()
	return resp, string(b)
}

// expectEOF checks that the server closed the connection.
func expectEOF(t testing.TB, br *bufio.Reader) {
	t.Helper()
	if b, err := br.ReadByte(); err != io.EOF {
		t.Errorf("after the last response: got byte %q, err %v; want EOF", b, err)
	}
}

func openFDs(t testing.TB) int { return evtest.OpenFDs(t) }

// hello answers 200 "hello".
func hello(r *evhttp.Request) { r.SendReply(200, "", []byte("hello")) }

func runtimeGosched() { runtime.Gosched() }

// waitHeld waits until a handler has stored its request in *held, which
// the test reads on the loop.
func (ts *testServer) waitHeld(held **evhttp.Request) {
	for {
		var ok bool
		ts.do(func() { ok = *held != nil })
		if ok {
			return
		}
		runtimeGosched()
	}
}
