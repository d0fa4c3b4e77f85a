package stream_test

import (
	"bytes"
	"fmt"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

// An echo server and a client on one loop, over TCP on 127.0.0.1.
func ExampleListen() {
	l, _ := ev.NewLoop()
	defer l.Close()
	ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{}, func(_ *stream.Listener, c *stream.Conn) {
		c.SetCallbacks(func(c *stream.Conn) { c.WriteBuffer(c.Input()) }, nil,
			func(c *stream.Conn, what stream.What, err error) { c.Close() }) // EOF or error
		c.Enable(stream.Read)
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, _ := stream.Dial(l, "tcp", ln.Addr().String(), 0)
	c.SetCallbacks(func(c *stream.Conn) {
		line, ok := c.Input().ReadLine(buffer.EOLLF)
		if ok {
			fmt.Printf("echoed: %s\n", line)
			c.Close()
			ln.Close()
		}
	}, nil, func(c *stream.Conn, what stream.What, err error) {
		fmt.Println("event:", what)
	})
	c.Enable(stream.Read)
	c.WriteString("hello\n") // queued until connected
	l.Run(ev.RunDefault)
	// Output:
	// event: connected
	// echoed: hello
}

// Two connected Conns in memory.
func ExampleNewPair() {
	l, _ := ev.NewLoop()
	defer l.Close()
	a, b := stream.NewPair(l)
	b.SetCallbacks(func(c *stream.Conn) {
		fmt.Printf("b read %q\n", c.Input().Pullup(-1))
		c.Input().Drain(c.Input().Len())
	}, nil, func(c *stream.Conn, what stream.What, err error) {
		fmt.Println("b:", what)
		c.Close()
	})
	b.Enable(stream.Read)
	a.WriteString("ping")
	a.CloseAfterFlush()
	l.Run(ev.RunDefault)
	// Output:
	// b read "ping"
	// b: reading|eof
}

// A filter that upper-cases what it reads.
func ExampleNewFilter() {
	l, _ := ev.NewLoop()
	defer l.Close()
	a, b := stream.NewPair(l)
	toUpper := func(src, dst *buffer.Buffer, flush bool) error {
		dst.Write(bytes.ToUpper(src.Pullup(-1)))
		src.Drain(src.Len())
		return nil
	}
	f := stream.NewFilter(b, toUpper, nil)
	f.SetCallbacks(func(c *stream.Conn) {
		fmt.Printf("%s\n", c.Input().Pullup(-1))
		c.Close()
		a.Close()
	}, nil, nil)
	f.Enable(stream.Read)
	a.WriteString("quiet words")
	l.Run(ev.RunDefault)
	// Output:
	// QUIET WORDS
}

// Reading stops at the high watermark until the input is drained.
func ExampleConn_SetReadWatermarks() {
	l, _ := ev.NewLoop()
	defer l.Close()
	a, b := stream.NewPair(l)
	b.SetReadWatermarks(4, 8)
	b.SetCallbacks(func(c *stream.Conn) {
		fmt.Println("input:", c.Input().Len())
		if c.Input().Len() == 8 {
			c.Input().Drain(8)
		}
	}, nil, func(c *stream.Conn, what stream.What, err error) {
		fmt.Println(what)
		c.Close()
	})
	b.Enable(stream.Read)
	a.WriteString("ab")
	l.Run(ev.RunNoWait) // 2 bytes: below the low watermark, no callback
	a.WriteString("cdefghijkl")
	a.CloseAfterFlush()
	l.Run(ev.RunDefault)
	// Output:
	// input: 8
	// input: 4
	// reading|eof
}

// A group shares one rate limit among connections.
func ExampleGroup() {
	l, _ := ev.NewLoop()
	defer l.Close()
	g := stream.NewGroup(l, stream.RateLimit{WriteRate: 1 << 20}) // 1 MiB/s for all members
	defer g.Close()
	a, b := stream.NewPair(l)
	g.Add(a)
	a.SetRateLimit(stream.RateLimit{ReadRate: 64 << 10}) // and a limit of its own
	fmt.Println("members:", g.Len())
	a.Close()
	b.Close()
	// Output:
	// members: 1
}

func ExampleWhat_String() {
	fmt.Println(stream.Reading | stream.EOF)
	fmt.Println(stream.Writing | stream.Timeout | stream.Error)
	// Output:
	// reading|eof
	// writing|error|timeout
}

// A server that answers each line of what it reads: corked, the answers to
// lines that arrived together leave in one write(2) rather than one each.
func ExampleConn_Cork() {
	l, _ := ev.NewLoop()
	defer l.Close()
	ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{}, func(_ *stream.Listener, c *stream.Conn) {
		c.SetCallbacks(func(c *stream.Conn) {
			c.Cork()
			for {
				line, ok := c.Input().ReadLine(buffer.EOLLF)
				if !ok {
					break
				}
				fmt.Fprintf(c, "you said %s\n", line)
			}
			c.Uncork()
		}, nil, func(c *stream.Conn, what stream.What, err error) { c.Close() })
		c.Enable(stream.Read)
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, _ := stream.Dial(l, "tcp", ln.Addr().String(), 0)
	answers := 0
	c.SetCallbacks(func(c *stream.Conn) {
		for {
			line, ok := c.Input().ReadLine(buffer.EOLLF)
			if !ok {
				return
			}
			fmt.Printf("%s\n", line)
			if answers++; answers == 3 {
				c.Close()
				ln.Close()
			}
		}
	}, nil, nil)
	c.Enable(stream.Read)
	c.WriteString("one\ntwo\nthree\n")
	l.Run(ev.RunDefault)
	// Output:
	// you said one
	// you said two
	// you said three
}
