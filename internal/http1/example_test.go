package http1_test

import (
	"fmt"

	"github.com/eventide-go/eventide/internal/http1"
)

func ExampleRequestParser() {
	p := http1.NewRequestParser(http1.Limits{})
	// Bytes arrive in arbitrary pieces; the body and the next request stay
	// with the caller.
	for _, piece := range []string{"POST /submit HTTP/1.1\r\nHo", "st: example.com\r\nContent-Len", "gth: 5\r\n\r\nhello"} {
		n, err := p.Feed([]byte(piece))
		if err != nil {
			fmt.Println(err)
			return
		}
		if p.Done() {
			fmt.Printf("body starts with %q\n", piece[n:])
		}
	}
	fmt.Printf("%s %s\n", p.Method(), p.Target())
	host, _ := p.Get("host")
	fmt.Printf("host=%s kind=%v length=%d keep-alive=%v\n", host, p.BodyKind(), p.ContentLength(), p.KeepAlive())

	p.Reset()
	_, err := p.Feed([]byte("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"))
	fmt.Println(err)
	// Output:
	// body starts with "hello"
	// POST /submit
	// host=example.com kind=content-length length=5 keep-alive=true
	// http1: 400 both Content-Length and Transfer-Encoding
}

func ExampleResponseParser() {
	var p http1.ResponseParser
	p.SetRequestMethod([]byte("GET"))
	if _, err := p.Feed([]byte("HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Status(), string(p.Reason()), p.BodyKind(), p.KeepAlive())
	// Output: 404 Not Found chunked false
}
