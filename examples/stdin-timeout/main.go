// Command stdin-timeout is the libev example from the seed, in eventide:
// one loop watches standard input and a 5.5 second timeout; whichever comes
// first prints its line ("stdin ready" or "timeout") and ends the loop.
//
//	go run ./examples/stdin-timeout             # type a line, or wait 5.5 s
//	echo hi | go run ./examples/stdin-timeout   # stdin ready
//
// -timeout sets another delay (a Go duration: -timeout 2s; 0 times out at
// once, a negative one is a usage error).
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/eventide-go/eventide/ev"
)

func main() {
	timeout := flag.Duration("timeout", 5500*time.Millisecond, "how long to wait for standard input")
	flag.Parse()
	if *timeout < 0 { // a user's mistake, not the program's: no panic
		fmt.Fprintln(os.Stderr, "stdin-timeout: -timeout is negative:", *timeout)
		flag.Usage()
		os.Exit(2)
	}

	// Use the default loop unless you have special needs (libev's EV_DEFAULT).
	loop := ev.Default()

	// Watch standard input for readability. A one-shot watcher stops itself;
	// BreakAll ends every nested Run.
	stdin := ev.NewIO(loop, 0, ev.Read, func(w *ev.IO, _ ev.Events) {
		fmt.Println("stdin ready")
		w.Stop()
		loop.Break(ev.BreakAll)
	})
	if err := stdin.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "stdin-timeout:", err)
		os.Exit(1)
	}

	// A simple non-repeating timeout; BreakOne ends the innermost Run.
	ev.NewTimer(loop, *timeout, 0, func(*ev.Timer) {
		fmt.Println("timeout")
		loop.Break(ev.BreakOne)
	}).Start()

	// Wait for events; a Break ends Run.
	if err := loop.Run(ev.RunDefault); err != nil {
		fmt.Fprintln(os.Stderr, "stdin-timeout:", err)
		os.Exit(1)
	}
}
