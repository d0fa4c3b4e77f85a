package stream

import (
	"errors"
	"math"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/internal/uring"
)

const (
	// ringEntries is the most sends one io_uring_enter makes; a pass that
	// defers more writes the rest one system call each.
	ringEntries = 256
	// ringVecs is the iovecs a batch's sendmsg(2)s share; maxVecs is the
	// most one connection's takes (buffer's writev bound).
	ringVecs = 1024
	maxVecs  = 64
)

// ringOff is EVENTIDE_IOURING=off: no loop sets up a ring, and deferred
// writes are made one write(2) each (for a system whose io_uring
// misbehaves, and for comparing the two).
var ringOff = os.Getenv("EVENTIDE_IOURING") == "off"

// ringState is a loop's io_uring for the pass's sends (package uring),
// set up at the first pass that defers writes on two connections.
type ringState struct {
	r      *uring.Ring
	failed bool // io_uring is missing or refused here: no second try
	res    []int32
	msgs   []unix.Msghdr
	iovs   []unix.Iovec
	vecs   [maxVecs][]byte
}

// Results of sendBatch's first phase, kept in res beside the counts and
// negated errnos the ring returns.
const (
	resPlain  = math.MinInt32     // not sent by the ring: flushDeferred
	resInRing = math.MinInt32 + 1 // submitted, no result yet
)

// sendBatch makes the deferred writes of pend with one io_uring_enter(2):
// a send(2) for an output in one piece, a sendmsg(2) for one in several
// (up to a file segment, which the connection's own write sends). Every
// send carries MSG_DONTWAIT and completes during the call, so the output
// is untouched until its result is in; the results are drained from the
// outputs first, and only then do the write callbacks run, in pend's
// order, with the connections that the ring did not serve (not sockets,
// a file segment in front, past the ring's capacity) written in turn. It
// reports false, having done nothing, when there is no ring; closed is
// set when a callback closed the loop, which ends the flush.
func (ls *loopState) sendBatch(pend []*Conn, closed *bool) bool {
	rs := &ls.ring
	if rs.r == nil {
		if rs.failed || ringOff {
			return false
		}
		r, err := uring.New(ringEntries)
		if err != nil {
			rs.failed = true
			return false
		}
		rs.r = r
		rs.msgs = make([]unix.Msghdr, ringEntries)
		rs.iovs = make([]unix.Iovec, ringVecs)
	}
	r := rs.r
	// The results are taken from rs while the batch runs: a callback of
	// this batch may run the loop (nested Run), whose own flush then
	// makes a batch with results of its own.
	res := rs.res
	rs.res = nil
	if cap(res) < len(pend) {
		res = make([]int32, len(pend))
	}
	res = res[:len(pend)]
	defer func() { rs.res = res }()
	nv, nm, sent := 0, 0, 0
	for i, c := range pend {
		res[i] = resPlain
		if c.flags&(fDeferred|fWrite|fConnecting|fCorked|fNotSocket) != fDeferred|fWrite ||
			r.Free() == 0 || c.outLen() == 0 || !c.x.direct() || c.out.Frozen(true) {
			continue // flushDeferred's, in order below
		}
		p := c.out.Front()
		switch {
		case len(p) == 0:
			continue // a file segment in front: sendfile(2), by handleWrite
		case len(p) == c.out.Len():
			r.Send(c.io.Fd(), p, uint64(i))
		case ringVecs-nv >= maxVecs:
			vecs := c.out.PeekMemory(-1, rs.vecs[:0])
			iov := rs.iovs[nv : nv+len(vecs)]
			nv += len(vecs)
			for j, v := range vecs {
				iov[j] = unix.Iovec{Base: &v[0]}
				iov[j].SetLen(len(v))
			}
			m := &rs.msgs[nm]
			nm++
			*m = unix.Msghdr{Iov: &iov[0]}
			m.SetIovlen(len(iov))
			r.Sendmsg(c.io.Fd(), m, uint64(i))
		default:
			continue
		}
		c.flags &^= fDeferred
		res[i] = resInRing
		sent++
	}
	if sent == 0 {
		return false
	}
	err := r.Submit()
	clear(rs.vecs[:])
	clear(rs.iovs[:nv])
	clear(rs.msgs[:nm])
	for {
		user, v, ok := r.Next()
		if !ok {
			break
		}
		res[user] = v
		if v > 0 {
			pend[user].out.Drain(int(v))
		}
	}
	if err != nil {
		// io_uring_enter failed: the entries it did not take have no
		// result and are written the plain way, now and, unless the
		// kernel was only short of memory, from now on.
		for i, c := range pend {
			if res[i] == resInRing {
				res[i] = resPlain
				c.flags |= fDeferred
			}
		}
		if !errors.Is(err, syscall.EAGAIN) && !errors.Is(err, syscall.EBUSY) {
			ls.closeRing()
			rs.failed = true
		}
	}
	for i, c := range pend {
		switch v := res[i]; {
		case v == resPlain:
			c.flushDeferred()
		case c.flags&fClosed != 0:
		case v >= 0 && c.outLen() == 0 && c.x == nil && c.onWrite == nil &&
			c.flags&(fCloseAfterFlush|fShutdownPending|fOutPinned) == 0:
			// All written, and nothing waits for it (an echo's reply):
			// what wroteOutput would do comes down to recycling the
			// output, the watcher's interest being unchanged.
			c.ls.putBuffer(c.out)
			c.out = nil
		case v >= 0:
			c.wroteOutput(int(v), nil)
		default:
			c.wroteOutput(0, syscall.Errno(-v))
		}
		if *closed = c.Loop().Closed(); *closed {
			break
		}
	}
	return true
}

// closeRing closes the loop's ring, if it has one.
func (ls *loopState) closeRing() {
	if r := ls.ring.r; r != nil {
		ls.ring.r = nil
		r.Close()
	}
}

// ringActive reports whether the loop's state has a ring (tests).
func (ls *loopState) ringActive() bool { return ls.ring.r != nil }

// setRingOff sets ringOff and returns its old value (tests).
func setRingOff(off bool) bool {
	old := ringOff
	ringOff = off
	return old
}
