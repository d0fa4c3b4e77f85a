package stream

import (
	"net"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
)

// Dial starts connecting to address on network ("tcp", "tcp4", "tcp6",
// "unix") without blocking, and returns the connection at once. The
// outcome comes to the event callback, from the loop: Connected, or
// Writing|Error with a *net.OpError (connection refused, unreachable…),
// or Writing|Timeout|Error (wrapping os.ErrDeadlineExceeded) if timeout
// is positive and passes first. Set the callbacks before the loop runs
// again. Writes made while connecting are queued and sent once
// connected.
//
// An address that cannot be parsed, an unknown network, or a failure to
// create the socket is returned as an error at once (a *net.OpError), and
// no connection is made. Host names are resolved with the Go resolver,
// which blocks the loop: prefer IP literals (or "localhost").
func Dial(l *ev.Loop, network, address string, timeout time.Duration) (*Conn, error) {
	if l == nil {
		panic("stream: Dial with a nil *ev.Loop")
	}
	if timeout < 0 {
		panic("stream: negative dial timeout")
	}
	sa, family, err := sockaddr(network, address)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	fd, err := newSocket(family)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	c := newConn(l, stateOf(l), fd)
	x := c.extras()
	x.dialNet, x.dialAddr = network, address
	switch err := unix.Connect(fd, sa); err {
	case nil:
		c.postEvent(Connected, nil)
	case unix.EINPROGRESS, unix.EAGAIN, unix.EINTR:
		c.flags |= fConnecting
		if timeout > 0 {
			x.dialTimer = ev.NewTimer(l, timeout, 0, x.dialTimedOut)
			x.dialTimer.Start()
		}
		if err := c.arm(); err != nil {
			c.Close()
			return nil, &net.OpError{Op: "dial", Net: network, Err: err}
		}
	default:
		c.flags |= fEOF
		c.flags &^= fWrite
		c.postEvent(Writing|Error, x.dialError(os.NewSyscallError("connect", err)))
	}
	return c, nil
}

func (x *extras) dialError(err error) error {
	return &net.OpError{Op: "dial", Net: x.dialNet, Addr: dialAddr(x.dialNet, x.dialAddr), Err: err}
}

// dialAddr is the address of a dial error, for its message.
func dialAddr(network, address string) net.Addr {
	if network == "unix" {
		return &net.UnixAddr{Name: address, Net: network}
	}
	if ap, err := net.ResolveTCPAddr(network, address); err == nil {
		return ap
	}
	return nil
}

func (x *extras) dialTimedOut(*ev.Timer) {
	c := x.c
	c.flags &^= fConnecting
	c.fail(Writing|Timeout, x.dialError(os.ErrDeadlineExceeded))
}

// finishConnect runs when a connecting socket becomes writable: SO_ERROR
// says whether the connection was made.
func (c *Conn) finishConnect() {
	x := c.x
	errno, err := unix.GetsockoptInt(c.io.Fd(), unix.SOL_SOCKET, unix.SO_ERROR)
	switch {
	case err != nil:
		err = os.NewSyscallError("getsockopt", err)
	case errno == int(syscall.EINPROGRESS) || errno == int(syscall.EALREADY) || errno == int(syscall.EINTR):
		return
	case errno != 0:
		err = os.NewSyscallError("connect", syscall.Errno(errno))
	}
	c.flags &^= fConnecting
	if x.dialTimer != nil {
		x.dialTimer.Stop()
		x.dialTimer = nil
	}
	if err != nil {
		c.fail(Writing, x.dialError(err))
		return
	}
	c.arm()
	c.callEvent(Connected, nil)
	if c.flags&fClosed == 0 && c.outLen() > 0 && c.flags&fWrite != 0 {
		c.handleWrite()
	}
}
