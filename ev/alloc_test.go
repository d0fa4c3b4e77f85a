//go:build !race

package ev_test

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
)

// The steady state of the loop allocates nothing: starting and stopping
// watchers, dispatching I/O and timers, and sending to an Async.
func TestSteadyStateAllocations(t *testing.T) {
	l := newLoop(t)
	timers := make([]ev.Timer, 100)
	for i := range timers {
		timers[i].Init(l, time.Duration(i)*time.Millisecond, 0, func(*ev.Timer) {})
	}
	a, b := socketpair(t)
	var buf [64]byte
	echo := ev.NewIO(l, b, ev.Read, func(*ev.IO, ev.Events) {
		n, _ := unix.Read(b, buf[:])
		unix.Write(b, buf[:n])
	})
	back := ev.NewIO(l, a, ev.Read, func(*ev.IO, ev.Events) { unix.Read(a, buf[:]) })
	async := ev.NewAsync(l, func(*ev.Async) {})
	idle := ev.NewIdle(l, func(w *ev.Idle) { w.Stop() })
	msg := []byte("ping")
	for name, f := range map[string]func(){
		"timer start/stop": func() {
			for i := range timers {
				timers[i].Start()
			}
			for i := range timers {
				timers[i].Stop()
			}
		},
		"timer fire": func() {
			timers[0].Start()
			l.Run(ev.RunNoWait)
		},
		"io round trip": func() {
			unix.Write(a, msg)
			l.Run(ev.RunOnce) // the echo side
			l.Run(ev.RunOnce) // the reply
		},
		"async send": func() {
			async.Send()
			l.Run(ev.RunNoWait)
		},
		"idle": func() {
			idle.Start()
			l.Run(ev.RunNoWait)
		},
	} {
		if err := echo.Start(); err != nil {
			t.Fatal(err)
		}
		if err := back.Start(); err != nil {
			t.Fatal(err)
		}
		async.Start()
		f() // warm up: tables grow once
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocations per run; want 0", name, n)
		}
		echo.Stop()
		back.Stop()
		async.Stop()
	}
}
