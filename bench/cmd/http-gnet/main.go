// Command http-gnet is a minimal HTTP server on gnet v2 for the HTTP
// anchors, as gnet's own benchmarks do it: no parser, one canned response
// per request. It finds the end of each request's header ("\r\n\r\n"),
// answers every complete request in the input at once (pipelining works),
// and keeps a partial request for the next read. Requests with a body are
// not supported: the benchmark sends GETs.
//
//	http-gnet -addr 127.0.0.1:8004
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/panjf2000/gnet/v2"
)

var (
	response = []byte("HTTP/1.1 200 OK\r\nServer: gnet\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!")
	headEnd  = []byte("\r\n\r\n")
)

// server is the gnet event handler.
type server struct {
	gnet.BuiltinEventEngine
}

// OnTraffic answers every complete request that has arrived.
func (*server) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Peek(-1)
	used, n := 0, 0
	for {
		i := bytes.Index(buf[used:], headEnd)
		if i < 0 {
			break
		}
		used += i + len(headEnd)
		n++
	}
	if n == 0 {
		if len(buf) > 64<<10 {
			return gnet.Close // no header end in 64 KiB: not our client
		}
		return gnet.None
	}
	c.Discard(used)
	out := response
	if n > 1 {
		out = bytes.Repeat(response, n)
	}
	if _, err := c.Write(out); err != nil {
		return gnet.Close
	}
	return gnet.None
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8004", "address to listen on")
	flag.Parse()
	if err := gnet.Run(&server{}, "tcp://"+*addr); err != nil {
		fmt.Fprintln(os.Stderr, "http-gnet:", err)
		os.Exit(1)
	}
}
