package ev_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/internal/evtest"
)

func kill(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := syscall.Kill(os.Getpid(), sig); err != nil {
		t.Fatalf("kill: %v", err)
	}
}

func TestSignalDelivered(t *testing.T) {
	l := newLoop(t)
	got := 0
	w := ev.NewSignal(l, syscall.SIGUSR1, func(w *ev.Signal) {
		got += w.Count()
		if w.Signum() != syscall.SIGUSR1 {
			t.Errorf("Signum = %v; want SIGUSR1", w.Signum())
		}
	})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	kill(t, syscall.SIGUSR1)
	runUntil(t, l, func() bool { return got >= 1 })
	kill(t, syscall.SIGUSR1)
	runUntil(t, l, func() bool { return got >= 2 })
}

func TestSignalBadNumbers(t *testing.T) {
	l := newLoop(t)
	for _, sig := range []syscall.Signal{0, -1, 65, 1000, syscall.SIGKILL, syscall.SIGSTOP} {
		w := ev.NewSignal(l, sig, func(*ev.Signal) {})
		if err := w.Start(); !errors.Is(err, ev.ErrBadSignal) {
			t.Errorf("Start(%d) = %v; want ErrBadSignal", int(sig), err)
		}
		if w.Active() {
			t.Errorf("watcher for %d is active after a failed Start", int(sig))
			w.Stop()
		}
	}
}

func TestSignalClosedLoop(t *testing.T) {
	l := newLoop(t)
	l.Close()
	w := ev.NewSignal(l, syscall.SIGUSR1, func(*ev.Signal) {})
	if err := w.Start(); !errors.Is(err, ev.ErrClosed) {
		t.Fatalf("Start on a closed loop = %v; want ErrClosed", err)
	}
}

// TestSignalTwoLoops runs two loops on two goroutines, each with watchers
// for the same signal: every watcher sees it.
func TestSignalTwoLoops(t *testing.T) {
	const perLoop = 2
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := 0
	loops := []*ev.Loop{newLoop(t), newLoop(t)}
	for _, l := range loops {
		for range perLoop {
			w := ev.NewSignal(l, syscall.SIGUSR2, func(*ev.Signal) {
				mu.Lock()
				seen++
				mu.Unlock()
			})
			w.SetOneShot(true) // the loop runs out of watchers after one delivery
			if err := w.Start(); err != nil {
				t.Fatal(err)
			}
		}
	}
	errs := make(chan error, len(loops))
	for _, l := range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- l.Run(ev.RunDefault)
		}()
	}
	kill(t, syscall.SIGUSR2)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		for _, l := range loops {
			l.Break(ev.BreakAll)
		}
		<-done
		t.Fatalf("loops still running after 10s")
	}
	for range loops {
		if err := <-errs; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	if want := len(loops) * perLoop; seen != want {
		t.Errorf("watchers called %d times; want %d", seen, want)
	}
}

// TestSignalDuringCallback checks that a signal arriving while the callback
// runs makes it run again.
func TestSignalDuringCallback(t *testing.T) {
	l := newLoop(t)
	calls := 0
	w := ev.NewSignal(l, syscall.SIGUSR1, func(w *ev.Signal) {
		calls++
		if calls == 1 {
			kill(t, syscall.SIGUSR1)
		}
	})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	kill(t, syscall.SIGUSR1)
	runUntil(t, l, func() bool { return calls >= 2 })
}

// TestSignalRestartKeepsArrival stops and restarts a watcher after the
// signal arrived but before its loop ran: as in libev, which delivers a
// caught signal to the watchers active when the loop gets to it, the
// restarted watcher is called. A watcher on a second loop tells when the
// arrival has been relayed to both.
func TestSignalRestartKeepsArrival(t *testing.T) {
	l, witness := newLoop(t), newLoop(t)
	calls, seen := 0, 0
	w := ev.NewSignal(l, syscall.SIGUSR1, func(*ev.Signal) { calls++ })
	ww := ev.NewSignal(witness, syscall.SIGUSR1, func(*ev.Signal) { seen++ })
	for _, s := range []*ev.Signal{w, ww} {
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		defer s.Stop()
	}
	kill(t, syscall.SIGUSR1)
	runUntil(t, witness, func() bool { return seen > 0 }) // relayed to w too
	w.Stop()
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	runUntil(t, l, func() bool { return calls > 0 })
	if got := w.Count(); got != 1 {
		t.Errorf("Count = %d; want 1", got)
	}
}

func TestSignalOneShot(t *testing.T) {
	l := newLoop(t)
	calls := 0
	w := ev.NewSignal(l, syscall.SIGWINCH, func(w *ev.Signal) {
		calls++
		if w.Active() {
			t.Errorf("one-shot watcher active in its callback")
		}
	})
	w.SetOneShot(true)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	kill(t, syscall.SIGWINCH)
	if err := l.Run(ev.RunDefault); err != nil { // returns once the watcher stopped
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("calls = %d; want 1", calls)
	}
}

// TestSignalRelayEnds checks that the last Stop of a signal ends its relay
// (goroutine and signal.Notify), and that a stopped watcher is not called.
func TestSignalRelayEnds(t *testing.T) {
	l := newLoop(t)
	base := ev.SignalRelays()
	calls := 0
	a := ev.NewSignal(l, syscall.SIGURG, func(*ev.Signal) { calls++ })
	b := ev.NewSignal(l, syscall.SIGURG, func(*ev.Signal) { calls++ })
	a.Start()
	b.Start()
	if got, want := ev.SignalRelays(), base+1; got != want {
		t.Errorf("relays with two watchers of one signal = %d; want %d", got, want)
	}
	a.Stop()
	if got, want := ev.SignalRelays(), base+1; got != want {
		t.Errorf("relays after the first Stop = %d; want %d", got, want)
	}
	b.Stop()
	if got := ev.SignalRelays(); got != base {
		t.Errorf("relays after the last Stop = %d; want %d", got, base)
	}
	// SIGWINCH's default action is to ignore it: safe to send unwatched.
	kill(t, syscall.SIGWINCH)
	l.Run(ev.RunNoWait)
	if calls != 0 {
		t.Errorf("stopped watchers called %d times", calls)
	}
}

// TestSignalStopRestoresDefault runs itself in a child process that catches
// SIGTERM once, stops watching, and sends it again: the Go runtime's default
// action for SIGTERM (exit) must kill it. (Its default for SIGUSR1 and
// SIGUSR2 is to ignore them, which is why the other tests use those.)
func TestSignalStopRestoresDefault(t *testing.T) {
	if os.Getenv("EV_SIGNAL_RESTORE_CHILD") == "1" {
		l, err := ev.NewLoop()
		if err != nil {
			os.Exit(2)
		}
		w := ev.NewSignal(l, syscall.SIGTERM, func(*ev.Signal) {})
		w.SetOneShot(true)
		if w.Start() != nil {
			os.Exit(3)
		}
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
		l.Run(ev.RunDefault) // one delivery, then the watcher stops itself
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
		time.Sleep(5 * time.Second) // not synchronisation: the signal should end us first
		os.Exit(4)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSignalStopRestoresDefault$")
	cmd.Env = append(os.Environ(), "EV_SIGNAL_RESTORE_CHILD=1")
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("child: %v; want it killed by SIGTERM", err)
	}
	ws := ee.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Fatalf("child status %v; want killed by SIGTERM", ws)
	}
}

func ExampleNewSignal() {
	l, _ := ev.NewLoop()
	defer l.Close()
	w := ev.NewSignal(l, syscall.SIGUSR1, func(w *ev.Signal) {
		fmt.Println("got", w.Signum())
	})
	w.SetOneShot(true) // stop after the first delivery, so Run returns
	if err := w.Start(); err != nil {
		fmt.Println(err)
		return
	}
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	l.Run(ev.RunDefault)
	// Output: got user defined signal 1
}

// TestSignalWithNotify checks that a channel given to signal.Notify and a
// watcher for the same signal both receive it, and that a burst sent from a
// callback is followed by at least one more call.
func TestSignalWithNotify(t *testing.T) {
	l := newLoop(t)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	defer signal.Stop(ch)
	sent, after := false, 0
	w := ev.NewSignal(l, syscall.SIGUSR1, func(*ev.Signal) {
		if sent {
			after++
		}
	})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	burst := ev.NewTimer(l, 0, 0, func(*ev.Timer) {
		for range 1000 {
			kill(t, syscall.SIGUSR1)
		}
		sent = true // no signal callback can run before this one returns
	})
	burst.Start()
	runUntil(t, l, func() bool { return after > 0 })
	select {
	case <-ch:
	case <-time.After(evtest.Deadline):
		t.Fatalf("signal.Notify's channel got nothing within %v", evtest.Deadline)
	}
}

// TestSignalStartResubscribes has other code call signal.Reset on a
// watched signal, which cancels the watchers' subscription with the rest
// of the process's: starting another watcher subscribes again, and every
// active watcher hears the signal once more. (SIGWINCH is ignored by
// default, so a failure is a missed callback, not a dead test binary.)
func TestSignalStartResubscribes(t *testing.T) {
	l := newLoop(t)
	var a, b int
	wa := ev.NewSignal(l, syscall.SIGWINCH, func(*ev.Signal) { a++ })
	wb := ev.NewSignal(l, syscall.SIGWINCH, func(*ev.Signal) { b++ })
	if err := wa.Start(); err != nil {
		t.Fatal(err)
	}
	defer wa.Stop()
	signal.Reset(syscall.SIGWINCH)
	if err := wb.Start(); err != nil {
		t.Fatal(err)
	}
	defer wb.Stop()
	kill(t, syscall.SIGWINCH)
	runUntil(t, l, func() bool { return a > 0 && b > 0 })
}
