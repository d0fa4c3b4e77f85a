// Package poller holds eventide's readiness backends: epoll on Linux, kqueue
// on the BSDs and macOS, and poll(2) everywhere. The ev package drives exactly
// one Poller per loop, from the loop's goroutine.
//
// # Waiting without costing a thread
//
// Every backend waits the same way, for reasons measured on the machines this
// project runs on (docs/design.md, "How the loop waits"): it first asks the
// kernel with a zero timeout through a raw system call, which does not enter
// the Go scheduler; only when nothing is ready does it park the goroutine.
// The epoll and kqueue backends park on the Go runtime's own network poller,
// through their descriptor (an epoll or kqueue descriptor is itself pollable),
// so a waiting loop holds no OS thread and a wake-up costs no extra thread
// hand-off. The poll(2) backend has no such descriptor and blocks in poll(2).
package poller

import (
	"errors"
	"time"
)

// Events is a readiness or interest mask. The same bits serve as interest
// (what Add and Modify ask for) and as readiness (what Wait reports).
type Events uint32

// The event bits (values in events_*.go: on Linux they are epoll's own,
// so the epoll backend passes reports through without translating them).
// Err and Hup are only ever reported, never requested: every backend
// reports them for any registered descriptor. The values are distinct
// powers of two on every system; nothing else may be assumed of them.
//
//	In       readable, or a listening socket has a connection
//	Out      writable, or a connect finished
//	RDHup    the peer shut down its writing side (EPOLLRDHUP, EV_EOF)
//	Err      an error is pending on the descriptor
//	Hup      hang-up: both directions are closed
//	Edge     interest only: report transitions, not levels
//	Invalid  the descriptor is not open (POLLNVAL)

// ErrNotPollable is returned by Add for a descriptor the backend cannot watch
// (epoll refuses regular files and /dev/null with EPERM). The loop treats such
// a descriptor as always ready, as libev does.
var ErrNotPollable = errors.New("poller: descriptor cannot be polled")

// Event is one readiness report; its layout is per system (events_*.go),
// its methods are the same everywhere:
//
//	Fd      the descriptor
//	Gen     the generation passed to Add or Modify, to drop stale reports
//	Events  what is ready
//
// Backends fill it with makeEvent, or in place: on Linux an Event is the
// kernel's struct epoll_event, which epoll_pwait writes into the caller's
// slice without a copy.

// Poller is the contract every backend meets. All methods but Wake belong to
// the goroutine that owns the loop.
type Poller interface {
	// Add starts watching fd for interest. gen is handed back in every Event
	// for fd, so the caller can recognise reports that predate a change. Add
	// of a descriptor already registered behaves as Modify (a descriptor that
	// was closed and reused may still be known to the caller, never to the
	// kernel, and the other way round).
	Add(fd int, interest Events, gen uint32) error

	// Modify replaces fd's interest. Modify of a descriptor the kernel no
	// longer knows (it was closed and reused) behaves as Add.
	Modify(fd int, interest Events, gen uint32) error

	// Delete stops watching fd. Deleting a descriptor that was already closed
	// is not an error: closing removes it from the kernel's set anyway.
	Delete(fd int) error

	// Wait fills events with what is ready and returns how many it filled.
	// It calls block at most once, when it would block, to learn for how
	// long: a negative duration waits until something is ready or Wake is
	// called, 0 does not wait. The native backends first look without
	// blocking and call block only when nothing was ready, so a busy caller
	// never computes a timeout; poll(2) asks before its one system call.
	// block is also the caller's chance to announce that it sleeps and to
	// look once more for work other goroutines published meanwhile. A Wake
	// reports no Event: Wait simply returns, possibly with 0.
	Wait(events []Event, block func() time.Duration) (int, error)

	// Wake makes a blocked or future Wait return. It is safe from any
	// goroutine, cheap when repeated (wake-ups coalesce until the next Wait).
	Wake() error

	// Close releases the backend's descriptors. The Poller is unusable after.
	Close() error

	// Name is the mechanism's name: "epoll", "kqueue" or "poll".
	Name() string
}

// Kind selects a backend.
type Kind int

// The backends. Default is epoll on Linux, kqueue on the BSDs and macOS.
const (
	Default Kind = iota
	Epoll
	Kqueue
	Poll
)

// New returns a backend of the given kind, or an error wrapping
// errors.ErrUnsupported when this system does not offer it.
func New(k Kind) (Poller, error) {
	if k == Poll {
		return newPoll()
	}
	return newNative(k)
}
