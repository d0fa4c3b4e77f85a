package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"syscall"
	"time"
	_ "unsafe" // for go:linkname

	"github.com/eventide-go/eventide/ev"
	"golang.org/x/sys/unix"
)

// nanotime is the runtime's monotonic clock: clock_gettime(CLOCK_MONOTONIC)
// through the vDSO on Linux, the clock loop_libev.c and child_stamp.c read,
// so that a timestamp taken in another process compares with it. The
// runtime keeps this name linkable for outside packages.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64

// printLatencies prints the p50, p99 and maximum of lat (sorted in place).
func printLatencies(lat []time.Duration) {
	slices.Sort(lat)
	n := len(lat)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	fmt.Printf("p50_us=%.1f p99_us=%.1f max_us=%.1f\n", us(lat[n/2]), us(lat[n*99/100]), us(lat[n-1]))
}

// benchSignal takes n samples of the time from kill(getpid(), SIGUSR1), on
// another goroutine, to the Signal watcher's callback on the loop; samples
// are ~100 µs apart and each waits for the previous callback, so none
// coalesce. loop_libev.c's signal test does the same from a pthread.
func benchSignal(n int) error {
	l, err := ev.NewLoop()
	if err != nil {
		return err
	}
	defer l.Close()
	lat := make([]time.Duration, n)
	var sentAt, samples atomic.Int64
	w := ev.NewSignal(l, syscall.SIGUSR1, func(w *ev.Signal) {
		now := nanotime()
		i := samples.Load()
		lat[i] = time.Duration(now - sentAt.Load())
		samples.Store(i + 1)
		if int(i+1) == n {
			w.Stop()
		}
	})
	if err := w.Start(); err != nil {
		return err
	}
	stall := make(chan error, 1)
	pid := os.Getpid()
	go func() {
		for i := range n {
			sentAt.Store(nanotime())
			if err := unix.Kill(pid, unix.SIGUSR1); err != nil {
				stall <- os.NewSyscallError("kill", err)
				return
			}
			time.Sleep(100 * time.Microsecond)
			t0 := time.Now()
			for samples.Load() <= int64(i) {
				if time.Since(t0) > stallAfter {
					stall <- fmt.Errorf("STALL: signal %d of %d not delivered in %v", i+1, n, stallAfter)
					return
				}
				time.Sleep(10 * time.Microsecond)
			}
		}
	}()
	runErr := make(chan error, 1)
	go func() { runErr <- l.Run(ev.RunDefault) }()
	select {
	case err := <-stall:
		return err
	case err := <-runErr:
		if err != nil {
			return err
		}
	}
	printLatencies(lat)
	return nil
}

// benchChild takes n samples of the time from a child's last act to its
// Child watcher's callback. Each child runs stamp (bench/c/child_stamp.c),
// which writes CLOCK_MONOTONIC, in nanoseconds, as 8 bytes to its standard
// output — a pipe to us — and calls _exit(0). The callback reads the clock
// first, then the stamp from the pipe, so a sample spans the kernel's exit
// processing, the notification (a pidfd, here) and the loop's dispatch. The
// next child is started by a zero timer the callback starts, so in the
// next loop iteration, with a fresh watcher start for its pid; the time to
// fork and exec it is outside the samples.
//
// With sameIteration the callback starts the next child itself. That
// reopens the pidfd under the number just closed while the loop still
// holds the old registration as pending, and the loop never registers the
// new one: the test stalls (an ev bug; BENCHMARKS.md, round 2).
func benchChild(n int, stamp string, sameIteration bool) error {
	if stamp == "" {
		return errors.New("child: -stamp is required (build bench/c/child_stamp.c)")
	}
	l, err := ev.NewLoop()
	if err != nil {
		return err
	}
	defer l.Close()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return os.NewSyscallError("pipe2", err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	attr := &syscall.ProcAttr{Files: []uintptr{0, uintptr(p[1]), 2}}
	argv := []string{stamp}
	lat := make([]time.Duration, 0, n)
	var failure error
	var w ev.Child
	var spawn func() error
	var next *ev.Timer
	w.Init(l, 1, false, func(w *ev.Child) {
		now := nanotime()
		var b [8]byte
		if _, err := unix.Read(p[0], b[:]); err != nil {
			failure = os.NewSyscallError("read", err)
		} else if st := w.Status(); !st.Exited() || st.ExitStatus() != 0 {
			failure = fmt.Errorf("child %d: status %v", w.RPid(), st)
		} else if lat = append(lat, time.Duration(now-int64(binary.NativeEndian.Uint64(b[:])))); len(lat) < n {
			if sameIteration {
				failure = spawn()
			} else {
				next.Start()
			}
		}
		if failure != nil || len(lat) == n {
			l.Break(ev.BreakAll)
		}
	})
	spawn = func() error {
		pid, err := syscall.ForkExec(stamp, argv, attr)
		if err != nil {
			return fmt.Errorf("fork/exec %s: %w", stamp, err)
		}
		w.Set(pid, false)
		return w.Start()
	}
	timeout := ev.NewTimer(l, 5*time.Second+time.Duration(n)*time.Millisecond, 0, func(*ev.Timer) {
		failure = fmt.Errorf("STALL: %d of %d children reported in time", len(lat), n)
		l.Break(ev.BreakAll)
	})
	timeout.Start()
	next = ev.NewTimer(l, 0, 0, func(*ev.Timer) {
		if failure = spawn(); failure != nil {
			l.Break(ev.BreakAll)
		}
	})
	next.Start()
	if err := l.Run(ev.RunDefault); err != nil {
		return err
	}
	if failure != nil {
		return failure
	}
	printLatencies(lat)
	return nil
}
