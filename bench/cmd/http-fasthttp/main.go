// Command http-fasthttp is fasthttp's hello-world server for the HTTP
// anchors: every request gets 200 and "Hello, World!" (text/plain,
// keep-alive).
//
//	http-fasthttp -addr 127.0.0.1:8002
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/valyala/fasthttp"
)

var hello = []byte("Hello, World!")

func main() {
	addr := flag.String("addr", "127.0.0.1:8002", "address to listen on")
	flag.Parse()
	h := func(ctx *fasthttp.RequestCtx) {
		ctx.SetContentType("text/plain")
		ctx.Write(hello)
	}
	if err := fasthttp.ListenAndServe(*addr, h); err != nil {
		fmt.Fprintln(os.Stderr, "http-fasthttp:", err)
		os.Exit(1)
	}
}
