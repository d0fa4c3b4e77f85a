package evhttp_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/eventide-go/eventide/evhttp"
)

// TestStreamedReplyFraming streams replies of every shape and checks what
// the client reads: an empty SendChunk does not end the body, a large
// piece arrives whole, HEAD and 204/304 carry no body whatever is sent, and
// the request pipelined behind each reply is answered after it.
func TestStreamedReplyFraming(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	tests := []struct {
		name   string
		method string
		code   int
		pieces [][]byte
		want   string
	}{
		{"empty pieces", "GET", 200, [][]byte{nil, []byte("a"), {}, []byte("b"), nil}, "ab"},
		{"large piece", "GET", 200, [][]byte{big, []byte("!")}, string(big) + "!"},
		{"HEAD", "HEAD", 200, [][]byte{[]byte("hidden")}, ""},
		{"204", "GET", 204, [][]byte{[]byte("hidden")}, ""},
		{"304", "GET", 304, [][]byte{[]byte("hidden")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
				s.HandleFunc("/s", func(r *evhttp.Request) {
					r.StartReply(tt.code, "")
					for _, p := range tt.pieces {
						r.SendChunk(p, nil)
					}
					r.EndReply()
				})
				s.SetGeneric(echo)
			})
			c := ts.dial()
			io.WriteString(c, tt.method+" /s HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n")
			br := bufio.NewReader(c)
			resp, body := readResponse(t, br, tt.method)
			if resp.StatusCode != tt.code || body != tt.want || resp.Close {
				t.Errorf("got %d with %d body bytes, close %v; want %d with %d, kept alive", resp.StatusCode, len(body), resp.Close, tt.code, len(tt.want))
			}
			if tt.code != 200 && (len(resp.TransferEncoding) != 0 || resp.Header.Get("Content-Length") != "") {
				t.Errorf("%d: got Transfer-Encoding %v, Content-Length %q; want neither", tt.code, resp.TransferEncoding, resp.Header.Get("Content-Length"))
			}
			if _, body := readResponse(t, br, "GET"); body != "GET /next " {
				t.Errorf("next: got %q; want %q", body, "GET /next ")
			}
		})
	}
}

// TestSendChunkDoneWhenQueuedReplyDropped: a streamed reply completed
// behind an unanswered request waits its turn with its SendChunk
// completions; the client resets the connection before that turn comes. Every completion
// must still run ("or the connection is gone"), not vanish with the
// recycled request.
func TestSendChunkDoneWhenQueuedReplyDropped(t *testing.T) {
	var held, streamed *evhttp.Request
	ran := 0
	closed := make(chan struct{})
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/hold", func(r *evhttp.Request) {
			held = r
			r.Conn().SetCloseCallback(func() { close(closed) })
		})
		s.HandleFunc("/s", func(r *evhttp.Request) {
			r.StartReply(200, "")
			r.SendChunk([]byte("a"), func() { ran++ })
			r.EndReply()
			streamed = r
		})
	})
	c := ts.dial()
	io.WriteString(c, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\nGET /s HTTP/1.1\r\nHost: x\r\n\r\n")
	ts.waitHeld(&held)
	ts.waitHeld(&streamed)
	c.(*net.TCPConn).SetLinger(0) // a reset: the server closes at once
	c.Close()
	wait(t, closed, "the close callback")
	var got int
	ts.do(func() { got = ran })
	if got != 1 {
		t.Errorf("completion ran %d times; want 1", got)
	}
}

// TestStreamedRepliesInterleaved: two pipelined requests stream their
// replies at the same time, the second ending first; the client reads
// the first whole, then the second, and each producer's completions
// drive it on.
func TestStreamedRepliesInterleaved(t *testing.T) {
	var a, b *evhttp.Request
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/a", func(r *evhttp.Request) { a = r; r.StartReply(200, "") })
		s.HandleFunc("/b", func(r *evhttp.Request) { b = r; r.StartReply(200, "") })
	})
	c := ts.dial()
	io.WriteString(c, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
	ts.waitHeld(&a)
	ts.waitHeld(&b)
	bDone := make(chan struct{})
	ts.do(func() {
		b.SendChunk([]byte("b1"), nil)
		a.SendChunk([]byte("a1"), nil)
		b.SendChunk([]byte("b2"), func() { close(bDone) })
		b.EndReply()
		a.SendChunk(nil, nil)
	})
	select {
	case <-bDone:
		t.Fatal("the second reply's completion ran before its turn")
	default:
	}
	ts.do(func() {
		a.SendChunk([]byte("a2"), nil)
		a.EndReply()
	})
	br := bufio.NewReader(c)
	for _, want := range []string{"a1a2", "b1b2"} {
		if _, body := readResponse(t, br, "GET"); body != want {
			t.Errorf("got %q; want %q", body, want)
		}
	}
	wait(t, bDone, "the second reply's completion")
}

// TestShutdownDuringStream: Shutdown while a reply streams lets it finish
// (no deadline) and then closes; with a deadline that passes first, the
// connection closes and the producer's completions still run.
func TestShutdownDuringStream(t *testing.T) {
	var held *evhttp.Request
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) { held = r; r.StartReply(200, ""); r.SendChunk([]byte("one;"), nil) })
	})
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	ts.waitHeld(&held)
	shut := make(chan struct{})
	ts.do(func() { ts.srv.Shutdown(0, func() { close(shut) }) })
	ts.do(func() { held.SendChunk([]byte("two"), nil); held.EndReply() })
	br := bufio.NewReader(c)
	if _, body := readResponse(t, br, "GET"); body != "one;two" {
		t.Errorf("got %q; want %q", body, "one;two")
	}
	expectEOF(t, br)
	wait(t, shut, "Shutdown's done")

	held = nil
	ts2 := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) { held = r; r.StartReply(200, "") })
	})
	c2 := ts2.dial()
	io.WriteString(c2, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	ts2.waitHeld(&held)
	shut2 := make(chan struct{})
	ts2.do(func() { ts2.srv.Shutdown(time.Millisecond, func() { close(shut2) }) })
	wait(t, shut2, "Shutdown's done after its deadline")
	late := make(chan struct{})
	ts2.do(func() { held.SendChunk([]byte("late"), func() { close(late) }); held.EndReply() })
	wait(t, late, "the completion of a piece sent after the connection closed")
}
