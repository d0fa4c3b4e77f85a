package evhttp_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
)

func ExampleBridge() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "Hello, %s!\n", r.PathValue("name"))
	})
	mux.HandleFunc("POST /count", func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body) // streamed from the loop
		fmt.Fprintf(w, "%d bytes\n", n)
	})

	l, _ := ev.NewLoop()
	srv := evhttp.NewServer(l, evhttp.Config{StreamBodies: true})
	srv.SetGeneric(evhttp.Bridge(mux))
	if err := srv.Bind("127.0.0.1:0"); err != nil {
		panic(err)
	}
	base := "http://" + srv.Addrs()[0].String()
	done := make(chan struct{})
	go func() { l.Run(ev.RunDefault); close(done) }()

	tr := &http.Transport{}
	client := &http.Client{Transport: tr}
	for _, req := range []struct{ method, path, body string }{
		{"GET", "/hello/gopher", ""},
		{"POST", "/count", strings.Repeat("x", 100000)},
		{"GET", "/nowhere", ""},
	} {
		hr, _ := http.NewRequest(req.method, base+req.path, strings.NewReader(req.body))
		resp, err := client.Do(hr)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%d %s", resp.StatusCode, body)
	}

	tr.CloseIdleConnections()
	l.Post(srv.Close)
	<-done
	l.Close()
	// Output:
	// 200 Hello, gopher!
	// 200 100000 bytes
	// 404 404 page not found
}
