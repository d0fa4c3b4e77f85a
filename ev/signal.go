package ev

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
)

// ErrBadSignal is returned by Signal.Start for a signal that cannot be
// watched: a number outside 1..64, SIGKILL or SIGSTOP.
var ErrBadSignal = errors.New("ev: signal cannot be watched")

// maxSignal is the highest signal number a Signal may watch (Linux's NSIG−1;
// the BSDs and macOS stop at 31 or 32, and the runtime ignores higher ones
// there).
const maxSignal = 64

// SignalFunc is a Signal's callback.
type SignalFunc func(w *Signal)

// Signal calls its callback on its loop when the process receives a signal
// (libev's ev_signal). Unlike libev, any number of Signal watchers on any
// number of loops may watch the same signal: every one of them is called.
//
// The Go runtime owns the process's signal handlers, so a Signal
// subscribes through os/signal: starting the first watcher of a signal calls
// signal.Notify, and stopping the last one calls signal.Stop, which restores
// the signal's default action unless other code in the program asked for it
// with signal.Notify too. Such code's channels receive every delivery as
// well; neither takes it from the other. signal.Ignore and signal.Reset act
// on the whole process: called for a watched signal, they cancel the
// watchers' subscription too, and the watchers hear nothing until a
// watcher of that signal is started again (any Start subscribes anew, for
// every watcher of the signal). Starting the first watcher undoes
// an earlier signal.Ignore, as signal.Notify does, and the last Stop
// restores the runtime's default, not the ignoring: SIGTERM then ends the
// process (the runtime keeps SIGHUP and SIGINT ignored). Deliveries coalesce: the callback runs at least
// once after every arrival, and Count says how many arrivals it stands for.
// A signal that arrives while the callback runs makes it run again.
type Signal struct {
	watcher
	sig     syscall.Signal
	fn      SignalFunc
	oneShot bool
	relIdx  int // position in the relay's watchers, under sigHub.mu; -1 = none

	// arrived counts deliveries the relay goroutine saw and the loop has
	// not taken yet; the relay posts take when it goes from 0 to 1.
	arrived atomic.Int32
	take    func() // w.takeArrivals, bound once so posting it does not allocate
	taken   int    // deliveries taken for the queued callback (loop-owned)
	count   int    // deliveries the running callback stands for (loop-owned)
}

// NewSignal returns a Signal for sig, not started.
func NewSignal(l *Loop, sig syscall.Signal, fn SignalFunc) *Signal {
	w := new(Signal)
	w.Init(l, sig, fn)
	return w
}

// Init prepares an embedded or reused Signal, as NewSignal does. It panics on
// an active watcher.
func (w *Signal) Init(l *Loop, sig syscall.Signal, fn SignalFunc) {
	if fn == nil {
		panic("ev: nil SignalFunc")
	}
	w.watcher.init(l, KindSignal)
	w.fn, w.sig, w.oneShot, w.relIdx = fn, sig, false, -1
	w.taken, w.count = 0, 0
	w.arrived.Store(0)
	w.take = w.takeArrivals
}

// Set changes the signal of a stopped watcher. It panics on an active one.
func (w *Signal) Set(sig syscall.Signal) {
	w.mustInit()
	if w.active {
		panic("ev: Signal.Set on an active watcher")
	}
	w.sig = sig
}

// Signum returns the watched signal.
func (w *Signal) Signum() syscall.Signal { return w.sig }

// SetOneShot makes the watcher stop itself just before its callback runs, so
// that it is called once per Start. False, the default, keeps it watching.
func (w *Signal) SetOneShot(on bool) { w.oneShot = on }

// Count returns how many arrivals of the signal the running callback stands
// for: 1, or more when several arrived before the loop got to the callback.
// The kernel and the Go runtime coalesce too (a signal that arrives while
// the same one is still undelivered is merged), so it is a lower bound.
func (w *Signal) Count() int { return w.count }

// Start starts watching. It returns ErrBadSignal (wrapped, with the number)
// for a signal that cannot be caught and ErrClosed on a closed loop.
// Starting an active watcher does nothing. Loop-only. O(watchers of the
// signal); the first watcher of a signal starts a goroutine.
func (w *Signal) Start() error {
	w.mustInit()
	l := w.loop
	l.checkGoroutine()
	if w.active {
		return nil
	}
	if err := l.usable(); err != nil {
		return err
	}
	if err := checkSignal(w.sig); err != nil {
		return err
	}
	w.taken = 0
	sigHub.add(w.sig, w, nil)
	l.addActive(w)
	return nil
}

// Stop stops watching; if no other watcher or internal user watches the
// signal any more, its default action is restored. Loop-only.
func (w *Signal) Stop() {
	if w.loop == nil {
		return
	}
	w.loop.checkGoroutine()
	w.taken = 0
	if w.loop.deactivate(w) {
		sigHub.remove(w.sig, w, nil)
	}
}

func checkSignal(sig syscall.Signal) error {
	if sig <= 0 || sig > maxSignal || sig == syscall.SIGKILL || sig == syscall.SIGSTOP {
		return fmt.Errorf("%w: %d", ErrBadSignal, int(sig))
	}
	return nil
}

// arrive runs on the relay goroutine, under sigHub.mu, for every delivery.
func (w *Signal) arrive() {
	if w.arrived.Add(1) == 1 {
		w.loop.Post(w.take)
	}
}

// takeArrivals runs on the loop: it moves the relay's count to the queued
// callback. A take posted before a Stop finds nothing or an inactive
// watcher, and drops the count; one that finds the watcher started again
// calls it.
func (w *Signal) takeArrivals() {
	n := w.arrived.Swap(0)
	if n == 0 || !w.active {
		return
	}
	w.taken += int(n)
	w.loop.feed(w, SignalEvent)
}

func (w *Signal) invoke(Events) {
	w.count, w.taken = max(w.taken, 1), 0
	if w.oneShot {
		w.Stop()
	}
	w.fn(w)
}

func (w *Signal) describe() string {
	return fmt.Sprintf("signal=%d (%v)", int(w.sig), w.sig)
}

// sigHub relays signals from os/signal to watchers. Each watched signal has
// its own relay: a channel of capacity 1 given to signal.Notify and a
// goroutine reading it. os/signal drops a delivery when the channel is full;
// with one channel per signal, what is dropped is only a repeat of a
// delivery still in the channel, never another signal (a shared channel
// flooded with one signal would lose the others).
var sigHub signalHub

type signalHub struct {
	mu     sync.Mutex
	relays [maxSignal + 1]*signalRelay
}

// signalRelay forwards one signal. Its fields are guarded by sigHub.mu.
type signalRelay struct {
	ch       chan os.Signal
	quit     chan struct{} // closed when the relay is no longer needed
	watchers []*Signal
	internal func() // called on the relay goroutine after each delivery (the SIGCHLD reaper)
	nint     int    // how many internal users share internal
}

// add subscribes a watcher, or an internal function, to sig.
func (h *signalHub) add(sig syscall.Signal, w *Signal, internal func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.relays[sig]
	if r == nil {
		r = &signalRelay{ch: make(chan os.Signal, 1), quit: make(chan struct{})}
		h.relays[sig] = r
		signal.Notify(r.ch, sig)
		go r.run()
	} else {
		// Again: signal.Reset or signal.Ignore elsewhere in the program
		// may have cancelled the subscription; a Start renews it.
		signal.Notify(r.ch, sig)
	}
	if w != nil {
		// w.arrived is kept: a count left by a Stop has its take still
		// posted, and a restarted watcher is called for it, as libev calls
		// the watchers active when it gets to a caught signal.
		w.relIdx = len(r.watchers)
		r.watchers = append(r.watchers, w)
	}
	if internal != nil {
		r.internal = internal
		r.nint++
	}
}

// remove undoes add; the last subscriber of a signal ends its relay and
// gives the signal back to the runtime.
func (h *signalHub) remove(sig syscall.Signal, w *Signal, internal func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.relays[sig]
	if r == nil {
		return
	}
	if w != nil && w.relIdx >= 0 {
		i, last := w.relIdx, len(r.watchers)-1
		if i != last {
			r.watchers[i] = r.watchers[last]
			r.watchers[i].relIdx = i
		}
		r.watchers[last] = nil
		r.watchers = r.watchers[:last]
		w.relIdx = -1
	}
	if internal != nil {
		if r.nint--; r.nint == 0 {
			r.internal = nil
		}
	}
	if len(r.watchers) == 0 && r.nint == 0 {
		signal.Stop(r.ch)
		close(r.quit)
		h.relays[sig] = nil
	}
}

// relays returns how many signals have a relay, for tests.
func (h *signalHub) relayCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.relays {
		if r != nil {
			n++
		}
	}
	return n
}

func (r *signalRelay) run() {
	for {
		select {
		case <-r.quit:
			return
		case <-r.ch:
		}
		sigHub.mu.Lock()
		for _, w := range r.watchers {
			w.arrive()
		}
		f := r.internal
		sigHub.mu.Unlock()
		if f != nil {
			f()
		}
	}
}
