package main

// The raw generator (-gen raw): keep-alive GETs on -conns connections, one
// request outstanding on each (-pipeline requests with -pipeline), like wrk -t1, but with two system calls per
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
	"time"

	"github.com/eventide-go/eventide/bench/internal/latency"
	"github.com/eventide-go/eventide/bench/internal/procstat"
	"github.com/eventide-go/eventide/bench/internal/rawnet"
	"golang.org/x/sys/unix"
)

// rawConn is one connection's state, owned by the generator's goroutine.
type rawConn struct {
	fd      int
	sentAt  time.Time
	waiting int    // responses still due for the requests sent at sentAt
	partial []byte // the start of a response that came in pieces; usually empty
}

// rawGen drives the connections until stop is set.
type rawGen struct {
	conns     []rawConn
	req       []byte // depth requests, sent in one write
	depth     int
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
		n, err := rawnet.Wait(ep, events)
		if err != nil {
			g.err = err
			return
		}
		for _, ev := range events[:n] {
			if g.err = g.receive(&g.conns[ev.Fd]); g.err != nil {
				return
			}
		}
	}
}

// send writes the next depth requests on c's non-blocking socket, in one
// write.
func (g *rawGen) send(c *rawConn, now time.Time) error {
	c.sentAt, c.waiting = now, g.depth
	return rawnet.SendAll(c.fd, g.req)
}

// receive reads what arrived on c and counts the whole responses; once all
// the requests sent are answered it sends the next ones.
func (g *rawGen) receive(c *rawConn) error {
	r, err := rawnet.Receive(c.fd, g.buf)
	if err != nil || r == 0 {
		return err
	}
	p := g.buf[:r]
	if len(c.partial) > 0 {
		c.partial = append(c.partial, p...)
		p = c.partial
	}
	var now time.Time
	for len(p) > 0 {
		n, ok, err := frameResponse(p)
		if err == errIncomplete {
			break
		}
		if err != nil {
			return err
		}
		if c.waiting == 0 {
			return fmt.Errorf("%d bytes after the responses to %d requests", len(p), g.depth)
		}
		p = p[n:]
		c.waiting--
		if g.measuring.Load() {
			if now.IsZero() {
				now = time.Now()
			}
			g.hist.Record(now.Sub(c.sentAt))
			g.done.Add(1)
			if !ok {
				g.bad.Add(1)
			}
		}
	}
	// Keep the start of an incomplete response (p may alias c.partial).
	c.partial = append(c.partial[:0], p...)
	if c.waiting > 0 {
		return nil
	}
	if len(p) > 0 {
		return fmt.Errorf("%d bytes after the responses to %d requests", len(p), g.depth)
	}
	if now.IsZero() {
		now = time.Now()
	}
	return g.send(c, now)
}

// measureRaw is measureLoad with the raw generator in this process.
// depth requests are sent at a time on each connection (pipelined when more
// than 1), the next depth once all are answered.
func measureRaw(addr string, nconns, depth int, warmup, dur time.Duration, pid int) error {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return err
	}
	if !ap.Addr().Is4() {
		return errors.New("-gen raw supports IPv4 addresses only")
	}
	g := &rawGen{
		req:   bytes.Repeat([]byte("GET / HTTP/1.1\r\nHost: "+addr+"\r\n\r\n"), depth),
		depth: depth,
		buf:   make([]byte, 64<<10),
	}
	defer func() {
		for _, c := range g.conns {
			unix.Close(c.fd)
		}
	}()
	for range nconns {
		fd, err := rawnet.Dial(ap)
		if err != nil {
			return err
		}
		g.conns = append(g.conns, rawConn{fd: fd})
		if err := rawnet.SetNonblock(fd); err != nil {
			return err
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

	before, err := procstat.ReadPoint(pid)
	if err != nil {
		return err
	}
	c0, t0 := rawnet.SelfCPU(), time.Now()
	g.measuring.Store(true)
	select {
	case <-time.After(dur):
	case <-finished:
	}
	g.measuring.Store(false)
	elapsed, loadCPU := time.Since(t0), rawnet.SelfCPU()-c0
	after, err := procstat.ReadPoint(pid)
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
	printLoad(float64(reqs), elapsed, g.hist.Percentile(50), g.hist.Percentile(99),
		before, after, loadCPU, g.bad.Load())
	return nil
}
