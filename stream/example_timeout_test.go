package stream_test

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

// A read timeout on a client whose server never answers.
func ExampleConn_SetTimeouts() {
	l, _ := ev.NewLoop()
	defer l.Close()
	var server *stream.Conn
	ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{}, func(_ *stream.Listener, c *stream.Conn) {
		server = c // accepted, and never answers
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, _ := stream.Dial(l, "tcp", ln.Addr().String(), time.Second)
	c.SetTimeouts(20*time.Millisecond, 0) // no read for 20 ms: Timeout
	c.SetCallbacks(nil, nil, func(c *stream.Conn, what stream.What, err error) {
		fmt.Println("event:", what, errors.Is(err, os.ErrDeadlineExceeded))
		if what&stream.Timeout != 0 {
			c.Close() // reading was disabled; Enable(stream.Read) would resume it
			server.Close()
			ln.Close()
		}
	})
	c.Enable(stream.Read)
	l.Run(ev.RunDefault)
	// Output:
	// event: connected false
	// event: reading|timeout true
}
