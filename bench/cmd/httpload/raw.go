package main

// The raw generator (-gen raw): keep-alive GETs on -conns connections, one
// request outstanding on each, like wrk -t1, but with two system calls per
// request (send and recv; epoll_pwait is shared by every connection that is
// ready at once). wrk makes four: after each response it adds a write
// interest with epoll_ctl, writes the next request when epoll reports the
// socket writable, and removes the interest again. On this machine that
// makes wrk the bottleneck for every fast server; the raw generator spends
// about as much per request as the fastest server's kernel does, so that
// the servers' own costs decide the rate.

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/eventide-go/eventide/bench/internal/latency"
	"github.com/eventide-go/eventide/bench/internal/procstat"
	"golang.org/x/sys/unix"
)

// rawConn is one connection's state, owned by the generator's goroutine.
type rawConn struct {
	fd      int
	sentAt  time.Time
	partial []byte // the start of a response that came in pieces; usually empty
}

// rawGen drives the connections until stop is set.
type rawGen struct {
	conns     []rawConn
	req       []byte
	buf       []byte
	hist      latency.Histogram
	measuring atomic.Bool
	stop      atomic.Bool
	done      atomic.Int64 // responses completed while measuring
	bad       atomic.Int64 // non-200 responses while measuring
	err       error
}

// errIncomplete says that a response needs more bytes.
var errIncomplete = errors.New("incomplete response")

// frameResponse parses the keep-alive response at the start of p: its
// length and whether its status is 200. It returns errIncomplete while p
// holds less than a whole response. A response that closes the connection,
// or has neither a Content-Length nor a chunked body, is an error: the
// hello-world servers answer GET / with a keep-alive response.
func frameResponse(p []byte) (n int, ok bool, err error) {
	end := bytes.Index(p, []byte("\r\n\r\n"))
	if end < 0 {
		return 0, false, errIncomplete
	}
	head := p[:end]
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	if !bytes.HasPrefix(line, []byte("HTTP/1.")) || len(line) < 12 {
		return 0, false, fmt.Errorf("status line %q", line)
	}
	ok = string(line[9:12]) == "200"
	length := -1
	for len(rest) > 0 {
		var h []byte
		h, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		k, v, found := bytes.Cut(h, []byte(":"))
		if !found {
			return 0, false, fmt.Errorf("header line %q", h)
		}
		v = bytes.TrimSpace(v)
		switch {
		case bytes.EqualFold(k, []byte("Content-Length")):
			l, err := strconv.Atoi(string(v))
			if err != nil || l < 0 {
				return 0, false, fmt.Errorf("Content-Length %q", v)
			}
			length = l
		case bytes.EqualFold(k, []byte("Transfer-Encoding")):
			if !bytes.EqualFold(v, []byte("chunked")) {
				return 0, false, fmt.Errorf("Transfer-Encoding %q", v)
			}
			length = -2
		case bytes.EqualFold(k, []byte("Connection")) && bytes.Contains(bytes.ToLower(v), []byte("close")):
			return 0, false, errors.New("the server closes the connection; -gen raw needs keep-alive")
		}
	}
	switch length {
	case -1:
		return 0, false, errors.New("response without Content-Length or chunked body")
	case -2:
		n, err = frameChunked(p, end+4)
		return n, ok, err
	}
	n = end + 4 + length
	if len(p) < n {
		return 0, false, errIncomplete
	}
	return n, ok, nil
}

// frameChunked returns the end of the chunked body that starts at p[i:].
func frameChunked(p []byte, i int) (int, error) {
	for {
		eol := bytes.Index(p[i:], []byte("\r\n"))
		if eol < 0 {
			return 0, errIncomplete
		}
		line, _, _ := bytes.Cut(p[i:i+eol], []byte(";"))
		size, err := strconv.ParseUint(string(bytes.TrimSpace(line)), 16, 31)
		if err != nil {
			return 0, fmt.Errorf("chunk size %q", p[i:i+eol])
		}
		i += eol + 2
		if size == 0 {
			break
		}
		i += int(size) + 2 // the data and its CRLF
		if i > len(p) {
			return 0, errIncomplete
		}
	}
	// Trailer lines, then the empty line.
	for {
		eol := bytes.Index(p[i:], []byte("\r\n"))
		if eol < 0 {
			return 0, errIncomplete
		}
		i += eol + 2
		if eol == 0 {
			return i, nil
		}
	}
}

func (g *rawGen) run() {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		g.err = os.NewSyscallError("epoll_create1", err)
		return
	}
	defer unix.Close(ep)
	for i := range g.conns {
		c := &g.conns[i]
		ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(i)}
		if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, c.fd, &ev); err != nil {
			g.err = os.NewSyscallError("epoll_ctl", err)
			return
		}
		if g.err = g.send(c, time.Now()); g.err != nil {
			return
		}
	}
	events := make([]unix.EpollEvent, 256)
	for !g.stop.Load() {
		// A raw zero-timeout look first, as echoload does; block only
		// when nothing is ready.
		r, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(ep),
			uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
		n, err := int(r), error(nil)
		if e != 0 || n == 0 {
			n, err = unix.EpollWait(ep, events, 100)
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			g.err = os.NewSyscallError("epoll_wait", err)
			return
		}
		for _, ev := range events[:n] {
			if g.err = g.receive(&g.conns[ev.Fd]); g.err != nil {
				return
			}
		}
	}
}

// send writes the request on c's non-blocking socket.
func (g *rawGen) send(c *rawConn, now time.Time) error {
	c.sentAt = now
	for off := 0; off < len(g.req); {
		n, _, e := syscall.RawSyscall6(unix.SYS_SENDTO, uintptr(c.fd), uintptr(unsafe.Pointer(&g.req[off])),
			uintptr(len(g.req)-off), unix.MSG_NOSIGNAL, 0, 0)
		if e == unix.EAGAIN || e == unix.EINTR {
			continue // a send buffer far larger than a request; rare
		}
		if e != 0 {
			return os.NewSyscallError("send", e)
		}
		off += int(n)
	}
	return nil
}

// receive reads what arrived on c and, once the response is whole, counts
// it and sends the next request.
func (g *rawGen) receive(c *rawConn) error {
	r, _, e := syscall.RawSyscall6(unix.SYS_RECVFROM, uintptr(c.fd), uintptr(unsafe.Pointer(&g.buf[0])),
		uintptr(len(g.buf)), 0, 0, 0)
	if e == unix.EAGAIN || e == unix.EINTR {
		return nil
	}
	if e != 0 {
		return os.NewSyscallError("recv", e)
	}
	if r == 0 {
		return errors.New("server closed a connection")
	}
	p := g.buf[:r]
	if len(c.partial) > 0 {
		c.partial = append(c.partial, p...)
		p = c.partial
	}
	n, ok, err := frameResponse(p)
	if err == errIncomplete {
		if len(c.partial) == 0 {
			c.partial = append(c.partial, p...)
		}
		return nil
	}
	if err != nil {
		return err
	}
	if n != len(p) {
		return fmt.Errorf("%d bytes after a response, with one request outstanding", len(p)-n)
	}
	c.partial = c.partial[:0]
	now := time.Now()
	if g.measuring.Load() {
		g.hist.Record(now.Sub(c.sentAt))
		g.done.Add(1)
		if !ok {
			g.bad.Add(1)
		}
	}
	return g.send(c, now)
}

// measureRaw is measureLoad with the raw generator in this process.
func measureRaw(addr string, nconns int, warmup, dur time.Duration, pid int) error {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return err
	}
	if !ap.Addr().Is4() {
		return errors.New("-gen raw supports IPv4 addresses only")
	}
	g := &rawGen{
		req: []byte("GET / HTTP/1.1\r\nHost: " + addr + "\r\n\r\n"),
		buf: make([]byte, 64<<10),
	}
	defer func() {
		for _, c := range g.conns {
			unix.Close(c.fd)
		}
	}()
	for range nconns {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return os.NewSyscallError("socket", err)
		}
		g.conns = append(g.conns, rawConn{fd: fd})
		sa := &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
		for err = unix.Connect(fd, sa); err == unix.EINTR; err = unix.Connect(fd, sa) {
		}
		if err != nil {
			return os.NewSyscallError("connect", err)
		}
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
		if err := unix.SetNonblock(fd, true); err != nil {
			return os.NewSyscallError("fcntl", err)
		}
	}
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		g.run()
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			g.stop.Store(true)
			<-finished
		}
	}
	defer stop()
	select {
	case <-time.After(warmup):
	case <-finished:
		return g.err // it failed before the measurement
	}

	before, err := procstat.Read(pid)
	if err != nil {
		return err
	}
	busy0, err := procstat.MachineBusy()
	if err != nil {
		return err
	}
	c0, t0 := selfCPU(), time.Now()
	g.measuring.Store(true)
	select {
	case <-time.After(dur):
	case <-finished:
	}
	g.measuring.Store(false)
	elapsed, loadCPU := time.Since(t0), selfCPU()-c0
	busy1, err := procstat.MachineBusy()
	if err != nil {
		return err
	}
	after, err := procstat.Read(pid)
	if err != nil {
		return err
	}
	stop()
	if g.err != nil {
		return g.err
	}
	reqs := g.done.Load()
	if reqs == 0 {
		return errors.New("no request completed")
	}
	cpu := after.CPU - before.CPU
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	other := busy1 - busy0 - cpu - loadCPU
	fmt.Printf("req_s=%.0f p50_us=%.1f p99_us=%.1f srv_us_req=%.2f srv_sys_us=%.2f srv_util=%.2f load_util=%.2f other_util=%.2f errors=%d\n",
		float64(reqs)/elapsed.Seconds(), us(g.hist.Percentile(50)), us(g.hist.Percentile(99)),
		us(cpu)/float64(reqs), us(after.Sys-before.Sys)/float64(reqs),
		cpu.Seconds()/elapsed.Seconds(), loadCPU.Seconds()/elapsed.Seconds(),
		max(0, other.Seconds()/elapsed.Seconds()), g.bad.Load())
	return nil
}

// selfCPU is this process's CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
