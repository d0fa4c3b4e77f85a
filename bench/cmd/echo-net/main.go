// Command echo-net is the Go standard library's echo server for the echo
// anchors: one goroutine per connection, each copying what it reads back
// with its own 64 KiB buffer, as io.Copy would.
//
//	echo-net -addr 127.0.0.1:7001
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7001", "address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo-net:", err)
		os.Exit(1)
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "echo-net:", err)
			os.Exit(1)
		}
		go serve(c)
	}
}

// serve echoes until the peer closes or an error occurs.
func serve(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
