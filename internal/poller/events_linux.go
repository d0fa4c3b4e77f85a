//go:build linux

package poller

import "golang.org/x/sys/unix"

// Event is one readiness report (see poller.go): struct epoll_event, with
// the generation in the data word beside the descriptor (unix.EpollEvent
// names the halves Fd and Pad, and has the kernel's layout, packed or not,
// on every architecture).
type Event struct{ k unix.EpollEvent }

func makeEvent(fd int32, gen uint32, ready Events) Event {
	return Event{unix.EpollEvent{Events: uint32(ready), Fd: fd, Pad: int32(gen)}}
}

// Fd returns the descriptor reported.
func (e *Event) Fd() int32 { return e.k.Fd }

// Gen returns the generation fd was added or modified with.
func (e *Event) Gen() uint32 { return uint32(e.k.Pad) }

// Events returns what is ready.
func (e *Event) Events() Events { return Events(e.k.Events) }

// The event bits are epoll's, so that the epoll backend neither translates
// interest nor reports. Invalid is POLLNVAL, which epoll never reports.
const (
	In      Events = unix.EPOLLIN
	Out     Events = unix.EPOLLOUT
	RDHup   Events = unix.EPOLLRDHUP
	Err     Events = unix.EPOLLERR
	Hup     Events = unix.EPOLLHUP
	Edge    Events = unix.EPOLLET
	Invalid Events = unix.POLLNVAL
)
