// Command httpecho is a small HTTP echo service on eventide's evhttp: /echo
// answers GET (and HEAD) with a summary of the request and POST or PUT with
// the request body, verbatim; other methods get 405, other paths 404.
//
//	go run ./examples/httpecho -addr 127.0.0.1:8080
//	curl http://127.0.0.1:8080/echo?x=1
//	curl --data-binary @file http://127.0.0.1:8080/echo
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	loop, err := ev.NewLoop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "httpecho:", err)
		os.Exit(1)
	}
	srv := newServer(loop)
	if err := srv.Bind(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "httpecho:", err)
		os.Exit(1)
	}
	fmt.Println("listening on", srv.Addrs()[0])
	if err := loop.Run(ev.RunDefault); err != nil {
		fmt.Fprintln(os.Stderr, "httpecho:", err)
		os.Exit(1)
	}
}

// newServer returns the echo server, not yet bound.
func newServer(loop *ev.Loop) *evhttp.Server {
	srv := evhttp.NewServer(loop, evhttp.Config{MaxBodyBytes: 64 << 20})
	srv.HandleFunc("/echo", echo)
	return srv
}

func echo(r *evhttp.Request) {
	switch r.Method() {
	case evhttp.MethodGet, evhttp.MethodHead: // the server drops a HEAD reply's body
		b := fmt.Appendf(nil, "method: %s\nuri: %s\npath: %s\nproto: %s\nremote: %v\n",
			r.Method(), r.URI(), r.Path(), r.Proto(), r.RemoteAddr())
		q := r.Query()
		for k, v := range q.All() {
			b = fmt.Appendf(b, "query: %s=%s\n", k, v)
		}
		for k, v := range r.InputHeaders().All() {
			b = fmt.Appendf(b, "header: %s: %s\n", k, v)
		}
		r.OutputHeaders().Set("Content-Type", "text/plain; charset=utf-8")
		r.SendReply(200, "OK", b)
	case evhttp.MethodPost, evhttp.MethodPut:
		ct := r.Header("Content-Type")
		if ct == "" {
			ct = "application/octet-stream"
		}
		r.OutputHeaders().Set("Content-Type", ct)
		r.SendReplyBuffer(200, "OK", r.Body())
	default:
		r.OutputHeaders().Set("Allow", "GET, HEAD, POST, PUT")
		r.SendError(405, "")
	}
}
