// Command echo is the seed's line echo server: it answers every line a
// client sends with "You said <line>\n". Lines end at any run of CR and LF
// (libevent's evbuffer_readline). A client that shuts down its side gets
// the answers to its complete lines, then the connection is closed; one
// whose connection fails is dropped. A line longer than -maxline bytes
// (64 KiB by default) is not buffered without bound: the client gets the
// answers to the lines before it, then the connection is closed. -v prints
// connections as they come and go.
//
// Usage:
//
//	echo [-addr 0.0.0.0:8080] [-maxline 65536] [-v]
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
	maxLine := flag.Int("maxline", 64<<10, "longest line answered, in bytes; a longer one closes the connection")
	verbose := flag.Bool("v", false, "print connections as they come and go")
	flag.Parse()
	if *maxLine < 1 || *maxLine > 1<<30 {
		log.Fatalf("-maxline %d: must be from 1 to %d", *maxLine, 1<<30)
	}
	l, err := ev.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	ln, err := listen(l, *addr, *verbose, *maxLine)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "echo: listening on %v\n", ln.Addr())
	if err := l.Run(ev.RunDefault); err != nil {
		log.Fatal(err)
	}
}

// listen starts the echo service on l.
// listen serves the echo on addr. Lines longer than maxLine bytes (without
// their end of line) close the connection.
func listen(l *ev.Loop, addr string, verbose bool, maxLine int) (*stream.Listener, error) {
	var reply []byte // one scratch buffer for every answer: the loop runs one callback at a time
	onRead := func(c *stream.Conn) {
		in := c.Input()
		// Write queues: the answers to lines that arrived together leave
		// together at the end of the loop's pass, with the other
		// connections' answers, in one system call.
		for {
			line, ok := in.ReadLine(buffer.EOLAny)
			if !ok {
				break
			}
			reply = append(append(append(reply[:0], "You said "...), line...), '\n')
			c.Write(reply)
		}
		if in.Len() > maxLine {
			// No end of line within maxLine bytes: the read watermark
			// stopped reading here, and the line can only grow.
			if verbose {
				fmt.Fprintf(os.Stderr, "echo: %v: line longer than %d bytes\n", c.RemoteAddr(), maxLine)
			}
			c.CloseAfterFlush()
		}
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
		// Reading stops once the input holds more than a line may (room
		// for the longest line and its end of line is maxLine+1 bytes).
		c.SetReadWatermarks(0, maxLine+1)
		c.Enable(stream.Read | stream.Write)
	})
}
