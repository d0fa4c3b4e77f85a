package evhttp

import (
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
)

// bridgeBody is the http.Request.Body of a bridged request. The loop moves
// body bytes into buf (whole chunks, without copying) and the handler's
// goroutine reads them. For a streamed body, at most bodyWindow bytes wait
// in buf: what does not fit stays in the server's chunk, which pauses
// reading the connection, until the reader has taken half of the window and
// asks the loop to resume.
type bridgeBody struct {
	loop     *ev.Loop
	req      *http.Request // its Trailer is filled at the end of the body
	wake     chan struct{} // capacity 1: something changed
	resumeFn func()        // b.loopResume, made once
	vecs     [][]byte      // Peek scratch, loop-only
	r        *Request      // loop-only: the streamed request, nil once its reply is complete

	mu      sync.Mutex // guards the fields below
	buf     buffer.Buffer
	trailer http.Header // the chunked body's trailer, set with eof
	eof     bool        // the body is complete: buf holds its end
	err     error       // the body cannot be complete: Read's error once buf is empty
	closed  bool        // the handler closed the body or returned
	paused  bool        // the loop left bytes in its chunk and waits for a resume
	// deadline is the handler's read deadline (SetReadDeadline); zero:
	// none. A Read that would wait past it fails instead.
	deadline time.Time
}

func newBridgeBody(b *bridged, r *Request) *bridgeBody {
	bb := &bridgeBody{loop: b.loop, req: b.req, r: r, wake: make(chan struct{}, 1)}
	bb.resumeFn = bb.loopResume
	return bb
}

func (bb *bridgeBody) signal() {
	select {
	case bb.wake <- struct{}{}:
	default:
	}
}

// Read reads the body; it blocks until bytes arrive, the body ends
// (io.EOF, after which the request's Trailer holds the trailer fields), or
// it fails (*http.MaxBytesError beyond Config.MaxBodyBytes, an error
// wrapping io.ErrUnexpectedEOF and net.ErrClosed when the client went away
// before its end).
func (bb *bridgeBody) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		bb.mu.Lock()
		switch {
		case bb.closed:
			bb.mu.Unlock()
			return 0, http.ErrBodyReadAfterClose
		case bb.buf.Len() > 0:
			n, _ := bb.buf.Read(p)
			resume := bb.paused && bb.buf.Len() <= bodyWindow/2
			if resume {
				bb.paused = false
			}
			bb.mu.Unlock()
			if resume {
				bb.loop.Post(bb.resumeFn)
			}
			return n, nil
		case bb.err != nil:
			err := bb.err
			bb.mu.Unlock()
			return 0, err
		case bb.eof:
			trailer := bb.trailer
			bb.trailer = nil
			bb.mu.Unlock()
			if trailer != nil {
				req := bb.req
				if req.Trailer == nil {
					req.Trailer = make(http.Header, len(trailer))
				}
				for k, v := range trailer {
					req.Trailer[k] = v
				}
			}
			return 0, io.EOF
		}
		deadline := bb.deadline
		bb.mu.Unlock()
		if deadline.IsZero() {
			<-bb.wake
			continue
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return 0, os.ErrDeadlineExceeded
		}
		t := time.NewTimer(wait)
		select {
		case <-bb.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// setDeadline sets the read deadline and wakes a Read that waits, so that
// it measures its wait against the new one (an earlier deadline, or one
// already past, ends it at once, as for a net.Conn).
func (bb *bridgeBody) setDeadline(t time.Time) {
	bb.mu.Lock()
	bb.deadline = t
	bb.mu.Unlock()
	bb.signal()
}

// Close closes the body: the rest of it is discarded, and Read returns
// http.ErrBodyReadAfterClose.
func (bb *bridgeBody) Close() error {
	if bb.discard() {
		bb.loop.Post(bb.resumeFn)
	}
	return nil
}

// discard drops the buffered bytes and what arrives later; it reports
// whether the loop waits for a resume.
func (bb *bridgeBody) discard() bool {
	bb.mu.Lock()
	defer bb.mu.Unlock()
	bb.closed = true
	bb.buf.Reset()
	paused := bb.paused
	bb.paused = false
	return paused
}

// The functions below run on the loop.

// onBody is the Request's body handler.
func (bb *bridgeBody) onBody(chunk *buffer.Buffer, done bool) {
	bb.mu.Lock()
	if bb.closed || bb.err != nil {
		chunk.Reset()
	} else {
		n := chunk.Len()
		if !done {
			n = min(n, max(bodyWindow-bb.buf.Len(), 0))
		}
		bb.take(chunk, n)
		bb.paused = chunk.Len() > 0
		if done {
			bb.eof = true
			if bb.r != nil {
				bb.trailer = trailerOf(bb.r)
			}
		}
	}
	bb.mu.Unlock()
	bb.signal()
}

// take copies the first n bytes of src to buf and drains them from src;
// bb.mu is held.
func (bb *bridgeBody) take(src *buffer.Buffer, n int) {
	bb.vecs = src.Peek(n, bb.vecs[:0])
	for _, v := range bb.vecs {
		bb.buf.Write(v)
	}
	clear(bb.vecs)
	src.Drain(n)
}

// fail makes the body end with err, unless it is already complete.
func (bb *bridgeBody) fail(err error) {
	bb.mu.Lock()
	if !bb.eof && bb.err == nil {
		bb.err = err
	}
	bb.mu.Unlock()
	bb.signal()
}

// loopResume resumes reading a body the window paused.
func (bb *bridgeBody) loopResume() {
	if bb.r != nil {
		bb.r.ResumeBody()
	}
}
