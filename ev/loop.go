package ev

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eventide-go/eventide/internal/evhook"
	"github.com/eventide-go/eventide/internal/poller"
	"github.com/eventide-go/eventide/internal/timerheap"
)

func init() {
	evhook.SetFlusher = func(l any, f evhook.Flusher) { l.(*Loop).flusher = f }
}

// Errors returned by the loop.
var (
	// ErrClosed is returned by Run on a closed loop and by Start of a
	// watcher whose loop is closed. It is net.ErrClosed, so errors.Is works
	// with either.
	ErrClosed = errClosed
	// ErrRunning is returned by Run when another goroutine is running the
	// loop.
	ErrRunning = errors.New("ev: loop is being run by another goroutine")
)

// Loop is an event loop: a set of watchers and the goroutine that waits for
// their events and calls their callbacks. See the package documentation for
// what runs when and which methods are safe from other goroutines.
type Loop struct {
	// Fields below are owned by the loop's goroutine.

	backend  poller.Poller
	events   []poller.Event // poll results, reused
	fds      []fdState      // by descriptor number
	fdChange []int32        // descriptors whose interest changed since the last poll
	ready    []int32        // descriptors that cannot be polled and are always ready

	pending  [numPri]pendQueue // callbacks to run, FIFO per priority
	pendMask uint8             // bit p set: pending[p] is not empty
	npending int               // entries queued and not yet run or cleared

	actives    []Watcher // every active watcher but timers, periodics and IO, for Close and Dump
	byKind     [numKinds]int
	activeRefs int // active watchers that keep the loop alive, plus Ref − Unref; timers apart
	// Active timers are counted by their heap; only the exceptions are
	// counted here, which spares two counter updates per start and stop.
	timersHidden int // active internal timers (not in Stats)
	timersNoRef  int // active timers that do not keep the loop alive

	timers          timerheap.Heap // by monotonic deadline
	periodics       timerheap.Heap // by wall-clock deadline
	periodicScratch []*Periodic    // reused by reschedulePeriodics
	idles           watcherList
	prepares        watcherList
	checks          watcherList
	asyncs          watcherList
	cleanups        watcherList

	waitMode RunMode              // the mode of the iteration that is polling, for blockTime
	blockFn  func() time.Duration // l.blockTime, allocated once

	clock     clock
	mono      int64 // the iteration's monotonic time, ns since the loop's epoch
	lastYield int64 // mono at the last end-of-pass yield
	wall      int64 // the iteration's wall-clock time, Unix ns
	lastMono  int64 // mono and wall of the previous time update, for jump detection
	lastWall  int64
	sysClock  bool      // clock is the system's: updateTime reads the wall clock rarely
	base      time.Time // the last clock reading; Now is base plus mono − baseMono
	baseMono  int64     // base as mono
	baseWall  int64     // base as wall

	depth     int // nesting of Run
	iteration uint64
	callbacks uint64
	suspended bool
	suspendAt int64
	closing   bool // Close was called from a callback; finish when Run returns
	closed    bool
	released  bool // the backend is closed (release)
	// flusher is the stream package's deferred writes (evhook), run at the
	// end of every pass and before every poll; flushMore is set when it
	// left work, so that the next poll does not wait.
	flusher    evhook.Flusher
	flushMore  bool
	stopInvoke bool // LoopBreak, LoopContinue or Close from a callback: stop running callbacks this pass
	gotExit    bool
	gotBreak   bool

	backendKind  Backend       // the backend asked for
	maxCallbacks int           // fairness: callbacks per pass before polling again; 0 = no cap
	maxInterval  time.Duration // fairness: time per pass before polling again; 0 = no cap
	strictPri    bool          // libevent priorities: one priority level per pass
	debug        bool
	logger       *slog.Logger

	postW      *Async   // runs posted functions
	postQ      []func() // posted functions; guarded by postMu
	postSpare  []func() // an empty array for the next swap; guarded by postMu
	postClosed bool     // Close has run: Post drops; guarded by postMu

	// Fields below are shared with other goroutines.

	owner        atomic.Int64 // goroutine id of the running Run; 0 when not running
	sleeping     atomic.Bool  // the loop is (about to be) blocked in the backend
	clockMoved   atomic.Bool  // a ManualClock moved since the loop last read it
	asyncPending atomic.Bool  // some Async was sent since the loop last looked
	breakReq     atomic.Int32 // a Break not yet honoured (BreakOne or BreakAll)
	breakNow     atomic.Bool  // LoopBreak not yet honoured
	exitAt       atomic.Int64 // 1 + monotonic deadline of LoopExit; 0 = none
	postMu       sync.Mutex
	postN        atomic.Int32 // len(postQ), readable without postMu
}

// pendQueue is one priority's queue of callbacks to run: entries
// e[head:] are queued. Emptying it reslices e in place (e = e[:0] through
// the pointer), which stores only the length: no write barrier on the slice
// header per pass. Every entry is cleared when it is taken (invokePending,
// clearPending, release), so e[len(e):cap(e)] is all zero, which lets
// queueReady fill in only the fields it sets.
type pendQueue struct {
	e    []pendingEntry
	head int // the next entry to run
}

// pendingEntry is one queued callback. invokePending calls an IO watcher
// through b (ioOf), directly, and any other kind through w: an I/O event,
// most of a busy loop's traffic, costs one dynamic call rather than two
// (Watcher.invoke, then IO.fn).
type pendingEntry struct {
	b       *watcher // the watcher's base; nil once cleared (Stop, ClearPending)
	w       Watcher  // the watcher; not read, and left nil by queueReady, for KindIO
	revents Events
}

// Backend selects how a loop waits for descriptors.
type Backend int

// The backends. BackendDefault is epoll on Linux and kqueue on the BSDs and
// macOS. BackendPoll is poll(2), available everywhere (and tested on Linux
// against the same suite as the native backends).
const (
	BackendDefault Backend = iota
	BackendEpoll
	BackendKqueue
	BackendPoll
)

// String names the backend ("epoll", "kqueue", "poll", "default").
func (b Backend) String() string { return poller.Kind(b).String() }

// An Option configures NewLoop.
type Option func(*Loop)

// WithBackend selects the readiness mechanism. NewLoop fails with an error
// wrapping errors.ErrUnsupported when the system does not offer it.
func WithBackend(b Backend) Option {
	return func(l *Loop) { l.backendKind = b }
}

// WithClock makes the loop read time from c instead of the system clocks.
// Time then moves only when c is advanced or set, so timers and periodics
// fire deterministically, without real waiting. A clock may serve several
// loops.
func WithClock(c *ManualClock) Option {
	if c == nil {
		panic("ev: WithClock(nil)")
	}
	return func(l *Loop) { l.clock = c }
}

// WithMaxDispatch caps one dispatch pass: after callbacks callbacks, or once
// interval has passed, the loop polls again before running the rest, so one
// busy source cannot starve others (libevent's max_dispatch_callbacks and
// max_dispatch_interval). Zero means no cap.
func WithMaxDispatch(callbacks int, interval time.Duration) Option {
	if callbacks < 0 || interval < 0 {
		panic("ev: WithMaxDispatch with a negative limit")
	}
	return func(l *Loop) { l.maxCallbacks, l.maxInterval = callbacks, interval }
}

// WithStrictPriorities gives priorities libevent's meaning: each pass runs
// only the callbacks of the highest priority that has any pending, and lower
// priorities wait for a pass in which no higher one is pending. Without it,
// priorities order callbacks within a pass, as in libev.
func WithStrictPriorities() Option { return func(l *Loop) { l.strictPri = true } }

// WithDebug turns on checks that cost time: every loop-only method panics
// when called from a goroutine other than the one running the loop
// (libevent's debug mode).
func WithDebug() Option { return func(l *Loop) { l.debug = true } }

// WithLogger gives the loop a logger for conditions it handles by itself,
// such as a descriptor that was closed while watched. Nil, the default, is
// silent.
func WithLogger(lg *slog.Logger) Option { return func(l *Loop) { l.logger = lg } }

// NewLoop returns a new loop. Each loop has its own backend descriptor; Close
// releases it.
func NewLoop(opts ...Option) (*Loop, error) {
	l := &Loop{clock: systemClock{}}
	for _, o := range opts {
		o(l)
	}
	p, err := poller.New(poller.Kind(l.backendKind))
	if err != nil {
		return nil, err
	}
	l.backend = p
	l.events = make([]poller.Event, 256)
	l.blockFn = l.blockTime
	l.updateTime() // reads the clock in full: sysClock is not set yet
	_, l.sysClock = l.clock.(systemClock)
	l.lastMono, l.lastWall = l.mono, l.wall
	if c, ok := l.clock.(*ManualClock); ok {
		c.attach(l)
	}
	l.postW = NewAsync(l, l.runPosted)
	l.postW.markInternal()
	l.postW.Start()
	return l, nil
}

var (
	defaultOnce sync.Once
	defaultLoop *Loop
)

// Default returns the process-wide default loop (libev's EV_DEFAULT),
// creating it on first use with the default options. It panics if the loop
// cannot be created (the process is out of descriptors). Safe from any
// goroutine; the loop itself, like every loop, belongs to whichever goroutine
// runs it.
func Default() *Loop {
	defaultOnce.Do(func() {
		l, err := NewLoop()
		if err != nil {
			panic("ev: cannot create the default loop: " + err.Error())
		}
		defaultLoop = l
	})
	return defaultLoop
}

// Backend returns the name of the loop's readiness mechanism: "epoll",
// "kqueue" or "poll".
func (l *Loop) Backend() string { return l.backend.Name() }

// Close stops every active watcher, runs the cleanup watchers, and releases
// the backend. Calling it again does nothing. Called from a callback, it ends
// every nested Run and finishes when the outermost returns; no other callback
// runs after it (the rest of the pass, and functions posted, are dropped).
// Loop-only.
func (l *Loop) Close() error {
	if l.closed {
		return nil
	}
	l.checkGoroutine()
	if l.depth > 0 {
		l.closing = true
		l.stopInvoke = true // the rest of the pass does not run (invokePending)
		l.breakReq.Store(int32(BreakAll))
		return nil
	}
	return l.finishClose()
}

func (l *Loop) finishClose() (err error) {
	// Closed from here on: a Cleanup callback that calls Close again must
	// not close the backend a second time (its descriptor numbers may be
	// someone else's by then), and a watcher it starts must stay stopped.
	l.closing, l.stopInvoke, l.closed = false, false, true
	// Deferred: a Cleanup that panics must not leave the backend open,
	// since Close will not run again.
	defer func() { err = l.release() }()
	for l.timers.Len() > 0 {
		n, _ := l.timers.Min()
		t := timerOf(n)
		t.Stop()
	}
	for l.periodics.Len() > 0 {
		n, _ := l.periodics.Min()
		p := periodicOf(n)
		p.Stop()
	}
	for fd := range l.fds {
		for l.fds[fd].ios != nil {
			l.fds[fd].ios.Stop()
		}
	}
	for len(l.actives) > 0 {
		w := l.actives[len(l.actives)-1]
		if w.base().kind == KindCleanup {
			// Cleanups run last, below; move it out of the way.
			w.base().active = false
			l.removeActive(w)
			continue
		}
		w.Stop()
	}
	for len(l.cleanups) > 0 {
		c := l.cleanups[len(l.cleanups)-1].(*Cleanup)
		l.cleanups.remove(c)
		c.fn(c)
	}
	return nil
}

// release is the end of finishClose: it drops what is still queued, the
// posted functions and the backend.
func (l *Loop) release() error {
	for pri := range l.pending {
		q := &l.pending[pri]
		// What is still queued belongs to watchers that were fed without
		// being active (the Stops above cleared the others): they are
		// pending no more, or a later Stop or ClearPending would index
		// the emptied queue.
		for _, e := range q.e[q.head:] {
			if e.b != nil {
				e.b.pendIdx = 0
			}
		}
		clear(q.e)
		q.e, q.head = q.e[:0], 0
	}
	l.pendMask = 0
	l.npending = 0
	if c, ok := l.clock.(*ManualClock); ok {
		c.detach(l)
	}
	l.postMu.Lock()
	l.postQ, l.postSpare, l.postClosed = nil, nil, true
	l.postN.Store(0)
	l.postMu.Unlock()
	l.released = true
	if f := l.flusher; f != nil {
		l.flusher = nil
		f.Release()
	}
	return l.backend.Close()
}

// Closed reports whether Close was called: it has completed or, called from
// a callback, completes when the outermost Run returns. Either way no
// callback runs any more, so code that calls several callbacks in a row (a
// listener accepting a batch of connections) stops when it turns true.
func (l *Loop) Closed() bool { return l.closed || l.closing }

// Ref adds a reference that keeps Run(RunDefault) from returning, like an
// active watcher would. Unref removes one: the libev idiom for a watcher that
// must not keep the loop alive is to start it and then call Unref (and Ref
// before stopping it). Loop-only.
func (l *Loop) Ref() { l.activeRefs++ }

// Unref removes a reference added by Ref or by starting a watcher. Loop-only.
func (l *Loop) Unref() { l.activeRefs-- }

// ActiveCount returns the number of references keeping the loop alive: active
// watchers (but cleanups) plus Ref minus Unref.
func (l *Loop) ActiveCount() int { return l.refs() }

// refs is what keeps Run going: the referencing active watchers, timers
// included, plus Ref − Unref.
func (l *Loop) refs() int { return l.activeRefs + l.timers.Len() - l.timersNoRef }

// PendingCount returns the number of watchers whose callbacks are queued.
func (l *Loop) PendingCount() int { return l.npending }

// Iteration returns how many times the loop has polled for events.
func (l *Loop) Iteration() uint64 { return l.iteration }

// Depth returns how many Run calls are in progress on the loop: 0 outside
// Run, 1 inside a callback of the outermost Run, more when nested.
func (l *Loop) Depth() int { return l.depth }

// addActive marks w active and accounts for it.
func (l *Loop) addActive(w Watcher) {
	b := w.base()
	b.active = true
	if b.kind != KindTimer && b.kind != KindPeriodic && b.kind != KindIO {
		// Timers and periodics are found through their heaps, IO watchers
		// through the descriptor table; keeping them out of this list spares
		// a cache miss per start and stop, and memory per connection.
		b.actIdx = int32(len(l.actives))
		l.actives = append(l.actives, w)
	}
	if !b.internal {
		l.byKind[b.kind]++
	}
	if !b.noRef {
		l.activeRefs++
	}
}

// accountTimer counts a timer in (d = 1, on start) or out (d = -1): only
// internal timers and timers that hold no reference need counting, the
// others are counted by the heap (refs, Stats).
func (l *Loop) accountTimer(b *watcher, d int) {
	if b.internal {
		l.timersHidden += d
	}
	if b.noRef {
		l.timersNoRef += d
	}
}

// removeActive undoes addActive; the caller has cleared b.active.
func (l *Loop) removeActive(w Watcher) {
	b := w.base()
	if b.actIdx >= 0 {
		i, last := int(b.actIdx), len(l.actives)-1
		if i != last {
			l.actives[i] = l.actives[last]
			l.actives[i].base().actIdx = int32(i)
		}
		l.actives[last] = nil
		l.actives = l.actives[:last]
		b.actIdx = -1
	}
	if !b.internal {
		l.byKind[b.kind]--
	}
	if !b.noRef {
		l.activeRefs--
	}
}

// deactivate is the common part of every Stop: clear pending, account.
// It reports false when w was not active.
func (l *Loop) deactivate(w Watcher) bool {
	b := w.base()
	if b.pendIdx != 0 {
		l.clearPending(b)
	}
	if !b.active {
		return false
	}
	b.active = false
	l.removeActive(w)
	return true
}

// feed queues w's callback with revents; a watcher already pending gets the
// new events ORed into its queued ones.
func (l *Loop) feed(w Watcher, revents Events) { l.feedBase(w, w.base(), revents) }

// feedBase is feed for a caller that has w's base at hand (b == w.base()).
func (l *Loop) feedBase(w Watcher, b *watcher, revents Events) {
	if b.pendIdx != 0 {
		l.pending[b.pri-MinPriority].e[b.pendIdx-1].revents |= revents
		return
	}
	p := uint(b.pri - MinPriority) // unsigned: the shift below needs no sign check
	q := &l.pending[p]
	q.e = append(q.e, pendingEntry{b: b, w: w, revents: revents})
	b.pendIdx = int32(len(q.e))
	l.pendMask |= 1 << p
	l.npending++
}

func (l *Loop) clearPending(b *watcher) Events {
	e := &l.pending[b.pri-MinPriority].e[b.pendIdx-1]
	rev := e.revents
	*e = pendingEntry{}
	b.pendIdx = 0
	l.npending--
	return rev
}

// FeedEvent queues w's callback as if revents had happened (libev's
// ev_feed_event, libevent's event_active). The watcher need not be active.
// Loop-only.
func (l *Loop) FeedEvent(w Watcher, revents Events) {
	l.checkGoroutine()
	if w.base().loop != l {
		panic("ev: FeedEvent of a watcher that belongs to another loop")
	}
	l.feed(w, revents)
}

// Invoke calls w's callback now with revents, whatever its state. Loop-only.
func (l *Loop) Invoke(w Watcher, revents Events) {
	l.checkGoroutine()
	w.invoke(revents)
}

// ClearPending removes w from the pending queue and returns the events it
// was pending with; 0 if it was not pending. It panics if w belongs to
// another loop. Loop-only.
func (l *Loop) ClearPending(w Watcher) Events {
	l.checkGoroutine()
	b := w.base()
	if b.loop != l {
		// Its position is in another loop's queue: here it would clear
		// some other watcher's entry.
		panic("ev: ClearPending of a watcher that belongs to another loop")
	}
	if b.pendIdx == 0 {
		return 0
	}
	return l.clearPending(b)
}

func (l *Loop) usable() error {
	if l.closed {
		return ErrClosed
	}
	return nil
}

// String describes the loop for logs: its backend and active watchers.
func (l *Loop) String() string {
	return fmt.Sprintf("ev.Loop(%s, %d active)", l.backend.Name(), len(l.actives))
}
