//go:build linux

package poller

import "golang.org/x/sys/unix"

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
