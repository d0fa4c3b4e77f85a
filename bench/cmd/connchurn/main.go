// Command connchurn checks that an echo server keeps serving while
// connections come and go: -workers goroutines each connect, send 16 bytes,
// read them back and close, over and over, for -dur. A connection whose
// echo does not come back within -timeout counts as hung. It prints
//
//	ok=N hung=N dialfail=N
//
// and exits with status 1 if any connection hung. Closing one connection
// and accepting the next often reuses a descriptor number within one loop
// iteration, which is what it exercises (BENCHMARKS.md, round 2).
//
//	connchurn -addr 127.0.0.1:7000 -dur 5s
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7000", "echo server address")
	workers := flag.Int("workers", 64, "concurrent connect/echo/close loops")
	dur := flag.Duration("dur", 5*time.Second, "how long to run")
	timeout := flag.Duration("timeout", 2*time.Second, "how long an echo may take")
	flag.Parse()

	var ok, hung, dialFail atomic.Int64
	var wg sync.WaitGroup
	msg := []byte("0123456789abcdef")
	deadline := time.Now().Add(*dur)
	for range *workers {
		wg.Go(func() {
			buf := make([]byte, len(msg))
			for time.Now().Before(deadline) {
				c, err := net.Dial("tcp", *addr)
				if err != nil {
					dialFail.Add(1)
					continue
				}
				c.SetDeadline(time.Now().Add(*timeout))
				if _, err = c.Write(msg); err == nil {
					_, err = io.ReadFull(c, buf)
				}
				if err != nil {
					hung.Add(1)
				} else {
					ok.Add(1)
				}
				c.Close()
			}
		})
	}
	wg.Wait()
	fmt.Printf("ok=%d hung=%d dialfail=%d\n", ok.Load(), hung.Load(), dialFail.Load())
	if hung.Load() > 0 {
		fmt.Fprintln(os.Stderr, "connchurn: connections hung: the server lost them")
		os.Exit(1)
	}
}
