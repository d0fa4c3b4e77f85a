package evhttp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/internal/sysio"
	"github.com/eventide-go/eventide/stream"
)

// Hijacking a bridged connection (http.Hijacker). The handler's goroutine
// posts the hijack to the loop and waits for the result. On the loop:
//
//  1. start refuses a connection that is no socket (a stream pair or
//     filter, a pipe: there is no descriptor to hand over), and a request
//     behind which the server has already read another one (it parses
//     pipelined requests ahead of their replies, and cannot give their
//     bytes back). It stops the parsing of anything after the request
//     (Request.switching) and the 100 Continue the server would still send
//     (net/http's Hijack disables it too).
//  2. ready runs once the request's turn has come and the connection's
//     output is written (a completion in Request.dones, as SendChunk's):
//     pipelined replies leave in order, and a hijack must not overtake
//     them. It duplicates the descriptor (F_DUPFD_CLOEXEC), takes the bytes
//     read past the request and the reply head the handler wrote, and
//     detaches the connection from the server: no callback, timer or
//     watcher of its runs any more, it leaves Server.conns (so MaxConns,
//     Shutdown and Close no longer see it), and its request is released.
//  3. finish closes the stream.Conn's descriptor, which sends nothing to
//     the client while the duplicate keeps the socket open (the stream
//     takes it out of the loop's epoll set first, ev.Loop.FdClosing: the
//     registration belongs to the socket, not to the number, and would
//     otherwise outlive the close and report the hijacked socket's
//     readiness to the loop at every iteration), and hands the duplicate
//     to the goroutine, which makes it a net.Conn on Go's own poller
//     (net.FileConn).

var _ http.Hijacker = (*responseWriter)(nil)

var (
	// errHijackNoSocket is Hijack's error on a connection without a
	// socket descriptor.
	errHijackNoSocket = fmt.Errorf("evhttp: Hijack needs a connection on a socket descriptor, not a stream pair, filter or pipe: %w", http.ErrNotSupported)
	// errHijackPipelined is Hijack's error when the server has already
	// read a request pipelined after the hijacked one.
	errHijackPipelined = errors.New("evhttp: Hijack of a request followed by pipelined requests the server has already read")
	// errBodyHijacked is what a streamed request body returns, once the
	// bytes the server had read of it are consumed, after Hijack.
	errBodyHijacked = fmt.Errorf("evhttp: request body read after Hijack; its rest is on the hijacked connection: %w", http.ErrHijacked)
)

// Hijack takes the connection over from the server (http.Hijacker), as
// net/http's Hijack does: the server sends no reply for the request, no
// timeout of its fires, the connection no longer counts against
// Config.MaxConns, Shutdown and Close leave it alone (and Shutdown does not
// wait for it), and the handler's return does nothing to it: closing it is
// the caller's business. Replies to the requests pipelined before this one
// are written first: Hijack waits for them. The net.Conn is made with
// net.FileConn from a duplicate of the connection's descriptor, so it has
// Go's deadlines. Bytes the server had read past the request (a websocket
// frame sent right behind the upgrade request) come first from the
// bufio.Reader, as with net/http.
//
// A head the handler wrote (WriteHeader(101), as some websocket libraries
// do before Hijack) is sent before Hijack returns, and body bytes written
// but not flushed are dropped, as net/http does. After Hijack, Write,
// WriteString and Flush return http.ErrHijacked, WriteHeader does nothing,
// a second Hijack returns http.ErrHijacked, and the request's Context ends
// when the handler returns, no longer when the client goes. A request body
// the server has read whole stays readable; one it was still reading
// (HandleStream, Config.StreamBodies) returns what it holds, then an error
// wrapping http.ErrHijacked: its rest is on the connection, as sent.
//
// Hijack fails, and the reply goes on as before, on a connection that is
// no socket (a stream pair or filter: an error wrapping
// http.ErrNotSupported), and when the server has already read a request
// pipelined after this one: it parses requests ahead of their replies,
// but nothing after a request with an Upgrade field or a CONNECT request,
// whose following bytes may be another protocol's. Called after the
// handler returned, it fails (net/http panics).
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.b == nil {
		return nil, nil, errHandlerReturned
	}
	return w.b.hijack()
}

// hijacked reports whether the handler hijacked the connection. The
// handler's goroutine only.
func (b *bridged) hijacked() bool { return b.err == http.ErrHijacked }

// hijack is Hijack while the handler runs.
func (b *bridged) hijack() (net.Conn, *bufio.ReadWriter, error) {
	if b.err != nil {
		return nil, nil, b.err // hijacked already, or the connection is gone
	}
	// A head the handler wrote goes out first, prepared as for a streamed
	// reply: net/http's Hijack flushes it as the start of a body to come.
	prepared := b.wroteHeader && !b.streaming
	omitType := b.omitType
	if prepared {
		b.startStream(nil)
	}
	h := &hijacking{b: b, withHead: b.streaming, fd: -1, result: make(chan struct{})}
	b.loop.Post(h.start)
	if err := h.wait(); err != nil {
		if prepared { // the reply goes on as if Hijack had not been called
			b.streaming, b.omitType = false, omitType
		}
		if err == errConnGone {
			b.err = err
		}
		return nil, nil, err
	}
	b.err = http.ErrHijacked
	b.buf = b.buf[:0]
	conn, err := fileConn(h.fd)
	if err != nil {
		return nil, nil, err // the server let the connection go: it is lost
	}
	if len(h.head) > 0 {
		if _, err := conn.Write(h.head); err != nil {
			conn.Close()
			return nil, nil, err
		}
	}
	return conn, bufio.NewReadWriter(readerAfter(h.in, conn), bufio.NewWriter(conn)), nil
}

// readerAfter returns a bufio.Reader that reads in, then conn. in is
// buffered at once: Buffered reports it, as net/http's reader holds the
// bytes it had read.
func readerAfter(in []byte, conn net.Conn) *bufio.Reader {
	if len(in) == 0 {
		return bufio.NewReader(conn)
	}
	br := bufio.NewReaderSize(io.MultiReader(bytes.NewReader(in), conn), max(len(in), 4<<10))
	br.Peek(len(in)) // one read of in, which fits: conn is not read
	return br
}

// fileConn makes the descriptor fd, which it takes over, a net.Conn.
func fileConn(fd int) (net.Conn, error) {
	f := os.NewFile(uintptr(fd), "evhttp-hijacked")
	defer f.Close() // net.FileConn made a duplicate of its own
	return net.FileConn(f)
}

// hijacking is one Hijack in progress. The goroutine sets b, withHead
// and result, then reads err, or fd, head and in, once result is closed;
// the loop sets the rest.
type hijacking struct {
	b        *bridged
	withHead bool          // the handler wrote a head: send it if it is not out yet
	result   chan struct{} // closed by the loop once the hijack succeeded or failed

	r       *Request
	c       *Conn
	need100 bool         // r's, which start cleared: restored if the dup fails
	sc      *stream.Conn // closed by finish
	fd      int          // the duplicate descriptor handed over, -1 until made
	head    []byte       // the reply head to send first
	in      []byte       // the bytes the server read past the request
	err     error
}

// wait waits for the loop's result; the connection going away ends it
// too, for a loop closed before the hijack could run (see bridged.send).
func (h *hijacking) wait() error {
	b := h.b
	done := b.ctx.Done()
	for {
		select {
		case <-h.result:
			return h.err
		case <-done:
			// Cancelled: the client went away, or only shut down its
			// side, and its bytes may still be taken over.
			if b.gone.Load() {
				return errConnGone
			}
			done = nil
		}
	}
}

// The functions below run on the loop.

// start checks that the request can be hijacked and waits for its turn.
func (h *hijacking) start() {
	r := h.b.r
	if r == nil || r.orphan || !r.queued || r.c.closed || r.c.lingering {
		h.fail(errConnGone)
		return
	}
	c := r.c
	switch {
	case !isSocket(c.sc.Fd()):
		h.fail(errHijackNoSocket)
		return
	case r.next != nil || c.cur != nil && c.cur != r:
		h.fail(errHijackPipelined)
		return
	}
	h.r, h.c, h.need100 = r, c, r.need100
	r.switching = true
	r.need100 = false
	r.dones = append(r.dones, h.ready)
	r.flush() // if it is r's turn: r's completions join the connection's
}

// ready hands the connection over once every earlier reply is written,
// or fails if the connection went away first.
func (h *hijacking) ready() {
	r, c, b := h.r, h.c, h.b
	// A stream that stopped reading has a write error waiting for the
	// loop to deliver it (the server never disables reading): the
	// connection is about to close, and the stream would close its
	// descriptor with its watcher still registered.
	if c.closed || r.orphan || b.r != r || c.qhead != r || c.sc.Enabled()&stream.Read == 0 {
		h.fail(errConnGone)
		return
	}
	if c.sc.OutputLen() > 0 {
		// Written since r's turn came (an informational reply): wait for
		// that too.
		c.dones = append(c.dones, h.ready)
		c.armDones()
		return
	}
	fd, err := sysio.DupCloexec(c.sc.Fd())
	if err != nil {
		// The reply goes on: a client still waiting for its 100 Continue
		// gets the reply's close instead (bodyWithheld), not a hang.
		r.need100 = h.need100
		h.fail(err)
		return
	}
	h.fd = fd
	if h.withHead && !r.started {
		b.applyHead(r)
	}
	h.head = takeBytes(&r.out)
	h.in = takeBytes(c.sc.Input())
	if c.cur == r {
		// A streamed body the server was still reading: its rest is the
		// hijacker's, as sent.
		c.cur = nil
		if b.body != nil {
			b.body.hijacked(&r.body)
		}
	}
	b.release()
	c.dequeue()
	c.srv.release(r)
	c.detach()
	h.sc = c.sc
	h.finish()
}

// finish closes the stream.Conn's descriptor and hands the duplicate
// over.
func (h *hijacking) finish() {
	h.sc.Close()
	close(h.result)
}

func (h *hijacking) fail(err error) {
	h.err = err
	close(h.result)
}

// detach takes c away from its server for a hijack: nothing of the
// server's touches it any more (closed makes the server's paths skip it),
// and it stops reading and writing.
func (c *Conn) detach() {
	c.closed = true
	c.timer.Stop()
	if c.doneTimer != nil {
		c.doneTimer.Stop()
	}
	for len(c.dones) > 0 {
		c.runDones() // completions of replies written: they see c closed
	}
	c.sc.SetCallbacks(nil, nil, nil)
	c.sc.Disable(stream.Read | stream.Write)
	s := c.srv
	s.removeConn(c)
	if s.shutting && len(s.conns) == 0 {
		s.finishShutdown()
	}
}

// takeBytes returns a copy of what buf holds, draining it; nil if empty.
func takeBytes(buf *buffer.Buffer) []byte {
	if buf.Len() == 0 {
		return nil
	}
	p := make([]byte, buf.Len())
	buf.Read(p)
	return p
}

// hijacked ends a streamed body the server was still reading: rest, the
// bytes it had read and the body handler had not taken, joins what Read
// returns, then Read fails with errBodyHijacked.
func (bb *bridgeBody) hijacked(rest *buffer.Buffer) {
	bb.mu.Lock()
	if bb.closed || bb.err != nil {
		rest.Reset()
	} else {
		bb.take(rest, rest.Len())
	}
	bb.paused = false
	bb.mu.Unlock()
	bb.fail(errBodyHijacked)
}

// applySwitchHead writes the head of a 101 (Switching Protocols) reply
// into r's output, with the handler's fields but those that describe a
// body, as net/http writes it. A 101 the handler does not follow with
// Hijack ends the connection after the head: the client took it for a
// switch.
func (b *bridged) applySwitchHead(r *Request) {
	s := r.c.srv
	var set fieldSet
	for _, f := range b.hdr {
		set |= nameSet(f.name)
	}
	h := appendStatusLine(s.hdr[:0], http.StatusSwitchingProtocols, reasonPhrase(http.StatusSwitchingProtocols))
	if !b.omitDate && set&setDate == 0 {
		h = append(h, s.date.line(s)...)
	}
	if set&setServer == 0 {
		h = append(h, s.serverLine...)
	}
	for _, f := range b.hdr {
		if nameSet(f.name)&(setType|setLength|setTE) != 0 {
			continue
		}
		h = append(h, f.name...)
		h = append(h, ": "...)
		h = append(h, f.value...)
		h = append(h, "\r\n"...)
	}
	h = append(h, "\r\n"...)
	r.out.Write(h)
	s.keepScratch(h)
	r.started, r.noBody, r.keepAlive = true, true, false
}

// isSocket reports whether fd is a socket's descriptor (-1: none).
func isSocket(fd int) bool {
	if fd < 0 {
		return false
	}
	_, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
	return err == nil
}
