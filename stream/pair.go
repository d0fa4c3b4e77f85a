package stream

import (
	"github.com/eventide-go/eventide/ev"
)

// NewPair returns two connections joined to each other in memory, on one
// loop, with no descriptor (libevent's bufferevent_pair_new): what one
// writes, the other reads. Bytes move between them as whole chunks, from
// the loop (never nested in Write), respecting the reader's high watermark.
// Closing one end, or CloseWrite, makes the other read EOF. Fd returns -1.
// Both ends start with writing enabled and reading disabled, as NewConn.
func NewPair(l *ev.Loop) (a, b *Conn) {
	if l == nil {
		panic("stream: NewPair with a nil *ev.Loop")
	}
	ls := stateOf(l)
	a = &Conn{ls: ls, flags: fWrite}
	b = &Conn{ls: ls, flags: fWrite}
	for _, c := range []*Conn{a, b} {
		c.io.Init(l, -1, 0, connIO)
		c.extras().kind = kindPair
	}
	a.x.peer, b.x.peer = b, a
	return a, b
}

// armVirtual is arm for pairs and filters: it has the loop move bytes
// where they can move.
func (x *extras) armVirtual(c *Conn) {
	switch x.kind {
	case kindPair:
		if c.pairCanSend() {
			c.kick()
		}
		if p := x.peer; p != nil && p.pairCanSend() {
			p.kick()
		}
	case kindFilter:
		x.filter.arm(c)
	}
}

// kick has the loop call runDeferred for c.
func (c *Conn) kick() {
	if c.flags&fClosed == 0 && !c.io.Pending() {
		c.Loop().FeedEvent(&c.io, ev.Custom)
	}
}

// postEvent delivers an event from the loop, whatever SetDeferCallbacks
// says.
func (c *Conn) postEvent(what What, err error) {
	if c.flags&fClosed != 0 {
		return
	}
	x := c.extras()
	x.pendEvents = append(x.pendEvents, pendingEvent{what, err})
	c.Loop().FeedEvent(&c.io, ev.Custom)
}

// pairCanSend reports whether c has output its peer can take now.
func (c *Conn) pairCanSend() bool {
	p := c.x.peer
	return p != nil && c.flags&(fWrite|fClosed) == fWrite && c.outLen() > 0 &&
		p.flags&(fRead|fReadSuspended|fClosed|fEOF) == fRead && !c.x.writeLimited() && !p.x.readLimited()
}

// pairTransfer moves c's output to its peer's input and runs the
// callbacks that the move calls for.
func (c *Conn) pairTransfer() {
	if !c.pairCanSend() {
		return
	}
	p := c.x.peer
	n := c.out.Len()
	if h := p.x.highRead; h > 0 {
		n = min(n, h-p.inLen())
	}
	if x := c.x; x.rate != nil {
		n = min(n, x.rate.writeAllowance())
	}
	if x := p.x; x.rate != nil {
		n = min(n, x.rate.readAllowance())
	}
	if n <= 0 {
		return
	}
	in := p.Input()
	moved := c.out.RemoveBuffer(in, n)
	c.x.wrote(moved)
	p.x.readDone(moved)
	if in.Len() >= p.x.lowReadMark() && p.onRead != nil {
		p.flags |= fInCallback
		p.onRead(p)
		p.flags &^= fInCallback
	}
	if p.flags&fClosed == 0 {
		p.afterRead()
	}
	if c.stopped() {
		return
	}
	c.afterWrite()
	if c.flags&fClosed == 0 && c.outLen() <= c.x.lowWriteMark() && c.onWrite != nil {
		c.onWrite(c)
	}
}

func (x *extras) shutdownVirtual(c *Conn) error {
	switch x.kind {
	case kindPair:
		if p := x.peer; p != nil && p.flags&fEOF == 0 {
			p.flags |= fEOF
			p.postEvent(Reading|EOF, nil)
		}
	case kindFilter:
		return x.filter.shutdown(c)
	}
	return nil
}

func (x *extras) flushVirtual(c *Conn) error {
	switch x.kind {
	case kindPair:
		c.pairTransfer()
	case kindFilter:
		return x.filter.flush(c, true)
	}
	return nil
}

func (x *extras) closePair(c *Conn) error {
	p := x.peer
	x.peer = nil
	if p == nil {
		return nil
	}
	p.x.peer = nil
	if p.flags&(fCloseAfterFlush|fClosed) == fCloseAfterFlush {
		p.Close() // what it waited to flush has no reader any more
		return nil
	}
	if p.flags&(fEOF|fClosed) == 0 {
		p.flags |= fEOF
		p.postEvent(Reading|EOF, nil)
	}
	return nil
}
