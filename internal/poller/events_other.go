//go:build !linux

package poller

// Event is one readiness report (see poller.go).
type Event struct {
	fd     int32
	gen    uint32
	events Events
}

func makeEvent(fd int32, gen uint32, ready Events) Event {
	return Event{fd: fd, gen: gen, events: ready}
}

// Fd returns the descriptor reported.
func (e *Event) Fd() int32 { return e.fd }

// Gen returns the generation fd was added or modified with.
func (e *Event) Gen() uint32 { return e.gen }

// Events returns what is ready.
func (e *Event) Events() Events { return e.events }

// The event bits, where no backend's bits are worth borrowing (kqueue
// reports filters, not bits).
const (
	In Events = 1 << iota
	Out
	RDHup
	Err
	Hup
	Edge
	Invalid
)
