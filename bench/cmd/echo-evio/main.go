// Command echo-evio is evio's echo server for the echo anchors: its Data
// event returns the input as the output, on one loop.
//
//	echo-evio -addr 127.0.0.1:7004
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/tidwall/evio"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7004", "address to listen on")
	flag.Parse()
	var events evio.Events
	events.Data = func(_ evio.Conn, in []byte) ([]byte, evio.Action) {
		return in, evio.None
	}
	if err := evio.Serve(events, "tcp://"+*addr); err != nil {
		fmt.Fprintln(os.Stderr, "echo-evio:", err)
		os.Exit(1)
	}
}
