package evhttp_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
)

// serveOn runs l on a goroutine and returns a function that closes srv on
// the loop, waits for Run to return and closes the loop.
func serveOn(l *ev.Loop, srv *evhttp.Server) (stop func()) {
	done := make(chan struct{})
	go func() { l.Run(ev.RunDefault); close(done) }()
	return func() {
		l.Post(srv.Close)
		<-done
		l.Close()
	}
}

// fetch sends a request with host as its Host and returns the body.
func fetch(method, url, host string, body io.Reader) string {
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		panic(err)
	}
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func ExampleServer_AddVirtualHost() {
	l, _ := ev.NewLoop()
	srv := evhttp.NewServer(l, evhttp.Config{})
	srv.HandleFunc("/", func(r *evhttp.Request) { r.SendReply(200, "", []byte("main\n")) })
	api := evhttp.NewServer(l, evhttp.Config{}) // never bound: only its handlers serve
	api.HandleFunc("/", func(r *evhttp.Request) { r.SendReply(200, "", []byte("api\n")) })
	srv.AddVirtualHost("api.*", api)
	if err := srv.Bind("127.0.0.1:0"); err != nil {
		panic(err)
	}
	url := "http://" + srv.Addrs()[0].String() + "/"
	stop := serveOn(l, srv)

	fmt.Print(fetch("GET", url, "api.example.com", nil))
	fmt.Print(fetch("GET", url, "www.example.com", nil))
	stop()
	// Output:
	// api
	// main
}

func ExampleServer_HandleStream() {
	l, _ := ev.NewLoop()
	srv := evhttp.NewServer(l, evhttp.Config{})
	// The body arrives in pieces, as the client sends it, instead of being
	// buffered whole: here it is only counted.
	srv.HandleStream("/upload", func(r *evhttp.Request) {
		n := 0
		r.SetBodyHandler(func(chunk *buffer.Buffer, done bool) {
			n += chunk.Len()
			chunk.Reset() // consumed: reading goes on
			if done {
				r.SendReply(200, "", fmt.Appendf(nil, "%d bytes\n", n))
			}
		})
	})
	if err := srv.Bind("127.0.0.1:0"); err != nil {
		panic(err)
	}
	url := "http://" + srv.Addrs()[0].String() + "/upload"
	stop := serveOn(l, srv)

	fmt.Print(fetch("POST", url, "example.com", strings.NewReader(strings.Repeat("x", 1<<20))))
	stop()
	// Output:
	// 1048576 bytes
}

func ExampleServer_Shutdown() {
	l, _ := ev.NewLoop()
	srv := evhttp.NewServer(l, evhttp.Config{})
	srv.HandleFunc("/", func(r *evhttp.Request) { r.SendReply(200, "", []byte("bye\n")) })
	if err := srv.Bind("127.0.0.1:0"); err != nil {
		panic(err)
	}
	url := "http://" + srv.Addrs()[0].String() + "/"
	done := make(chan struct{})
	go func() { l.Run(ev.RunDefault); close(done) }()

	fmt.Print(fetch("GET", url, "example.com", nil))
	// Stop accepting, let what is in flight finish within 5 s, then close
	// the rest; the loop then has nothing left to do and Run returns.
	l.Post(func() {
		srv.Shutdown(5*time.Second, func() { fmt.Println("all connections closed") })
	})
	<-done
	l.Close()
	// Output:
	// bye
	// all connections closed
}
