// Command echo-gnet is gnet v2's echo server for the echo anchors: one event
// loop (gnet's default without multicore), OnTraffic writing back what it
// reads.
//
//	echo-gnet -addr 127.0.0.1:7002
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/panjf2000/gnet/v2"
)

// echo is the gnet event handler.
type echo struct {
	gnet.BuiltinEventEngine
}

// OnTraffic writes back everything that arrived.
func (*echo) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Next(-1)
	if _, err := c.Write(buf); err != nil {
		return gnet.Close
	}
	return gnet.None
}

func main() {
	addr := flag.String("addr", "127.0.0.1:7002", "address to listen on")
	flag.Parse()
	if err := gnet.Run(&echo{}, "tcp://"+*addr); err != nil {
		fmt.Fprintln(os.Stderr, "echo-gnet:", err)
		os.Exit(1)
	}
}
