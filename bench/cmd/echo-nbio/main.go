// Command echo-nbio is nbio's echo server for the echo anchors: OnData
// writes back what it reads, with nbio's default pollers (one per CPU the
// process may use).
//
//	echo-nbio -addr 127.0.0.1:7003
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/lesismal/nbio"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7003", "address to listen on")
	flag.Parse()
	engine := nbio.NewEngine(nbio.Config{Network: "tcp", Addrs: []string{*addr}})
	engine.OnData(func(c *nbio.Conn, data []byte) {
		if _, err := c.Write(data); err != nil {
			c.Close()
		}
	})
	if err := engine.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "echo-nbio:", err)
		os.Exit(1)
	}
	select {}
}
