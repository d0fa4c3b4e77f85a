package stream

import "github.com/eventide-go/eventide/ev"

// RingActive reports whether l's connections have set up an io_uring for
// their deferred writes.
func RingActive(l *ev.Loop) bool { return stateOf(l).ringActive() }

// SetRingOff makes loops that have no ring yet write without one, as
// EVENTIDE_IOURING=off does, until the returned function restores the
// setting.
func SetRingOff(off bool) (restore func()) {
	old := setRingOff(off)
	return func() { setRingOff(old) }
}
