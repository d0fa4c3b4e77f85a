// Command echoload is the load generator of the echo benchmarks: a number
// of connections, each a ping-pong of fixed-size messages (send one, wait
// for all of it to come back, send the next), for a duration after a
// warm-up. It prints one line of key=value pairs:
//
//	msgs_s      messages echoed per second, all connections together
//	p50_us      median round-trip latency, µs
//	p99_us      99th percentile round-trip latency, µs
//	srv_us_msg  server CPU time per message, µs (needs -pid)
//	srv_sys_us  the kernel's part of srv_us_msg, µs (needs -pid)
//	srv_cs_msg  server context switches per message (needs -pid)
//	srv_util    server CPU use over the run, in CPUs (needs -pid)
//	load_util   this process's CPU use, in CPUs: near 1 per -workers means
//	            the load generator, not the server, may be the bottleneck
//	other_util  CPU use of everything else on the machine, in CPUs (needs
//	            -pid): other work competing with the measurement
//	msgs        messages echoed while measuring (only with -msgs)
//
//	echoload -addr 127.0.0.1:7001 -conns 50 -size 64 -dur 5s -pid 1234
//
// With -mem it measures memory instead: it reads the server's VmRSS, opens
// -conns connections one after the other, echoes one message on each, waits
// a second, reads VmRSS again and prints rss_kib_per_conn (the difference
// divided by the number of connections), keeping every connection open
// until then.
//
// # Design
//
// Each worker goroutine owns an epoll instance and a share of the
// connections, watched level-triggered; it reads with one 64 KiB buffer and
// writes the next message as soon as the previous one is complete.
// Descriptors are raw non-blocking sockets, read and written with raw system
// calls (no scheduler bookkeeping: they never block), and one clock reading
// per message serves as both the end of one round trip and the start of the
// next, so the generator spends its CPU in the kernel, not in the runtime.
// On a machine with one CPU for the load it is still slower than the fastest
// servers: load_util tells.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eventide-go/eventide/bench/internal/latency"
	"github.com/eventide-go/eventide/bench/internal/procstat"
	"github.com/eventide-go/eventide/bench/internal/rawnet"
	"golang.org/x/sys/unix"
)

// printMsgs is the -msgs flag.
var printMsgs *bool

// useRing is the -ring flag.
var useRing *bool

func main() {
	addr := flag.String("addr", "127.0.0.1:7001", "server address, IPv4 host:port")
	conns := flag.Int("conns", 50, "connections")
	size := flag.Int("size", 64, "message size in bytes")
	dur := flag.Duration("dur", 5*time.Second, "measured duration")
	warmup := flag.Duration("warmup", time.Second, "unmeasured run before the measurement")
	workers := flag.Int("workers", 1, "goroutines, each with its own epoll")
	pid := flag.Int("pid", 0, "server process to sample in /proc (0: none)")
	mem := flag.Bool("mem", false, "measure the server's RSS per connection instead of throughput")
	printMsgs = flag.Bool("msgs", false, "also print msgs, the number of messages measured")
	useRing = flag.Bool("ring", false, "batch each poll's receives and sends through io_uring (Linux): about 0.1 system calls per message instead of 2")
	flag.Parse()

	ap, err := netip.ParseAddrPort(*addr)
	if err == nil && !ap.Addr().Is4() {
		err = errors.New("only IPv4 addresses are supported")
	}
	if err == nil && *mem {
		err = measureMemory(ap, *conns, *pid)
	} else if err == nil {
		err = measureLoad(ap, *conns, *size, *workers, *warmup, *dur, *pid)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "echoload:", err)
		os.Exit(1)
	}
}

// conn is one connection's ping-pong state, owned by its worker.
type conn struct {
	fd     int
	got    int       // bytes of the current echo received
	sentAt time.Time // when the current message was written
}

// worker drives its connections until stop is set.
type worker struct {
	conns     []conn
	msg       []byte
	buf       []byte
	hist      latency.Histogram // round trips completed while measuring
	measuring *atomic.Bool
	stop      *atomic.Bool
	done      atomic.Int64 // messages completed while measuring
	err       error
}

func (w *worker) run() {
	ep, err := w.start()
	if err != nil {
		w.err = err
		return
	}
	defer unix.Close(ep)
	events := make([]unix.EpollEvent, 256)
	for !w.stop.Load() {
		n, err := rawnet.Wait(ep, events)
		if err != nil {
			w.err = err
			return
		}
		for _, ev := range events[:n] {
			if err := w.receive(&w.conns[ev.Fd]); err != nil {
				w.err = err
				return
			}
		}
	}
}

// start makes the worker's epoll instance, watches its connections in it
// and sends each its first message.
func (w *worker) start() (ep int, err error) {
	ep, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return -1, os.NewSyscallError("epoll_create1", err)
	}
	for i := range w.conns {
		c := &w.conns[i]
		ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(i)}
		if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, c.fd, &ev); err != nil {
			unix.Close(ep)
			return -1, os.NewSyscallError("epoll_ctl", err)
		}
		if err := w.send(c, time.Now()); err != nil {
			unix.Close(ep)
			return -1, err
		}
	}
	return ep, nil
}

// send writes one whole message on c's non-blocking socket; now is the
// time it is sent.
func (w *worker) send(c *conn, now time.Time) error {
	c.sentAt = now
	return rawnet.SendAll(c.fd, w.msg)
}

// receive reads what arrived on c and, once the whole echo is in, counts it
// and sends the next message.
func (w *worker) receive(c *conn) error {
	n, err := rawnet.Receive(c.fd, w.buf)
	if err != nil || n == 0 {
		return err
	}
	c.got += n
	if c.got < len(w.msg) {
		return nil
	}
	if c.got > len(w.msg) {
		return fmt.Errorf("received %d bytes for a %d-byte message", c.got, len(w.msg))
	}
	c.got = 0
	now := time.Now()
	if w.measuring.Load() {
		w.hist.Record(now.Sub(c.sentAt))
		w.done.Add(1)
	}
	return w.send(c, now)
}

func measureLoad(ap netip.AddrPort, nconns, size, nworkers int, warmup, dur time.Duration, pid int) error {
	nworkers = max(1, min(nworkers, nconns))
	var measuring, stop atomic.Bool
	workers := make([]*worker, nworkers)
	msg := make([]byte, size)
	for i := range msg {
		msg[i] = byte('a' + i%26)
	}
	for i := range workers {
		workers[i] = &worker{msg: msg, buf: make([]byte, 64<<10), measuring: &measuring, stop: &stop}
	}
	defer func() {
		for _, w := range workers {
			for _, c := range w.conns {
				unix.Close(c.fd)
			}
		}
	}()
	for i := range nconns {
		fd, err := rawnet.Dial(ap)
		if err != nil {
			return err
		}
		w := workers[i%nworkers]
		w.conns = append(w.conns, conn{fd: fd})
		if err := rawnet.SetNonblock(fd); err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	for _, w := range workers {
		if *useRing {
			wg.Go(w.runRing)
		} else {
			wg.Go(w.run)
		}
	}
	time.Sleep(warmup)

	var before, after procstat.Sample
	var err error
	if pid > 0 {
		if before, err = procstat.Read(pid); err != nil {
			return err
		}
	}
	busy0, err := procstat.MachineBusy()
	if err != nil {
		return err
	}
	c0, t0 := rawnet.SelfCPU(), time.Now()
	measuring.Store(true)
	time.Sleep(dur)
	measuring.Store(false)
	elapsed, loadCPU := time.Since(t0), rawnet.SelfCPU()-c0
	busy1, err := procstat.MachineBusy()
	if err != nil {
		return err
	}
	if pid > 0 {
		if after, err = procstat.Read(pid); err != nil {
			return err
		}
	}
	stop.Store(true)
	wg.Wait()

	var hist latency.Histogram
	var msgs int64
	for _, w := range workers {
		if w.err != nil {
			return w.err
		}
		hist.Merge(&w.hist)
		msgs += w.done.Load()
	}
	if msgs == 0 {
		return errors.New("no message completed")
	}
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	fmt.Printf("msgs_s=%.0f p50_us=%.1f p99_us=%.1f", float64(msgs)/elapsed.Seconds(),
		us(hist.Percentile(50)), us(hist.Percentile(99)))
	if pid > 0 {
		cpu := after.CPU - before.CPU
		fmt.Printf(" srv_us_msg=%.2f srv_sys_us=%.2f srv_cs_msg=%.4f srv_util=%.2f",
			us(cpu)/float64(msgs), us(after.Sys-before.Sys)/float64(msgs),
			float64(after.Switches-before.Switches)/float64(msgs),
			cpu.Seconds()/elapsed.Seconds())
	}
	fmt.Printf(" load_util=%.2f", loadCPU.Seconds()/elapsed.Seconds())
	if pid > 0 {
		other := busy1 - busy0 - loadCPU - (after.CPU - before.CPU)
		fmt.Printf(" other_util=%.2f", max(0, other.Seconds()/elapsed.Seconds()))
	}
	if *printMsgs {
		fmt.Printf(" msgs=%d", msgs)
	}
	fmt.Println()
	return nil
}

func measureMemory(ap netip.AddrPort, nconns, pid int) error {
	if pid <= 0 {
		return errors.New("-mem needs -pid")
	}
	before, err := procstat.Read(pid)
	if err != nil {
		return err
	}
	fds := make([]int, 0, nconns)
	defer func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}()
	msg := []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	buf := make([]byte, len(msg))
	for range nconns {
		fd, err := rawnet.Dial(ap)
		if err != nil {
			return fmt.Errorf("connection %d: %w", len(fds)+1, err)
		}
		fds = append(fds, fd)
		if _, err := unix.Write(fd, msg); err != nil {
			return os.NewSyscallError("write", err)
		}
		for got := 0; got < len(msg); {
			n, err := unix.Read(fd, buf[got:])
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return os.NewSyscallError("read", err)
			}
			if n == 0 {
				return errors.New("server closed a connection")
			}
			got += n
		}
	}
	time.Sleep(time.Second) // let the server finish what it does after echoing
	after, err := procstat.Read(pid)
	if err != nil {
		return err
	}
	fmt.Printf("rss_kib_per_conn=%.2f rss_before_kib=%d rss_after_kib=%d\n",
		float64(after.RSSKiB-before.RSSKiB)/float64(nconns), before.RSSKiB, after.RSSKiB)
	return nil
}
