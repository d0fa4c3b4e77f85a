package evhttp_test

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

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
