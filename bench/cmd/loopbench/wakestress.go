package main

import (
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/eventide-go/eventide/ev"
)

// stallAfter is how long wakestress waits for one callback before it calls
// the wake-up lost: a loop that is woken takes microseconds, so a second is
// unambiguous even on a loaded machine.
const stallAfter = time.Second

// benchWakeStress is the regression test for a lost wake-up in the poller:
// another goroutine calls Async.Send, spins until the callback has run on
// the loop, and repeats, n times, with no pause. Each round trip catches
// the loop just as it goes to sleep or drains its wake-up descriptor, which
// is where a lost wake-up hides (BENCHMARKS.md, round 1). It prints the
// round trip's p50/p99/max and exits with an error, naming the send and
// the watcher's state, if one callback does not arrive within stallAfter.
func benchWakeStress(n int) error {
	l, err := ev.NewLoop()
	if err != nil {
		return err
	}
	defer l.Close()
	var got atomic.Int64
	a := ev.NewAsync(l, func(*ev.Async) { got.Add(1) })
	a.Start()
	lat := make([]time.Duration, n)
	stall := make(chan error, 1)
	go func() {
		defer l.Post(func() { a.Stop() })
		for i := range n {
			before := got.Load()
			t0 := time.Now()
			a.Send()
			for spins := 0; got.Load() == before; spins++ {
				if spins&1023 == 1023 && time.Since(t0) > stallAfter {
					stall <- fmt.Errorf("STALL: send %d of %d got no callback in %v (AsyncPending=%v): lost wake-up",
						i+1, n, stallAfter, a.AsyncPending())
					return
				}
			}
			lat[i] = time.Since(t0)
		}
		stall <- nil
	}()
	runErr := make(chan error, 1)
	go func() { runErr <- l.Run(ev.RunDefault) }()
	if err := <-stall; err != nil {
		return err // the loop is stuck in its poller; exit without it
	}
	if err := <-runErr; err != nil {
		return err
	}
	slices.Sort(lat)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	fmt.Printf("p50_us=%.1f p99_us=%.1f max_us=%.1f stalls=0\n", us(lat[n/2]), us(lat[n*99/100]), us(lat[n-1]))
	return nil
}
