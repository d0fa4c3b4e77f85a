package ev_test

import (
	"fmt"
	"os"
	"time"

	"github.com/eventide-go/eventide/ev"
)

// The seed's libev program: watch a descriptor and a timeout; whichever
// comes first ends the loop.
func Example() {
	loop, err := ev.NewLoop()
	if err != nil {
		panic(err)
	}
	defer loop.Close()
	r, w, _ := os.Pipe()
	defer r.Close()
	defer w.Close()

	input := ev.NewIO(loop, int(r.Fd()), ev.Read, func(io *ev.IO, _ ev.Events) {
		fmt.Println("input ready")
		io.Stop()
		loop.Break(ev.BreakAll)
	})
	input.Start()
	timeout := ev.NewTimer(loop, 5500*time.Millisecond, 0, func(*ev.Timer) {
		fmt.Println("timeout")
		loop.Break(ev.BreakOne)
	})
	timeout.Start()

	w.Write([]byte("hi\n"))
	loop.Run(ev.RunDefault)
	timeout.Stop()
	// Output: input ready
}

func ExampleTimer_Again() {
	clock := ev.NewManualClock(time.Unix(0, 0))
	loop, _ := ev.NewLoop(ev.WithClock(clock))
	defer loop.Close()

	// An inactivity timeout: one repeating timer, pushed back on activity.
	idle := ev.NewTimer(loop, 0, 10*time.Second, func(t *ev.Timer) {
		fmt.Println("idle for 10s at", clock.Now().Unix())
		t.Stop()
	})
	idle.Again()
	for range 3 { // activity every 4 s
		clock.Advance(4 * time.Second)
		loop.Run(ev.RunNoWait)
		idle.Again()
	}
	clock.Advance(10 * time.Second)
	loop.Run(ev.RunNoWait)
	// Output: idle for 10s at 22
}

func ExamplePeriodic() {
	clock := ev.NewManualClock(time.Date(2026, 1, 1, 9, 59, 0, 0, time.UTC))
	loop, _ := ev.NewLoop(ev.WithClock(clock))
	defer loop.Close()

	// Every hour on the hour.
	hourly := ev.NewPeriodic(loop, time.Unix(0, 0), time.Hour, func(p *ev.Periodic) {
		fmt.Println("chime", clock.Now().Format("15:04"))
	})
	hourly.Start()
	for range 3 {
		clock.Advance(time.Hour)
		loop.Run(ev.RunNoWait)
	}
	hourly.Stop()
	// Output:
	// chime 10:59
	// chime 11:59
	// chime 12:59
}

func ExampleLoop_Post() {
	loop, _ := ev.NewLoop()
	defer loop.Close()
	done := make(chan struct{})
	go func() {
		loop.Post(func() { fmt.Println("ran on the loop") })
		close(done)
	}()
	<-done
	loop.Run(ev.RunDefault) // runs the posted function, then nothing is left
	// Output: ran on the loop
}

func ExampleEvent() {
	loop, _ := ev.NewLoop()
	defer loop.Close()
	r, w, _ := os.Pipe()
	defer r.Close()
	defer w.Close()

	// libevent's persistent read event with a timeout.
	n := 0
	e := ev.NewEvent(loop, int(r.Fd()), ev.Read|ev.Persist, func(e *ev.Event, what ev.Events) {
		var buf [16]byte
		k, _ := r.Read(buf[:])
		fmt.Printf("%v: %q\n", what, buf[:k])
		if n++; n == 2 {
			e.Del()
		}
	})
	e.Add(time.Minute)
	w.Write([]byte("one"))
	loop.Run(ev.RunOnce)
	w.Write([]byte("two"))
	loop.Run(ev.RunDefault)
	// Output:
	// read: "one"
	// read: "two"
}

func ExampleAsync() {
	loop, _ := ev.NewLoop()
	defer loop.Close()
	a := ev.NewAsync(loop, func(a *ev.Async) {
		fmt.Println("woken")
		a.Stop()
	})
	a.Start()
	go a.Send() // safe from any goroutine
	loop.Run(ev.RunDefault)
	// Output: woken
}
