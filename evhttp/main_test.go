package evhttp_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
)

// TestMain fails the package if any goroutine outlives the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testServer is a Server on a loop running in its own goroutine, bound to
// 127.0.0.1:0, checked at cleanup: closing the server leaves no active
// watcher, and closing the loop leaves no descriptor open.
type testServer struct {
	t    testing.TB
	l    *ev.Loop
	srv  *evhttp.Server
	addr string
	done chan struct{}
}

func startServer(t testing.TB, cfg evhttp.Config, setup func(s *evhttp.Server)) *testServer {
	t.Helper()
	before := openFDs(t)
	l, err := ev.NewLoop()
	if err != nil {
		t.Fatalf("NewLoop: %v", err)
	}
	s := evhttp.NewServer(l, cfg)
	if setup != nil {
		setup(s)
	}
	if err := s.Bind("127.0.0.1:0"); err != nil {
		t.Fatalf("Bind: %v", err)
	}
	ts := &testServer{t: t, l: l, srv: s, addr: s.Addrs()[0].String(), done: make(chan struct{})}
	go func() {
		defer close(ts.done)
		l.Ref() // keep running until cleanup
		if err := l.Run(ev.RunDefault); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	t.Cleanup(func() {
		var active int
		var dump strings.Builder
		l.Post(func() {
			s.Close()
			l.Unref()
			if st := l.Stats(); st.Active != 0 {
				active = st.Active
				l.Dump(&dump)
			}
			l.Break(ev.BreakAll)
		})
		<-ts.done
		if active != 0 {
			t.Errorf("%d active watchers after Server.Close:\n%s", active, dump.String())
		}
		if err := l.Close(); err != nil {
			t.Errorf("loop Close: %v", err)
		}
		if after := openFDs(t); after != before {
			t.Errorf("open descriptors: %d before the server, %d after", before, after)
		}
	})
	return ts
}

// do runs fn on the server's loop and waits for it.
func (ts *testServer) do(fn func()) {
	ch := make(chan struct{})
	ts.l.Post(func() { fn(); close(ch) })
	<-ch
}

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

func openFDs(t testing.TB) int {
	if runtime.GOOS != "linux" {
		return 0
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// hello answers 200 "hello".
func hello(r *evhttp.Request) { r.SendReply(200, "", []byte("hello")) }

func runtimeGosched() { runtime.Gosched() }
