// Command hello is the plaintext benchmark server: GET / answers 200
// "Hello, World!" on keep-alive connections, from one event loop; HEAD /
// the same without the body. Other paths get 404 and other methods 405.
//
//	go run ./examples/hello -addr 127.0.0.1:8080
//	wrk -t1 -c50 -d5s http://127.0.0.1:8080/
//
// With -bridge the same reply comes from a net/http handler
// (http.HandlerFunc) served through evhttp.Bridge: each request runs the
// handler on its own goroutine, as net/http would, while the loop does the
// parsing, the writing and the keep-alive bookkeeping.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	bridge := flag.Bool("bridge", false, "serve through evhttp.Bridge with a net/http handler")
	flag.Parse()
	loop, err := ev.NewLoop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
	srv := newServer(loop, *bridge)
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

// newServer returns the benchmark server, not yet bound: the loop-native
// handler, or with bridge the net/http one through evhttp.Bridge.
func newServer(loop *ev.Loop, bridge bool) *evhttp.Server {
	srv := evhttp.NewServer(loop, evhttp.Config{ServerName: "eventide", AllowedMethods: []string{evhttp.MethodGet, evhttp.MethodHead}})
	if bridge {
		srv.HandleFunc("/", evhttp.Bridge(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header()["Content-Type"] = []string{"text/plain"}
			w.Write(helloBody)
		})))
		return srv
	}
	srv.HandleFunc("/", func(r *evhttp.Request) {
		r.OutputHeaders().Set("Content-Type", "text/plain")
		r.SendReply(200, "OK", helloBody)
	})
	return srv
}
