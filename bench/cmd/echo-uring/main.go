//go:build linux

// Command echo-uring is an experiment, not an anchor: a raw byte echo server
// whose socket I/O goes through io_uring (accept, recv and send as ring
// operations) instead of epoll readiness plus recvfrom(2) and sendto(2). It
// measures what a completion backend under stream.Conn could save on
// machines where a system call is expensive; docs/design.md has the
// numbers. It has none of eventide's buffering, callbacks or close
// semantics, so compare it with C libev's echo server (about as bare), not
// with examples/rawecho.
//
//	echo-uring [-addr 127.0.0.1:7000] [-wait ring|epoll]
//
// With -wait ring the loop blocks in io_uring_enter(2), one system call per
// batch of completions. With -wait epoll it blocks in epoll_wait(2) on an
// eventfd the ring signals, as a ring nested under ev's epoll loop would:
// three system calls per batch. The ring is set up with
// IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN (Linux 6.1), which
// runs completions only inside io_uring_enter; without DEFER_TASKRUN this
// server spent 20–25 % more CPU per message than with it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Operation codes in user_data's low byte; the descriptor is above it.
const (
	tagAccept = iota + 1
	tagRecv
	tagSend
)

// conn is one client: its descriptor and the bytes in flight.
type conn struct {
	fd      int32
	buf     []byte
	n, sent int // bytes received, bytes of them sent back
}

// Each connection has one operation in flight at a time (a recv, then a
// send until all is sent, then a recv), so its buffer and its conn stay
// referenced from server.conns while the kernel may write to them.

// server is the echo loop's state.
type server struct {
	r      *ring
	lfd    int32
	conns  []*conn // by descriptor
	waitFd int     // epoll descriptor in -wait epoll, else -1
	evfd   int     // the ring's eventfd in -wait epoll, else -1
}

func main() {
	addr := flag.String("addr", "127.0.0.1:7000", "address to listen on")
	wait := flag.String("wait", "ring", "where the loop blocks: ring (io_uring_enter) or epoll (an eventfd the ring signals)")
	flag.Parse()
	if err := run(*addr, *wait); err != nil {
		fmt.Fprintln(os.Stderr, "echo-uring:", err)
		os.Exit(1)
	}
}

func run(addr, wait string) error {
	// SINGLE_ISSUER rings accept io_uring_enter only from the thread that
	// set them up (EEXIST otherwise), and a goroutine that blocks in a
	// system call may come back on another thread.
	runtime.LockOSThread()
	if wait != "ring" && wait != "epoll" {
		return fmt.Errorf("-wait %q: want ring or epoll", wait)
	}
	lfd, err := listen(addr)
	if err != nil {
		return err
	}
	r, err := newRing(4096, setupSingleIssuer|setupDeferTaskrun)
	if err == nil {
		err = r.enter(0) // io_uring_enter may be refused where setup is not
	}
	if err != nil {
		return fmt.Errorf("io_uring unavailable (needs Linux 6.1 with io_uring allowed): %w", err)
	}
	s := &server{r: r, lfd: int32(lfd), waitFd: -1, evfd: -1}
	if wait == "epoll" {
		if err := s.nest(); err != nil {
			return err
		}
	}
	bound, err := unix.Getsockname(lfd)
	if err != nil {
		return os.NewSyscallError("getsockname", err)
	}
	a := bound.(*unix.SockaddrInet4)
	fmt.Fprintf(os.Stderr, "echo-uring: listening on %s (-wait %s)\n", &net.TCPAddr{IP: a.Addr[:], Port: a.Port}, wait)
	s.accept()
	for {
		if err := s.block(); err != nil {
			return err
		}
		s.reap()
	}
}

// listen opens a non-blocking TCP listening socket on addr (IPv4).
func listen(addr string) (int, error) {
	ta, err := net.ResolveTCPAddr("tcp4", addr)
	if err != nil {
		return -1, err
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	sa := &unix.SockaddrInet4{Port: ta.Port}
	copy(sa.Addr[:], ta.IP.To4())
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return -1, os.NewSyscallError("setsockopt", err)
	}
	if err := unix.Bind(fd, sa); err != nil {
		return -1, os.NewSyscallError("bind", err)
	}
	if err := unix.Listen(fd, 4096); err != nil {
		return -1, os.NewSyscallError("listen", err)
	}
	return fd, nil
}

// nest sets up -wait epoll: an eventfd registered with the ring, which
// signals it when completions are queued, watched by an epoll set.
func (s *server) nest() error {
	evfd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		return os.NewSyscallError("eventfd", err)
	}
	if err := s.r.registerEventfd(evfd); err != nil {
		return err
	}
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return os.NewSyscallError("epoll_create1", err)
	}
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, evfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(evfd)}); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	s.waitFd, s.evfd = ep, evfd
	return nil
}

// block submits what is queued and waits for at least one completion.
func (s *server) block() error {
	if s.waitFd < 0 {
		return s.r.enter(1)
	}
	if err := s.r.enter(0); err != nil {
		return err
	}
	var evs [8]unix.EpollEvent
	for {
		_, err := unix.EpollWait(s.waitFd, evs[:], -1)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EINTR) {
			return os.NewSyscallError("epoll_wait", err)
		}
	}
	var b [8]byte
	unix.Read(s.evfd, b[:])
	return s.r.enter(0) // with DEFER_TASKRUN, this runs the completions
}

// reap handles every completion in the ring.
func (s *server) reap() {
	for {
		e, ok := s.r.next()
		if !ok {
			return
		}
		fd, tag := int32(e.userData>>8), e.userData&0xff
		switch tag {
		case tagAccept:
			s.accept()
			if e.res >= 0 {
				s.open(e.res)
			}
		case tagRecv:
			c := s.conns[fd]
			if e.res <= 0 {
				s.close(c)
				continue
			}
			c.n, c.sent = int(e.res), 0
			s.send(c)
		case tagSend:
			c := s.conns[fd]
			if e.res < 0 {
				s.close(c)
				continue
			}
			if c.sent += int(e.res); c.sent < c.n {
				s.send(c)
			} else {
				s.recv(c)
			}
		}
	}
}

func (s *server) open(fd int32) {
	for int(fd) >= len(s.conns) {
		s.conns = append(s.conns, make([]*conn, len(s.conns)+64)...)
	}
	unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	c := &conn{fd: fd, buf: make([]byte, 16<<10)}
	s.conns[fd] = c
	s.recv(c)
}

func (s *server) close(c *conn) {
	unix.Close(int(c.fd))
	s.conns[c.fd] = nil
}

// accept queues an accept of the next connection; when descriptors run out
// (EMFILE) the failed completion queues the next try at once: good enough
// for an experiment.
func (s *server) accept() {
	q := s.r.sqe()
	q.opcode, q.fd, q.userData = opAccept, s.lfd, uint64(s.lfd)<<8|tagAccept
	q.opFlags = unix.SOCK_CLOEXEC
}

func (s *server) recv(c *conn) {
	q := s.r.sqe()
	q.opcode, q.fd, q.userData = opRecv, c.fd, uint64(c.fd)<<8|tagRecv
	q.addr, q.len = uint64(uintptr(unsafe.Pointer(&c.buf[0]))), uint32(len(c.buf))
}

func (s *server) send(c *conn) {
	q := s.r.sqe()
	q.opcode, q.fd, q.userData = opSend, c.fd, uint64(c.fd)<<8|tagSend
	q.addr, q.len = uint64(uintptr(unsafe.Pointer(&c.buf[c.sent]))), uint32(c.n-c.sent)
	q.opFlags = unix.MSG_NOSIGNAL
}

// errno turns a raw system call result into an error.
func errno(call string, e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return os.NewSyscallError(call, e)
}
