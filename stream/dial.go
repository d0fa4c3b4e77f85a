package stream

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
)

// resolveBound bounds a host name lookup when the dial has no timeout, so
// that a resolver that never answers cannot hold a goroutine (and the
// loop's reference) forever. 30 s is well past the Go resolver's own
// retries (resolv.conf's default: 5 s a try, 2 tries per server).
const resolveBound = 30 * time.Second

// DialConfig configures DialWith. The zero DialConfig is Dial with no
// timeout.
type DialConfig struct {
	// Timeout bounds the whole dial: the host name lookup and every
	// connection attempt. When it passes, the event callback gets
	// Writing|Timeout|Error. Zero means no timeout (a lookup still gives
	// up after 30 s); negative panics.
	Timeout time.Duration

	// Resolver looks up host names and named ports. nil means
	// net.DefaultResolver. Tests set one whose Dial reaches a fake DNS
	// server.
	Resolver *net.Resolver

	// Nagle leaves Nagle's algorithm on. By default a TCP connection gets
	// TCP_NODELAY, as in Go's net package: small writes leave at once.
	Nagle bool
}

// Dial is DialWith with a DialConfig of the given timeout and the default
// resolver.
func Dial(l *ev.Loop, network, address string, timeout time.Duration) (*Conn, error) {
	return DialWith(l, network, address, DialConfig{Timeout: timeout})
}

// DialWith starts connecting to address on network ("tcp", "tcp4",
// "tcp6", "unix") without blocking the loop, and returns the connection at
// once. The outcome comes to the event callback, from the loop:
// Connected, or Writing|Error with a *net.OpError (connection refused,
// unreachable, a failed lookup wrapping a *net.DNSError…), or
// Writing|Timeout|Error (wrapping os.ErrDeadlineExceeded) if cfg.Timeout
// is positive and passes first. Set the callbacks before the loop runs
// again. Writes made while resolving or connecting are queued and sent
// once connected.
//
// A host that is an IP literal, "localhost" or empty is connected to at
// once. An IPv6 literal may carry a zone, "[fe80::1%eth0]:80" or
// "[fe80::1%2]:80": an interface's name or index, which becomes the
// socket address's scope id (needed by link-local addresses), as in Go's
// net package; a zone that is neither fails the dial with an Error event. Any other host name is looked up on a goroutine with
// cfg.Resolver, and the addresses found are tried in order, each on a new
// socket, until one connects; the error reported when none does is the
// first one's. Until the lookup ends the connection has no socket: Fd
// returns -1, LocalAddr and RemoteAddr nil, and the socket options (such
// as SetNoDelay) an error; set them in the Connected event. Close while
// resolving cancels the lookup, and nothing happens afterwards.
//
// An address that cannot be parsed, an unknown network, or a failure to
// create the socket for an address that needs no lookup is returned as an
// error at once (a *net.OpError), and no connection is made.
func DialWith(l *ev.Loop, network, address string, cfg DialConfig) (*Conn, error) {
	if l == nil {
		panic("stream: Dial with a nil *ev.Loop")
	}
	if cfg.Timeout < 0 {
		panic("stream: negative dial timeout")
	}
	r := cfg.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	t, err := parseAddr(network, address, r)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	c := newConn(l, stateOf(l), -1)
	if t.zoneErr != nil {
		c.flags |= fEOF
		c.flags &^= fWrite
		c.postEvent(Writing|Error, &net.OpError{Op: "dial", Net: network, Err: t.zoneErr})
		return c, nil
	}
	d := &dialState{c: c, network: network, nagle: cfg.Nagle}
	c.extras().dial = d
	if t.sa == nil {
		c.flags |= fConnecting | fResolving
		d.startTimer(cfg.Timeout)
		d.resolve(r, t.host, t.port, cfg.Timeout)
		return c, nil
	}
	d.to = t.sa
	if err := c.openSocket(t.sa); err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	switch err := unix.Connect(c.io.Fd(), t.sa); err {
	case nil:
		c.x.dial = nil
		c.postEvent(Connected, nil)
	case unix.EINPROGRESS, unix.EINTR:
		c.flags |= fConnecting
		d.startTimer(cfg.Timeout)
		if err := c.arm(); err != nil {
			c.Close()
			return nil, &net.OpError{Op: "dial", Net: network, Err: err}
		}
	default:
		c.x.dial = nil
		c.flags |= fEOF
		c.flags &^= fWrite
		c.postEvent(Writing|Error, d.error(os.NewSyscallError("connect", err)))
	}
	return c, nil
}

// dialState is a dial in progress, kept in the Conn's extras from DialWith
// until the Connected event or the end of the connection. Loop-only, but
// for what the lookup goroutine is given (the resolver, the host, the
// context), which it never writes back but through ev.Loop.Post.
type dialState struct {
	c       *Conn
	network string
	nagle   bool // DialConfig.Nagle
	// timer is the dial timeout; nil without one.
	timer *ev.Timer
	// to is the address being connected to; nil while resolving.
	to unix.Sockaddr
	// next holds the resolved addresses not tried yet.
	next []unix.Sockaddr
	// firstErr is the first failed attempt's error, reported if every
	// address fails.
	firstErr error
	// cancel ends the lookup; nil unless a lookup is running. While it is
	// set the dial holds a reference on the loop (the lookup's result
	// must find the loop running) and cleanup is started.
	cancel context.CancelFunc
	// cleanup cancels the lookup if the loop is closed first.
	cleanup ev.Cleanup
}

// error wraps err as a dial error of the address being tried (none while
// resolving).
func (d *dialState) error(err error) error {
	var addr net.Addr
	if d.to != nil {
		addr = netAddr(d.to)
	}
	return &net.OpError{Op: "dial", Net: d.network, Addr: addr, Err: err}
}

func (d *dialState) startTimer(timeout time.Duration) {
	if timeout > 0 {
		d.timer = ev.NewTimer(d.c.Loop(), timeout, 0, d.timedOut)
		d.timer.Start()
	}
}

// timedOut is the dial timer's callback.
func (d *dialState) timedOut(*ev.Timer) {
	c := d.c
	c.flags &^= fConnecting | fResolving
	c.fail(Writing|Timeout, d.error(os.ErrDeadlineExceeded))
}

// resolve looks host up on a goroutine, bounded by timeout (or
// resolveBound), and posts the result to the loop.
func (d *dialState) resolve(r *net.Resolver, host string, port int, timeout time.Duration) {
	if timeout == 0 {
		timeout = resolveBound
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	d.cancel = cancel
	l := d.c.Loop()
	l.Ref()
	d.cleanup.Init(l, func(*ev.Cleanup) { cancel() })
	d.cleanup.Start()
	network := ipNetwork(d.network)
	go func() {
		ips, err := r.LookupNetIP(ctx, network, host)
		expired := err != nil && ctx.Err() == context.DeadlineExceeded
		cancel()
		// Dropped if the loop was closed meanwhile; a no-op if the
		// connection was.
		l.Post(func() { d.resolved(host, port, ips, err, expired) })
	}()
}

// endLookup cancels a running lookup and drops what it holds on the loop.
func (d *dialState) endLookup() {
	if d.cancel == nil {
		return
	}
	d.cancel()
	d.cancel = nil
	d.cleanup.Stop()
	d.c.Loop().Unref()
}

// end stops the dial: timer and lookup. The Conn calls it from Close.
func (d *dialState) end() {
	if d.timer != nil {
		d.timer.Stop()
	}
	d.endLookup()
}

// resolved runs on the loop with the lookup's result. expired says the
// lookup's context passed its deadline: the dial timed out.
func (d *dialState) resolved(host string, port int, ips []netip.Addr, err error, expired bool) {
	c := d.c
	if c.flags&fClosed != 0 {
		return // Close ended the lookup already
	}
	d.endLookup()
	c.flags &^= fResolving
	if err == nil {
		d.next = make([]unix.Sockaddr, 0, len(ips))
		for _, ip := range ips {
			if sa, _, err := inetSockaddr(d.network, host, ip, port); err == nil {
				d.next = append(d.next, sa)
			}
		}
		if len(d.next) == 0 {
			err = &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
	}
	if err != nil {
		if expired && d.timer != nil {
			d.timedOut(d.timer)
			return
		}
		var dnsErr *net.DNSError
		if !errors.As(err, &dnsErr) {
			err = &net.DNSError{Err: err.Error(), Name: host}
		}
		d.firstErr = d.error(err)
	}
	c.connectNext()
}

// openSocket makes a new non-blocking socket for sa's family the
// connection's descriptor. The watcher must be stopped.
func (c *Conn) openSocket(sa unix.Sockaddr) error {
	family := familyOf(sa)
	fd, err := newSocket(family)
	if err != nil {
		return err
	}
	if family != unix.AF_UNIX && !c.x.dial.nagle {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
			unix.Close(fd)
			return os.NewSyscallError("setsockopt", err)
		}
	}
	c.io.Set(fd, 0)
	return nil
}

// closeSocket closes the descriptor of a failed attempt.
func (c *Conn) closeSocket() {
	c.stopIO()
	closeFd(c.Loop(), c.io.Fd())
	c.io.Set(-1, 0)
}

// connectNext connects to the next resolved address, moving on past those
// that fail at once, until one connects or is in progress. When none is
// left the dial fails with the first error.
func (c *Conn) connectNext() {
	d := c.x.dial
	for len(d.next) > 0 {
		d.to, d.next = d.next[0], d.next[1:]
		err := c.openSocket(d.to)
		if err == nil {
			switch e := unix.Connect(c.io.Fd(), d.to); e {
			case nil:
				c.connected()
				return
			case unix.EINPROGRESS, unix.EINTR:
				if err = c.arm(); err == nil {
					return
				}
			default:
				err = os.NewSyscallError("connect", e)
			}
			c.closeSocket()
		}
		d.failed(err)
	}
	c.flags &^= fConnecting
	d.end()
	c.fail(Writing, d.firstErr)
}

// failed records the error of the attempt on d.to.
func (d *dialState) failed(err error) {
	if d.firstErr == nil {
		d.firstErr = d.error(err)
	}
}

// finishConnect runs when a connecting socket becomes writable: SO_ERROR
// says whether the connection was made. A failed attempt moves on to the
// next resolved address, if any.
func (c *Conn) finishConnect() {
	errno, err := unix.GetsockoptInt(c.io.Fd(), unix.SOL_SOCKET, unix.SO_ERROR)
	switch {
	case err != nil:
		err = os.NewSyscallError("getsockopt", err)
	case errno == int(syscall.EINPROGRESS) || errno == int(syscall.EALREADY) || errno == int(syscall.EINTR):
		return
	case errno != 0:
		err = os.NewSyscallError("connect", syscall.Errno(errno))
	}
	if err != nil {
		c.x.dial.failed(err)
		c.closeSocket()
		c.connectNext()
		return
	}
	c.connected()
}

// connected completes a dial: the Connected event, then the output queued
// meanwhile (or the CloseAfterFlush or CloseWrite that waited for it).
func (c *Conn) connected() {
	c.flags &^= fConnecting
	c.x.dial.end()
	c.x.dial = nil
	c.arm()
	c.callEvent(Connected, nil)
	if c.flags&fClosed != 0 {
		return
	}
	if c.outLen() > 0 && c.flags&fWrite != 0 {
		c.handleWrite()
	} else {
		c.afterWrite()
	}
}
