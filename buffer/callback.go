package buffer

// A Change describes how a Buffer's length changed, like libevent's
// struct evbuffer_cb_info.
type Change struct {
	OrigLen int // Len before the change (before the first, for a batch)
	Added   int // bytes added
	Deleted int // bytes removed
}

// A ChangeFunc is called after a Buffer's contents change.
type ChangeFunc func(b *Buffer, c Change)

// A Callback is a ChangeFunc registered on a Buffer with AddCallback. Its
// function runs after every change that adds or removes bytes, on the
// goroutine that made it, until Remove; Suspend holds the calls back and
// Resume reports the held changes as one, summed, with OrigLen the length
// before the first of them.
type Callback struct {
	fn        ChangeFunc
	b         *Buffer // nil once removed
	suspended bool
	pending   Change // changes held while suspended
	held      bool   // pending holds at least one change
}

// AddCallback registers fn to be called after every change of b's
// contents, in registration order, with the length before the change and
// the bytes added and deleted. fn may modify b; the calls it causes are
// nested. A callback added by a callback is first called for the next
// change. A Pullup, which moves bytes without changing them, is not a
// change. Registering allocates; calling does not.
func (b *Buffer) AddCallback(fn ChangeFunc) *Callback {
	if fn == nil {
		panic("buffer: AddCallback with a nil function")
	}
	cb := &Callback{fn: fn, b: b}
	b.cbs = append(b.cbs, cb)
	b.special = true
	return cb
}

// Remove unregisters cb; it is not called again. Removing twice is a no-op.
func (cb *Callback) Remove() {
	b := cb.b
	if b == nil {
		return
	}
	cb.b = nil
	if b.notifying > 0 {
		b.cbsDirty = true
		return
	}
	b.compactCallbacks()
}

// Suspend stops calls to cb; changes made meanwhile are added up and
// reported in one call by Resume.
func (cb *Callback) Suspend() { cb.suspended = true }

// Resume undoes Suspend and, if b changed meanwhile, calls the function
// once with the sum: OrigLen is the length before the first held change.
func (cb *Callback) Resume() {
	if !cb.suspended {
		return
	}
	cb.suspended = false
	if cb.held && cb.b != nil {
		ch := cb.pending
		cb.pending, cb.held = Change{}, false
		cb.fn(cb.b, ch)
	}
}

// compactCallbacks drops removed callbacks from b.cbs, keeping the order.
func (b *Buffer) compactCallbacks() {
	keep := b.cbs[:0]
	for _, cb := range b.cbs {
		if cb.b != nil {
			keep = append(keep, cb)
		}
	}
	clear(b.cbs[len(keep):])
	b.cbs = keep
	b.cbsDirty = false
	b.updateSpecial()
}

// notify reports a change to the callbacks. It is small enough to be
// inlined, so that a Buffer without callbacks pays a test, not a call.
func (b *Buffer) notify(orig, added, deleted int) {
	if len(b.cbs) != 0 && (added != 0 || deleted != 0) {
		b.callCallbacks(orig, added, deleted)
	}
}

// callCallbacks is notify for a Buffer with callbacks. Callbacks added
// meanwhile (by a callback) come after n and did not exist when the change
// was made: they are not told of it. b.cbs is compacted only outside
// notify, so the first n stay in place.
func (b *Buffer) callCallbacks(orig, added, deleted int) {
	b.notifying++
	for i, n := 0, len(b.cbs); i < n; i++ {
		cb := b.cbs[i]
		if cb.b == nil {
			continue
		}
		if cb.suspended {
			if !cb.held {
				cb.pending.OrigLen = orig
				cb.held = true
			}
			cb.pending.Added += added
			cb.pending.Deleted += deleted
			continue
		}
		cb.fn(b, Change{OrigLen: orig, Added: added, Deleted: deleted})
	}
	b.notifying--
	if b.notifying == 0 && b.cbsDirty {
		b.compactCallbacks()
	}
}
