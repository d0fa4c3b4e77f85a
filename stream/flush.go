package stream

// maxFlushRounds bounds the rounds of one Flush: the write callbacks that a
// round runs may write again, which makes the next round. After this many
// the loop polls without waiting and flushes again.
const maxFlushRounds = 8

// Flush writes the output that writes of the pass deferred (deferOutput):
// the loop calls it at the end of every pass of callbacks and before it
// polls (evhook.Flusher). The sends of two or more connections go out
// together, in one system call where the system has io_uring
// (sendBatch); each is otherwise the write the connection's handleWrite
// makes, followed by the same write callback and error handling. It
// reports whether deferred writes are left.
func (ls *loopState) Flush() bool {
	for round := 0; len(ls.pend) > 0; round++ {
		if round == maxFlushRounds {
			return true
		}
		pend := ls.pend
		ls.pend, ls.spare = ls.spare[:0], nil
		closed := false
		if len(pend) == 1 || !ls.sendBatch(pend, &closed) {
			for _, c := range pend {
				c.flushDeferred()
				if closed = c.Loop().Closed(); closed {
					break
				}
			}
		}
		if closed {
			// A callback closed the loop: what this round did not
			// write stays listed, for Release to write.
			for _, c := range pend {
				if c.flags&fDeferred != 0 {
					ls.pend = append(ls.pend, c)
				}
			}
		}
		clear(pend)
		ls.spare = pend[:0]
		if closed || ls.released {
			return false
		}
	}
	return false
}

// flushDeferred makes the write that deferOutput put off, if it is still
// wanted: Close, Flush and Cork take a connection's output out of the
// pass's hands, and a Disable or a rate limit set since leaves it to the
// loop.
func (c *Conn) flushDeferred() {
	if c.flags&fDeferred == 0 {
		return
	}
	c.flags &^= fDeferred
	if c.flags&(fWrite|fConnecting|fCorked) != fWrite {
		c.arm()
		return
	}
	c.handleWrite()
}

// Release lets the loop's state go when the loop is closed
// (evhook.Flusher). Writes still deferred are made first, one write each
// and without callbacks, as they would have been made at once: a reply
// written by the callback that closed the loop is sent.
func (ls *loopState) Release() {
	ls.released = true
	for _, c := range ls.pend {
		if c.flags&fDeferred != 0 {
			c.writeDeferred()
		}
	}
	clear(ls.pend)
	ls.pend = nil
	ls.closeRing()
}
