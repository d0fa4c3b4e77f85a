package evhttp_test

import (
	"fmt"
	"io"
	"net/http"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
)

func ExampleServer() {
	l, _ := ev.NewLoop()
	srv := evhttp.NewServer(l, evhttp.Config{ServerName: "example"})
	srv.HandleFunc("/hello", func(r *evhttp.Request) {
		q := r.Query()
		r.OutputHeaders().Set("Content-Type", "text/plain")
		r.SendReply(200, "OK", []byte("Hello, "+q.Get("name")+"!\n"))
	})
	if err := srv.Bind("127.0.0.1:0"); err != nil {
		panic(err)
	}
	addr := srv.Addrs()[0].String()
	done := make(chan struct{})
	go func() { l.Run(ev.RunDefault); close(done) }()

	resp, err := http.Get("http://" + addr + "/hello?name=world")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.Status, resp.Header.Get("Server"))
	fmt.Print(string(body))

	l.Post(srv.Close) // the loop has nothing left to do and returns
	<-done
	l.Close()
	// Output:
	// 200 OK example
	// Hello, world!
}

func ExampleRequest_StartReply() {
	l, _ := ev.NewLoop()
	srv := evhttp.NewServer(l, evhttp.Config{})
	srv.HandleFunc("/count", func(r *evhttp.Request) {
		r.StartReply(200, "")
		n := 0
		var next func()
		next = func() { // each chunk is sent once the previous one is written
			if n == 3 {
				r.EndReply()
				return
			}
			n++
			r.SendChunk(fmt.Appendf(nil, "%d\n", n), next)
		}
		next()
	})
	srv.Bind("127.0.0.1:0")
	addr := srv.Addrs()[0].String()
	done := make(chan struct{})
	go func() { l.Run(ev.RunDefault); close(done) }()

	resp, err := http.Get("http://" + addr + "/count")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.TransferEncoding)
	fmt.Print(string(body))

	l.Post(srv.Close)
	<-done
	l.Close()
	// Output:
	// [chunked]
	// 1
	// 2
	// 3
}
