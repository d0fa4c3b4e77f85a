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
//
// With -loops n, n loops run on n goroutines, each with its own server and
// listening socket on the same address (SO_REUSEPORT): the kernel spreads
// new connections among them, and a connection stays on the loop that
// accepted it (see the README's "Several cores").
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
	"github.com/eventide-go/eventide/stream"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	bridge := flag.Bool("bridge", false, "serve through evhttp.Bridge with a net/http handler")
	n := flag.Int("loops", 1, "event loops, each on its own goroutine with its own server, sharing the address (SO_REUSEPORT)")
	flag.Parse()
	if *n < 1 {
		fail(fmt.Errorf("-loops %d: need at least 1", *n))
	}
	loops := make([]*ev.Loop, *n)
	for i := range loops {
		l, err := ev.NewLoop()
		if err != nil {
			fail(err)
		}
		loops[i] = l
	}
	srvs, err := bindAll(loops, *addr, *bridge)
	if err != nil {
		fail(err)
	}
	fmt.Println("listening on", srvs[0].Addrs()[0])
	errs := make(chan error, len(loops))
	for _, l := range loops {
		go func() { errs <- l.Run(ev.RunDefault) }()
	}
	// A loop whose Run fails ends the program; the others serve for good.
	if err := <-errs; err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "hello:", err)
	os.Exit(1)
}

// bindAll makes a server on every loop, before any of them runs, and binds
// addr. One loop's server binds alone (Server.Bind); more share the address
// through listeners with SO_REUSEPORT, the first resolving it (port 0
// becomes a port the others then bind as well).
func bindAll(loops []*ev.Loop, addr string, bridge bool) ([]*evhttp.Server, error) {
	srvs := make([]*evhttp.Server, 0, len(loops))
	for _, l := range loops {
		srv := newServer(l, bridge)
		srvs = append(srvs, srv)
		if len(loops) == 1 {
			if err := srv.Bind(addr); err != nil {
				srv.Close()
				return nil, err
			}
			break
		}
		ln, err := stream.Listen(l, "tcp", addr, stream.ListenConfig{ReuseAddr: true, ReusePort: true}, srv.Accept)
		if err != nil {
			for _, srv := range srvs {
				srv.Close()
			}
			return nil, err
		}
		srv.AddListener(ln)
		addr = ln.Addr().String()
	}
	return srvs, nil
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
