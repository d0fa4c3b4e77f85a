// Package evhook connects package ev's loop to the packages built on it,
// without a public API: the stream package's deferred writes (a whole pass
// of them made with one system call) need the loop to call them at the end
// of every pass of callbacks and before every poll, and to let them go when
// the loop is closed.
package evhook

// Flusher is work a loop runs at the end of every pass of callbacks and
// before it polls, on the loop's goroutine.
type Flusher interface {
	// Flush does the work, which may run callbacks. It reports whether
	// work is left (queued by those callbacks): the loop's next poll
	// then does not wait.
	Flush() bool
	// Release is called once, when the loop is closed.
	Release()
}

// SetFlusher installs f on the loop l, an *ev.Loop, replacing any earlier
// one. Package ev sets it when it is initialised; loop-only.
var SetFlusher func(l any, f Flusher)
