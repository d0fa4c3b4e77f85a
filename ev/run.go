package ev

import (
	"math"
	"math/bits"
	"runtime"
	"time"

	"github.com/eventide-go/eventide/internal/poller"
)

// RunMode says how long Run runs.
type RunMode int

// The run modes (libev's ev_run flags).
const (
	// RunDefault runs until no active watcher keeps the loop alive, or until
	// Break, LoopBreak or LoopExit.
	RunDefault RunMode = iota
	// RunOnce waits for at least one event (if any watcher could produce
	// one), handles what is ready, and returns.
	RunOnce
	// RunNoWait handles what is ready without waiting, and returns.
	RunNoWait
)

// BreakHow says which Run calls Break ends.
type BreakHow int32

// The kinds of Break (libev's ev_break).
const (
	// BreakCancel cancels a Break that has not taken effect yet.
	BreakCancel BreakHow = iota
	// BreakOne makes the innermost Run return after the current pass.
	BreakOne
	// BreakAll makes every nested Run return after the current pass.
	BreakAll
)

// gcYieldEvery is how many callbacks the loop runs before yielding its
// thread to other goroutines within one pass; see docs/design.md ("How the
// loop waits"): without the yields a goroutine elsewhere in the program can
// wait tens of milliseconds for the processor.
const gcYieldEvery = 64

// yieldInterval is how long a loop that keeps finding events goes between
// yields at the end of a pass: a yield after every short pass is measurable
// CPU (docs/design.md), and 100 µs keeps other goroutines' wait for the
// processor far below the runtime's own 10 ms preemption.
const yieldInterval = 100 * time.Microsecond

// Run runs the loop in the calling goroutine until mode says to return:
// see RunMode. It returns ErrClosed on a closed loop and ErrRunning if
// another goroutine is running the loop. A callback may call Run again
// (nesting, as in libev); the nested Run returns on its own terms or on
// Break.
//
// One iteration of the loop, in order:
//
//  1. run prepare watchers (and anything already pending); return
//     at once if one of them broke the loop;
//  2. make the writes that the stream package deferred to the end of the
//     pass (writes made since the last pass, in prepare callbacks or
//     outside Run), then apply interest changes to the backend;
//  3. compute how long to wait: zero when anything is pending, idle
//     watchers are active, deferred writes are left or mode is RunNoWait; else until the nearest
//     timer, periodic or LoopExit deadline; forever without any;
//  4. poll the backend (which looks first without waiting, and asks for
//     step 3's answer only when nothing is ready: a busy loop skips it);
//  5. update the loop's time (Now), rescheduling periodics if the
//     wall clock jumped;
//  6. queue I/O watchers for what is ready, and async watchers that were
//     sent (posted functions run as one of these);
//  7. queue expired timers, then expired periodics;
//  8. queue the most urgent idle watchers if no callback as urgent is
//     pending;
//  9. queue check watchers;
//  10. run pending callbacks, highest priority first, in queue order
//     within a priority (subject to WithMaxDispatch and LoopBreak), then
//     make the writes the stream package deferred to the end of the pass
//     (stream.Conn.Write);
//  11. return if mode, a break, an exit or the lack of active watchers
//     says so; else go to 1.
func (l *Loop) Run(mode RunMode) error {
	if l.closed || l.closing {
		return ErrClosed // closing: Close was called in a callback
	}
	gid := goid()
	if !l.owner.CompareAndSwap(0, gid) && l.owner.Load() != gid {
		return ErrRunning
	}
	if l.depth == 0 {
		l.gotExit, l.gotBreak = false, false
		l.updateTime()
	}
	// Every Run starts unbroken, nested or not, as ev_run does: a Break
	// made before a nested Run ends neither it nor the Run that called
	// the callback.
	l.breakReq.Store(int32(BreakCancel))
	l.depth++
	defer l.leaveRun()
	for {
		l.iterate(mode)
		if l.closing {
			return nil // not only a break: Break(BreakCancel) cannot undo Close
		}
		if b := BreakHow(l.breakReq.Load()); b != BreakCancel {
			if b == BreakOne {
				l.breakReq.Store(int32(BreakCancel))
			}
			return nil
		}
		if l.breakNow.Load() && l.breakNow.Swap(false) {
			l.gotBreak = true
			return nil
		}
		if e := l.exitAt.Load(); e != 0 && l.mono >= e-1 && l.exitAt.CompareAndSwap(e, 0) {
			l.gotExit = true
			l.breakReq.Store(int32(BreakAll))
			return nil
		}
		if mode != RunDefault || !l.alive() {
			return nil
		}
	}
}

func (l *Loop) leaveRun() {
	l.depth--
	if l.depth > 0 {
		return
	}
	l.breakReq.Store(int32(BreakCancel))
	l.owner.Store(0)
	if l.closing {
		l.finishClose()
	}
}

// blockTime is the backend's hook when nothing is ready (poller.Poller.Wait):
// step 3 of an iteration, computed only then, so a busy loop never does.
// Before the loop blocks it tells other goroutines that it sleeps, then
// looks once more for work they may have published before they could see
// it (see wake), and does not block if there is some, or if LoopExit moved
// the deadline the wait was computed from.
func (l *Loop) blockTime() time.Duration {
	exit := l.exitAt.Load() // the LoopExit deadline the wait is computed from
	d := l.waitTime(l.waitMode, exit)
	if d == 0 {
		return 0
	}
	l.sleeping.Store(true)
	if l.exitAt.Load() != exit || l.postN.Load() != 0 || l.asyncPending.Load() ||
		l.breakReq.Load() != 0 || l.breakNow.Load() || l.clockMoved.Load() {
		return 0
	}
	return d
}

// alive reports whether anything keeps Run(RunDefault) going.
func (l *Loop) alive() bool {
	return l.refs() > 0 || l.npending > 0 || l.postN.Load() > 0 || l.exitAt.Load() != 0
}

// iterate is one pass of the loop; its steps are listed, in the same order,
// in the documentation of Run.
func (l *Loop) iterate(mode RunMode) {
	// 1. Prepare watchers.
	if len(l.prepares) > 0 {
		l.queueAll(l.prepares, 0)
		l.invokePending()
		if l.breakReq.Load() != 0 || l.breakNow.Load() {
			// As libev: a break from a prepare callback skips the poll;
			// the writes it made still leave.
			if l.flusher != nil {
				l.flush()
			}
			return
		}
	}
	// Writes made since the last pass (outside Run, in prepare callbacks)
	// leave before the poll.
	if l.flusher != nil {
		l.flush()
	}
	// 2. Interest changes.
	if len(l.fdChange) > 0 {
		l.applyFdChanges()
	}
	// 3 and 4. Poll; the backend asks blockTime how long to wait only when
	// nothing is ready, and only then does the loop tell other goroutines
	// that it sleeps: the stores are full barriers, measurable in a busy
	// loop.
	l.waitMode = mode
	n, err := l.backend.Wait(l.events, l.blockFn)
	if l.sleeping.Load() {
		l.sleeping.Store(false)
	}
	if l.clockMoved.Load() {
		l.clockMoved.Store(false) // the time read below sees the move
	}
	l.iteration++
	if err != nil {
		// The backend failed (EBADF on its own descriptor, ENOMEM): nothing
		// sensible can continue; end every Run.
		l.logf("ev: backend wait failed; breaking the loop", "err", err)
		l.breakReq.Store(int32(BreakAll))
		return
	}
	// 5. Time.
	if l.updateTime() {
		l.checkTimeJump()
	}
	// 6. I/O and asyncs.
	l.queueIO(l.events[:n])
	if l.asyncPending.Load() && l.asyncPending.Swap(false) {
		l.queueAsyncs()
	}
	// 7. Timers and periodics.
	if l.timers.Len() > 0 {
		l.queueTimers()
	}
	if l.periodics.Len() > 0 {
		l.queuePeriodics()
	}
	// 8. Idle.
	if len(l.idles) > 0 {
		l.queueIdles()
	}
	// 9. Check.
	if len(l.checks) > 0 {
		l.queueAll(l.checks, 0)
	}
	// 10. Callbacks, and the writes they made.
	l.invokePending()
	if l.flusher != nil {
		l.flush()
	}
	if d := l.mono - l.lastYield; n > 0 && (d >= int64(yieldInterval) || d < 0) {
		// Let the rest of the program run between batches; see gcYieldEvery.
		runtime.Gosched()
		l.lastYield = l.mono
	}
}

// flush runs the flusher (evhook): the writes the pass's callbacks
// deferred, one system call for all of them.
func (l *Loop) flush() {
	if l.closing || l.released {
		return
	}
	l.flushMore = l.flusher.Flush()
}

// waitTime is step 3 of an iteration; exit is the LoopExit deadline
// (exitAt) blockTime read, so that the wait and its later check agree.
func (l *Loop) waitTime(mode RunMode, exit int64) time.Duration {
	if mode == RunNoWait || l.npending > 0 || len(l.idles) > 0 || len(l.ready) > 0 || l.closing || l.flushMore || !l.alive() {
		// Nothing to wait for, or nothing that could end the wait.
		return 0
	}
	next := int64(-1) // earliest deadline, monotonic ns; -1 = none
	if l.timers.Len() > 0 {
		_, next = l.timers.Min()
	}
	if l.periodics.Len() > 0 {
		_, at := l.periodics.Min()
		// A periodic's deadline is wall-clock: convert through the current
		// offset between the clocks. A later jump is caught at the next
		// wake-up, which is why periodics also cap the wait (maxWallWait).
		// One already due is due now: converted, a time further back than
		// the monotonic clock's origin would read as negative, which is
		// "no deadline" here.
		m := l.mono
		if at > l.wall {
			d := at - l.wall // negative if the difference overflows
			if d < 0 || d > int64(maxWallWait) {
				d = int64(maxWallWait)
			}
			m += d
		}
		if next < 0 || m < next {
			next = m
		}
	}
	if exit != 0 && (next < 0 || exit-1 < next) {
		next = exit - 1
	}
	if next < 0 {
		return -1
	}
	if next <= l.mono {
		return 0
	}
	if l.clock.manual() {
		return -1 // time moves only by Advance, which wakes us
	}
	// From the present, not from the iteration's time: the callbacks that
	// ran since may have taken long enough for the deadline to pass (libev
	// updates its time before computing the wait, for the same reason).
	// Only a loop with a deadline pays for the clock read.
	now := int64(time.Since(epoch))
	if !l.sysClock {
		_, now = l.clock.read(l)
	}
	return time.Duration(max(0, next-now))
}

// maxWallWait bounds a wait while periodics are active, so that a wall-clock
// jump is noticed within this long even when nothing else happens.
const maxWallWait = time.Second

// queueAll queues every watcher of a list.
func (l *Loop) queueAll(ws watcherList, revents Events) {
	for _, w := range ws {
		l.feed(w, revents)
	}
}

// queueIdles is step 8: it queues the idle watchers of the most urgent
// priority that has any, unless a callback of that priority or a more urgent
// one is pending (libev's rule: an idle watcher waits only for events at
// least as urgent as itself). O(idle watchers).
func (l *Loop) queueIdles() {
	top := int8(MinPriority)
	for _, w := range l.idles {
		top = max(top, w.base().pri)
	}
	for pri := int(top) - MinPriority; pri < numPri; pri++ {
		q := &l.pending[pri]
		for _, e := range q.e[q.head:] {
			if e.b != nil {
				return
			}
		}
	}
	for _, w := range l.idles {
		if w.base().pri == top {
			l.feed(w, 0)
		}
	}
}

// queueTimers queues every expired timer, earliest first, and reschedules
// repeating ones.
func (l *Loop) queueTimers() {
	for l.timers.Len() > 0 {
		n, at := l.timers.Min()
		t := timerOf(n)
		if at > l.mono {
			return
		}
		if t.repeat > 0 {
			next := deadline(at, t.repeat)
			if next <= l.mono {
				// Starved (a long callback, a suspended process): fire
				// once now, not once per missed period.
				next = deadline(l.mono, t.repeat)
			}
			l.timers.Fix(t.node.Index(), next)
		} else {
			l.timers.Remove(t.node.Index())
			t.active = false
			l.accountTimer(&t.watcher, -1)
		}
		l.feed(t, Timeout)
	}
}

// invokePending runs queued callbacks: highest priority first, FIFO within a
// priority, restarting at the highest non-empty priority after every
// callback, so a callback that queues a more urgent watcher has it run next.
// With strict priorities a pass runs one level only, the most urgent that
// had callbacks when it started.
//
// It runs once per callback, so it keeps little state across the call: the
// queue it is in, and the pass's counters, in memory (see dispatchPass).
func (l *Loop) invokePending() {
	if l.npending == 0 || l.pendMask == 0 || l.closing {
		return // closing: Close was called in a callback of this pass or an earlier one
	}
	ps := dispatchPass{allow: 0xff}
	ps.check = l.nextCheck(0)
	ps.left = ps.check
	if l.maxInterval > 0 {
		ps.start = int64(time.Since(epoch))
	}
	pri := bits.Len8(l.pendMask) - 1 // the most urgent non-empty queue
	ps.top = 1 << pri
	if l.strictPri {
		ps.allow = ps.top
	}
	q := &l.pending[pri]
	for {
		e := &q.e[q.head]
		b, w, rev := e.b, e.w, e.revents
		*e = pendingEntry{} // drop the references now, not when the queue empties
		if q.head++; q.head == len(q.e) {
			q.e, q.head = q.e[:0], 0
			l.pendMask &^= ps.top
		}
		if b != nil { // else cleared while queued
			b.pendIdx = 0
			l.npending--
			l.callbacks++
			ps.left--
			if b.kind == KindIO {
				io := ioOf(b)
				io.fn(io, rev)
			} else {
				w.invoke(rev)
			}
			if l.stopInvoke || l.breakNow.Load() {
				// Close from a callback keeps it set: every nested pass and
				// the outer ones stop too, so no callback runs after Close.
				l.stopInvoke = l.closing
				return
			}
			if ps.left == 0 && l.passEnds(&ps) {
				return
			}
		}
		if m := l.pendMask; m^ps.top >= ps.top {
			// top is no longer the most urgent bit: this queue is empty, or
			// a callback queued a more urgent one.
			if m == 0 {
				return
			}
			pri = bits.Len8(m) - 1
			ps.top = 1 << pri
			if ps.allow&ps.top == 0 {
				return
			}
			q = &l.pending[pri]
		}
	}
}

// dispatchPass is what one invokePending pass keeps across its callbacks.
// It lives in memory (passEnds takes its address), where the few updates
// per callback cost less than carrying it in registers, which every call
// clobbers.
type dispatchPass struct {
	check int   // the count of callbacks at which passEnds makes its checks
	left  int   // callbacks to run before that: the pass has run check − left
	start int64 // when the pass started, ns since epoch; with maxInterval only
	allow uint8 // the priority levels the pass may run
	top   uint8 // the level of the queue it is in, as pendMask's bit
}

// passEnds makes invokePending's rare checks, when the pass has run
// ps.check callbacks: it yields every gcYieldEvery callbacks, and reports
// whether a WithMaxDispatch cap ends the pass.
func (l *Loop) passEnds(ps *dispatchPass) bool {
	ran := ps.check
	if l.maxCallbacks > 0 && ran >= l.maxCallbacks {
		return true
	}
	if ran%gcYieldEvery == 0 {
		runtime.Gosched()
		if l.maxInterval > 0 && time.Since(epoch) >= time.Duration(ps.start)+l.maxInterval {
			return true
		}
	}
	ps.check = l.nextCheck(ran)
	ps.left = ps.check - ran
	return false
}

// nextCheck is the count of callbacks, after ran, at which invokePending
// makes its rare checks (passEnds): the next multiple of gcYieldEvery, or
// the WithMaxDispatch cap if that comes first.
func (l *Loop) nextCheck(ran int) int {
	next := ran + gcYieldEvery - ran%gcYieldEvery
	if l.maxCallbacks > 0 {
		next = min(next, l.maxCallbacks)
	}
	return next
}

// Break makes Run return after the current pass (libev's ev_break): how says
// whether only the innermost Run returns, every nested one, or whether an
// earlier Break is cancelled. As in libev, a Break is forgotten when any Run
// starts, nested or not (a Break made in a callback just before it calls Run
// ends neither Run), and when the outermost Run returns. Safe from any
// goroutine.
func (l *Loop) Break(how BreakHow) {
	if how < BreakCancel || how > BreakAll {
		panic("ev: Break with an unknown BreakHow")
	}
	l.breakReq.Store(int32(how))
	l.wake()
}

// LoopBreak makes Run return as soon as the running callback returns, leaving
// the rest of the pass's callbacks pending (libevent's event_base_loopbreak).
// GotBreak reports it afterwards. Safe from any goroutine.
func (l *Loop) LoopBreak() {
	l.breakNow.Store(true)
	l.wake()
}

// LoopExit makes Run return after the pass that runs after + now (libevent's
// event_base_loopexit): with after = 0, once the current pass's callbacks have
// run. A pending LoopExit keeps Run(RunDefault) alive until then; of several,
// the earliest wins. It persists until it takes effect, even across Runs.
// GotExit reports it afterwards. Safe from any goroutine.
func (l *Loop) LoopExit(after time.Duration) {
	if after < 0 {
		panic("ev: LoopExit with a negative duration")
	}
	// After 0 is the current pass: the earliest deadline there is, not the
	// clock's present, which is later than the pass's time (Now) and would
	// cost another pass of callbacks.
	at := int64(1)
	if after > 0 {
		_, mono := l.clock.read(l)
		at = deadline(mono, after)
		if at < math.MaxInt64 {
			at++ // 0 means none
		}
	}
	for {
		cur := l.exitAt.Load()
		if cur != 0 && cur <= at {
			break
		}
		if l.exitAt.CompareAndSwap(cur, at) {
			break
		}
	}
	l.wake()
}

// LoopContinue makes the loop stop running callbacks after the running one
// and poll for new events at once (libevent's event_base_loopcontinue); the
// remaining callbacks stay pending. Loop-only.
func (l *Loop) LoopContinue() {
	l.checkGoroutine()
	if l.depth > 0 {
		l.stopInvoke = true
	}
}

// GotExit reports whether the last Run ended because of LoopExit.
func (l *Loop) GotExit() bool { return l.gotExit }

// GotBreak reports whether the last Run ended because of LoopBreak.
func (l *Loop) GotBreak() bool { return l.gotBreak }

// wake makes a blocked backend wait return, if the loop is blocked; called by
// goroutines after publishing work. Its counterpart is step 4 of iterate,
// which sets sleeping before looking for work a last time: with both sides
// using sequentially consistent atomics, either the loop sees the work or
// this sees the loop sleeping.
func (l *Loop) wake() {
	if l.sleeping.Load() {
		l.backend.Wake()
	}
}

// clockChanged is how a ManualClock tells the loop that time moved: like
// any published work, seen by the loop before it blocks, or waking it.
func (l *Loop) clockChanged() {
	l.clockMoved.Store(true)
	l.wake()
}

// queueIO is step 6: turns backend reports into pending I/O watchers.
// queueReady does the common case, without a call, so that it keeps its
// state in registers; it stops at a report that needs one, for queueReport.
func (l *Loop) queueIO(evs []poller.Event) {
	for len(evs) > 0 {
		i := l.queueReady(evs)
		if i == len(evs) {
			break
		}
		l.queueReport(&evs[i])
		evs = evs[i+1:]
	}
	for _, fd := range l.ready {
		for w := l.fds[fd].ios; w != nil; w = w.next {
			l.feed(w, w.events&(Read|Write))
		}
	}
}

// queueReady queues the watchers of evs until a report needs more than the
// common case (an unwatched descriptor, Invalid, a queue that must grow),
// and returns its index, or len(evs). It skips stale reports. A report it
// leaves may have queued some of its watchers already: feeding them again
// changes nothing.
func (l *Loop) queueReady(evs []poller.Event) int {
	fds := l.fds
	for i, e := range evs { // by value: a report's three words load once
		fd := uint(e.Fd()) // a negative one is out of range too
		if fd >= uint(len(fds)) {
			continue
		}
		st := &fds[fd]
		if st.gen != e.Gen() {
			continue // a report from before the descriptor's last change (forget)
		}
		rev := Read // what poller.In alone, the commonest report, means
		if ready := e.Events(); ready != poller.In {
			if ready&poller.Invalid != 0 {
				return i
			}
			rev = fromPoller(ready)
		}
		w := st.ios
		if w == nil {
			return i
		}
		for {
			if got := rev & w.events; got != 0 {
				// feed(w, got), written out: without the Watcher, and
				// leaving a queue that must grow to queueReport.
				b := &w.watcher
				p := uint(int(b.pri) - MinPriority)
				q := &l.pending[p]
				if b.pendIdx != 0 {
					q.e[b.pendIdx-1].revents |= got
				} else {
					n := len(q.e)
					if n >= cap(q.e) {
						return i
					}
					// Entries past the length are zero (invokePending and
					// clearPending clear what they take): set b, revents.
					qe := q.e[:n+1]
					q.e = qe
					qe[n].b, qe[n].revents = b, got
					b.pendIdx = int32(n + 1)
					l.pendMask |= 1 << p
					l.npending++
				}
			}
			if w = w.next; w == nil {
				break
			}
		}
	}
	return len(evs)
}

// queueReport handles a current report (the descriptor is in range, the
// generation matches) that queueReady left.
func (l *Loop) queueReport(e *poller.Event) {
	fd := int(e.Fd())
	st := &l.fds[fd]
	if st.ios == nil {
		// Nobody wants it any more (the change is still queued, or a
		// dup keeps a closed descriptor in the kernel's set).
		l.backend.Delete(fd)
		st.forget()
		return
	}
	if e.Events()&poller.Invalid != 0 {
		l.killFd(fd, errBadFdReport)
		return
	}
	rev := fromPoller(e.Events())
	for w := st.ios; w != nil; w = w.next {
		if got := rev & w.events; got != 0 {
			l.feed(w, got)
		}
	}
}

func fromPoller(p poller.Events) Events {
	var e Events
	if p&(poller.In|poller.Err|poller.Hup|poller.RDHup) != 0 {
		e |= Read
	}
	if p&(poller.Out|poller.Err|poller.Hup) != 0 {
		e |= Write
	}
	if p&(poller.RDHup|poller.Hup) != 0 {
		e |= Closed
	}
	return e
}
