//go:build linux

// Command floor is a measuring stick, not an anchor: the least a Go program
// can do to serve the benchmarks' traffic, so that a table can say how much
// of a server's cost is its own and how much any Go server pays on this
// machine, and how fast the load generator can go at all.
//
//	floor [-addr 127.0.0.1:7000] [-http]
//
// One goroutine blocks in epoll_pwait(2) through a raw system call and
// serves every descriptor with read(2) and write(2), as C libev's echo
// server does: no buffers beyond one shared read buffer, no callbacks, no
// timers, no close semantics, no scheduler hand-offs (the loop never parks
// in Go's network poller; with GOMAXPROCS=1 nothing else in the program
// needs the processor). Without -http it echoes bytes. With -http it
// answers each request with a canned 200 response as long as eventide's
// examples/hello sends, without parsing anything but the end of each
// request header ("\r\n\r\n", tracked across reads, so pipelining works);
// request bodies are not supported (the benchmarks send GETs). Output the
// socket does not take at once waits for EPOLLOUT, and reading stops
// meanwhile, so a peer that does not read cannot grow it without bound.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// response is what examples/hello sends, byte for byte in length (the date
// is fixed: a floor does not keep a clock).
var response = []byte("HTTP/1.1 200 OK\r\nDate: Fri, 27 Nov 2026 07:03:29 GMT\r\nServer: eventide\r\n" +
	"Content-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, World!")

// conn is one client's state, indexed by its descriptor.
type conn struct {
	open  bool
	match int    // how much of "\r\n\r\n" ends the input so far (-http)
	out   []byte // output the socket has not taken yet
}

type server struct {
	ep    int
	lfd   int
	http  bool
	conns []conn
	buf   []byte
	reply []byte // -http: the responses of one read, reused
}

func main() {
	addr := flag.String("addr", "127.0.0.1:7000", "listen address, host:port")
	http := flag.Bool("http", false, "answer HTTP GETs with a canned response instead of echoing")
	flag.Parse()
	if err := run(*addr, *http); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(addr string, http bool) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	f, err := ln.(*net.TCPListener).File() // a duplicate, ours alone
	if err != nil {
		return err
	}
	bound := ln.Addr().String()
	ln.Close()
	s := &server{lfd: int(f.Fd()), http: http, buf: make([]byte, 64<<10)}
	if err := syscall.SetNonblock(s.lfd, true); err != nil {
		return err
	}
	if s.ep, err = syscall.EpollCreate1(syscall.EPOLL_CLOEXEC); err != nil {
		return err
	}
	if err := s.ctl(syscall.EPOLL_CTL_ADD, s.lfd, syscall.EPOLLIN); err != nil {
		return err
	}
	fmt.Println("floor: listening on", bound)
	evs := make([]syscall.EpollEvent, 256)
	for {
		n, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(s.ep),
			uintptr(unsafe.Pointer(&evs[0])), uintptr(len(evs)), ^uintptr(0), 0, 0)
		switch e {
		case 0:
		case syscall.EINTR: // the runtime's preemption signal
			continue
		default:
			return os.NewSyscallError("epoll_pwait", e)
		}
		for i := range int(n) {
			fd := int(evs[i].Fd)
			switch {
			case fd == s.lfd:
				s.accept()
			case evs[i].Events&syscall.EPOLLOUT != 0:
				s.flush(fd)
			default:
				s.serve(fd)
			}
		}
	}
}

func (s *server) ctl(op, fd int, events uint32) error {
	return syscall.EpollCtl(s.ep, op, fd, &syscall.EpollEvent{Events: events, Fd: int32(fd)})
}

func (s *server) accept() {
	for {
		fd, _, err := syscall.Accept4(s.lfd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
		if err != nil {
			return // EAGAIN, or out of descriptors: the next event retries
		}
		for fd >= len(s.conns) {
			s.conns = append(s.conns, conn{})
		}
		s.conns[fd] = conn{open: true}
		if s.ctl(syscall.EPOLL_CTL_ADD, fd, syscall.EPOLLIN) != nil {
			s.close(fd)
		}
	}
}

// serve reads once and answers what it read.
func (s *server) serve(fd int) {
	r, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&s.buf[0])), uintptr(len(s.buf)))
	switch {
	case e == syscall.EAGAIN || e == syscall.EINTR:
		return
	case e != 0 || r == 0:
		s.close(fd)
		return
	}
	out := s.buf[:r]
	if s.http {
		if out = s.answers(&s.conns[fd], out); len(out) == 0 {
			return
		}
	}
	s.write(fd, out)
}

// answers returns one response per request header that in ends.
func (s *server) answers(c *conn, in []byte) []byte {
	const end = "\r\n\r\n"
	s.reply = s.reply[:0]
	m := c.match
	for _, b := range in {
		switch {
		case b == end[m]:
			m++
		case b == '\r':
			m = 1
		default:
			m = 0
		}
		if m == len(end) {
			s.reply = append(s.reply, response...)
			m = 0
		}
	}
	c.match = m
	return s.reply
}

// write sends p, keeping what the socket does not take for EPOLLOUT.
func (s *server) write(fd int, p []byte) {
	r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	switch {
	case e == syscall.EAGAIN || e == syscall.EINTR:
		r = 0
	case e != 0:
		s.close(fd)
		return
	}
	if int(r) == len(p) {
		return
	}
	c := &s.conns[fd]
	c.out = append(c.out[:0], p[r:]...)
	if s.ctl(syscall.EPOLL_CTL_MOD, fd, syscall.EPOLLOUT) != nil {
		s.close(fd)
	}
}

// flush sends held output; once it is all out, reading resumes.
func (s *server) flush(fd int) {
	c := &s.conns[fd]
	r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&c.out[0])), uintptr(len(c.out)))
	switch {
	case e == syscall.EAGAIN || e == syscall.EINTR:
		return
	case e != 0:
		s.close(fd)
		return
	}
	if c.out = c.out[:copy(c.out, c.out[r:])]; len(c.out) == 0 {
		if s.ctl(syscall.EPOLL_CTL_MOD, fd, syscall.EPOLLIN) != nil {
			s.close(fd)
		}
	}
}

func (s *server) close(fd int) {
	if c := &s.conns[fd]; c.open {
		*c = conn{}
		syscall.Close(fd) // also leaves the epoll set
	}
}
