package stream

import (
	"os"
	"time"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
)

// connKind says what carries a connection's bytes.
type connKind uint8

const (
	kindFd     connKind = iota // a descriptor
	kindPair                   // the other end of a NewPair
	kindFilter                 // the connection under a NewFilter
)

// extras is the part of a Conn that most connections never need, kept
// apart so that the Conn stays small: allocated on first use.
type extras struct {
	c    *Conn
	kind connKind

	lowRead, highRead, lowWrite int

	// Timeouts: a repeating timer per direction, pushed back with Again
	// on every read or write (libev's "be smart about timeouts").
	readTimer, writeTimer *ev.Timer

	// inWatch watches inWatched (the input) for drains while reading is
	// suspended at the high watermark.
	inWatch   *buffer.Callback
	inWatched *buffer.Buffer
	// outWatch watches an Output handed to the user for additions.
	outWatch *buffer.Callback

	// err is the error waiting in fErrPending.
	err error

	// Deferred callbacks (SetDeferCallbacks).
	pendRead, pendWrite bool
	pendEvents          []pendingEvent

	rate *connRate

	// dial is the dial in progress (lookup, attempts, timeout); nil once
	// connected, and for connections that were not dialed.
	dial *dialState

	// peer is the other end of a pair; under and filter describe a filter.
	peer   *Conn
	filter *filterState
}

type pendingEvent struct {
	what What
	err  error
}

// extras returns c.x, allocating it on first use.
func (c *Conn) extras() *extras {
	if c.x == nil {
		c.x = &extras{c: c}
	}
	return c.x
}

// The accessors below take a nil *extras for "all defaults", so that the
// hot paths test one pointer.

func (x *extras) lowReadMark() int {
	if x == nil || x.lowRead == 0 {
		return 1
	}
	return x.lowRead
}

func (x *extras) lowWriteMark() int {
	if x == nil {
		return 0
	}
	return x.lowWrite
}

// direct reports whether writes may go straight to the descriptor.
func (x *extras) direct() bool {
	return x == nil || x.kind == kindFd && (x.rate == nil || x.rate.writeAllowance() > 0x7fff0000)
}

func (x *extras) readLimited() bool {
	return x != nil && x.rate != nil && x.rate.readAllowance() <= 0
}

// writeLimit returns how many bytes a write may move now: 0 for no limit,
// and ok false while the rate limit's buckets are empty.
func (x *extras) writeLimit() (limit int, ok bool) {
	if x == nil || x.rate == nil {
		return 0, true
	}
	limit = x.rate.writeAllowance()
	return limit, limit > 0
}

func (x *extras) writeLimited() bool {
	return x != nil && x.rate != nil && x.rate.writeAllowance() <= 0
}

// readDone accounts n bytes read: the read timeout restarts, the rate
// limit's tokens are spent.
func (x *extras) readDone(n int) {
	if x == nil {
		return
	}
	if x.readTimer != nil && x.readTimer.Active() {
		x.readTimer.Again()
	}
	if x.rate != nil {
		x.rate.spendRead(n)
	}
}

// wrote accounts n bytes written.
func (x *extras) wrote(n int) {
	if x == nil || n == 0 {
		return
	}
	if x.writeTimer != nil && x.writeTimer.Active() {
		x.writeTimer.Again()
	}
	if x.rate != nil {
		x.rate.spendWrite(n)
	}
}

// SetTimeouts sets the read and write timeouts (0: none). The read timer
// runs while reading is enabled and not suspended and restarts at every
// read; the write timer runs while output is queued, or a Dial connects,
// with writing enabled, and restarts at every write. When one expires,
// that direction is disabled and the event callback gets Reading|Timeout
// or Writing|Timeout with os.ErrDeadlineExceeded; Enable resumes it.
// Negative durations panic.
// Timeouts apply to connections with a descriptor: a pair never times out,
// and a filter's timeouts are set on the connection under it.
func (c *Conn) SetTimeouts(read, write time.Duration) {
	if read < 0 || write < 0 {
		panic("stream: negative timeout")
	}
	if c.x == nil && read == 0 && write == 0 {
		return
	}
	x := c.extras()
	l := c.Loop()
	x.readTimer = setTimer(l, x.readTimer, read, x.readTimedOut)
	x.writeTimer = setTimer(l, x.writeTimer, write, x.writeTimedOut)
	if c.flags&fClosed == 0 {
		c.arm()
	}
}

func setTimer(l *ev.Loop, t *ev.Timer, d time.Duration, fn ev.TimerFunc) *ev.Timer {
	if d == 0 {
		if t != nil {
			t.Stop()
		}
		return nil
	}
	if t == nil {
		return ev.NewTimer(l, 0, d, fn)
	}
	t.SetRepeat(d)
	if t.Active() {
		t.Again()
	}
	return t
}

// armTimers starts the timeout timers of the directions being waited for
// and stops the others. A dial in progress waits for writability whether
// or not writing is enabled; its write timer runs only while writing is,
// so that a write timeout met while connecting, which disables writing,
// is reported once.
func (x *extras) armTimers(c *Conn, e ev.Events) {
	if c.flags&fWrite == 0 {
		e &^= ev.Write
	}
	if t := x.readTimer; t != nil {
		if e&ev.Read != 0 {
			if !t.Active() {
				t.Again()
			}
		} else {
			t.Stop()
		}
	}
	if t := x.writeTimer; t != nil {
		if e&ev.Write != 0 {
			if !t.Active() {
				t.Again()
			}
		} else {
			t.Stop()
		}
	}
}

func (x *extras) readTimedOut(*ev.Timer) {
	c := x.c
	c.flags &^= fRead
	c.arm()
	c.callEvent(Reading|Timeout, os.ErrDeadlineExceeded)
}

func (x *extras) writeTimedOut(*ev.Timer) {
	c := x.c
	if c.flags&fCloseAfterFlush != 0 {
		c.Close()
		return
	}
	c.flags &^= fWrite
	c.arm()
	c.callEvent(Writing|Timeout, os.ErrDeadlineExceeded)
}

// close releases what the extras hold; the Conn is already marked closed.
func (x *extras) close(c *Conn) error {
	if x.readTimer != nil {
		x.readTimer.Stop()
	}
	if x.writeTimer != nil {
		x.writeTimer.Stop()
	}
	if x.dial != nil {
		x.dial.end()
	}
	x.unwatchInput()
	if x.outWatch != nil {
		x.outWatch.Remove()
		x.outWatch = nil
	}
	x.pendEvents = nil
	x.pendRead, x.pendWrite = false, false
	if x.rate != nil {
		x.rate.detach()
	}
	switch x.kind {
	case kindPair:
		return x.closePair(c)
	case kindFilter:
		return x.closeFilter(c)
	}
	return nil
}
