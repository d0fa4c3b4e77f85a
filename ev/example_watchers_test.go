package ev_test

import (
	"fmt"
	"os"
	"time"

	"github.com/eventide-go/eventide/ev"
)

func ExampleIO() {
	loop, _ := ev.NewLoop()
	defer loop.Close()
	r, w, _ := os.Pipe()
	defer r.Close()
	defer w.Close()

	in := ev.NewIO(loop, int(r.Fd()), ev.Read, func(io *ev.IO, what ev.Events) {
		var buf [64]byte
		n, _ := r.Read(buf[:])
		fmt.Printf("%v: %q\n", what, buf[:n])
		io.Stop() // nothing else is active, so Run returns
	})
	in.Start()
	w.Write([]byte("hello"))
	loop.Run(ev.RunDefault)
	// Output: read: "hello"
}

func ExampleIdle() {
	loop, _ := ev.NewLoop()
	defer loop.Close()
	r, w, _ := os.Pipe()
	defer r.Close()
	defer w.Close()

	// Background work in small steps, one per iteration, only while no
	// other callback is pending: the read comes first.
	steps := 0
	work := ev.NewIdle(loop, func(idle *ev.Idle) {
		steps++
		fmt.Println("idle step", steps)
		if steps == 3 {
			idle.Stop() // else the loop never blocks
		}
	})
	in := ev.NewIO(loop, int(r.Fd()), ev.Read, func(io *ev.IO, _ ev.Events) {
		var buf [64]byte
		n, _ := r.Read(buf[:])
		fmt.Printf("read %q\n", buf[:n])
		io.Stop()
	})
	work.Start()
	in.Start()
	w.Write([]byte("request"))
	loop.Run(ev.RunDefault)
	// Output:
	// read "request"
	// idle step 1
	// idle step 2
	// idle step 3
}

// One pass of the loop: prepare watchers run before it polls, the events
// the poll found next, check watchers after them.
func ExamplePrepare() {
	loop, _ := ev.NewLoop()
	defer loop.Close()
	r, w, _ := os.Pipe()
	defer r.Close()
	defer w.Close()

	prepare := ev.NewPrepare(loop, func(*ev.Prepare) { fmt.Println("prepare") })
	check := ev.NewCheck(loop, func(*ev.Check) { fmt.Println("check") })
	in := ev.NewIO(loop, int(r.Fd()), ev.Read, func(*ev.IO, ev.Events) {
		var buf [64]byte
		n, _ := r.Read(buf[:])
		fmt.Printf("read %q\n", buf[:n])
	})
	prepare.Start()
	check.Start()
	in.Start()
	w.Write([]byte("ping"))
	loop.Run(ev.RunNoWait)
	prepare.Stop()
	check.Stop()
	in.Stop()
	// Output:
	// prepare
	// read "ping"
	// check
}

// Callbacks of one pass queue work; a check watcher handles the whole
// batch once, after all of them.
func ExampleCheck() {
	clock := ev.NewManualClock(time.Unix(0, 0))
	loop, _ := ev.NewLoop(ev.WithClock(clock))
	defer loop.Close()

	var batch []string
	for _, name := range []string{"a", "b", "c"} {
		ev.NewTimer(loop, time.Second, 0, func(*ev.Timer) {
			batch = append(batch, name)
		}).Start()
	}
	flush := ev.NewCheck(loop, func(*ev.Check) {
		if len(batch) > 0 {
			fmt.Println("flush", batch)
			batch = batch[:0]
		}
	})
	flush.Start()
	clock.Advance(time.Second)
	loop.Run(ev.RunNoWait)
	flush.Stop()
	// Output: flush [a b c]
}

func ExampleCleanup() {
	loop, _ := ev.NewLoop()
	r, w, _ := os.Pipe()
	in := ev.NewIO(loop, int(r.Fd()), ev.Read, func(*ev.IO, ev.Events) {})
	in.Start()

	// Release what the loop's watchers used when the loop goes away.
	ev.NewCleanup(loop, func(*ev.Cleanup) {
		fmt.Println("reader still active:", in.Active())
		r.Close()
		w.Close()
	}).Start()
	loop.Close()
	// Output: reader still active: false
}

func ExampleManualClock() {
	clock := ev.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	loop, _ := ev.NewLoop(ev.WithClock(clock))
	defer loop.Close()

	timeout := ev.NewTimer(loop, 30*time.Second, 0, func(*ev.Timer) {
		fmt.Println("timeout at", clock.Now().Format(time.TimeOnly))
	})
	timeout.Start()
	clock.Advance(29 * time.Second)
	loop.Run(ev.RunNoWait) // not due yet
	fmt.Println("after 29s, active:", timeout.Active())
	clock.Advance(time.Second)
	loop.Run(ev.RunNoWait)
	fmt.Println("after 30s, active:", timeout.Active())
	// Output:
	// after 29s, active: true
	// timeout at 00:00:30
	// after 30s, active: false
}
