package evhttp

import (
	"errors"
	"net"
	"time"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/internal/http1"
	"github.com/eventide-go/eventide/stream"
)

// Conn is a server connection (libevent's evhttp_connection): it parses
// requests from a stream.Conn, possibly several ahead of their replies
// (pipelining), and writes the replies in request order.
//
// # Reply queue
//
// Every request whose head has been parsed joins the connection's queue.
// Only the request at the head of the queue writes to the socket; the others
// keep their reply bytes in their own buffer until their turn, so a handler
// may reply late, from any callback of the loop, and replies still leave in
// order. At most 16 requests wait; beyond that parsing pauses (and the
// socket is read only up to the input high watermark).
//
// A Conn belongs to its server's loop: every method is loop-only.
type Conn struct {
	srv *Server
	sc  *stream.Conn
	idx int // position in srv.conns

	cur          *Request // the request being read, nil between requests
	qhead, qtail *Request // requests waiting for (the end of) their reply
	qlen         int

	closeFn func()
	remote  net.Addr
	dones   []func() // SendChunk completions waiting for the output to drain

	// br is what Bridge keeps of the connection; nil until it serves one.
	br *bridgeConn

	timer     ev.Timer
	doneTimer *ev.Timer // runs SendChunk completions; nil until needed
	tkind     timerKind
	// since is when the period the timer bounds began: the current
	// head's first byte (tHead), or the end of the last request (tIdle).
	// The timer is armed once per kind, not moved at every request (a
	// heap update each); onTimer finishes a period that began later.
	since time.Time

	closing      bool // parse nothing more; close once the queue is empty
	peerEOF      bool // the client shut down its side
	closed       bool
	lingering    bool // answered for good, discarding input until EOF
	drainClose   bool // close once the output drained (peer already gone)
	inProcess    bool // process is running (guards against re-entry)
	corked       bool // the stream is corked: replies leave at uncork
	batchCork    bool // ... until the posted batch has run (corkPosted), not when process ends
	wrotePass    bool // a reply was written in this parse pass (batch)
	flushing     bool
	closeFired   bool
	remoteSet    bool
	writeTimeout bool // the stream's write timeout is set (at the first queued output)
	outListed    bool // in the server's outConns (watchOutput)
	highWater    bool // the stream's read high watermark is set (at the first unread input)
}

type timerKind uint8

const (
	tNone   timerKind = iota
	tIdle             // waiting for the next request
	tHead             // reading a head: a deadline from its first byte
	tBody             // reading a body: an inactivity timeout
	tLinger           // lingering close
)

func newConn(s *Server, sc *stream.Conn) *Conn {
	c := &Conn{srv: s, sc: sc}
	c.timer.Init(s.loop, time.Second, 0, c.onTimer)
	sc.SetCallbacks(c.onRead, c.onWrite, c.onEvent)
	// The write timeout is set when output first has to wait (see flush):
	// most connections never queue any, and the stream's timer state is
	// a quarter of a connection's memory.
	s.addConn(c)
	if err := sc.Enable(stream.Read); err != nil {
		s.logf("evhttp: enable reading", err)
		c.close()
		return c
	}
	c.updateTimer()
	return c
}

// SetCloseCallback sets fn to be called once when the connection closes:
// as soon as the client disconnects or shuts down its side — even while a
// handler holds a request unanswered, since the server keeps reading — or
// when the server closes it (evhttp_connection_set_closecb).
//
// The client's address is read now, so that RemoteAddr still knows it in
// fn: once both sides have closed, getpeername(2) no longer gives it
// (libevent keeps the address from accept).
func (c *Conn) SetCloseCallback(fn func()) {
	c.closeFn = fn
	if fn != nil && !c.closed {
		c.RemoteAddr()
	}
}

// RemoteAddr returns the client's address, or nil if unknown (an in-memory
// connection, or one the client reset before the address was first
// asked for). It stays known in the close callback.
func (c *Conn) RemoteAddr() net.Addr {
	if !c.remoteSet {
		c.remote, c.remoteSet = c.sc.RemoteAddr(), true
	}
	return c.remote
}

// Close closes the connection at once, dropping unsent replies. Requests
// held by handlers stay valid; their replies are discarded.
func (c *Conn) Close() { c.close() }

func (c *Conn) onRead(sc *stream.Conn) {
	if c.lingering {
		in := sc.Input()
		in.Drain(in.Len())
		return
	}
	c.process()
	if !c.highWater && !c.closed && sc.Input().Len() > 0 {
		// Input waits for the handlers: bound it (the stream stops
		// reading at the high watermark). Set at the first need only:
		// the stream keeps watermarks in state most connections never
		// allocate.
		c.highWater = true
		sc.SetReadWatermarks(0, c.srv.cfg.MaxHeaderBytes+64<<10)
	}
}

func (c *Conn) onWrite(sc *stream.Conn) {
	if c.drainClose {
		c.close()
		return
	}
	if c.lingering && c.tkind != tLinger {
		c.arm(tLinger, lingerTimeout)
	}
	c.runDones()
	// The output has drained: parse what waited for it, and let the idle
	// timer start now that the last reply is out.
	c.process()
}

func (c *Conn) onEvent(sc *stream.Conn, what stream.What, err error) {
	switch {
	case what&stream.Error != 0, what&stream.Timeout != 0:
		c.srv.logf("evhttp: connection", err)
		c.close()
	case what&stream.EOF != 0:
		c.peerEOF = true
		if c.lingering {
			c.close()
			return
		}
		c.fireClose()
		// Requests that arrived before the EOF are still answered.
		c.process()
	}
}

func (c *Conn) onTimer(*ev.Timer) {
	var d time.Duration
	switch c.tkind {
	case tHead:
		d = c.srv.cfg.ReadHeaderTimeout
	case tIdle:
		d = c.srv.cfg.IdleTimeout
	}
	if left := d - c.srv.clock().Sub(c.since); d > 0 && left > 0 {
		// A later head, or a later idleness: the timer was armed for an
		// earlier one of the same kind (updateTimer leaves it running).
		c.timer.Set(left, 0)
		c.timer.Start()
		return
	}
	c.close()
}

// arm starts the connection timer as kind, for d (0: no timer).
func (c *Conn) arm(kind timerKind, d time.Duration) {
	c.tkind = kind
	c.timer.Stop()
	if d > 0 {
		c.timer.Set(d, 0)
		c.timer.Start()
	}
}

// updateTimer arms the timer the connection's state calls for, leaving a
// running one of the same kind alone (so a head deadline is never pushed
// back).
func (c *Conn) updateTimer() {
	cfg := &c.srv.cfg
	switch {
	case c.closed || c.lingering:
	case c.cur != nil && c.cur.state == stHead:
		if c.tkind != tHead {
			c.arm(tHead, cfg.ReadHeaderTimeout)
		}
	case c.cur != nil && c.cur.state == stBody && !c.cur.paused:
		if c.tkind != tBody {
			c.arm(tBody, cfg.ReadBodyTimeout)
		}
	case c.cur == nil && c.qhead == nil && c.sc.OutputLen() > 0:
		// The last reply is still being written: the write timeout
		// bounds that, and idleness starts once it is out.
		c.arm(tNone, 0)
	case c.cur == nil && c.qhead == nil:
		c.since = c.srv.clock() // idle from now on
		if c.tkind != tIdle {
			c.arm(tIdle, cfg.IdleTimeout)
		}
	default: // the application has the turn
		c.arm(tNone, 0)
	}
}

// process parses and dispatches what the input holds, as far as the reply
// queue and the body handlers allow.
func (c *Conn) process() {
	if c.inProcess || c.closed || c.lingering {
		return
	}
	for c.parse() {
		// Replies to pipelined requests were held back and have now been
		// written, all of them: parse on (parse stopped at
		// maxUnreadOutput, and no write callback will come).
	}
	if c.closed || c.lingering {
		return
	}
	if c.peerEOF && !c.closing {
		switch {
		case c.cur == nil && c.sc.Input().Len() == 0:
			c.closing = true // everything the client sent was parsed
		case c.cur != nil && !c.cur.paused:
			c.close() // a request cut short can never be answered
			return
		}
	}
	if c.closing && c.qhead == nil && c.cur == nil {
		c.shutdown()
		return
	}
	c.updateTimer()
}

// parse is process's loop: it parses and dispatches requests until the
// input, the reply queue or a body handler stops it. Replies written while
// more input waits are corked (batch) and written together at the end; it
// reports whether they all went out and input is left, which the limit on
// unread output may have held back.
func (c *Conn) parse() bool {
	c.inProcess = true
	c.wrotePass = false
	for !c.closed && !c.lingering && !(c.closing && c.cur == nil) {
		in := c.sc.Input()
		r := c.cur
		if r == nil {
			// Replies the client has not read yet hold the next request
			// back, as a full reply queue does: the input then stops the
			// stream at its high watermark, and TCP flow control holds the
			// client. onWrite resumes once the output has drained.
			if in.Len() == 0 || c.qlen >= maxPipeline || c.sc.OutputLen() >= maxUnreadOutput {
				break
			}
			// Nothing after a request that closes the connection is
			// processed (RFC 9112 §9.6): its reply, when made, ends the
			// queue and the connection. Nor after one that may switch
			// protocols until it is answered: the bytes behind it may be
			// the new protocol's, for the handler that takes the
			// connection over (RFC 9110 §7.8).
			if c.qtail != nil && (!c.qtail.keepAlive || c.qtail.switching) {
				break
			}
			r = c.srv.acquire(c)
			c.cur = r
			c.since = c.srv.clock() // the head's first byte
		}
		var more bool
		if r.state == stHead {
			more = c.readHead(r, in)
		} else {
			more = c.readBody(r, in)
		}
		if !more {
			break
		}
	}
	c.inProcess = false
	if !c.corked || c.batchCork {
		return false
	}
	c.uncork()
	return !c.closed && !c.lingering && c.sc.OutputLen() == 0 && c.sc.Input().Len() > 0
}

// readHead feeds the parser; it reports whether process may go on.
func (c *Conn) readHead(r *Request, in *buffer.Buffer) bool {
	s := c.srv
	s.vecs = in.Peek(-1, s.vecs[:0])
	total := 0
	var err error
	for _, v := range s.vecs {
		n, e := r.p.Feed(v)
		total += n
		if e != nil {
			err = e
			break
		}
		if r.p.Done() {
			break
		}
	}
	if len(s.vecs) == 1 {
		s.vecs[0] = nil // the usual case, without clear's memclrHasPointers call
	} else {
		clear(s.vecs)
	}
	in.Drain(total)
	if err != nil {
		c.fail(r, statusOf(err))
		return false
	}
	if !r.p.Done() {
		return false
	}
	return c.headDone(r)
}

func statusOf(err error) int {
	var he *http1.Error
	if errors.As(err, &he) {
		return he.Status
	}
	return 400
}

// headDone checks a complete head, queues the request and dispatches it
// (at once, or once its body is read).
func (c *Conn) headDone(r *Request) bool {
	s := c.srv
	p := r.p
	idx := methodIndex(p.Method())
	if idx < 0 {
		r.method = string(p.Method())
		c.fail(r, 501)
		return false
	}
	r.method = knownMethods[idx]
	r.head = r.method == MethodHead
	if s.allowed&(1<<idx) == 0 {
		r.outHdr.Set("Allow", s.allowHdr)
		c.fail(r, 405)
		return false
	}
	// Shutdown and the client's EOF are looked at when the reply is made
	// (appendHead): only the last reply to be made closes the connection.
	r.keepAlive = p.KeepAlive()
	r.switching = p.Upgrade() != nil || r.method == MethodConnect
	switch p.BodyKind() {
	case http1.BodyLength:
		r.remaining = p.ContentLength()
		if s.cfg.MaxBodyBytes >= 0 && r.remaining > s.cfg.MaxBodyBytes {
			c.fail(r, 413)
			return false
		}
	case http1.BodyChunked:
		r.chunked = true
	}
	hasBody := r.chunked || r.remaining > 0
	if _, minor := p.Proto(); minor >= 1 {
		if p.HasExpect() {
			if !p.Expect100() {
				c.fail(r, 417)
				return false
			}
			r.need100 = hasBody
		}
	}
	c.enqueue(r)
	srv := s
	if len(s.vhosts) > 0 {
		srv = s.resolve(r.hostBytes())
	}
	r.route, _ = srv.lookup(targetPath(p.Target()))
	if s.filter != nil && !s.filter(r) {
		r.state = stDone
		r.dispatched = true
		c.cur = nil
		r.keepAlive = false
		c.closing = true
		if !r.started {
			r.SendError(403, "")
		}
		return false
	}
	if !hasBody {
		r.state = stDone
		c.cur = nil
		c.dispatch(r)
		return true
	}
	r.state = stBody
	if r.need100 && r.route.fn == nil {
		// No handler would read the body: answer 404 now rather than
		// invite it with a 100. The client may still send it or not
		// (RFC 9110 §10.1.1), so where the next request would start is
		// unknown: the reply closes the connection (finish, bodyWithheld)
		// and the body is never parsed.
		c.dispatch(r)
		return false
	}
	if r.need100 && c.qhead == r {
		c.send100(r)
	}
	if r.route.stream || s.cfg.StreamBodies {
		r.streaming = true
		c.dispatch(r)
	}
	return true
}

func (c *Conn) send100(r *Request) {
	r.sent100 = true
	c.batch()
	c.sc.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
}

// readBody moves body bytes to where they go; it reports whether process
// may go on (the body is complete).
func (c *Conn) readBody(r *Request, in *buffer.Buffer) bool {
	if r.paused {
		return false
	}
	toFn := r.streaming && r.bodyFn != nil && !r.complete
	var dst *buffer.Buffer
	switch {
	case r.complete:
		// the reply is out: discard the rest
	default:
		// A streamed body passes through r.body on its way to bodyFn.
		dst = &r.body
	}
	done := false
	moved := 0
	if r.chunked {
		s := c.srv
		s.vecs = in.Peek(-1, s.vecs[:0])
		total := 0
		status := 0
	decode:
		for _, v := range s.vecs {
			for len(v) > 0 {
				n, data, err := r.cd.Decode(v)
				if err != nil {
					status = statusOf(err)
					break decode
				}
				total += n
				v = v[n:]
				r.bodyBytes += int64(len(data))
				if max := c.srv.cfg.MaxBodyBytes; max >= 0 && r.bodyBytes > max {
					status = 413
					break decode
				}
				if dst != nil {
					dst.Write(data)
				}
				if r.cd.Done() {
					done = true
					break decode
				}
			}
		}
		clear(s.vecs)
		in.Drain(total)
		moved = total
		if status != 0 {
			c.bodyFail(r, status)
			return false
		}
	} else {
		n := int(min(r.remaining, int64(in.Len())))
		if dst == nil {
			in.Drain(n)
		} else {
			in.RemoveBuffer(dst, n)
		}
		r.remaining -= int64(n)
		r.bodyBytes += int64(n)
		done = r.remaining == 0
		moved = n
	}
	if moved > 0 {
		c.tkind = tNone // restart the inactivity timer
	}
	if toFn && (r.body.Len() > 0 || done) {
		r.bodyFn(&r.body, done)
		if c.closed {
			return false
		}
		if done {
			r.body.Reset()
		} else if r.body.Len() > 0 {
			r.paused = true
			return false
		}
	}
	if !done {
		return false
	}
	r.state = stDone
	c.cur = nil
	switch {
	case r.complete:
		if !r.queued {
			c.srv.release(r)
		}
	case !r.dispatched:
		c.dispatch(r)
	}
	return true
}

// bodyFail ends a request whose body cannot be read.
func (c *Conn) bodyFail(r *Request, status int) {
	r.state = stDone
	c.cur = nil
	r.keepAlive = false
	c.closing = true
	if r.streaming {
		r.body.Reset()
	}
	switch {
	case !r.dispatched:
		r.dispatched = true
		r.SendError(status, "")
	case r.complete && !r.queued:
		c.srv.release(r)
	case !r.complete && r.bodyErrFn != nil:
		r.bodyErrFn(status)
	case !r.complete:
		// A loop-native handler has no way to learn that its body
		// failed, and would wait for the end of it for ever: a request of
		// the server's own takes r's place in the queue and answers the
		// error, or ends the reply r started as it stands (the client
		// sees it cut short), and r is abandoned as after a disconnect
		// (its replies are dropped, its close callback tells it).
		e := c.srv.acquire(c)
		e.state, e.dispatched, e.queued = stDone, true, true
		c.replace(r, e)
		started := r.started
		if started {
			e.out.AppendBuffer(&r.out)
			e.abort()
		}
		c.abandon(r)
		if !started {
			e.SendError(status, "")
		}
	}
}

// replace puts e in r's place in the reply queue.
func (c *Conn) replace(r, e *Request) {
	e.next = r.next
	if c.qhead == r {
		c.qhead = e
	} else {
		p := c.qhead
		for p.next != r {
			p = p.next
		}
		p.next = e
	}
	if c.qtail == r {
		c.qtail = e
	}
	r.next, r.queued = nil, false
}

// fail answers a request whose head is unacceptable, then closes.
func (c *Conn) fail(r *Request, status int) {
	r.state = stDone
	r.dispatched = true
	r.keepAlive = false
	c.cur = nil
	c.closing = true
	c.enqueue(r)
	r.SendError(status, "")
}

func (c *Conn) dispatch(r *Request) {
	r.dispatched = true
	if r.route.fn == nil {
		r.SendError(404, "")
		return
	}
	r.route.fn(r)
}

func (c *Conn) enqueue(r *Request) {
	r.queued = true
	if c.qtail == nil {
		c.qhead = r
	} else {
		c.qtail.next = r
	}
	c.qtail = r
	c.qlen++
}

func (c *Conn) dequeue() *Request {
	r := c.qhead
	c.qhead = r.next
	if c.qhead == nil {
		c.qtail = nil
	}
	r.next = nil
	r.queued = false
	c.qlen--
	return r
}

// flush writes the replies at the head of the queue, in order, and retires
// the complete ones.
func (c *Conn) flush() {
	if c.closed || c.flushing {
		return
	}
	c.flushing = true
	for r := c.qhead; r != nil && !c.closed; r = c.qhead {
		if !r.started && r.bodyWithheld() {
			c.send100(r)
		}
		if r.out.Len() > 0 {
			c.batch()
			if err := c.sc.WriteBuffer(&r.out); err != nil {
				// The stream reports the failure to onEvent later; close
				// now, or the completions below would take the reply,
				// left unwritten in r.out, for written and ask for more.
				c.srv.logf("evhttp: write", err)
				c.close()
				break
			}
		}
		c.watchOutput()
		if len(r.dones) > 0 {
			c.dones = append(c.dones, r.dones...)
			clear(r.dones)
			r.dones = r.dones[:0]
			c.armDones()
		}
		if !r.complete {
			break
		}
		c.dequeue()
		switch {
		case !r.keepAlive:
			c.closing = true
			c.dropQueue()
		case c.srv.shutting:
			// Answer what is queued, parse nothing new (Shutdown set
			// closing already for a connection busy at the time).
			c.closing = true
		}
		if r.state == stDone && c.cur != r {
			c.srv.release(r)
		}
	}
	c.flushing = false
	if c.closed || c.inProcess {
		return
	}
	if c.closing && c.qhead == nil && (c.cur == nil || c.cur.state == stHead) {
		c.shutdown()
		return
	}
	c.process()
}

// watchOutput sets the stream's write timeout at the first reply the
// socket did not take, whether from r.out or from sendDirect. The stream
// writes at the end of the pass, so the connection is listed, and the
// server's watcher looks at its output once the pass is over (a reply
// that left whole then costs no timer). Output held by a cork is not yet
// offered to the socket.
func (c *Conn) watchOutput() {
	if c.writeTimeout || c.corked || c.outListed || c.srv.cfg.WriteTimeout <= 0 || c.sc.OutputLen() == 0 {
		return
	}
	s := c.srv
	c.outListed = true
	s.outConns = append(s.outConns, c)
	if s.outW == nil {
		s.outW = ev.NewPrepare(s.loop, s.watchOutputs)
	}
	if !s.outW.Active() {
		s.outW.Start()
	}
}

// batch is called before a reply's bytes are written during process. It
// corks the stream when more input waits to be parsed (the client
// pipelined requests) or when this pass already wrote (a handler streaming
// a reply in pieces): the replies then leave together, in one write when
// the pass ends (uncork), instead of one write each. The first write of a
// pass with nothing behind it goes out at once.
func (c *Conn) batch() {
	if !c.inProcess || c.corked {
		return
	}
	if c.sc.Input().Len() == 0 && !c.wrotePass {
		c.wrotePass = true
		return
	}
	c.corked = true
	c.sc.Cork()
}

// corkPosted corks the stream until the posted functions now running have
// all run. Bridged replies come from handler goroutines through Loop.Post,
// and the replies to pipelined requests tend to arrive in one batch of
// posted functions: they then leave in one write, in the same iteration.
// The server's uncork watcher, fed once per batch, runs after the batch
// (pending callbacks of one priority run in the order they were queued).
func (c *Conn) corkPosted() {
	// A lingering connection has made its last reply (shutdown uncorked
	// it): a reply arriving now is for a dropped request and writes
	// nothing, and a cork would hold back the output that drainClose and
	// the linger timer wait for, with no write callback after the uncork.
	if c.closed || c.lingering || c.batchCork {
		return
	}
	if !c.corked {
		c.corked = true
		c.sc.Cork()
	}
	c.batchCork = true
	s := c.srv
	if s.uncorkW == nil {
		s.uncorkW = ev.NewPrepare(s.loop, s.uncorkBatch)
	}
	if len(s.corkedConns) == 0 {
		s.loop.FeedEvent(s.uncorkW, ev.Custom)
	}
	s.corkedConns = append(s.corkedConns, c)
}

// uncork ends batch's cork: the held replies are written.
func (c *Conn) uncork() {
	if !c.corked {
		return
	}
	c.corked = false
	c.sc.Uncork() // a failure reaches onEvent, which closes c
	if c.closed {
		return
	}
	c.watchOutput()
	if len(c.dones) > 0 {
		c.armDones() // the cork kept armDones from seeing the output drained
	}
}

// dropQueue abandons the requests parsed ahead of a reply that closes the
// connection.
func (c *Conn) dropQueue() {
	for c.qhead != nil {
		r := c.dequeue()
		if c.cur == r {
			c.cur = nil
		}
		c.abandon(r)
	}
}

// abandon forgets r: released now if no handler holds it, else marked so
// that its reply is discarded and it is released when complete. The
// SendChunk completions of a complete reply that waited for its turn run
// first: the connection is gone.
func (c *Conn) abandon(r *Request) {
	if !r.dispatched || r.complete {
		r.runDones()
		c.srv.release(r)
		return
	}
	r.orphan = true
	r.state = stDone
	r.runDones()
	if c.br != nil {
		c.abandonBridged(r)
	}
}

// shutdown closes the connection after its last reply: it shuts down the
// writing side once the output is written and discards the input until the
// client closes (a lingering close, so that unread input does not make the
// kernel reset the connection and lose the reply), or lingerTimeout.
func (c *Conn) shutdown() {
	if c.closed || c.lingering {
		return
	}
	c.uncork()
	c.lingering = true
	c.srv.lingering++
	if c.cur != nil {
		c.abandon(c.cur)
		c.cur = nil
	}
	c.arm(tNone, 0)
	if c.peerEOF {
		if c.sc.OutputLen() == 0 {
			c.close()
		} else {
			c.drainClose = true
		}
		return
	}
	c.sc.CloseWrite()
	in := c.sc.Input()
	in.Drain(in.Len())
	if c.sc.OutputLen() == 0 {
		c.arm(tLinger, lingerTimeout)
	}
}

// close closes the connection now.
func (c *Conn) close() {
	if c.closed {
		return
	}
	c.closed = true
	if c.lingering {
		c.srv.lingering--
	}
	c.timer.Stop()
	if c.doneTimer != nil {
		c.doneTimer.Stop()
	}
	if c.qhead != nil || c.cur != nil {
		// Handlers still holding requests may ask for the address, which
		// getpeername(2) no longer gives once the descriptor is closed.
		c.RemoteAddr()
	}
	c.sc.Close()
	s := c.srv
	s.removeConn(c)
	// The close callback runs before the SendChunk completions of the
	// replies held by handlers: a completion of a reply whose connection
	// is gone runs at once, inside SendChunk, and a producer that sends
	// its next piece from the completion until told that the client left
	// would otherwise never be told, and recurse without end.
	c.fireClose()
	if c.cur != nil && !c.cur.queued {
		c.abandon(c.cur)
	}
	c.cur = nil
	for c.qhead != nil {
		c.abandon(c.dequeue())
	}
	for len(c.dones) > 0 {
		c.runDones()
	}
	if s.shutting && len(s.conns) == 0 {
		s.finishShutdown() // once the requests are abandoned
	}
}

func (c *Conn) fireClose() {
	if c.br != nil && len(c.br.reqs) > 0 {
		c.notifyBridged()
	}
	if !c.closeFired && c.closeFn != nil {
		c.closeFired = true
		c.closeFn()
	}
}

// armDones schedules the SendChunk completions: now if the output is
// already written, else from the write callback once it drains.
func (c *Conn) armDones() {
	if c.sc.OutputLen() > 0 {
		return
	}
	if c.doneTimer == nil {
		c.doneTimer = ev.NewTimer(c.srv.loop, 0, 0, func(*ev.Timer) {
			if c.closed || c.sc.OutputLen() == 0 {
				c.runDones()
			}
		})
	}
	if !c.doneTimer.Active() {
		c.doneTimer.Start()
	}
}

// runDones runs the SendChunk completions queued when it starts, whose
// output has left (or whose connection is gone). One that sends more
// queues its own completion behind that output, for armDones: run here
// too, it would call the producer again at once, and the whole stream
// would pile up in memory with no flow control.
func (c *Conn) runDones() {
	for n := len(c.dones); n > 0 && len(c.dones) > 0; n-- {
		fn := c.dones[0]
		c.dones[0] = nil
		c.dones = c.dones[1:]
		fn()
	}
}
