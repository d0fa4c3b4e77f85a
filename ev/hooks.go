package ev

// hook is the shared part of the watchers that live in a plain list of their
// loop: Idle, Prepare, Check and Cleanup.
type hook struct {
	watcher
	listIdx int32 // position in the loop's list of the kind
}

func (h *hook) listPos() *int32 { return &h.listIdx }

func (h *hook) list() *watcherList {
	switch h.kind {
	case KindIdle:
		return &h.loop.idles
	case KindPrepare:
		return &h.loop.prepares
	case KindCheck:
		return &h.loop.checks
	}
	return &h.loop.cleanups
}

func (h *hook) start(self listMember) {
	h.mustInit()
	l := h.loop
	l.checkGoroutine()
	if h.active || l.closed {
		return
	}
	h.list().add(self)
	l.addActive(self)
}

func (h *hook) stop(self listMember) {
	if h.loop == nil {
		return
	}
	h.loop.checkGoroutine()
	if h.loop.deactivate(self) {
		h.list().remove(self)
	}
}

func (h *hook) describe() string { return "" }

// IdleFunc is an Idle watcher's callback.
type IdleFunc func(w *Idle)

// Idle runs its callback once per iteration while no callback of its
// priority or a more urgent one is pending (libev's ev_idle): a less urgent
// pending event does not hold it back, and of several idle watchers only
// those of the most urgent priority among them run. Prepare and check
// watchers do not count as events. While an Idle watcher is active the loop
// does not block waiting for events, so stop it when its work is done.
type Idle struct {
	hook
	fn IdleFunc
}

// NewIdle returns an Idle watcher, not started.
func NewIdle(l *Loop, fn IdleFunc) *Idle {
	w := new(Idle)
	w.Init(l, fn)
	return w
}

// Init prepares an embedded or reused Idle, as NewIdle does.
func (w *Idle) Init(l *Loop, fn IdleFunc) {
	if fn == nil {
		panic("ev: nil IdleFunc")
	}
	w.watcher.init(l, KindIdle)
	w.fn = fn
}

// Start starts the watcher. Loop-only.
func (w *Idle) Start() { w.start(w) }

// Stop stops the watcher. Loop-only.
func (w *Idle) Stop() { w.stop(w) }

func (w *Idle) invoke(Events) { w.fn(w) }

// PrepareFunc is a Prepare watcher's callback.
type PrepareFunc func(w *Prepare)

// Prepare runs its callback at the start of every iteration, before the loop
// polls (libev's ev_prepare): the place to flush work that must be done
// before the loop may block. Watchers it starts are seen by this poll.
type Prepare struct {
	hook
	fn PrepareFunc
}

// NewPrepare returns a Prepare watcher, not started.
func NewPrepare(l *Loop, fn PrepareFunc) *Prepare {
	w := new(Prepare)
	w.Init(l, fn)
	return w
}

// Init prepares an embedded or reused Prepare, as NewPrepare does.
func (w *Prepare) Init(l *Loop, fn PrepareFunc) {
	if fn == nil {
		panic("ev: nil PrepareFunc")
	}
	w.watcher.init(l, KindPrepare)
	w.fn = fn
}

// Start starts the watcher. Loop-only.
func (w *Prepare) Start() { w.start(w) }

// Stop stops the watcher. Loop-only.
func (w *Prepare) Stop() { w.stop(w) }

func (w *Prepare) invoke(Events) { w.fn(w) }

// CheckFunc is a Check watcher's callback.
type CheckFunc func(w *Check)

// Check runs its callback in every iteration after the loop polled, in the
// same pass as the events that poll found (libev's ev_check).
type Check struct {
	hook
	fn CheckFunc
}

// NewCheck returns a Check watcher, not started.
func NewCheck(l *Loop, fn CheckFunc) *Check {
	w := new(Check)
	w.Init(l, fn)
	return w
}

// Init prepares an embedded or reused Check, as NewCheck does.
func (w *Check) Init(l *Loop, fn CheckFunc) {
	if fn == nil {
		panic("ev: nil CheckFunc")
	}
	w.watcher.init(l, KindCheck)
	w.fn = fn
}

// Start starts the watcher. Loop-only.
func (w *Check) Start() { w.start(w) }

// Stop stops the watcher. Loop-only.
func (w *Check) Stop() { w.stop(w) }

func (w *Check) invoke(Events) { w.fn(w) }

// CleanupFunc is a Cleanup watcher's callback.
type CleanupFunc func(w *Cleanup)

// Cleanup runs its callback when the loop is closed, after every other
// watcher was stopped (libev's ev_cleanup). An active Cleanup does not keep
// the loop alive. The loop counts as closed while cleanups run: Close called
// from one does nothing, and watchers started from one stay stopped.
type Cleanup struct {
	hook
	fn CleanupFunc
}

// NewCleanup returns a Cleanup watcher, not started.
func NewCleanup(l *Loop, fn CleanupFunc) *Cleanup {
	w := new(Cleanup)
	w.Init(l, fn)
	return w
}

// Init prepares an embedded or reused Cleanup, as NewCleanup does.
func (w *Cleanup) Init(l *Loop, fn CleanupFunc) {
	if fn == nil {
		panic("ev: nil CleanupFunc")
	}
	w.watcher.init(l, KindCleanup)
	w.noRef = true
	w.fn = fn
}

// Start starts the watcher. Loop-only.
func (w *Cleanup) Start() { w.start(w) }

// Stop stops the watcher; its callback will not run. Loop-only.
func (w *Cleanup) Stop() { w.stop(w) }

func (w *Cleanup) invoke(Events) { w.fn(w) }
