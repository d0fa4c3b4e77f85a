package evhttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/internal/http1"
)

// Bridge returns a HandlerFunc that serves requests with h, a net/http
// handler, so that http.ServeMux and the handlers written for net/http run
// on a Server. Register it like any handler: HandleFunc("/api",
// Bridge(h)), SetGeneric(Bridge(mux)), or HandleStream (or
// Config.StreamBodies) to stream request bodies to the handler instead of
// buffering them.
//
// For each request the loop builds an *http.Request and runs h on a new
// goroutine, so h may block; everything h writes goes back to the loop
// through ev.Loop.Post. A reply the handler finishes within 8 KiB leaves as
// one reply with a Content-Length; beyond that, or on Flush, it is streamed
// (chunked, or raw under a Content-Length the handler set), and Write waits
// until the loop has written each piece to the socket, so a slow client
// holds the handler back instead of filling memory. See the package
// documentation's "net/http bridge" section for what is and is not
// supported.
//
// It panics if h is nil.
func Bridge(h http.Handler) HandlerFunc {
	if h == nil {
		panic("evhttp: Bridge with a nil http.Handler")
	}
	return func(r *Request) { serveBridged(h, r) }
}

// Sizes of the bridge's buffers.
const (
	// replyBuffer is how much a handler's reply is buffered before it is
	// streamed; a reply complete within it goes out in one piece with a
	// Content-Length (net/http buffers 2 KiB before chunking: a larger
	// buffer saves round trips to the loop and stays small).
	replyBuffer = 8 << 10
	// maxPiece bounds one piece of a streamed reply handed to the loop,
	// so that one large Write is not copied whole into the connection's
	// output before the client takes any of it.
	maxPiece = 256 << 10
	// bodyWindow is how many request body bytes wait for the handler's
	// Read before the server stops reading the connection.
	bodyWindow = 64 << 10
)

// errConnGone is what the ResponseWriter's methods return once the reply
// can no longer reach the client.
var errConnGone = fmt.Errorf("evhttp: client connection closed: %w", net.ErrClosed)

// errWriteTimeout is what the ResponseWriter's methods return once a write
// missed the deadline of http.ResponseController.SetWriteDeadline.
var errWriteTimeout = fmt.Errorf("evhttp: write deadline exceeded: %w", os.ErrDeadlineExceeded)

// errBodyCut is what Request.Body's Read returns once the connection is
// gone before the body ended: io.ErrUnexpectedEOF, which a net/http
// handler gets for a body cut short, and net.ErrClosed as for the writes.
var errBodyCut = fmt.Errorf("evhttp: client connection closed before the request body ended: %w (%w)", io.ErrUnexpectedEOF, net.ErrClosed)

// bridgeConn is what Bridge keeps per connection, allocated on its first
// request so that connections the bridge never serves do not pay for it.
type bridgeConn struct {
	reqs   []*bridged      // requests in flight, told when the client goes
	remote string          // RemoteAddr().String(), for http.Request.RemoteAddr
	ctx    context.Context // the requests' parent: holds http.LocalAddrContextKey
}

// bridged is one request served through Bridge: the http.Request and
// ResponseWriter of the handler's goroutine, and the loop-side state that
// turns the handler's writes into the Request's reply.
//
// Fields are grouped by owner. Values handed from the handler's goroutine
// to the loop are written before ev.Loop.Post and read by the posted
// function (Post orders them); the goroutine writes them again only after
// the loop acknowledged the previous hand-off, or never again after the
// final one.
type bridged struct {
	// Set on the loop before the goroutine starts; read-only afterwards.
	h      http.Handler
	req    *http.Request
	ctx    context.Context
	cancel context.CancelCauseFunc // goroutine-safe; errConnGone when the client went away
	loop   *ev.Loop
	logger *slog.Logger
	body   *bridgeBody // nil when the request has no body
	head   bool        // a HEAD request

	// Loop-only.
	r    *Request // nil once the reply is complete: never touched again
	conn *Conn

	// Handed from the goroutine to the loop.
	code    int
	length  int64         // Content-Length of the head, -1 if streamed without one
	hdr     []headerField // the reply's header fields
	pending []byte        // bytes to send
	short   bool          // fewer bytes than a declared Content-Length: close after
	trailer []headerField // the trailer fields, with the end of a streamed reply
	send500 bool          // after a panic: answer 500 if no head went out

	// Set by the loop, read by the goroutine after an acknowledgement or
	// while waiting for one.
	gone atomic.Bool // the reply can no longer be sent

	// The write deadline (http.ResponseController.SetWriteDeadline), in
	// Unix nanoseconds, 0 for none: set from any goroutine, read by the
	// handler's while it waits for the loop, which wdlWake (capacity 1)
	// wakes to look again.
	wdl     atomic.Int64
	wdlWake chan struct{}

	// The ResponseWriter's state: the handler's goroutine only.
	header       http.Header
	keys         []string // header snapshot scratch
	wroteHeader  bool
	hasType      bool     // the handler set Content-Type (even empty): no sniffing
	omitType     bool     // no Content-Type at all (set to nil, or flushed before any byte)
	omitDate     bool     // no Date (the handler set it to nil)
	streaming    bool     // the head was handed to the loop
	trailers     bool     // the head announced trailer fields: the reply is chunked
	trailerNames []string // the names the "Trailer" field declared
	status       int
	declared     int64 // Content-Length the handler set, -1 if none
	written      int64
	buf          []byte
	err          error         // sticky: errConnGone, errWriteTimeout, or http.ErrHijacked after Hijack
	ack          chan struct{} // the loop wrote a piece (streaming only)

	// Method values, made once per pooled struct.
	ackFn, chunkFn, replyFn, endFn, abortFn, timeoutFn func()
}

// bridgedPool recycles the bridged structs with their buffers, header map
// and method values. A struct goes back once both sides are done with it:
// the handler's goroutine after its last Post, the loop after the function
// it posted last has run.
var bridgedPool sync.Pool

func newBridged() *bridged {
	if b, ok := bridgedPool.Get().(*bridged); ok {
		return b
	}
	b := &bridged{ack: make(chan struct{}, 1), wdlWake: make(chan struct{}, 1)}
	b.ackFn = b.signalAck
	b.chunkFn = b.loopChunk
	b.replyFn = b.loopReply
	b.endFn = b.loopEnd
	b.abortFn = b.loopAbort
	b.timeoutFn = b.loopWriteTimeout
	return b
}

// serveBridged runs on the loop: it builds the http.Request for r and
// starts h's goroutine.
func serveBridged(h http.Handler, r *Request) {
	c := r.c
	var req http.Request
	if err := fillHTTPRequest(&req, r); err != nil {
		r.SendError(400, "")
		return
	}
	if r.method == MethodOptions && r.URI() == "*" {
		h = globalOptions // as net/http's server: a ServeMux would answer 400
	}
	ctx, cancel := context.WithCancelCause(c.br.ctx)
	b := newBridged()
	b.h = h
	b.req = req.WithContext(ctx)
	b.ctx = ctx
	b.cancel = cancel
	b.loop = c.srv.loop
	b.logger = c.srv.cfg.Logger
	b.head = r.head
	b.r = r
	b.conn = c
	b.declared = -1
	switch {
	case r.streaming:
		b.body = newBridgeBody(b, r)
		r.SetBodyHandler(b.body.onBody)
		r.bodyErrFn = b.onBodyError
		b.req.Body = b.body
	case r.body.Len() > 0 || r.chunked:
		b.body = newBridgeBody(b, nil)
		b.body.take(&r.body, r.body.Len())
		b.body.eof = true
		b.body.trailer = trailerOf(r)
		b.req.Body = b.body
	default:
		b.req.Body = http.NoBody
	}
	if c.br == nil {
		c.br = new(bridgeConn)
	}
	c.br.reqs = append(c.br.reqs, b)
	if c.peerEOF {
		cancel(errConnGone) // the client already went away (net/http does the same)
	}
	go b.serve()
}

// globalOptions answers "OPTIONS *" as net/http's server does instead of
// calling the handler: 200 with an empty body, after reading at most 4 KiB
// of the request's.
var globalOptions http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", "0")
	if r.ContentLength != 0 {
		io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, 4<<10))
	}
})

// reasonPhrase returns the reason phrase net/http's server sends with
// code, which knows more codes than StatusText.
func reasonPhrase(code int) string {
	if text := http.StatusText(code); text != "" {
		return text
	}
	return "status code " + strconv.Itoa(code)
}

// recycle puts b back in bridgedPool; the loop calls it from the last
// function the goroutine posted.
func (b *bridged) recycle() {
	select {
	case <-b.ack: // a stale acknowledgement of a piece the goroutine gave up on
	default:
	}
	select {
	case <-b.wdlWake: // a deadline set while no piece was waiting
	default:
	}
	clear(b.header)
	clear(b.hdr)
	clear(b.keys)
	*b = bridged{
		header: b.header, keys: b.keys[:0], hdr: b.hdr[:0], buf: b.buf[:0],
		ack: b.ack, wdlWake: b.wdlWake,
		ackFn: b.ackFn, chunkFn: b.chunkFn, replyFn: b.replyFn, endFn: b.endFn, abortFn: b.abortFn, timeoutFn: b.timeoutFn,
	}
	bridgedPool.Put(b)
}

// fillHTTPRequest converts r's head into req, as net/http's server would
// have read it. The Host field is removed from Header, as net/http does.
func fillHTTPRequest(req *http.Request, r *Request) error {
	p := r.p
	target := r.URI()
	raw := target
	connect := r.method == MethodConnect && !strings.HasPrefix(target, "/")
	if connect {
		raw = "http://" + target
	}
	u, err := url.ParseRequestURI(raw)
	if err != nil {
		return err
	}
	if connect {
		u.Scheme = ""
	}
	_, minor := p.Proto()
	proto := r.Proto()
	if minor > 1 {
		proto = "HTTP/1." + strconv.Itoa(minor) // as sent: net/http keeps it
	}
	host := u.Host
	if host == "" {
		host = string(p.Host())
	}
	c := r.c
	if c.br == nil {
		c.br = new(bridgeConn)
	}
	if c.br.ctx == nil {
		// Made once per connection, as net/http does.
		c.br.ctx = context.Background()
		if a := c.sc.LocalAddr(); a != nil {
			c.br.ctx = context.WithValue(c.br.ctx, http.LocalAddrContextKey, a)
		}
		if a := c.RemoteAddr(); a != nil {
			c.br.remote = a.String()
		}
	}
	*req = http.Request{
		Method:     r.method,
		URL:        u,
		Proto:      proto,
		ProtoMajor: 1,
		ProtoMinor: minor,
		Header:     httpHeader(p),
		Host:       host,
		RemoteAddr: c.br.remote,
		RequestURI: target,
		Close:      !p.KeepAlive(),
	}
	switch {
	case r.chunked:
		req.ContentLength = -1
		req.TransferEncoding = []string{"chunked"}
		req.Header.Del("Transfer-Encoding") // as net/http: it is in TransferEncoding
		announceTrailer(req)
	case p.BodyKind() == http1.BodyLength:
		req.ContentLength = p.ContentLength()
	}
	return nil
}

// httpHeader converts the parsed header fields to an http.Header without
// Host, the way net/textproto does it: one backing array for the value
// slices, and here one string for every value.
func httpHeader(p *http1.RequestParser) http.Header {
	n := p.NumHeaders()
	h := make(http.Header, n)
	size := 0
	for i := range n {
		_, v := p.Header(i)
		size += len(v)
	}
	var sb strings.Builder
	sb.Grow(size)
	for i := range n {
		_, v := p.Header(i)
		sb.Write(v)
	}
	all := sb.String()
	strs := make([]string, n)
	off := 0
	for i := range n {
		name, v := p.Header(i)
		value := all[off : off+len(v)]
		off += len(v)
		key := canonicalKey(name)
		if key == "Host" {
			continue
		}
		if vv := h[key]; vv != nil {
			h[key] = append(vv, value)
			continue
		}
		vv := strs[:1:1]
		strs = strs[1:]
		vv[0] = value
		h[key] = vv
	}
	return h
}

// commonKeys maps frequent header names, as sent canonically or in lower
// case, to their canonical form, so converting them allocates nothing.
var commonKeys = func() map[string]string {
	names := []string{
		"Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language",
		"Authorization", "Cache-Control", "Connection", "Content-Encoding",
		"Content-Length", "Content-Type", "Cookie", "Expect", "Host",
		"If-Match", "If-Modified-Since", "If-None-Match", "Origin", "Pragma",
		"Range", "Referer", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
		"User-Agent", "Via", "X-Forwarded-For", "X-Forwarded-Proto",
		"X-Real-Ip", "X-Request-Id",
	}
	m := make(map[string]string, 2*len(names))
	for _, n := range names {
		m[n] = n
		m[strings.ToLower(n)] = n
	}
	return m
}()

func canonicalKey(name []byte) string {
	if k, ok := commonKeys[string(name)]; ok {
		return k
	}
	return textproto.CanonicalMIMEHeaderKey(string(name))
}

// announceTrailer moves the "Trailer" header of a chunked request into
// req.Trailer's keys, with nil values until the body's end fills them, as
// net/http does. Names that may not be trailers are dropped.
func announceTrailer(req *http.Request) {
	vs := req.Header["Trailer"]
	if len(vs) == 0 {
		return
	}
	delete(req.Header, "Trailer")
	for _, v := range vs {
		for name := range strings.SplitSeq(v, ",") {
			name = http.CanonicalHeaderKey(strings.TrimSpace(name))
			switch name {
			case "", "Transfer-Encoding", "Trailer", "Content-Length":
				continue
			}
			if req.Trailer == nil {
				req.Trailer = make(http.Header)
			}
			req.Trailer[name] = nil
		}
	}
}

// trailerOf returns the trailer fields of r's chunked body, or nil.
func trailerOf(r *Request) http.Header {
	n := r.cd.NumTrailers()
	if n == 0 {
		return nil
	}
	t := make(http.Header, n)
	for i := range n {
		name, v := r.cd.Trailer(i)
		k := canonicalKey(name)
		t[k] = append(t[k], string(v))
	}
	return t
}

// serve runs the handler on its own goroutine and hands the rest of the
// reply to the loop.
func (b *bridged) serve() {
	w := &responseWriter{b: b}
	defer func() {
		w.b = nil // before b can be recycled
		if p := recover(); p != nil {
			b.recovered(p)
			return
		}
		b.finish()
	}()
	b.h.ServeHTTP(w, b.req)
}

// recovered handles a handler panic as net/http does (logged, except
// http.ErrAbortHandler), answering 500 if no head went out, else cutting
// the reply short.
func (b *bridged) recovered(p any) {
	b.cancel(nil)
	if b.body != nil {
		b.body.discard()
	}
	abort := p == http.ErrAbortHandler
	if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
		abort = true
	}
	if !abort && b.logger != nil {
		b.logger.Error("evhttp: panic serving "+b.req.RemoteAddr, "panic", p, "stack", string(debug.Stack()))
	}
	b.send500 = !abort && !b.streaming
	b.loop.Post(b.abortFn)
}

// finish completes the reply once the handler has returned.
func (b *bridged) finish() {
	b.cancel(nil)
	if b.body != nil {
		b.body.discard()
	}
	if !b.wroteHeader {
		b.WriteHeader(http.StatusOK)
	}
	if b.err != nil {
		b.loop.Post(b.abortFn)
		return
	}
	b.short = b.declared >= 0 && b.written < b.declared && !b.head && bodyAllowed(b.status)
	if b.streaming && !b.trailers {
		// Fields named with http.TrailerPrefix may be set after the head
		// went out (that is what the prefix is for): net/http sends them
		// after a chunked body.
		b.trailers = hasTrailerPrefix(b.header)
	}
	if b.trailers && b.declared < 0 && bodyAllowed(b.status) {
		// Trailer fields need the chunked framing: the reply is streamed
		// even if it is short, as net/http does.
		b.startStream(b.buf)
		b.trailer = b.finalTrailer()
	}
	b.pending = b.buf
	if b.streaming {
		b.loop.Post(b.endFn)
		return
	}
	if !b.hasType && len(b.buf) == 0 {
		b.omitType = true // nothing to sniff (a HEAD reply, a short body): none, as net/http
	}
	b.sniff(b.buf)
	b.code = b.status
	switch {
	case b.declared >= 0:
		b.length = b.declared
	case b.head && b.written == 0:
		b.length = -1 // nothing to measure: applyHead announces no length
	default:
		b.length = int64(len(b.buf))
	}
	b.loop.Post(b.replyFn)
}

// hasTrailerPrefix reports whether h has a field named with
// http.TrailerPrefix.
func hasTrailerPrefix(h http.Header) bool {
	for k := range h {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			return true
		}
	}
	return false
}

// send hands p to the loop as the next piece of a streamed reply and waits
// until it is written to the socket (or the connection is gone). With a
// write deadline, a piece the client has not taken by then fails the reply
// with errWriteTimeout and closes the connection, as a net/http write
// past its deadline breaks the connection; a deadline already past fails
// before anything is handed over.
func (b *bridged) send(p []byte) error {
	if d := b.wdl.Load(); d != 0 && time.Now().UnixNano() >= d {
		b.err = errWriteTimeout
		return b.err
	}
	b.pending = p
	b.loop.Post(b.chunkFn)
	done := b.ctx.Done()
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		var expired <-chan time.Time
		if d := b.wdl.Load(); d != 0 {
			wait := time.Until(time.Unix(0, d))
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			expired = timer.C
		}
		select {
		case <-b.ack:
			if b.gone.Load() {
				b.err = errConnGone
			}
			return b.err
		case <-done:
			// Cancelled: the client went away, or half-closed its side and
			// may still read. Only the former ends the wait early (it also
			// covers a loop closed without running what was posted).
			if b.gone.Load() {
				b.err = errConnGone
				return b.err
			}
			done = nil
		case <-b.wdlWake: // a new deadline: wait for that one
		case <-expired:
			return b.expire()
		}
	}
}

// expire fails the reply of a piece the client did not take before the
// write deadline: the loop closes the connection, after loopChunk copied
// the piece (it was posted first), so that the caller may reuse its bytes
// once expire returns.
func (b *bridged) expire() error {
	b.err = errWriteTimeout
	b.loop.Post(b.timeoutFn)
	done := b.ctx.Done()
	for {
		select {
		case <-b.ack:
			return b.err
		case <-done:
			if b.gone.Load() { // the loop is closed, or closing the connection
				return b.err
			}
			done = nil
		}
	}
}

// setWriteDeadline sets the write deadline (zero: none) and wakes a send
// that waits, so that it measures its wait against the new one.
func (b *bridged) setWriteDeadline(t time.Time) {
	var d int64
	if !t.IsZero() {
		d = max(t.UnixNano(), 1)
	}
	b.wdl.Store(d)
	select {
	case b.wdlWake <- struct{}{}:
	default:
	}
}

func (b *bridged) signalAck() {
	select {
	case b.ack <- struct{}{}:
	default:
	}
}

// The functions below run on the loop.

// applyHead starts r's reply with the head the goroutine prepared.
func (b *bridged) applyHead(r *Request) {
	if b.code == http.StatusSwitchingProtocols {
		b.applySwitchHead(r)
		return
	}
	r.outHdr.setFields(b.hdr)
	r.omitType, r.omitDate = b.omitType, b.omitDate
	if b.code == http.StatusNotModified {
		r.outHdr.Del("Content-Type") // as net/http: a 304 describes no body
	}
	if b.short {
		r.keepAlive = false
	}
	length := b.length
	if b.head && length < 0 {
		// A HEAD reply the handler gave no length (it wrote nothing, or
		// more than the buffer): no Content-Length, no chunked framing.
		length = lengthNone
	}
	r.startReply(b.code, reasonPhrase(b.code), length)
}

// loopReply sends a reply that was complete within replyBuffer.
func (b *bridged) loopReply() {
	defer b.recycle()
	r := b.r
	if r == nil {
		return
	}
	b.applyHead(r)
	if !r.noBody {
		r.out.Write(b.pending)
	}
	r.c.corkPosted()
	r.finish()
	b.release()
}

// loopChunk sends the next piece of a streamed reply, with its head first.
func (b *bridged) loopChunk() {
	r := b.r
	if r == nil || r.orphan {
		b.gone.Store(true)
		b.signalAck()
		return
	}
	if !r.started {
		b.applyHead(r)
	}
	r.SendChunk(b.pending, b.ackFn)
}

// loopEnd ends a streamed reply.
func (b *bridged) loopEnd() {
	defer b.recycle()
	r := b.r
	if r == nil {
		return
	}
	if !r.started {
		b.applyHead(r) // a short reply streamed for its trailer
	}
	if len(b.pending) > 0 {
		r.SendChunk(b.pending, nil)
	}
	switch {
	case b.short:
		r.abort()
	case len(b.trailer) > 0 && r.chunkReply && !r.noBody:
		r.endReplyTrailer(b.trailer)
	default:
		r.EndReply()
	}
	b.release()
}

// loopInterim sends an informational (1xx) reply ahead of r's final one.
func (b *bridged) loopInterim(code int, hdr []headerField) {
	if r := b.r; r != nil {
		r.sendInterim(code, reasonPhrase(code), hdr)
	}
}

// loopWriteTimeout closes the connection of a reply whose piece missed its
// write deadline (its bytes are still queued: the client is not reading),
// and acknowledges, so that the goroutine knows loopChunk has run.
func (b *bridged) loopWriteTimeout() {
	if r := b.r; r != nil && !r.orphan {
		r.c.close()
	}
	b.signalAck()
}

// loopAbort ends the reply of a handler that panicked or whose connection
// is gone.
func (b *bridged) loopAbort() {
	defer b.recycle()
	r := b.r
	if r == nil {
		return
	}
	if b.send500 && !r.started {
		r.outHdr.Clear()
		r.keepAlive = false
		r.SendError(http.StatusInternalServerError, "")
	} else {
		r.abort()
	}
	b.release()
}

// onBodyError is told that the streamed body failed (413 beyond
// Config.MaxBodyBytes, 400 for a malformed chunked body): the handler's
// Read gets the error, and the client the status unless a head went out.
func (b *bridged) onBodyError(status int) {
	var err error = errors.New("evhttp: malformed request body")
	if status == http.StatusRequestEntityTooLarge {
		err = &http.MaxBytesError{Limit: b.conn.srv.cfg.MaxBodyBytes}
	}
	b.body.fail(err)
	if r := b.r; r != nil && !r.started {
		r.SendError(status, "")
		b.gone.Store(true)
		b.release()
	}
}

// release forgets the Request, whose reply is complete.
func (b *bridged) release() {
	b.r = nil
	if b.body != nil {
		b.body.r = nil
	}
	br := b.conn.br
	for i, x := range br.reqs {
		if x == b {
			last := len(br.reqs) - 1
			br.reqs[i] = br.reqs[last]
			br.reqs[last] = nil
			br.reqs = br.reqs[:last]
			break
		}
	}
}

// abandonBridged tells the bridged handler of r, a request dropped before
// its reply could go out (an earlier reply closed the connection), that no
// one will read its reply: its context is cancelled, and its body and its
// writes fail, as when the client goes away.
func (c *Conn) abandonBridged(r *Request) {
	for _, b := range c.br.reqs {
		if b.r == r {
			b.gone.Store(true)
			if b.body != nil {
				b.body.fail(errBodyCut)
			}
			b.cancel(errConnGone)
			return
		}
	}
}

// notifyBridged tells the bridged requests of c that the client went away:
// their contexts are cancelled, and if the connection is closed their
// replies and bodies fail.
func (c *Conn) notifyBridged() {
	for _, b := range c.br.reqs {
		if c.closed {
			b.gone.Store(true)
			if b.body != nil {
				b.body.fail(errBodyCut)
			}
		}
		b.cancel(errConnGone)
	}
}
