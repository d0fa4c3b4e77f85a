package evhttp_test

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eventide-go/eventide/evhttp"
)

// writeUntilError writes 256 KiB pieces of one buffer until a write fails,
// and scribbles on the buffer right after the failure: the race detector
// reports a loop still copying from it.
func writeUntilError(w http.ResponseWriter) (int64, error) {
	p := make([]byte, 256<<10)
	var n int64
	for {
		m, err := w.Write(p)
		n += int64(m)
		if err != nil {
			for i := range p {
				p[i] = 'x'
			}
			return n, err
		}
	}
}

// TestBridgeWriteDeadline checks http.ResponseController.SetWriteDeadline:
// a reply the client does not read fails at the deadline with an error
// matching os.ErrDeadlineExceeded, later writes fail the same way, and the
// connection is closed (the client reads what was sent, then EOF).
func TestBridgeWriteDeadline(t *testing.T) {
	type result struct {
		n     int64
		err   error
		after error // a Write after the failure
		took  time.Duration
	}
	results := make(chan result, 1)
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if err := http.NewResponseController(w).SetWriteDeadline(start.Add(100 * time.Millisecond)); err != nil {
			results <- result{err: err}
			return
		}
		n, err := writeUntilError(w)
		_, after := io.WriteString(w, "more")
		results <- result{n, err, after, time.Since(start)}
	}))
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	got := wait(t, results, "the handler's write to fail")
	if !errors.Is(got.err, os.ErrDeadlineExceeded) || !errors.Is(got.after, os.ErrDeadlineExceeded) {
		t.Fatalf("after %d bytes: write error %v, then %v; want %v twice", got.n, got.err, got.after, os.ErrDeadlineExceeded)
	}
	if got.took < 100*time.Millisecond {
		t.Errorf("the write failed %v after the handler started, before its deadline", got.took)
	}
	// The connection is closed: what reached the kernel arrives, then EOF,
	// well before the client's own 20 s deadline.
	n, err := io.Copy(io.Discard, c)
	if err != nil && !isReset(err) {
		t.Fatalf("reading the cut reply: %d bytes, %v; want EOF", n, err)
	}
	// The failed Write's piece may have gone out in part: it counts no
	// bytes, but the loop had taken it.
	if n == 0 || n > got.n+256<<10+4096 {
		t.Errorf("client read %d bytes of a reply of which the handler wrote %d", n, got.n)
	}
}

// TestBridgeWriteDeadlinePast checks a deadline already past: bytes that
// only buffer are accepted, the Flush that would send them fails at once,
// and the client gets no reply, only the connection's end.
func TestBridgeWriteDeadlinePast(t *testing.T) {
	type result struct{ write, flush error }
	results := make(chan result, 1)
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		rc.SetWriteDeadline(time.Now().Add(-time.Second))
		_, werr := io.WriteString(w, "buffered")
		results <- result{werr, rc.Flush()}
	}))
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	got := wait(t, results, "the handler")
	if got.write != nil || !errors.Is(got.flush, os.ErrDeadlineExceeded) {
		t.Fatalf("write %v, flush %v; want nil, %v", got.write, got.flush, os.ErrDeadlineExceeded)
	}
	b, err := io.ReadAll(c)
	if len(b) != 0 || err != nil && !isReset(err) {
		t.Errorf("client got %q, %v; want nothing, EOF", b, err)
	}
}

// TestBridgeWriteDeadlineStream checks that a deadline pushed back before
// each write never cuts a stream the client keeps reading, and that the
// zero time lifts a deadline that has passed.
func TestBridgeWriteDeadlineStream(t *testing.T) {
	const pieces, size = 40, 64 << 10
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		rc.SetWriteDeadline(time.Now().Add(-time.Second))
		rc.SetWriteDeadline(time.Time{})
		p := []byte(strings.Repeat("s", size))
		for range pieces {
			if err := rc.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
				panic(err)
			}
			if _, err := w.Write(p); err != nil {
				panic(err)
			}
			if err := rc.Flush(); err != nil {
				panic(err)
			}
		}
	}))
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, body := readResponse(t, bufio.NewReader(c), "GET")
	if resp.StatusCode != 200 || len(body) != pieces*size || strings.Trim(body, "s") != "" {
		t.Errorf("got %d with %d bytes; want 200 with %d bytes of s", resp.StatusCode, len(body), pieces*size)
	}
}

// TestBridgeWriteDeadlineFromElsewhere checks that a deadline set from
// another goroutine ends a Write that waits without one.
func TestBridgeWriteDeadlineFromElsewhere(t *testing.T) {
	controllers := make(chan *http.ResponseController, 1)
	results := make(chan error, 1)
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		controllers <- http.NewResponseController(w)
		_, err := writeUntilError(w)
		results <- err
	}))
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	rc := wait(t, controllers, "the handler")
	// The handler writes until the kernel's buffers are full and then
	// waits; a past deadline set now ends that wait, or the next one.
	if err := rc.SetWriteDeadline(time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := wait(t, results, "the write to fail"); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("write error %v; want %v", err, os.ErrDeadlineExceeded)
	}
	if _, err := io.Copy(io.Discard, c); err != nil && !isReset(err) {
		t.Fatalf("reading the cut reply: %v; want EOF", err)
	}
}

// isReset reports a connection reset: the server closed with bytes of the
// client's unread, which some kernels answer with RST instead of FIN.
func isReset(err error) bool { return errors.Is(err, syscall.ECONNRESET) }
