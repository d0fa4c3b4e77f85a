package stream

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
)

// ReadFunc is a connection's read callback: its input reached the read low
// watermark (by default: it holds at least one byte).
type ReadFunc func(c *Conn)

// WriteFunc is a connection's write callback: the loop wrote output and
// what is left is at or below the write low watermark (by default:
// everything was written). Every write is made by the loop (at the end of
// the pass, or when the descriptor becomes writable), so each one that
// drains the output calls it; Flush and Uncork, which write at once, do
// not.
type WriteFunc func(c *Conn)

// EventFunc is a connection's event callback: what happened and, for Error
// and Timeout, why.
type EventFunc func(c *Conn, what What, err error)

// Conn is a buffered connection on a loop: libevent's bufferevent. It reads
// from its descriptor into its input and calls the read callback, and writes
// its output to the descriptor as the descriptor accepts it. See the package
// documentation for the rules.
//
// A Conn belongs to its loop's goroutine: every method is loop-only.
type Conn struct {
	// io watches the descriptor. It must stay the first field: connIO
	// recovers the Conn from the *ev.IO it is called with.
	io ev.IO
	// ls is the loop's shared state (read buffer, spare Buffers).
	ls *loopState
	// in is the input kept between read callbacks; nil while there is
	// none (during a read callback the input may be ls.in instead).
	in *buffer.Buffer
	// out is the queued output; nil until a write could not complete at
	// once or Output was called.
	out *buffer.Buffer

	onRead  ReadFunc
	onWrite WriteFunc
	onEvent EventFunc

	// x holds what few connections use: watermarks, timeouts, rate
	// limits, filters, pairs, a pending error. nil until needed.
	x *extras

	flags connFlags
}

// connFlags is a Conn's state.
type connFlags uint32

const (
	fRead            connFlags = 1 << iota // Read enabled by the user
	fWrite                                 // Write enabled by the user
	fReadSuspended                         // input at the high watermark
	fEOF                                   // read side finished (EOF or read error)
	fConnecting                            // a Dial is in progress
	fResolving                             // ... and looking its host up: no descriptor yet
	fClosed                                // Close ran
	fCloseAfterFlush                       // close once the output is empty
	fShutdownPending                       // shutdown(SHUT_WR) once the output is empty
	fShutdown                              // shutdown(SHUT_WR) done
	fOutPinned                             // Output was called: out is never recycled
	fInShared                              // the read callback's input is ls.in
	fErrPending                            // an error waits for delivery from the loop
	fDefer                                 // SetDeferCallbacks(true)
	fInCallback                            // a read callback runs (no nested read dispatch)
	fNotSocket                             // the descriptor is no socket: read/write, not recv/send
	fCorked                                // Cork: writes queue until Uncork
	fDeferred                              // in ls.pend: the end of the pass writes the output
)

// NewConn returns a Conn for the connected stream socket (or pipe, or any
// pollable descriptor) fd, which it takes over: Close closes it. It makes
// fd non-blocking and close-on-exec. As in libevent, writing is enabled and
// reading is not: call SetCallbacks and Enable(Read).
func NewConn(l *ev.Loop, fd int) (*Conn, error) {
	if l == nil {
		panic("stream: NewConn with a nil *ev.Loop")
	}
	if fd < 0 {
		return nil, ev.ErrBadFD
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	unix.CloseOnExec(fd)
	c := newConn(l, stateOf(l), fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFSOCK {
		c.flags |= fNotSocket
	}
	return c, nil
}

// sock reports whether the descriptor is a socket (rawRead).
func (c *Conn) sock() bool { return c.flags&fNotSocket == 0 }

// newConn makes a Conn for a descriptor already non-blocking.
func newConn(l *ev.Loop, ls *loopState, fd int) *Conn {
	c := &Conn{ls: ls, flags: fWrite}
	c.io.Init(l, fd, 0, connIO)
	return c
}

// handle dispatches what the loop reported (or a fed Custom event) to the
// read, write and deferred paths.
//
// A readiness is acted on only if the watcher still waits for it: a
// callback that ran since the poller reported it — this connection's read
// callback, or another connection's earlier in the same pass — may have
// turned that direction off (Disable, Cork, a watermark, a rate limit),
// and the pending report must then be dropped, as libevent's event_del
// drops an active event.
func (c *Conn) handle(revents ev.Events) {
	if revents&ev.Custom != 0 {
		c.runDeferred()
		if c.flags&fClosed != 0 {
			return
		}
	}
	if revents&ev.Error != 0 {
		c.fail(Reading|Writing, os.NewSyscallError("poll", syscall.EBADF))
		return
	}
	if c.flags&fConnecting != 0 {
		if revents&(ev.Write|ev.Read) != 0 {
			c.finishConnect()
		}
		return
	}
	if revents&ev.Read != 0 && c.flags&fInCallback == 0 && c.io.Events()&ev.Read != 0 {
		c.handleRead()
		if c.flags&fClosed != 0 {
			return
		}
	}
	if revents&ev.Write != 0 && c.io.Events()&ev.Write != 0 {
		c.handleWrite()
	}
}

// SetCallbacks sets the read, write and event callbacks; nil means none
// (an Error event without an event callback still closes the connection).
func (c *Conn) SetCallbacks(read ReadFunc, write WriteFunc, event EventFunc) {
	c.onRead, c.onWrite, c.onEvent = read, write, event
}

// Loop returns the connection's loop.
func (c *Conn) Loop() *ev.Loop { return c.io.Loop() }

// Fd returns the connection's descriptor, or -1 for a pair or a filter,
// for a dialed connection still resolving its host name, after CloseWrite
// closed a pipe's write end, and after Close.
func (c *Conn) Fd() int {
	if c.flags&fClosed != 0 || c.x != nil && c.x.kind != kindFd {
		return -1
	}
	return c.io.Fd()
}

// Input returns the connection's input: what was read and not yet
// consumed. Consume it from the front (Read, ReadLine, Drain,
// RemoveBuffer…); do not add to it.
//
// The Buffer returned may change between read callbacks (during a read
// callback it can be a loop-wide Buffer presenting the bytes just read
// without copying them): call Input each time rather than keeping it. Its
// zero-copy views (Peek, ReadLine…) are valid until the callback returns.
func (c *Conn) Input() *buffer.Buffer {
	if c.flags&fInShared != 0 {
		return &c.ls.in
	}
	if c.in == nil {
		c.in = c.ls.getBuffer()
	}
	return c.in
}

// OutputLen returns the number of bytes queued for writing. Unlike
// Output().Len() it neither allocates nor pins an output buffer.
func (c *Conn) OutputLen() int { return c.outLen() }

// Output returns the connection's output: what is queued to be written.
// Add to it (Write, Printf, AppendBuffer, AddFile…) and the loop writes it
// when the descriptor is writable; do not remove from it. The Buffer stays
// the connection's until Close, so it may be kept. Adding to it directly
// waits for the descriptor to be writable (one more poll) where
// Conn.Write's bytes go out at the end of the pass.
func (c *Conn) Output() *buffer.Buffer {
	if c.flags&fOutPinned == 0 {
		c.flags |= fOutPinned
		if c.out == nil {
			c.out = c.ls.getBuffer()
		}
		x := c.extras()
		x.outWatch = c.out.AddCallback(x.outChangedFn)
	}
	return c.out
}

// outChanged is the Output callback: bytes added from outside arm the
// write interest.
func (x *extras) outChangedFn(b *buffer.Buffer, ch buffer.Change) {
	if ch.Added > 0 && x.c.flags&fClosed == 0 {
		x.c.arm()
	}
}

// Enable enables the directions in d: reading starts (if the input is
// below the high watermark) and queued output is written. It returns
// net.ErrClosed on a closed connection and the loop's error if the
// descriptor cannot be watched.
func (c *Conn) Enable(d Direction) error {
	if c.flags&fClosed != 0 {
		return net.ErrClosed
	}
	if d&Read != 0 {
		c.flags |= fRead
	}
	if d&Write != 0 {
		c.flags |= fWrite
	}
	return c.arm()
}

// Disable disables the directions in d: no more reading, or no more
// writing of the queued output (which stays queued), until Enable.
func (c *Conn) Disable(d Direction) {
	if d&Read != 0 {
		c.flags &^= fRead
	}
	if d&Write != 0 {
		if c.flags&fDeferred != 0 {
			c.writeDeferred() // written before the Disable: not held back
		}
		c.flags &^= fWrite
	}
	if c.flags&fClosed == 0 {
		c.arm()
	}
}

// Enabled returns the enabled directions.
func (c *Conn) Enabled() Direction {
	var d Direction
	if c.flags&fRead != 0 {
		d |= Read
	}
	if c.flags&fWrite != 0 {
		d |= Write
	}
	return d
}

// interest is what the descriptor's watcher should wait for now.
func (c *Conn) interest() ev.Events {
	f := c.flags
	if f&fConnecting != 0 {
		if f&fResolving != 0 {
			return 0 // no descriptor yet
		}
		return ev.Write
	}
	var e ev.Events
	if f&(fRead|fReadSuspended|fEOF) == fRead && !c.x.readLimited() {
		e |= ev.Read
	}
	if f&(fWrite|fCorked|fDeferred) == fWrite && c.out != nil && c.out.Len() > 0 && !c.x.writeLimited() {
		e |= ev.Write
	}
	return e
}

// arm brings the watcher and the timeout timers in line with the state:
// the watcher is started only while it waits for something, so that an
// idle connection does not keep the loop running.
func (c *Conn) arm() error {
	if c.x != nil && c.x.kind != kindFd {
		c.x.armVirtual(c)
		return nil
	}
	e := c.interest()
	if e != c.io.Events() {
		c.io.Modify(e)
	}
	if e == 0 {
		c.stopIO()
	} else if !c.io.Active() {
		if err := c.io.Start(); err != nil {
			return err
		}
	}
	if c.x != nil {
		c.x.armTimers(c, e)
	}
	return nil
}

// stopIO stops watching the descriptor. Stopping a watcher also drops its
// pending events, and a Custom event fed to it (deferred callbacks, a write
// error found by a write made outside the I/O path) must survive the stop: a dial that
// connects with nothing to read or write, or an EOF that ends reading,
// stops the watcher right after deferring its event.
func (c *Conn) stopIO() {
	if !c.io.Pending() {
		c.io.Stop()
		return
	}
	rev := c.Loop().ClearPending(&c.io)
	c.io.Stop()
	if rev&ev.Custom != 0 {
		c.Loop().FeedEvent(&c.io, ev.Custom)
	}
}

// Close closes the connection now: queued output is dropped (after one
// attempt at writing what a Write of the same pass left to the end of the
// pass, as a write made at once would have sent it), the descriptor is
// closed, and no callback runs after Close returns. Closing a closed
// connection returns net.ErrClosed.
func (c *Conn) Close() error {
	if c.flags&fClosed != 0 {
		return net.ErrClosed
	}
	if c.flags&fDeferred != 0 {
		// A write of this pass waits for its end: make it now, so that a
		// reply followed by Close is sent. What the descriptor does not
		// take is dropped.
		c.writeDeferred()
	}
	c.flags |= fClosed
	c.flags &^= fRead | fWrite
	if c.x != nil {
		c.x.unwatchInput()
	}
	c.io.Stop()
	if c.io.Pending() {
		c.Loop().ClearPending(&c.io)
	}
	if c.in != nil {
		c.in.Reset()
		c.ls.putBuffer(c.in)
		c.in = nil
	}
	if c.out != nil {
		c.out.Reset()
		if c.flags&fOutPinned == 0 {
			c.ls.putBuffer(c.out)
			c.out = nil
		}
	}
	var err error
	if c.x != nil {
		err = c.x.close(c)
	}
	if fd := c.io.Fd(); fd >= 0 && (c.x == nil || c.x.kind == kindFd) {
		if e := closeFd(c.Loop(), fd); e != nil && err == nil {
			err = os.NewSyscallError("close", e)
		}
	}
	return err
}

// closeFd closes fd, whose watcher is stopped, after taking it out of the
// loop's backend at once (ev.Loop.FdClosing): a duplicate of the
// descriptor (a hijacked HTTP connection, one the program dup'ed) must not
// leave it registered, reporting to a loop that no longer wants it.
func closeFd(l *ev.Loop, fd int) error {
	l.FdClosing(fd)
	return unix.Close(fd)
}

// Closed reports whether Close ran (by the user, by CloseAfterFlush, or
// after an Error event).
func (c *Conn) Closed() bool { return c.flags&fClosed != 0 }

// CloseAfterFlush closes the connection once all queued output has been
// written (at once if there is none). Reading stops and no callback runs
// any more; a write error or a write timeout closes the connection
// without a callback.
func (c *Conn) CloseAfterFlush() {
	if c.flags&fClosed != 0 {
		return
	}
	c.onRead, c.onWrite, c.onEvent = nil, nil, nil
	c.flags |= fCloseAfterFlush | fWrite
	c.flags &^= fRead | fCorked
	if x := c.x; x != nil && x.kind != kindFd {
		switch {
		case x.kind == kindFilter:
			// A filter may hold bytes back (ErrNeedMore) or keep state
			// of its own: flush it for good now, as CloseWrite does. The
			// Conn under it flushes what came through before it closes
			// (closeFilter); what the filter still holds is dropped.
			x.filter.flush(c, true)
			c.Close()
			return
		case x.peer == nil:
			// A pair whose peer is gone: no one will ever read the
			// output (Write gets EPIPE).
			c.Close()
			return
		}
	}
	if c.outLen() == 0 && c.flags&fConnecting == 0 {
		c.Close()
		return
	}
	c.arm()
}

// CloseWrite shuts down the writing side (shutdown(2) with SHUT_WR) once
// all queued output has been written: the peer reads EOF, and this side
// can still read. Later writes return an error wrapping net.ErrClosed.
//
// A descriptor that is no socket (a pipe, a terminal) has no writing side
// to shut down. If it is open for writing only, as a pipe's write end is
// on Linux and macOS, CloseWrite closes it once the output is written:
// the reader gets EOF, and Fd returns -1 from then on; Close is still
// needed to end the Conn. Otherwise CloseWrite changes nothing and returns
// an error wrapping errors.ErrUnsupported (libuv's uv_shutdown fails on
// such a descriptor with ENOTSOCK).
func (c *Conn) CloseWrite() error {
	if c.flags&fClosed != 0 {
		return net.ErrClosed
	}
	if c.flags&(fShutdown|fShutdownPending) != 0 {
		return nil
	}
	if c.flags&fNotSocket != 0 {
		if err := c.writeOnly(); err != nil {
			return err
		}
	}
	c.flags |= fShutdownPending | fWrite
	c.flags &^= fCorked
	filter := c.x != nil && c.x.kind == kindFilter // flushes its output itself
	if (c.outLen() == 0 || filter) && c.flags&fConnecting == 0 {
		return c.shutdownNow()
	}
	return c.arm()
}

func (c *Conn) shutdownNow() error {
	c.flags &^= fShutdownPending
	c.flags |= fShutdown
	if c.x != nil && c.x.kind != kindFd {
		return c.x.shutdownVirtual(c)
	}
	if c.flags&fNotSocket != 0 {
		// A write-only descriptor (writeOnly): closing it is the only way
		// to give the reader its EOF, and nothing else can be done with
		// it. The Conn forgets it at once, so that Close cannot close a
		// descriptor that reused its number.
		fd := c.io.Fd()
		c.stopIO()
		c.io.Set(-1, 0)
		c.flags |= fEOF
		if err := closeFd(c.Loop(), fd); err != nil {
			return os.NewSyscallError("close", err)
		}
		return nil
	}
	if err := unix.Shutdown(c.io.Fd(), unix.SHUT_WR); err != nil {
		return os.NewSyscallError("shutdown", err)
	}
	return nil
}

// errCloseWriteReadable is CloseWrite's error on a descriptor that is no
// socket and can be read from: closing it would end reading too.
var errCloseWriteReadable = fmt.Errorf("stream: CloseWrite on a descriptor that is no socket and is open for reading: %w", errors.ErrUnsupported)

// writeOnly returns nil if the descriptor is open for writing only
// (fcntl(2) F_GETFL), errCloseWriteReadable if it is open for reading.
func (c *Conn) writeOnly() error {
	fl, err := unix.FcntlInt(uintptr(c.io.Fd()), unix.F_GETFL, 0)
	if err != nil {
		return os.NewSyscallError("fcntl", err)
	}
	if fl&unix.O_ACCMODE != unix.O_WRONLY {
		return errCloseWriteReadable
	}
	return nil
}

func (c *Conn) outLen() int {
	if c.out == nil {
		return 0
	}
	return c.out.Len()
}

// SetDeferCallbacks makes the callbacks run from the loop, as their own
// step, instead of nested in the I/O path or in the call that caused them
// (libevent's BEV_OPT_DEFER_CALLBACKS): a callback that writes to another
// connection then never re-enters that connection's callbacks. Deferred
// read callbacks cost a copy of the bytes read.
func (c *Conn) SetDeferCallbacks(on bool) {
	if on {
		c.flags |= fDefer
	} else {
		c.flags &^= fDefer
	}
}

// callEvent runs (or defers) the event callback.
func (c *Conn) callEvent(what What, err error) {
	if c.flags&fDefer != 0 {
		x := c.extras()
		x.pendEvents = append(x.pendEvents, pendingEvent{what, err})
		c.Loop().FeedEvent(&c.io, ev.Custom)
		return
	}
	if c.onEvent != nil {
		c.onEvent(c, what, err)
	}
}

func (c *Conn) callRead() {
	if c.onRead == nil {
		return
	}
	if c.flags&fDefer != 0 {
		c.extras().pendRead = true
		c.Loop().FeedEvent(&c.io, ev.Custom)
		return
	}
	c.flags |= fInCallback
	c.onRead(c)
	c.flags &^= fInCallback
}

func (c *Conn) callWrite() {
	if c.onWrite == nil {
		return
	}
	if c.flags&fDefer != 0 {
		c.extras().pendWrite = true
		c.Loop().FeedEvent(&c.io, ev.Custom)
		return
	}
	c.onWrite(c)
}

// runDeferred delivers what waits for the loop: a write error found by a
// write made outside the I/O path (Close, Cork, Disable), and deferred
// callbacks.
func (c *Conn) runDeferred() {
	x := c.x
	if x == nil {
		return
	}
	if c.flags&fErrPending != 0 {
		c.flags &^= fErrPending
		c.fail(Writing, x.err)
		return
	}
	if x.pendRead {
		x.pendRead = false
		if c.onRead != nil {
			c.flags |= fInCallback
			c.onRead(c)
			c.flags &^= fInCallback
			if c.stopped() {
				return
			}
			c.afterRead()
		}
	}
	if x.pendWrite && !c.stopped() {
		x.pendWrite = false
		if c.onWrite != nil {
			c.onWrite(c)
		}
	}
	if c.flags&fClosed == 0 {
		switch x.kind {
		case kindPair:
			c.pairTransfer()
		case kindFilter:
			x.filter.flush(c, false)
		}
	}
	for len(x.pendEvents) > 0 && !c.stopped() {
		e := x.pendEvents[0]
		x.pendEvents = x.pendEvents[1:]
		if c.onEvent != nil {
			c.onEvent(c, e.what, e.err)
		}
		if e.what&Error != 0 && c.flags&fClosed == 0 {
			c.Close()
		}
	}
}

// stopped reports whether c's callbacks must not run any more: c was
// closed, or its loop (Close from a callback ends every callback).
func (c *Conn) stopped() bool { return c.flags&fClosed != 0 || c.io.Loop().Closed() }

// fail reports a final error: both directions stop, the event callback
// runs, and the connection is closed when it returns.
func (c *Conn) fail(what What, err error) {
	if c.flags&fClosed != 0 {
		return
	}
	c.flags &^= fRead | fWrite
	if c.flags&fCloseAfterFlush != 0 {
		c.Close()
		return
	}
	c.arm()
	if c.flags&fDefer != 0 {
		c.callEvent(what|Error, err)
		return
	}
	if c.onEvent != nil {
		c.onEvent(c, what|Error, err)
	}
	if c.flags&fClosed == 0 {
		c.Close()
	}
}

// failLater records an error found outside the I/O path (by the write
// that Cork, Disable or Close make of a deferred output) and has the loop
// deliver it, so that the event callback never runs nested in them.
func (c *Conn) failLater(err error) {
	if c.flags&(fErrPending|fClosed) != 0 {
		return
	}
	x := c.extras()
	x.err = err
	c.flags |= fErrPending
	c.flags &^= fRead | fWrite
	c.arm()
	c.Loop().FeedEvent(&c.io, ev.Custom)
}

// String describes the connection for debugging.
func (c *Conn) String() string {
	return fmt.Sprintf("stream.Conn(fd=%d, in=%d, out=%d)", c.Fd(), c.inLen(), c.outLen())
}

func (c *Conn) inLen() int {
	n := 0
	if c.flags&fInShared != 0 {
		n = c.ls.in.Len()
	}
	if c.in != nil {
		n += c.in.Len()
	}
	return n
}

// errClosedWrite is returned by writes after CloseWrite.
var errClosedWrite = fmt.Errorf("stream: write after CloseWrite: %w", net.ErrClosed)

// isTemporary reports whether a read or write error means "try later".
func isTemporary(e syscall.Errno) bool {
	return e == syscall.EAGAIN || e == syscall.EWOULDBLOCK || e == syscall.EINTR
}
