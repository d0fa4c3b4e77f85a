package stream

import (
	"errors"
	"net"
	"os"
	"runtime"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
)

// AcceptFunc is a listener's callback: c is a new connection, with writing
// enabled and reading not (NewConn's defaults). Set its callbacks and
// enable reading, or close it.
type AcceptFunc func(ln *Listener, c *Conn)

// ListenConfig configures Listen.
type ListenConfig struct {
	// Backlog is the listen(2) backlog; 0 means 4096, which the system
	// caps at its own limit (somaxconn on Linux).
	Backlog int
	// ReuseAddr sets SO_REUSEADDR, to bind a port with connections in
	// TIME_WAIT (a restarted server). false leaves the system default.
	ReuseAddr bool
	// ReusePort lets several sockets (one per loop) bind the same address
	// and has the kernel spread new connections among them, by a hash of
	// the connection's addresses: SO_REUSEPORT on Linux, SO_REUSEPORT_LB on
	// FreeBSD. On macOS, NetBSD and OpenBSD it sets SO_REUSEPORT, which
	// lets the sockets share the address but gives the connections to one
	// of them.
	ReusePort bool
	// IPv6Only sets IPV6_V6ONLY on a tcp6 (or "tcp" with an IPv6 address)
	// listener: it then accepts no IPv4-mapped connections.
	IPv6Only bool
	// Nagle leaves Nagle's algorithm on for accepted TCP connections. By
	// default the listening socket gets TCP_NODELAY, which accepted
	// sockets inherit (Linux, macOS and the BSDs copy it at accept, so it
	// costs no system call per connection), as Go's net package sets it
	// on every TCP connection: small writes leave at once.
	Nagle bool
	// OnError, if not nil, is told about accept errors. Running out of
	// descriptors (EMFILE, ENFILE) or memory, or an error of the
	// listening socket itself (EINVAL on a socket that is not listening),
	// pauses accepting — the waiting connections stay queued in the
	// kernel — and accepting resumes after a backoff of 10 ms doubling to
	// 1 s. An error that belongs to one connection (aborted before it was
	// accepted, a network error Linux passes on) skips that connection.
	// nil: errors are handled the same way, silently.
	OnError func(ln *Listener, err error)
}

// Listener accepts connections on a listening socket (libevent's
// evconnlistener). It is enabled from creation; every accepted
// connection is handed to the AcceptFunc. Loop-only.
type Listener struct {
	// io watches the listening socket; first field: listenerIO recovers
	// the Listener from it.
	io      ev.IO
	ls      *loopState
	accept  AcceptFunc
	onError func(*Listener, error)
	// backoff re-enables accepting after a resource error; delay is the
	// current backoff, 0 after a successful accept.
	backoff *ev.Timer
	delay   time.Duration
	enabled bool
	closed  bool
	// unlink is the path of a Unix socket Listen created, removed by Close.
	unlink string
}

// acceptBatch bounds the connections accepted per readiness, so that a
// flood of connections cannot starve the loop's other work.
const acceptBatch = 64

// Backoff bounds after running out of descriptors.
const (
	minBackoff = 10 * time.Millisecond
	maxBackoff = time.Second
)

// Listen creates a listening socket for network ("tcp", "tcp4", "tcp6",
// "unix") and address (a literal IP and port: "127.0.0.1:0", ":8080",
// "[::1]:0", "[fe80::1%eth0]:0" with a zone as in Dial; a path for
// "unix") and returns an enabled Listener that
// hands each accepted connection to accept.
func Listen(l *ev.Loop, network, address string, cfg ListenConfig, accept AcceptFunc) (*Listener, error) {
	if l == nil || accept == nil {
		panic("stream: Listen with a nil *ev.Loop or AcceptFunc")
	}
	if cfg.Backlog < 0 {
		panic("stream: negative Backlog")
	}
	var addr net.Addr // named in errors once parsed, as net.Listen does
	opErr := func(err error) error {
		return &net.OpError{Op: "listen", Net: network, Addr: addr, Err: err}
	}
	sa, family, err := sockaddr(network, address)
	if err != nil {
		return nil, opErr(err)
	}
	addr = netAddr(sa)
	fd, err := newSocket(family)
	if err != nil {
		return nil, opErr(err)
	}
	if err := configureListener(fd, family, cfg); err != nil {
		unix.Close(fd)
		return nil, opErr(err)
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return nil, opErr(os.NewSyscallError("bind", err))
	}
	backlog := cfg.Backlog
	if backlog == 0 {
		backlog = 4096
	}
	if err := unix.Listen(fd, backlog); err != nil {
		unix.Close(fd)
		return nil, opErr(os.NewSyscallError("listen", err))
	}
	ln := newListener(l, fd, accept)
	ln.onError = cfg.OnError
	if network == "unix" && !abstractUnix(address) {
		ln.unlink = address
	}
	if err := ln.Enable(); err != nil {
		ln.Close()
		return nil, opErr(err)
	}
	return ln, nil
}

// abstractUnix reports whether path names a Linux abstract socket ("@"
// or a NUL first, see unix(7)): it has no file for Close to remove, and a
// file of that name in the working directory is someone else's.
func abstractUnix(path string) bool {
	return runtime.GOOS == "linux" && (path[0] == '@' || path[0] == 0)
}

func configureListener(fd, family int, cfg ListenConfig) error {
	set := func(level, opt int) error {
		if err := unix.SetsockoptInt(fd, level, opt, 1); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
		return nil
	}
	if family == unix.AF_UNIX {
		return nil
	}
	if cfg.ReuseAddr {
		if err := set(unix.SOL_SOCKET, unix.SO_REUSEADDR); err != nil {
			return err
		}
	}
	if cfg.ReusePort {
		if err := set(unix.SOL_SOCKET, reusePortOpt); err != nil {
			return err
		}
	}
	if cfg.IPv6Only && family == unix.AF_INET6 {
		if err := set(unix.IPPROTO_IPV6, unix.IPV6_V6ONLY); err != nil {
			return err
		}
	}
	if !cfg.Nagle {
		if err := set(unix.IPPROTO_TCP, unix.TCP_NODELAY); err != nil {
			return err
		}
	}
	return nil
}

// newSocket returns a non-blocking, close-on-exec stream socket.
func newSocket(family int) (int, error) {
	fd, err := unix.Socket(family, unix.SOCK_STREAM, 0)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("fcntl", err)
	}
	return fd, nil
}

// NewListener returns an enabled Listener for fd, a socket already bound
// and listening, which it takes over (Close closes it) and makes
// non-blocking. Errors are handled as with a zero ListenConfig; set
// OnError with SetErrorFunc.
func NewListener(l *ev.Loop, fd int, accept AcceptFunc) (*Listener, error) {
	if l == nil || accept == nil {
		panic("stream: NewListener with a nil *ev.Loop or AcceptFunc")
	}
	if fd < 0 {
		return nil, ev.ErrBadFD
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	unix.CloseOnExec(fd)
	ln := newListener(l, fd, accept)
	if err := ln.Enable(); err != nil {
		return nil, err
	}
	return ln, nil
}

func newListener(l *ev.Loop, fd int, accept AcceptFunc) *Listener {
	ln := &Listener{ls: stateOf(l), accept: accept}
	ln.io.Init(l, fd, ev.Read, listenerIO)
	return ln
}

// SetErrorFunc sets the function told about accept errors, as
// ListenConfig.OnError.
func (ln *Listener) SetErrorFunc(fn func(ln *Listener, err error)) { ln.onError = fn }

// Enable starts (or resumes) accepting. It returns net.ErrClosed on a
// closed Listener.
func (ln *Listener) Enable() error {
	if ln.closed {
		return net.ErrClosed
	}
	ln.enabled = true
	if ln.backoff != nil && ln.backoff.Active() {
		return nil // the backoff timer resumes
	}
	return ln.io.Start()
}

// Disable stops accepting; connections wait in the kernel's backlog.
func (ln *Listener) Disable() {
	ln.enabled = false
	ln.io.Stop()
	if ln.backoff != nil {
		ln.backoff.Stop()
	}
}

// Fd returns the listening descriptor (-1 after Close).
func (ln *Listener) Fd() int {
	if ln.closed {
		return -1
	}
	return ln.io.Fd()
}

// Addr returns the address the Listener is bound to (with the port the
// system chose for port 0), or nil after Close.
func (ln *Listener) Addr() net.Addr {
	if ln.closed {
		return nil
	}
	sa, err := unix.Getsockname(ln.io.Fd())
	if err != nil {
		return nil
	}
	return netAddr(sa)
}

// Close stops accepting and closes the socket (removing the socket file of
// a Unix listener made by Listen; a Linux abstract socket, "@name", has
// none). Closing twice returns net.ErrClosed.
func (ln *Listener) Close() error {
	if ln.closed {
		return net.ErrClosed
	}
	ln.Disable()
	ln.closed = true
	err := closeFd(ln.io.Loop(), ln.io.Fd())
	if ln.unlink != "" {
		os.Remove(ln.unlink)
	}
	if err != nil {
		return os.NewSyscallError("close", err)
	}
	return nil
}

func listenerIO(w *ev.IO, _ ev.Events) {
	(*Listener)(unsafe.Pointer(w)).acceptBatch()
}

// acceptBatch accepts until the backlog is empty (EAGAIN), acceptBatch
// connections, or a resource error.
func (ln *Listener) acceptBatch() {
	l := ln.io.Loop()
	for range acceptBatch {
		if !ln.enabled || l.Closed() {
			return // Disable, Close or the loop's Close in the callback
		}
		fd, err := acceptConn(ln.io.Fd())
		if err == nil {
			ln.delay = 0
			ln.accept(ln, newConn(l, ln.ls, fd))
			continue
		}
		var e syscall.Errno
		errors.As(err, &e)
		switch e {
		case syscall.EAGAIN:
			return
		case syscall.EINTR, syscall.ECONNABORTED, syscall.EPROTO:
			// The connection went away while queued: skip it.
			continue
		case syscall.ENETDOWN, syscall.ENOPROTOOPT, syscall.EHOSTDOWN, syscall.EHOSTUNREACH,
			syscall.EOPNOTSUPP, syscall.ENETUNREACH, syscall.EPERM, syscall.ETIMEDOUT:
			// Linux passes a pending network error of the new
			// connection to accept, which is to be retried (accept(2)):
			// told, and skipped.
			ln.report(err)
			continue
		}
		// Running out of resources, or an error of the listening socket
		// itself (EINVAL: it is not listening), which a level-triggered
		// poller reports again at once: retrying at every iteration
		// would spin.
		ln.pause(err)
		return
	}
}

// pause stops accepting for a backoff: the kernel keeps the waiting
// connections, and retrying at once would spin, since the socket stays
// readable (libev's "the special problem of accept()ing when you can't").
func (ln *Listener) pause(err error) {
	ln.io.Stop()
	ln.delay = min(max(minBackoff, 2*ln.delay), maxBackoff)
	if ln.backoff == nil {
		ln.backoff = ev.NewTimer(ln.io.Loop(), ln.delay, 0, ln.resume)
	} else {
		ln.backoff.Stop()
		ln.backoff.Set(ln.delay, 0)
	}
	ln.backoff.Start()
	ln.report(err)
}

func (ln *Listener) resume(*ev.Timer) {
	if ln.enabled && !ln.closed {
		if err := ln.io.Start(); err != nil {
			ln.report(err)
		}
	}
}

func (ln *Listener) report(err error) {
	if ln.onError == nil {
		return
	}
	e := &net.OpError{Op: "accept", Net: "tcp", Err: err}
	if a := ln.Addr(); a != nil {
		e.Net, e.Addr = a.Network(), a
	}
	ln.onError(ln, e)
}
