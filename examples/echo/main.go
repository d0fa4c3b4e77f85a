// Command echo is the seed's line echo server: it answers every line a
// client sends with "You said <line>\n". Lines end at any run of CR and LF
// (libevent's evbuffer_readline). A client that shuts down its side gets
// the answers to its complete lines, then the connection is closed; one
// whose connection fails is dropped. -v prints connections as they come
// and go.
//
// Usage:
//
//	echo [-addr 0.0.0.0:8080] [-v]
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

func main() {
	log.SetFlags(0) // errors read "echo: ...", as the other examples'
	log.SetPrefix("echo: ")
	addr := flag.String("addr", "0.0.0.0:8080", "address to listen on")
	verbose := flag.Bool("v", false, "print connections as they come and go")
	flag.Parse()
	l, err := ev.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	ln, err := listen(l, *addr, *verbose)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "echo: listening on %v\n", ln.Addr())
	if err := l.Run(ev.RunDefault); err != nil {
		log.Fatal(err)
	}
}

// listen starts the echo service on l.
func listen(l *ev.Loop, addr string, verbose bool) (*stream.Listener, error) {
	var reply []byte // one scratch buffer for every answer: the loop runs one callback at a time
	onRead := func(c *stream.Conn) {
		in := c.Input()
		// The answers to lines that arrived together leave together: one
		// write(2) at Uncork rather than one per line.
		c.Cork()
		for {
			line, ok := in.ReadLine(buffer.EOLAny)
			if !ok {
				break
			}
			reply = append(append(append(reply[:0], "You said "...), line...), '\n')
			c.Write(reply)
		}
		c.Uncork()
	}
	onEvent := func(c *stream.Conn, what stream.What, err error) {
		if what&(stream.EOF|stream.Error|stream.Timeout) != 0 {
			if verbose {
				fmt.Fprintf(os.Stderr, "echo: %v: %v %v\n", c.RemoteAddr(), what, err)
			}
			if what&stream.EOF != 0 {
				// The client finished sending: answer what it sent, then
				// close. Nothing queued is lost.
				c.CloseAfterFlush()
				return
			}
			c.Close()
		}
	}
	return stream.Listen(l, "tcp", addr, stream.ListenConfig{ReuseAddr: true}, func(_ *stream.Listener, c *stream.Conn) {
		if verbose {
			fmt.Fprintf(os.Stderr, "echo: %v connected\n", c.RemoteAddr())
		}
		c.SetCallbacks(onRead, nil, onEvent)
		c.Enable(stream.Read | stream.Write)
	})
}
