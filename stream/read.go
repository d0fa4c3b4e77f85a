package stream

import (
	"io"
	"os"
	"syscall"
	"unsafe"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
)

// handleRead runs the read path for handle. The path is written in
// connIO, which takes it at once for Read alone: handle calls handleRead
// only when connIO's other tests pass too (the watcher waits for Read, no
// dial in progress, no read callback running), so this never comes back
// to handle.
func (c *Conn) handleRead() { connIO(&c.io, ev.Read) }

// connIO is every Conn's IO callback, and the read path. What the loop
// reports goes to handle, except a readiness for reading alone that the
// connection still waits for: every message of an echo, read here
// without another frame (handle comes back here for its reads, through
// handleRead).
//
// The read path makes one read(2) per readiness. A connection with no
// input kept from before reads into the loop's arena and shows the bytes
// to the read callback by reference; what the callback leaves is copied
// into pooled chunks afterwards, what it moves elsewhere stays in the
// arena until released (loopState). A connection with kept input reads
// into it directly. A short read is not followed by another: the next
// comes with the next readiness, so no read ends in EAGAIN.
//
// The common case is written out: a connection without extras (c.x ==
// nil: no watermark, rate limit, timeout or deferred callbacks) tests one
// pointer and calls neither readLimit, readDone, callRead nor afterRead.
func connIO(w *ev.IO, revents ev.Events) {
	// io is the first field of Conn, so the watcher's address is the
	// Conn's (one function value serves every connection; no closure).
	c := (*Conn)(unsafe.Pointer(w))
	if revents != ev.Read || c.flags&(fConnecting|fInCallback) != 0 || w.Events()&ev.Read == 0 {
		c.handle(revents)
		return
	}
	ls := c.ls
	limit := readBufSize
	if c.x != nil {
		if limit = c.readLimit(); limit <= 0 {
			c.arm()
			return
		}
	}
	if c.in != nil && c.in.Len() > 0 || ls.busy || c.flags&fDefer != 0 {
		c.readOwned(limit)
		return
	}
	if ls.lent == 0 {
		ls.off = 0
	}
	buf := ls.arena[ls.off:]
	if len(buf) < limit {
		// The arena is held by what callbacks of this pass (or a
		// connection's queued output) still reference.
		c.readOwned(limit)
		return
	}
	n, e := rawRead(c.io.Fd(), buf[:limit], c.sock())
	if e != 0 || n == 0 {
		c.readResult(n, e)
		return
	}
	if c.x != nil {
		c.x.readDone(n)
	}
	ls.busy = true
	ls.cur, ls.curOut = &buf[0], true
	ls.in.AddReference(buf[:n], ls.release)
	// callRead, without its deferral test: fDefer is clear here.
	if c.onRead != nil && (c.x == nil || n >= c.x.lowReadMark()) {
		c.flags |= fInShared | fInCallback
		c.onRead(c)
		c.flags &^= fInShared | fInCallback
	}
	ls.busy = false
	if left := ls.in.Len(); left > 0 {
		if c.flags&fClosed != 0 {
			ls.in.Reset()
		} else {
			in := c.Input()
			for _, v := range ls.in.Peek(left, ls.vecs[:0]) {
				in.Write(v)
			}
			ls.in.Drain(left)
		}
	}
	if ls.curOut {
		// The callback moved the bytes to another Buffer (its output,
		// written at the end of the pass), which holds them until it
		// releases them: the next read lands after them.
		ls.curOut = false
		ls.lent++
		ls.off += n
	}
	ls.cur = nil
	if (c.in != nil || c.x != nil) && c.flags&fClosed == 0 {
		c.afterRead() // afterRead does nothing without either
	}
}

// readOwned reads into the connection's own input Buffer.
func (c *Conn) readOwned(limit int) {
	in := c.Input()
	before := in.Len()
	n, err := in.ReadFd(c.io.Fd(), limit)
	var e syscall.Errno
	switch {
	case err == io.EOF:
		n = 0
	case err != nil:
		var ok bool
		if e, ok = err.(syscall.Errno); !ok {
			e = syscall.EIO
		}
	}
	if c.readResult(n, e) {
		return
	}
	c.x.readDone(n)
	if in.Len() >= c.x.lowReadMark() && in.Len() > before {
		c.callRead()
		if c.flags&fClosed != 0 {
			return
		}
	}
	c.afterRead()
}

// readResult handles EOF and errors of a read; it returns true when there
// is no data to deliver.
func (c *Conn) readResult(n int, e syscall.Errno) bool {
	switch {
	case e != 0 && isTemporary(e):
		return true
	case e != 0:
		c.flags |= fEOF
		c.fail(Reading, os.NewSyscallError("read", e))
		return true
	case n == 0:
		c.flags |= fEOF
		c.arm()
		c.callEvent(Reading|EOF, nil)
		return true
	}
	return false
}

// readLimit is how much the next read may ask for: the shared buffer's
// size, less what the high watermark and the rate limit allow.
func (c *Conn) readLimit() int {
	limit := readBufSize
	if x := c.x; x != nil {
		if x.highRead > 0 {
			limit = min(limit, x.highRead-c.inLen())
		}
		if x.rate != nil {
			limit = min(limit, x.rate.readAllowance())
		}
	}
	return limit
}

// afterRead runs after the read callback: input left at the high
// watermark suspends reading until it is drained; an input Buffer left
// empty goes back to the loop.
func (c *Conn) afterRead() {
	if x := c.x; x != nil && x.highRead > 0 && c.in != nil && c.in.Len() >= x.highRead {
		c.suspendRead()
		return
	}
	if c.in != nil && c.in.Len() == 0 && c.flags&fInCallback == 0 {
		c.ls.putBuffer(c.in)
		c.in = nil
	}
}

// suspendRead stops reading until the input drops below the high
// watermark, which a callback on the input Buffer watches for: the input
// may be drained from anywhere (a proxy drains it when the other side's
// output has room).
func (c *Conn) suspendRead() {
	x := c.x
	c.flags |= fReadSuspended
	if x.inWatch == nil {
		x.inWatched = c.in
		x.inWatch = c.in.AddCallback(x.inChangedFn)
	}
	c.arm()
}

func (x *extras) inChangedFn(b *buffer.Buffer, ch buffer.Change) {
	c := x.c
	if ch.Deleted == 0 || c.flags&fReadSuspended == 0 || b.Len() >= x.highRead {
		return
	}
	x.unwatchInput()
	c.flags &^= fReadSuspended
	if c.flags&fClosed == 0 {
		c.arm()
	}
}

func (x *extras) unwatchInput() {
	if x.inWatch != nil {
		x.inWatch.Remove()
		x.inWatch, x.inWatched = nil, nil
	}
}

// SetReadWatermarks sets the read watermarks: the read callback runs only
// when the input holds at least low bytes (0 and 1 mean any), and reading
// stops while it holds high or more (0: no limit), resuming when it is
// drained below high. Negative values, or low > high with high > 0, panic.
func (c *Conn) SetReadWatermarks(low, high int) {
	if low < 0 || high < 0 {
		panic("stream: negative read watermark")
	}
	if high > 0 && low > high {
		panic("stream: read low watermark above the high watermark")
	}
	if c.x == nil && low <= 1 && high == 0 {
		return
	}
	x := c.extras()
	x.lowRead, x.highRead = low, high
	if c.flags&fReadSuspended != 0 && (high == 0 || c.inLen() < high) {
		x.unwatchInput()
		c.flags &^= fReadSuspended
	}
	if c.flags&fClosed == 0 {
		c.arm()
	}
}

// SetWriteLowWatermark sets the write low watermark: the write callback
// runs when the loop has written queued output down to low bytes or fewer
// (default 0: all of it). A negative low panics.
func (c *Conn) SetWriteLowWatermark(low int) {
	if low < 0 {
		panic("stream: negative write watermark")
	}
	if c.x == nil && low == 0 {
		return
	}
	c.extras().lowWrite = low
}
