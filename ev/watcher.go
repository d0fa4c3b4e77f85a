package ev

import "fmt"

// Priorities. A pending watcher of higher priority is called before any
// pending watcher of lower priority; see the package documentation for how
// strict that is.
const (
	MinPriority = -2
	MaxPriority = 2
	numPri      = MaxPriority - MinPriority + 1
)

// Watcher is what every watcher type has in common: its state, its priority,
// and being stopped. The loop-wide operations FeedEvent, Invoke and
// ClearPending take any Watcher. It is implemented only by this package's
// watcher types.
type Watcher interface {
	// Active reports whether the watcher is started.
	Active() bool
	// Pending reports whether the watcher's callback is queued to run.
	Pending() bool
	// Priority returns the watcher's priority, MinPriority..MaxPriority.
	Priority() int
	// SetPriority changes the priority; it panics while the watcher is active
	// or pending, or when p is out of range.
	SetPriority(p int)
	// Stop stops the watcher and clears its pending state: a callback
	// already queued, by the loop or by FeedEvent, does not run (libev's
	// ev_TYPE_stop). Stopping a stopped watcher does nothing.
	Stop()
	// Loop returns the loop the watcher belongs to.
	Loop() *Loop

	base() *watcher
	invoke(revents Events)
	describe() string
}

// watcher is the state every watcher embeds. All of it belongs to the loop's
// goroutine.
type watcher struct {
	loop     *Loop
	kind     Kind
	active   bool
	noRef    bool  // does not keep the loop alive (cleanups, internal watchers)
	internal bool  // part of another watcher or of the loop: not in Stats or Dump
	pri      int8  // MinPriority..MaxPriority
	ioRebind bool  // IO only: Init or Set since the last Start (see IO.Start)
	pendIdx  int32 // 1 + position in loop.pending[pri]; 0 = not pending
	actIdx   int32 // position in loop.actives; -1 = not there
}

func (w *watcher) init(l *Loop, k Kind) {
	if l == nil {
		panic("ev: nil *Loop")
	}
	if w.active {
		panic(fmt.Sprintf("ev: Init of an active %v watcher", k))
	}
	if w.loop != nil && w.pendIdx != 0 {
		w.loop.clearPending(w)
	}
	*w = watcher{loop: l, kind: k, actIdx: -1}
}

func (w *watcher) base() *watcher { return w }

// markInternal makes w a part of another watcher (or of the loop): it holds
// no reference and is left out of Stats and Dump. Call it after Init.
func (w *watcher) markInternal() { w.noRef, w.internal = true, true }

// Active reports whether the watcher is started: between Start and Stop.
func (w *watcher) Active() bool { return w.active }

// Pending reports whether the watcher's callback is queued to run.
func (w *watcher) Pending() bool { return w.pendIdx != 0 }

// Priority returns the watcher's priority, MinPriority to MaxPriority.
func (w *watcher) Priority() int { return int(w.pri) }

// Loop returns the loop the watcher belongs to.
func (w *watcher) Loop() *Loop { return w.loop }

// SetPriority sets the watcher's priority, MinPriority to MaxPriority. It
// panics if the watcher is active or pending, or if p is out of range.
func (w *watcher) SetPriority(p int) {
	if p < MinPriority || p > MaxPriority {
		panic(fmt.Sprintf("ev: priority %d out of range [%d, %d]", p, MinPriority, MaxPriority))
	}
	if w.active || w.pendIdx != 0 {
		panic("ev: SetPriority on an active or pending watcher")
	}
	w.pri = int8(p)
}

func (w *watcher) mustInit() {
	if w.loop == nil {
		panic("ev: watcher used before Init")
	}
}

// Kind names a watcher type, for Stats and Dump.
type Kind uint8

// The watcher kinds.
const (
	KindIO Kind = iota
	KindTimer
	KindPeriodic
	KindSignal
	KindChild
	KindStat
	KindIdle
	KindPrepare
	KindCheck
	KindAsync
	KindCleanup
	KindEvent
	numKinds
)

var kindNames = [numKinds]string{"io", "timer", "periodic", "signal", "child", "stat",
	"idle", "prepare", "check", "async", "cleanup", "event"}

// String returns the kind's name as Stats and Dump show it ("io", "timer", …).
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// listMember is a watcher that lives in a watcherList of its loop and keeps
// its position there (the field is in the watcher types that need it, not
// in every watcher: an IO watcher per connection stays small).
type listMember interface {
	Watcher
	listPos() *int32
}

// watcherList is an unordered set of watchers with O(1) insert and delete.
type watcherList []listMember

func (s *watcherList) add(w listMember) {
	*w.listPos() = int32(len(*s))
	*s = append(*s, w)
}

func (s *watcherList) remove(w listMember) {
	i, last := int(*w.listPos()), len(*s)-1
	if i != last {
		(*s)[i] = (*s)[last]
		*(*s)[i].listPos() = int32(i)
	}
	(*s)[last] = nil
	*s = (*s)[:last]
	*w.listPos() = -1
}
