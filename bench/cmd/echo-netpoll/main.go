// Command echo-netpoll is cloudwego/netpoll's echo server for the echo
// anchors: one poller (netpoll.Config{PollerNum: 1}; netpoll's default is
// one per 20 CPUs), OnRequest writing back what it reads. netpoll runs
// OnRequest on a goroutine of its pool, not on the poller's.
//
//	echo-netpoll -addr 127.0.0.1:7007
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/cloudwego/netpoll"
)

// onRequest writes back everything readable.
func onRequest(_ context.Context, c netpoll.Connection) error {
	r, w := c.Reader(), c.Writer()
	in, err := r.Next(r.Len())
	if err != nil {
		return err
	}
	out, err := w.Malloc(len(in))
	if err != nil {
		return err
	}
	copy(out, in)
	if err := r.Release(); err != nil {
		return err
	}
	return w.Flush()
}

func main() {
	addr := flag.String("addr", "127.0.0.1:7007", "address to listen on")
	flag.Parse()
	if err := run(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "echo-netpoll:", err)
		os.Exit(1)
	}
}

func run(addr string) error {
	if err := netpoll.Configure(netpoll.Config{PollerNum: 1}); err != nil {
		return err
	}
	ln, err := netpoll.CreateListener("tcp", addr)
	if err != nil {
		return err
	}
	loop, err := netpoll.NewEventLoop(onRequest)
	if err != nil {
		return err
	}
	return loop.Serve(ln)
}
