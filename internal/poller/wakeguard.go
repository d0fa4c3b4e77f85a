package poller

import "sync"

// wakeGuard keeps Wake from writing to a wake descriptor that Close has
// closed. A goroutine that saw the loop asleep may call Wake while the loop
// closes itself; by the time it writes, the descriptor's number may belong
// to another file, which would receive the wake-up bytes. Wake holds the
// read side around its write (only when it writes: coalesced wake-ups cost
// nothing more); Close takes the write side before closing.
type wakeGuard struct {
	mu     sync.RWMutex
	closed bool
}

// enter reports whether the wake descriptor is still open; if so it stays
// open until exit.
func (g *wakeGuard) enter() bool {
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return false
	}
	return true
}

func (g *wakeGuard) exit() { g.mu.RUnlock() }

// shut marks the wake descriptor closed, after any write in progress.
func (g *wakeGuard) shut() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}
