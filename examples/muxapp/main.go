// Command muxapp is a small net/http application — an http.ServeMux with
// three routes — served by eventide's evhttp on one event loop through
// evhttp.Bridge:
//
//	GET  /hello/{name}  answers "Hello, {name}!"
//	POST /upload        counts the bytes of the body, streamed to the handler
//	GET  /stream        sends three lines, flushing each one
//
// SIGINT or SIGTERM shuts the server down gracefully: requests in flight are
// answered, then the program exits.
//
//	go run ./examples/muxapp -addr 127.0.0.1:8080
//	curl http://127.0.0.1:8080/hello/gopher
//	curl --data-binary @file http://127.0.0.1:8080/upload
//	curl -N http://127.0.0.1:8080/stream
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	if err := run(*addr, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "muxapp:", err)
		os.Exit(1)
	}
}

// shutdownGrace is how long requests in flight may take after a signal.
const shutdownGrace = 10 * time.Second

// run serves the application on addr until SIGINT or SIGTERM, writing
// "listening on ADDR" to out once bound.
func run(addr string, out io.Writer) error {
	loop, err := ev.NewLoop()
	if err != nil {
		return err
	}
	defer loop.Close()
	srv := evhttp.NewServer(loop, evhttp.Config{StreamBodies: true, MaxBodyBytes: 1 << 30})
	srv.SetGeneric(evhttp.Bridge(newMux()))
	if err := srv.Bind(addr); err != nil {
		return err
	}
	var sigs []*ev.Signal
	stop := func(*ev.Signal) {
		for _, s := range sigs {
			s.Stop()
		}
		srv.Shutdown(shutdownGrace, nil)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		s := ev.NewSignal(loop, sig, stop)
		s.Start()
		sigs = append(sigs, s)
	}
	fmt.Fprintln(out, "listening on", srv.Addrs()[0])
	// Run returns once the signal watchers are stopped and the last
	// connection is closed.
	return loop.Run(ev.RunDefault)
}

// newMux returns the application's routes.
func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "Hello, %s!\n", r.PathValue("name"))
	})
	mux.HandleFunc("POST /upload", func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, "%d bytes\n", n)
	})
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rc := http.NewResponseController(w)
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(w, "line %d\n", i)
			if err := rc.Flush(); err != nil {
				return
			}
		}
	})
	return mux
}
