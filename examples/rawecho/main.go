// Command rawecho is a raw byte echo server, for benchmarks: every byte a
// client sends is written back, with one read(2) and one write(2) per
// message when the socket keeps up.
//
// Usage:
//
//	rawecho [-addr 127.0.0.1:7000] [-loops 1]
//
// By default one loop serves every connection. With -loops n, n loops run
// on n goroutines, each with its own listening socket on the same address
// (SO_REUSEPORT): the kernel spreads new connections among them, and each
// connection stays on the loop that accepted it (see the README's "Several
// cores").
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

func main() {
	log.SetFlags(0) // errors read "rawecho: ...", as the other examples'
	log.SetPrefix("rawecho: ")
	addr := flag.String("addr", "127.0.0.1:7000", "address to listen on")
	n := flag.Int("loops", 1, "event loops, each on its own goroutine, sharing the address (SO_REUSEPORT)")
	flag.Parse()
	if *n < 1 {
		log.Fatalf("-loops %d: need at least 1", *n)
	}
	loops := make([]*ev.Loop, *n)
	for i := range loops {
		l, err := ev.NewLoop()
		if err != nil {
			log.Fatal(err)
		}
		loops[i] = l
	}
	lns, err := listenAll(loops, *addr)
	if err != nil {
		log.Fatal(err)
	}
	if len(loops) == 1 {
		fmt.Fprintf(os.Stderr, "rawecho: listening on %v\n", lns[0].Addr())
	} else {
		fmt.Fprintf(os.Stderr, "rawecho: listening on %v with %d loops\n", lns[0].Addr(), len(loops))
	}
	errs := make(chan error, len(loops))
	for _, l := range loops[1:] {
		go func() { errs <- l.Run(ev.RunDefault) }()
	}
	go func() { errs <- loops[0].Run(ev.RunDefault) }()
	// A loop whose Run fails ends the program; the others run for good.
	if err := <-errs; err != nil {
		log.Fatal(err)
	}
}

// listenAll listens on addr from every loop, before any of them runs. One
// loop listens alone, as a server that knows nothing of SO_REUSEPORT; more
// share the address with SO_REUSEPORT, the first resolving it (port 0
// becomes a port the others then bind as well).
func listenAll(loops []*ev.Loop, addr string) ([]*stream.Listener, error) {
	lns := make([]*stream.Listener, 0, len(loops))
	for _, l := range loops {
		ln, err := listen(l, addr, len(loops) > 1)
		if err != nil {
			for _, ln := range lns {
				ln.Close()
			}
			return nil, err
		}
		lns = append(lns, ln)
		addr = ln.Addr().String()
	}
	return lns, nil
}

func listen(l *ev.Loop, addr string, reusePort bool) (*stream.Listener, error) {
	onRead := func(c *stream.Conn) { c.WriteBuffer(c.Input()) }
	onEvent := func(c *stream.Conn, what stream.What, _ error) {
		switch {
		case what&stream.EOF != 0:
			c.CloseAfterFlush() // echo what is queued, then close
		case what&stream.Error != 0:
			c.Close()
		}
	}
	cfg := stream.ListenConfig{ReuseAddr: true, ReusePort: reusePort}
	return stream.Listen(l, "tcp", addr, cfg, func(_ *stream.Listener, c *stream.Conn) {
		c.SetCallbacks(onRead, nil, onEvent)
		c.Enable(stream.Read)
	})
}
