// Command hello is the plaintext benchmark server: GET / answers 200
// "Hello, World!" on keep-alive connections, from one event loop.
//
//	go run ./examples/hello -addr 127.0.0.1:8080
//	wrk -t1 -c50 -d5s http://127.0.0.1:8080/
//
// -bridge will serve the same through evhttp's net/http bridge once it
// exists; for now it exits with an error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
)

// errNoBridge is what -bridge reports until the net/http bridge exists.
var errNoBridge = errors.New("-bridge: the net/http bridge is not implemented yet")

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	bridge := flag.Bool("bridge", false, "serve through the net/http bridge (not yet available)")
	flag.Parse()
	if *bridge {
		fmt.Fprintln(os.Stderr, "hello:", errNoBridge)
		os.Exit(2)
	}
	loop, err := ev.NewLoop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
	srv := newServer(loop)
	if err := srv.Bind(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
	fmt.Println("listening on", srv.Addrs()[0])
	if err := loop.Run(ev.RunDefault); err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
}

var helloBody = []byte("Hello, World!")

// newServer returns the benchmark server, not yet bound.
func newServer(loop *ev.Loop) *evhttp.Server {
	srv := evhttp.NewServer(loop, evhttp.Config{ServerName: "eventide", AllowedMethods: []string{evhttp.MethodGet}})
	srv.HandleFunc("/", func(r *evhttp.Request) {
		r.OutputHeaders().Set("Content-Type", "text/plain")
		r.SendReply(200, "OK", helloBody)
	})
	return srv
}
