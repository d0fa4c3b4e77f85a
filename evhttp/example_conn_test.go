package evhttp_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
)

func ExampleConn() {
	l, _ := ev.NewLoop()
	srv := evhttp.NewServer(l, evhttp.Config{})
	closed := make(chan net.Addr, 1)
	srv.HandleFunc("/", func(r *evhttp.Request) {
		conn := r.Conn()
		conn.SetCloseCallback(func() { closed <- conn.RemoteAddr() })
		r.SendReply(200, "OK", []byte("hi\n"))
	})
	if err := srv.Bind("127.0.0.1:0"); err != nil {
		panic(err)
	}
	done := make(chan struct{})
	go func() { l.Run(ev.RunDefault); close(done) }()

	c, err := net.Dial("tcp", srv.Addrs()[0].String())
	if err != nil {
		panic(err)
	}
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: example\r\n\r\n")
	resp, _ := http.ReadResponse(bufio.NewReader(c), nil)
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.Status, ": ", string(body))
	c.Close() // the close callback runs on the loop, and still knows the peer
	peer := <-closed
	fmt.Println("closed; peer was this client:", peer.String() == c.LocalAddr().String())

	l.Post(srv.Close)
	<-done
	l.Close()
	// Output:
	// 200 OK: hi
	// closed; peer was this client: true
}
