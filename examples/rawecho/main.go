// Command rawecho is a raw byte echo server on one loop, for benchmarks:
// every byte a client sends is written back, with one read(2) and one
// write(2) per message when the socket keeps up.
//
// Usage:
//
//	rawecho [-addr 127.0.0.1:7000]
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
	flag.Parse()
	l, err := ev.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	ln, err := listen(l, *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "rawecho: listening on %v\n", ln.Addr())
	if err := l.Run(ev.RunDefault); err != nil {
		log.Fatal(err)
	}
}

// listen starts the echo service on l.
func listen(l *ev.Loop, addr string) (*stream.Listener, error) {
	onRead := func(c *stream.Conn) { c.WriteBuffer(c.Input()) }
	onEvent := func(c *stream.Conn, what stream.What, _ error) {
		switch {
		case what&stream.EOF != 0:
			c.CloseAfterFlush() // echo what is queued, then close
		case what&stream.Error != 0:
			c.Close()
		}
	}
	cfg := stream.ListenConfig{ReuseAddr: true}
	return stream.Listen(l, "tcp", addr, cfg, func(_ *stream.Listener, c *stream.Conn) {
		c.SetCallbacks(onRead, nil, onEvent)
		c.Enable(stream.Read)
	})
}
