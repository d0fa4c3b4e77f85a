package evhttp_test

import (
	"io"
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

// TestBridgeHijackStress races hijacks against clients closing, pipelined
// bytes, streamed bodies and a Server.Close, and checks (with the loop's
// descriptor count at cleanup and -race) that nothing leaks or races.
func TestBridgeHijackStress(t *testing.T) {
	var handlers sync.WaitGroup
	const n = 60
	handlers.Add(n)
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer handlers.Done()
			if r.URL.Path == "/flush" {
				w.WriteHeader(101)
			}
			conn, brw, err := w.(http.Hijacker).Hijack()
			if err != nil {
				io.WriteString(w, "no")
				return
			}
			defer conn.Close()
			brw.WriteString("hi\n")
			brw.Flush()
			buf := make([]byte, 64)
			brw.Read(buf)
		})
		s.HandleStream("/body", evhttp.Bridge(h))
		s.HandleFunc("/a", hello)
		s.SetGeneric(evhttp.Bridge(h))
	})
	var clients sync.WaitGroup
	for i := range n {
		clients.Add(1)
		go func() {
			defer clients.Done()
			c, err := net.Dial("tcp", ts.addr)
			if err != nil {
				handlers.Done()
				return
			}
			defer c.Close()
			switch i % 4 {
			case 0:
				io.WriteString(c, lineUpgrade("/")+"x")
			case 1:
				io.WriteString(c, lineUpgrade("/flush"))
			case 2:
				io.WriteString(c, "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
			case 3:
				io.WriteString(c, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"+lineUpgrade("/"))
			}
			if i%3 == 0 {
				return // close at once: races the hijack
			}
			b := make([]byte, 256)
			c.Read(b)
		}()
	}
	clients.Wait()
	ts.do(ts.srv.Close)
	handlers.Wait()
}
