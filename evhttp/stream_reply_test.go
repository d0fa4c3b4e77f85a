package evhttp_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"testing"

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
