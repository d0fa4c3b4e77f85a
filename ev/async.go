package ev

import "sync/atomic"

// AsyncFunc is an Async watcher's callback.
type AsyncFunc func(a *Async)

// Async wakes its loop from another goroutine (libev's ev_async): Send, safe
// from any goroutine, makes the callback run on the loop. Sends coalesce:
// however many arrive before the callback runs, it runs once. A Send during
// the callback makes it run again.
type Async struct {
	watcher
	fn      AsyncFunc
	listIdx int32 // position in the loop's asyncs
	sent    atomic.Bool
}

func (a *Async) listPos() *int32 { return &a.listIdx }

// NewAsync returns an Async watcher, not started.
func NewAsync(l *Loop, fn AsyncFunc) *Async {
	a := new(Async)
	a.Init(l, fn)
	return a
}

// Init prepares an embedded or reused Async, as NewAsync does.
func (a *Async) Init(l *Loop, fn AsyncFunc) {
	if fn == nil {
		panic("ev: nil AsyncFunc")
	}
	a.watcher.init(l, KindAsync)
	a.fn = fn
	a.sent.Store(false)
}

// Start starts the watcher; Sends made while it was stopped are forgotten.
// Loop-only.
func (a *Async) Start() {
	a.mustInit()
	l := a.loop
	l.checkGoroutine()
	if a.active || l.closed {
		return
	}
	a.sent.Store(false)
	l.asyncs.add(a)
	l.addActive(a)
}

// Stop stops the watcher. Loop-only.
func (a *Async) Stop() {
	if a.loop == nil {
		return
	}
	a.loop.checkGoroutine()
	if a.loop.deactivate(a) {
		a.loop.asyncs.remove(a)
	}
}

// Send makes the callback run on the loop, soon. Safe from any goroutine;
// cheap when repeated before the loop gets to it (one atomic operation), and
// a system call only when the loop is blocked waiting.
func (a *Async) Send() {
	if a.sent.Load() || !a.sent.CompareAndSwap(false, true) {
		return
	}
	l := a.loop
	l.asyncPending.Store(true)
	l.wake()
}

// AsyncPending reports whether a Send has not been delivered yet (libev's
// ev_async_pending). Safe from any goroutine.
func (a *Async) AsyncPending() bool { return a.sent.Load() }

func (a *Async) invoke(Events) { a.fn(a) }

func (a *Async) describe() string { return "" }

// queueAsyncs is part of step 6: queue every async that was sent.
func (l *Loop) queueAsyncs() {
	for _, w := range l.asyncs {
		if a := w.(*Async); a.sent.Load() && a.sent.Swap(false) {
			l.feed(a, Custom)
		}
	}
}

// Post runs fn on the loop's goroutine, soon. Functions posted from one
// goroutine run in the order posted. Pending posted functions keep
// Run(RunDefault) going until they have run. After Close they are dropped.
// Safe from any goroutine.
func (l *Loop) Post(fn func()) {
	if fn == nil {
		panic("ev: Post(nil)")
	}
	l.postMu.Lock()
	if l.postClosed {
		l.postMu.Unlock()
		return
	}
	l.postQ = append(l.postQ, fn)
	first := len(l.postQ) == 1
	l.postN.Store(int32(len(l.postQ)))
	l.postMu.Unlock()
	if first {
		l.postW.Send()
	}
}

// runPosted is the posting watcher's callback.
func (l *Loop) runPosted(*Async) {
	l.postMu.Lock()
	q := l.postQ
	l.postQ, l.postSpare = l.postSpare, nil
	l.postN.Store(0)
	l.postMu.Unlock()
	for i, fn := range q {
		q[i] = nil
		if l.closing {
			continue // Close from a posted function drops the rest, as Post after Close does
		}
		fn()
	}
	l.postMu.Lock()
	if l.postSpare == nil {
		l.postSpare = q[:0] // reuse the array: no allocation per batch
	}
	l.postMu.Unlock()
}
