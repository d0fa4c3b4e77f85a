// Command http-net is Go net/http's hello-world server for the HTTP anchors:
// every request gets 200 and "Hello, World!" (text/plain, keep-alive).
//
//	http-net -addr 127.0.0.1:8001
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
)

var hello = []byte("Hello, World!")

func main() {
	addr := flag.String("addr", "127.0.0.1:8001", "address to listen on")
	flag.Parse()
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = []string{"text/plain"}
		w.Write(hello)
	})
	if err := http.ListenAndServe(*addr, h); err != nil {
		fmt.Fprintln(os.Stderr, "http-net:", err)
		os.Exit(1)
	}
}
