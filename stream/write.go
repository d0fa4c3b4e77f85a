package stream

import (
	"net"
	"os"
	"syscall"
	"unsafe"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
)

// Write queues p (copied) for the connection. When nothing was queued and
// writing is enabled, the write is made at the end of the loop's pass,
// once the pass's callbacks have run, together with the other connections'
// (one system call for all of them where the system has io_uring); what
// the descriptor does not take then waits for it to become writable.
// Otherwise p waits behind what is queued. It returns len(p), nil unless
// the connection is closed (an error wrapping net.ErrClosed) or shut down
// for writing; an error of the write itself goes to the event callback
// (Writing|Error), and the connection is closed.
func (c *Conn) Write(p []byte) (int, error) {
	if err := c.writable(); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	now := c.canWriteNow() // asked before p joins the output
	c.queue().Write(p)
	switch {
	case now:
		c.deferOutput()
	case c.flags&fDeferred == 0:
		c.arm()
	}
	return len(p), nil
}

// WriteString is Write for a string, without converting it to a []byte
// copy.
func (c *Conn) WriteString(s string) (int, error) {
	return c.Write(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// WriteBuffer moves all of b's bytes to the connection's output, b ending
// empty, without copying them (b's chunks, references included, move), to
// be written as Write's are. Errors are Write's, and buffer.ErrFrozen,
// with nothing moved, if b's front is frozen. A reference's release
// function runs once its bytes are written.
func (c *Conn) WriteBuffer(b *buffer.Buffer) error {
	n := b.Len()
	// A connection without extras whose flags allow writing now, without
	// an output Buffer (it has none while nothing is queued, unless
	// Output pinned one), and bytes in b that may be taken (an echo),
	// passes every test below: it goes straight to the write. The flags
	// test is writable's and canWriteNow's for c.x == nil.
	if c.x != nil || c.flags&plainWriteMask != fWrite || c.out != nil || n == 0 || b.Frozen(true) {
		if err := c.writable(); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if b.Frozen(true) {
			// Nothing can be taken from b: the caller's mistake, not the
			// connection's, so it is not failed (as when output is queued
			// and AppendBuffer refuses b).
			return buffer.ErrFrozen
		}
		if !c.canWriteNow() {
			return c.queueBuffer(b)
		}
	}
	// The chunks move to the output, which the end of the pass writes.
	out := c.queue()
	if ls := c.ls; b == &ls.in {
		if p := b.Front(); len(p) == n {
			// An echo's case: the read callback's whole input, one
			// reference to the loop's arena. The output takes the bytes
			// as a reference of its own rather than the input's chunk,
			// so that each Buffer keeps reusing its own spare chunk (a
			// moved chunk goes back to the pool when drained, and the
			// input would take a new one for every read); the arena
			// counts them as still lent.
			out.AddReference(p, ls.release)
			b.Drain(n) // the input lets go (its release clears curOut)...
			// ...but the output holds the bytes until it is written.
			ls.curOut = true
			c.deferOutput()
			return nil
		}
	}
	if err := out.AppendBuffer(b); err != nil {
		return err
	}
	c.deferOutput()
	return nil
}

// queueBuffer moves all of b's bytes to the end of the output, which the
// loop writes when the descriptor takes them (or at the end of the pass,
// if a write of this pass deferred it).
func (c *Conn) queueBuffer(b *buffer.Buffer) error {
	if err := c.queue().AppendBuffer(b); err != nil {
		return err
	}
	if c.flags&fDeferred != 0 {
		return nil
	}
	return c.arm()
}

// writeDeferred makes at once the write that deferOutput left to the end
// of the pass, for Close, Cork and Disable(Write), which must neither drop
// nor hold back what was written before them: one write, as a Write used
// to make it, and no callback (an error reaches the event callback from
// the loop).
func (c *Conn) writeDeferred() {
	c.flags &^= fDeferred
	if c.flags&(fWrite|fConnecting|fCorked|fClosed) != fWrite || c.outLen() == 0 {
		return
	}
	limit, ok := c.x.writeLimit()
	if !ok {
		return
	}
	n, err := c.out.WriteFd(c.io.Fd(), limit)
	if err != nil {
		if e, ok := err.(syscall.Errno); !ok || !isTemporary(e) {
			c.failLater(writeError(err))
			return
		}
	}
	c.x.wrote(n)
	if c.out.Len() == 0 && c.flags&fOutPinned == 0 {
		// An idle connection holds no output Buffer.
		c.ls.putBuffer(c.out)
		c.out = nil
	}
}

// deferOutput has the end of the pass write the output (Flush of the
// loop's state): a write that would go to the descriptor at once waits
// until the pass's callbacks have run, so that the pass's sends leave
// together, in one system call where the system allows (io_uring).
func (c *Conn) deferOutput() {
	if c.flags&fDeferred == 0 {
		c.flags |= fDeferred
		c.ls.pend = append(c.ls.pend, c)
	}
}

// Flush writes as much queued output as the descriptor takes now, whether
// or not writing is enabled or corked, and returns the first error. A
// rate limit still applies: Flush writes at most the tokens left in the
// connection's bucket and its group's (nothing when they are empty), and
// the loop writes the rest as tokens come. (libevent's bufferevent_flush
// does nothing on a socket; Flush is for a caller that wants the bytes in
// the kernel before it goes on, such as Uncork.) While a dial resolves or
// connects, Flush does nothing.
func (c *Conn) Flush() error {
	if c.flags&fClosed != 0 {
		return net.ErrClosed
	}
	if c.x != nil && c.x.kind != kindFd {
		return c.x.flushVirtual(c)
	}
	if c.outLen() == 0 || c.flags&fConnecting != 0 {
		return nil
	}
	limit, ok := c.x.writeLimit()
	if !ok {
		return nil // the bucket refills, and the loop writes then
	}
	c.flags &^= fDeferred // written now, not at the end of the pass
	n, err := c.out.WriteFd(c.io.Fd(), limit)
	if err != nil {
		if e, ok := err.(syscall.Errno); ok && isTemporary(e) {
			err = nil
		} else {
			err = writeError(err)
			c.failLater(err)
			return err
		}
	}
	c.x.wrote(n)
	c.afterWrite()
	return nil
}

// Cork holds the output back: until Uncork, Write, WriteString and
// WriteBuffer queue what they are given instead of trying the descriptor,
// and queued output waits, so that replies produced one after another in
// a callback leave together, in one writev(2), when Uncork flushes them
// (Node.js's writable.cork). evhttp corks a connection while it answers
// pipelined requests that arrived together.
//
// Corks do not nest: one Uncork ends any number of Corks. CloseAfterFlush
// and CloseWrite end the cork, since they ask for the output to be sent,
// and a Cork after them has no effect. On a pair or a filtered connection,
// whose output moves on the loop anyway, it has no effect either.
func (c *Conn) Cork() {
	// Once the writing side is closing, the output must leave: nothing
	// would ever uncork it.
	if c.flags&(fClosed|fCloseAfterFlush|fShutdownPending|fShutdown) != 0 {
		return
	}
	if c.flags&fDeferred != 0 {
		c.writeDeferred() // written before the Cork: not held back
	}
	c.flags |= fCorked
	if c.io.Events()&ev.Write != 0 {
		c.arm() // output queued before the Cork waits too
	}
}

// Uncork ends Cork: what was queued meanwhile is written now, as far as the
// descriptor takes it (one writev(2)), if writing is enabled; the rest is
// written as the descriptor accepts it. It returns Flush's errors.
func (c *Conn) Uncork() error {
	if c.flags&fCorked == 0 {
		return nil
	}
	c.flags &^= fCorked
	if c.flags&fClosed != 0 {
		return net.ErrClosed
	}
	if c.outLen() > 0 && c.flags&(fWrite|fConnecting) == fWrite && c.x.direct() {
		return c.Flush()
	}
	// Nothing queued, or the loop writes it (writing disabled, connecting,
	// rate-limited, virtual): only the interest changes.
	return c.arm()
}

// writable returns the error a write gets in the connection's state.
func (c *Conn) writable() error {
	switch f := c.flags; {
	case f&fClosed != 0:
		return net.ErrClosed
	case f&fErrPending != 0:
		return c.x.err
	case f&(fShutdown|fShutdownPending|fCloseAfterFlush) != 0:
		return errClosedWrite
	case c.x != nil && c.x.kind == kindPair && c.x.peer == nil:
		return os.NewSyscallError("write", syscall.EPIPE)
	}
	return nil
}

// plainWriteMask is the flags writable and canWriteNow look at: of
// these, a connection that may write now has fWrite alone set.
const plainWriteMask = fClosed | fErrPending | fShutdown | fShutdownPending | fCloseAfterFlush | fWrite | fConnecting | fCorked

// canWriteNow reports whether a write may go straight to the descriptor:
// nothing queued, writing enabled, connected, no rate limit or filter or
// pair in the way.
func (c *Conn) canWriteNow() bool {
	return c.flags&(fWrite|fConnecting|fCorked) == fWrite && c.outLen() == 0 && (c.x == nil || c.x.direct())
}

// queue returns the output Buffer, taking one from the loop if needed.
func (c *Conn) queue() *buffer.Buffer {
	if c.out == nil {
		c.out = c.ls.getBuffer()
	}
	return c.out
}

// handleWrite is the write path: the descriptor is writable and output is
// queued. One writev(2) per readiness.
func (c *Conn) handleWrite() {
	// Whatever a write of the pass deferred is written here and now (a
	// dial that connected, the loop's flush).
	c.flags &^= fDeferred
	if c.outLen() == 0 {
		c.afterWrite()
		return
	}
	if c.flags&fCorked != 0 {
		// Readiness reported before a Cork, or the end of a Dial: the
		// output waits for Uncork.
		c.arm()
		return
	}
	limit, ok := c.x.writeLimit()
	if !ok {
		c.arm()
		return
	}
	n, err := c.out.WriteFd(c.io.Fd(), limit)
	c.wroteOutput(n, err)
}

// wroteOutput finishes a write of the output, whose n bytes written are
// drained already: an error fails the connection, a write that left the
// output at or below the write low watermark calls the write callback.
func (c *Conn) wroteOutput(n int, err error) {
	if err != nil {
		if e, ok := err.(syscall.Errno); !ok || !isTemporary(e) {
			c.fail(Writing, writeError(err))
			return
		}
	}
	c.x.wrote(n)
	c.afterWrite()
	if c.flags&fClosed != 0 || n == 0 {
		return
	}
	if c.outLen() <= c.x.lowWriteMark() {
		c.callWrite()
		if c.in != nil && c.in.Len() == 0 && c.flags&(fClosed|fInCallback) == 0 {
			// The callback called Input (evhttp looks for pipelined
			// requests): an idle connection holds no input Buffer.
			c.ls.putBuffer(c.in)
			c.in = nil
		}
	}
}

// afterWrite finishes what waits for the output to drain (CloseAfterFlush,
// CloseWrite), updates the interest, and recycles an empty output.
func (c *Conn) afterWrite() {
	if c.outLen() == 0 {
		if c.flags&fCloseAfterFlush != 0 {
			c.Close()
			return
		}
		if c.flags&fShutdownPending != 0 {
			if err := c.shutdownNow(); err != nil {
				c.fail(Writing, err)
				return
			}
		}
		if c.out != nil && c.flags&fOutPinned == 0 {
			c.ls.putBuffer(c.out)
			c.out = nil
		}
	}
	c.arm()
}

// writeError labels an error of writing the output to the descriptor: a
// raw errno becomes a "write" *os.SyscallError; anything else came from a
// file segment of the output (the *os.PathError of reading its file, a
// file shorter than its segment…) and says so itself.
func writeError(err error) error {
	if e, ok := err.(syscall.Errno); ok {
		return os.NewSyscallError("write", e)
	}
	return err
}
