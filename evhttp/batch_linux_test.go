package evhttp_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
	"golang.org/x/sys/unix"
)

// dataSegmentsIn is how many TCP segments with data c has received.
func dataSegmentsIn(t *testing.T, c net.Conn) uint32 {
	t.Helper()
	rc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var info *unix.TCPInfo
	var gerr error
	if err := rc.Control(func(fd uintptr) { info, gerr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO) }); err != nil {
		t.Fatal(err)
	}
	if gerr != nil {
		t.Fatal(gerr)
	}
	return info.Data_segs_in
}

func TestPipelinedRepliesLeaveTogether(t *testing.T) {
	// Requests that arrive together are answered together: one write, so
	// one TCP segment here (the server sets TCP_NODELAY, so one write per
	// reply would be one segment per reply).
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	c := ts.dial()
	var reqs strings.Builder
	for i := range 10 {
		if i == 4 {
			reqs.WriteString("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
			continue
		}
		fmt.Fprintf(&reqs, "GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
	}
	io.WriteString(c, reqs.String())
	br := bufio.NewReader(c)
	for i := range 10 {
		want := fmt.Sprintf("GET /%d ", i)
		if i == 4 {
			want = "POST /p abc"
		}
		if resp, body := readResponse(t, br, "GET"); resp.StatusCode != 200 || body != want {
			t.Fatalf("reply %d: got %d %q; want 200 %q", i, resp.StatusCode, body, want)
		}
	}
	if n := dataSegmentsIn(t, c); n != 1 {
		t.Errorf("10 pipelined replies came in %d segments; want 1", n)
	}
	// A lone request is still answered at once.
	io.WriteString(c, "GET /lone HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, body := readResponse(t, br, "GET"); body != "GET /lone " {
		t.Errorf("lone request: got %q", body)
	}
}

func TestPipelinedRepliesBeyondTheOutputLimit(t *testing.T) {
	// 16 pipelined requests whose replies (40 KiB each) together exceed
	// what the server queues unread before it stops parsing: it writes
	// what it holds, then parses on, with no write callback to wake it as
	// long as the socket takes everything.
	big := strings.Repeat("x", 40<<10)
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) { r.SendReply(200, "", []byte(r.URI()+big)) })
	})
	c := ts.dial()
	sendGETs(c, 16)
	br := bufio.NewReader(c)
	for i := range 16 {
		want := fmt.Sprintf("/%d", i) + big
		if resp, body := readResponse(t, br, "GET"); resp.StatusCode != 200 || body != want {
			t.Fatalf("reply %d: got %d with %d bytes; want 200 with %d", i, resp.StatusCode, len(body), len(want))
		}
	}
}

func TestPostedRepliesLeaveTogether(t *testing.T) {
	// Replies made from posted functions (as the bridge's are) and corked
	// until the batch of posted functions has run leave in one write.
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) {
			s.Loop().Post(func() {
				evhttp.CorkPosted(r)
				r.SendReply(200, "", []byte(r.URI()))
			})
		})
	})
	c := ts.dial()
	sendGETs(c, 10)
	br := bufio.NewReader(c)
	for i := range 10 {
		if resp, body := readResponse(t, br, "GET"); resp.StatusCode != 200 || body != fmt.Sprintf("/%d", i) {
			t.Fatalf("reply %d: got %d %q", i, resp.StatusCode, body)
		}
	}
	if n := dataSegmentsIn(t, c); n != 1 {
		t.Errorf("10 posted replies came in %d segments; want 1", n)
	}
}

func TestStreamedPiecesLeaveTogether(t *testing.T) {
	// A handler that streams its reply in pieces before it returns: the
	// head leaves at once, the pieces together when it is done.
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) {
			r.StartReply(200, "")
			for i := range 10 {
				r.SendChunk([]byte(fmt.Sprintf("piece %d;", i)), nil)
			}
			r.EndReply()
		})
	})
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	var want strings.Builder
	for i := range 10 {
		fmt.Fprintf(&want, "piece %d;", i)
	}
	if resp, body := readResponse(t, br, "GET"); resp.StatusCode != 200 || body != want.String() {
		t.Fatalf("got %d %q; want 200 %q", resp.StatusCode, body, want.String())
	}
	if n := dataSegmentsIn(t, c); n > 2 {
		t.Errorf("a head and 10 pieces written in one handler came in %d segments; want at most 2", n)
	}
}
