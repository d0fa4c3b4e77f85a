// Command http-nbio is nbio's nbhttp hello-world server for the HTTP
// anchors: every request gets 200 and "Hello, World!" (text/plain,
// keep-alive), with nbhttp's default pollers (one per CPU the process may
// use) and handler goroutine pool.
//
//	http-nbio -addr 127.0.0.1:8003
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"

	"github.com/lesismal/nbio/nbhttp"
)

var hello = []byte("Hello, World!")

func main() {
	addr := flag.String("addr", "127.0.0.1:8003", "address to listen on")
	flag.Parse()
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = []string{"text/plain"}
		w.Write(hello)
	})
	engine := nbhttp.NewEngine(nbhttp.Config{Network: "tcp", Addrs: []string{*addr}, Handler: h})
	if err := engine.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "http-nbio:", err)
		os.Exit(1)
	}
	select {}
}
