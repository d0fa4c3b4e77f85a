package evhttp_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
	"github.com/eventide-go/eventide/internal/evtest"
	"github.com/eventide-go/eventide/stream"
)

// Regression tests for corked replies (batch, corkPosted), from a review.

// sendGETs writes n pipelined GETs, of /0 to /n-1, on c in one write.
func sendGETs(c net.Conn, n int) {
	var reqs strings.Builder
	for i := range n {
		fmt.Fprintf(&reqs, "GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
	}
	io.WriteString(c, reqs.String())
}

func TestPipelinedHTTP10InTheMiddle(t *testing.T) {
	// An HTTP/1.0 request without keep-alive in the middle of a corked
	// batch ends the connection after its reply; the one behind it is
	// dropped.
	for _, bridged := range []bool{false, true} {
		t.Run(fmt.Sprint("bridged=", bridged), func(t *testing.T) {
			var ts *testServer
			if bridged {
				ts = startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					io.WriteString(w, r.URL.Path)
				}))
			} else {
				ts = startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
					s.SetGeneric(func(r *evhttp.Request) { r.SendReply(200, "", []byte(r.URI())) })
				})
			}
			c := ts.dial()
			io.WriteString(c, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.0\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n")
			br := bufio.NewReader(c)
			for i := 1; i <= 2; i++ {
				if resp, body := readResponse(t, br, "GET"); body != fmt.Sprintf("/%d", i) {
					t.Fatalf("reply %d: got %d %q; want 200 %q", i, resp.StatusCode, body, fmt.Sprintf("/%d", i))
				}
			}
			expectEOF(t, br)
		})
	}
}

func TestPipelinedWriteTimeout(t *testing.T) {
	// Corked pipelined replies, more than the socket takes, and a client
	// that never reads: the write timeout still closes the connection.
	big := strings.Repeat("x", 60<<10)
	closed := make(chan struct{})
	ts := startServer(t, evhttp.Config{WriteTimeout: 200 * time.Millisecond}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) {
			r.Conn().SetCloseCallback(func() {
				select {
				case <-closed:
				default:
					close(closed)
				}
			})
			r.SendReply(200, "", []byte(big))
		})
	})
	c := ts.dial()
	reqs := strings.Repeat("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 16)
	go func() {
		for range 200 {
			if _, err := io.WriteString(c, reqs); err != nil {
				return
			}
		}
	}()
	wait(t, closed, "the write timeout")
}

func TestBridgeShutdownWithPipelinedReplies(t *testing.T) {
	// A graceful Shutdown while bridged handlers hold 8 pipelined
	// requests: every reply arrives, in order, then EOF, then done.
	release := make(chan struct{})
	started := make(chan struct{}, 8)
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-release
		io.WriteString(w, r.URL.Path)
	}))
	c := ts.dial()
	sendGETs(c, 8)
	for range 8 {
		wait(t, started, "a handler")
	}
	done := make(chan struct{})
	ts.do(func() { ts.srv.Shutdown(0, func() { close(done) }) })
	close(release)
	br := bufio.NewReader(c)
	for i := range 8 {
		if _, body := readResponse(t, br, "GET"); body != fmt.Sprintf("/%d", i) {
			t.Fatalf("reply %d: got %q; want %q", i, body, fmt.Sprintf("/%d", i))
		}
	}
	expectEOF(t, br)
	c.Close()
	wait(t, done, "Shutdown's done")
}

func TestLateBridgedReplyOnClosingConnection(t *testing.T) {
	// A bridged reply for a request that an earlier "Connection: close"
	// reply dropped arrives while the connection waits to write the rest
	// of that reply before it closes (the client has shut down its side).
	// It must not cork the connection: if the socket then took the rest at
	// once, no write callback would come to close it, and the client
	// would wait for EOF forever. The loop runs on the test's goroutine so
	// that the client can read between the late reply and the next poll.
	l := evtest.NewLoop(t)
	s := evhttp.NewServer(l, evhttp.Config{})
	t.Cleanup(s.Close)
	var held []*evhttp.Request
	peerEOF := false
	s.SetGeneric(func(r *evhttp.Request) {
		held = append(held, r)
		r.Conn().SetCloseCallback(func() { peerEOF = true })
	})
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	cfd := fds[1]
	t.Cleanup(func() { unix.Close(cfd) })
	unix.SetsockoptInt(fds[0], unix.SOL_SOCKET, unix.SO_SNDBUF, 64<<10)
	sndbuf, _ := unix.GetsockoptInt(fds[0], unix.SOL_SOCKET, unix.SO_SNDBUF)
	sc, err := stream.NewConn(l, fds[0])
	if err != nil {
		t.Fatal(err)
	}
	s.Accept(nil, sc)
	unix.Write(cfd, []byte("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"))
	unix.Shutdown(cfd, unix.SHUT_WR)
	evtest.RunUntil(t, l, func() bool { return len(held) == 2 && peerEOF })

	// The first reply is more than the socket takes: the rest is queued,
	// and the connection closes once it is written.
	// The handler closes the connection with it: a request that asks
	// to close stops the parsing, and /2 would not have run.
	body := bytes.Repeat([]byte("x"), sndbuf*3/2)
	held[0].OutputHeaders().Set("Connection", "close")
	held[0].SendReply(200, "", body)
	if evhttp.BufferedOutput(s) == 0 {
		t.Skip("the socket took the whole reply")
	}
	evhttp.CorkPosted(held[1]) // what the bridge does with a reply
	held[1].SendReply(200, "", []byte("late"))

	var got []byte
	buf := make([]byte, 1<<20)
	unix.SetNonblock(cfd, true)
	read := func() (eof bool) {
		for {
			n, err := unix.Read(cfd, buf)
			if n > 0 {
				got = append(got, buf[:n]...)
				continue
			}
			return n == 0 && err == nil
		}
	}
	read()
	deadline := time.Now().Add(5 * time.Second)
	guard := ev.NewTimer(l, 20*time.Millisecond, 0, func(*ev.Timer) {}) // bounds each Run
	defer guard.Stop()
	for !read() {
		if time.Now().After(deadline) {
			t.Fatalf("no EOF 5 s after the reply: the client read %d bytes (the whole reply: %v), the server has %d connections",
				len(got), bytes.HasSuffix(got, body), s.NumConns())
		}
		guard.Stop()
		guard.Start()
		l.Run(ev.RunOnce)
	}
	if !bytes.HasSuffix(got, body) || !bytes.Contains(got, []byte("Connection: close")) {
		t.Errorf("got %d bytes; want the first reply whole", len(got))
	}
}
