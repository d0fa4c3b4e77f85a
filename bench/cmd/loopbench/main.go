// Command loopbench measures eventide's ev loop on the tests of
// bench/c/loop_libev.c, with the same parameters and the same output: one
// line of key=value pairs that run.sh tabulates next to C libev.
//
//	loopbench -test timers -n 1000000            one-shot timers, distinct timeouts in (0, 1 s]
//	loopbench -test churn -n 1000000 -active 100000  start+stop pairs, median of 7 rounds of n
//	loopbench -test pingpong -n 200000 -size 64  round trips over a socketpair
//	loopbench -test post -n 1000000              Loop.Post from another goroutine
//	loopbench -test async -n 1000000             Async.Send from another goroutine
//	loopbench -test postlat -n 10000             wake-up latency of Post
//	loopbench -test asynclat -n 10000            wake-up latency of Async.Send
//	loopbench -test wakestress -n 200000         Async.Send, wait for the callback, repeat
//	loopbench -test signal -n 2000               kill(getpid(), SIGUSR1) to the Signal callback
//	loopbench -test child -n 2000 -stamp PATH    a child's exit to its Child callback
//	                                             (-sameiter: reproduces a lost pidfd registration)
//
// Timers live in one pre-allocated slice and are started and stopped from a
// callback, as in the C program, so that both read the loop's cached time.
// The ping-pong reads and writes its non-blocking descriptors with raw
// system calls (syscall.RawSyscall of SYS_READ and SYS_WRITE, no scheduler
// bookkeeping), which is what eventide's stream package does.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/eventide-go/eventide/ev"
	"golang.org/x/sys/unix"
)

func main() {
	test := flag.String("test", "timers", "timers, churn, pingpong, post, async, postlat, asynclat, wakestress, signal or child")
	n := flag.Int("n", 1000000, "timers, start/stop pairs, round trips, operations or samples")
	active := flag.Int("active", 100000, "churn: timers armed in the background")
	size := flag.Int("size", 1, "pingpong: message size in bytes")
	stamp := flag.String("stamp", "", "child: the program each child runs (bench/c/child_stamp.c)")
	sameIter := flag.Bool("sameiter", false, "child: start the next child from the Child callback (checks descriptor reuse within one iteration)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loopbench:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "loopbench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}

	var err error
	switch *test {
	case "timers":
		err = benchTimers(*n)
	case "churn":
		err = benchChurn(*n, *active)
	case "pingpong":
		err = benchPingPong(*n, *size)
	case "post", "async":
		err = benchCross(*n, *test == "post")
	case "postlat", "asynclat":
		err = benchLatency(*n, *test == "postlat")
	case "wakestress":
		err = benchWakeStress(*n)
	case "signal":
		err = benchSignal(*n)
	case "child":
		err = benchChild(*n, *stamp, *sameIter)
	default:
		err = fmt.Errorf("unknown test %q", *test)
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "loopbench:", err)
		os.Exit(1)
	}
}

// seqTimeout is timer i's timeout: ((i * 618033) mod 1e6) + 1 microseconds,
// a permutation of 1 µs..1 s in a scattered order; loop_libev.c's seq_us.
func seqTimeout(i int) time.Duration {
	return time.Duration(int64(i)*618033%1000000+1) * time.Microsecond
}

// cpuTime returns the process's user plus system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// settle collects the garbage of the set-up before a measurement, so that
// a collection the set-up's allocations triggered does not run during it:
// the measured loops allocate nothing, and C has no collector. Without it
// the 16 ms churn measurement was bimodal (16 or 48 ns per pair) depending
// on whether a cycle overlapped it.
func settle() { runtime.GC() }

// rawRead is read(2) entered with RawSyscall, for a non-blocking descriptor
// (it cannot block, so the scheduler need not know); the stream package
// reads the same way.
func rawRead(fd int, p []byte) (int, error) {
	n, _, e := syscall.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// rawWrite is write(2) as rawRead is read(2).
func rawWrite(fd int, p []byte) (int, error) {
	n, _, e := syscall.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// benchTimers starts n one-shot timers from one callback and runs the loop
// until all have fired.
func benchTimers(n int) error {
	l, err := ev.NewLoop()
	if err != nil {
		return err
	}
	defer l.Close()
	timers := make([]ev.Timer, n)
	fired := 0
	var begin, started, last time.Time
	onFire := func(*ev.Timer) {
		if fired++; fired == n {
			last = time.Now()
		}
	}
	for i := range timers {
		timers[i].Init(l, 0, 0, onFire)
	}
	kick := ev.NewTimer(l, 0, 0, func(*ev.Timer) {
		begin = time.Now()
		for i := range timers {
			timers[i].Set(seqTimeout(i), 0)
			timers[i].Start()
		}
		started = time.Now()
	})
	settle()
	c0 := cpuTime()
	kick.Start()
	if err := l.Run(ev.RunDefault); err != nil {
		return err
	}
	cpu := cpuTime() - c0
	if fired != n {
		return fmt.Errorf("fired %d of %d timers", fired, n)
	}
	wall := last.Sub(begin)
	fmt.Printf("wall_ms=%.1f start_ns=%.1f late_ms=%.2f cpu_ms=%.0f\n",
		ms(wall), float64(started.Sub(begin))/float64(n), ms(wall)-1000, ms(cpu))
	return nil
}

// benchChurn arms active timers due in 10–11 s, then, from one callback,
// starts and stops a timer n times, cycling through 1024 slots.
func benchChurn(n, active int) error {
	l, err := ev.NewLoop()
	if err != nil {
		return err
	}
	defer l.Close()
	nop := func(*ev.Timer) {}
	slots := make([]ev.Timer, 1024)
	background := make([]ev.Timer, active)
	for i := range slots {
		slots[i].Init(l, 0, 0, nop)
	}
	for i := range background {
		background[i].Init(l, 10*time.Second+seqTimeout(i*7+3), 0, nop)
		background[i].Start()
	}
	// churnRounds rounds of n pairs each; the median round is reported
	// (loop_libev.c does the same): one round lasts ~15 ms, short enough
	// for a noisy moment of the VM to land in it.
	const churnRounds = 7
	var took time.Duration
	kick := ev.NewTimer(l, 0, 0, func(*ev.Timer) {
		var rounds [churnRounds]time.Duration
		for r := range rounds {
			t0 := time.Now()
			for i := r * n; i < (r+1)*n; i++ {
				t := &slots[i&1023]
				t.Set(10*time.Second+seqTimeout(i), 0)
				t.Start()
				t.Stop()
			}
			rounds[r] = time.Since(t0)
		}
		slices.Sort(rounds[:])
		took = rounds[churnRounds/2]
		l.Break(ev.BreakAll)
	})
	settle()
	kick.Start()
	if err := l.Run(ev.RunDefault); err != nil {
		return err
	}
	fmt.Printf("pair_ns=%.1f wall_ms=%.1f\n", float64(took)/float64(n), ms(took))
	return nil
}

// benchPingPong bounces size bytes n times between the two ends of a
// socketpair, each watched by a level-triggered IO watcher that reads and
// then writes in its callback.
func benchPingPong(n, size int) error {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("socketpair", err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	l, err := ev.NewLoop()
	if err != nil {
		return err
	}
	defer l.Close()
	buf := make([]byte, size)
	rounds, got := 0, 0
	var failure error
	fail := func(what string, err error) {
		failure = os.NewSyscallError(what, err)
		l.Break(ev.BreakAll)
	}
	echo := ev.NewIO(l, fds[1], ev.Read, func(w *ev.IO, _ ev.Events) {
		r, err := rawRead(w.Fd(), buf)
		if err == unix.EAGAIN {
			return
		}
		if err != nil || r == 0 {
			fail("read echo", err)
			return
		}
		if _, err := rawWrite(w.Fd(), buf[:r]); err != nil {
			fail("write echo", err)
		}
	})
	client := ev.NewIO(l, fds[0], ev.Read, func(w *ev.IO, _ ev.Events) {
		r, err := rawRead(w.Fd(), buf)
		if err == unix.EAGAIN {
			return
		}
		if err != nil || r == 0 {
			fail("read client", err)
			return
		}
		if got += r; got < size {
			return
		}
		got -= size
		if rounds++; rounds == n {
			l.Break(ev.BreakAll)
			return
		}
		if _, err := rawWrite(w.Fd(), buf); err != nil {
			fail("write client", err)
		}
	})
	if err := echo.Start(); err != nil {
		return err
	}
	if err := client.Start(); err != nil {
		return err
	}
	t0, c0 := time.Now(), cpuTime()
	if _, err := unix.Write(fds[0], buf); err != nil {
		return os.NewSyscallError("write", err)
	}
	if err := l.Run(ev.RunDefault); err != nil {
		return err
	}
	took, cpu := time.Since(t0), cpuTime()-c0
	if failure != nil {
		return failure
	}
	fmt.Printf("rtt_per_s=%.0f ns_per_rtt=%.0f cpu_ms=%.0f\n",
		float64(n)/took.Seconds(), float64(took)/float64(n), ms(cpu))
	return nil
}

// benchCross measures how fast another goroutine can hand work to the loop:
// n Posts of one pre-made function (each runs), or n Async.Sends (which
// coalesce; callbacks counts the wake-ups the loop saw).
func benchCross(n int, post bool) error {
	l, err := ev.NewLoop()
	if err != nil {
		return err
	}
	defer l.Close()
	var (
		done      int
		callbacks int
		finished  atomic.Bool
		t0, t1    time.Time
	)
	// keep holds the loop open while the sender runs; its callback counts
	// wake-ups in the Send test.
	keep := ev.NewAsync(l, func(a *ev.Async) {
		callbacks++
		if finished.Load() {
			a.Stop()
		}
	})
	keep.Start()
	counted := func() {
		if done++; done == n {
			t1 = time.Now()
			keep.Stop()
		}
	}
	sent := make(chan struct{})
	c0 := cpuTime()
	go func() {
		defer close(sent)
		t0 = time.Now()
		if post {
			for range n {
				l.Post(counted)
			}
			return
		}
		for range n {
			keep.Send()
		}
		t1 = time.Now()
		finished.Store(true)
		keep.Send()
	}()
	if err := l.Run(ev.RunDefault); err != nil {
		return err
	}
	<-sent
	if post {
		callbacks = int(l.Iteration())
	}
	fmt.Printf("ops_per_s=%.0f callbacks=%d cpu_ms=%.0f\n",
		float64(n)/t1.Sub(t0).Seconds(), callbacks, ms(cpuTime()-c0))
	return nil
}

// benchLatency takes n samples of the time from a Post or Send on another
// goroutine to the callback on the loop, which is otherwise idle; samples
// are ~100 µs apart and each waits for the previous one to arrive.
func benchLatency(n int, post bool) error {
	l, err := ev.NewLoop()
	if err != nil {
		return err
	}
	defer l.Close()
	lat := make([]time.Duration, n)
	var (
		sentAt  atomic.Int64 // monotonic ns since base
		samples atomic.Int64
	)
	base := time.Now()
	var keep *ev.Async
	record := func() {
		i := samples.Load()
		lat[i] = time.Duration(int64(time.Since(base)) - sentAt.Load())
		samples.Store(i + 1)
		if int(i+1) == n {
			keep.Stop()
		}
	}
	keep = ev.NewAsync(l, func(*ev.Async) {
		if !post {
			record()
		}
	})
	keep.Start()
	go func() {
		for i := range n {
			sentAt.Store(int64(time.Since(base)))
			if post {
				l.Post(record)
			} else {
				keep.Send()
			}
			time.Sleep(100 * time.Microsecond)
			for samples.Load() <= int64(i) {
				time.Sleep(10 * time.Microsecond)
			}
		}
	}()
	if err := l.Run(ev.RunDefault); err != nil {
		return err
	}
	slices.Sort(lat)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	fmt.Printf("p50_us=%.1f p99_us=%.1f max_us=%.1f\n", us(lat[n/2]), us(lat[n*99/100]), us(lat[n-1]))
	return nil
}
