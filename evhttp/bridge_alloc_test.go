//go:build !race

package evhttp_test

import (
	"net/http"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

// TestBridgeAllocs bounds the allocations of a keep-alive GET answered by
// a net/http handler through the bridge, the handler's goroutine included.
// What a request costs: the target string, its *url.URL, the header map,
// its value slices and value string, the *http.Request, the context and
// its cancel function — as with net/http —, the ResponseWriter handle
// cut loose when the handler returns (the rest of its state is pooled),
// and the handler's own Content-Type slice. Everything else is recycled.
func TestBridgeAllocs(t *testing.T) {
	body := []byte("Hello, World!")
	ls := newLoopServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.HandleFunc("/", evhttp.Bridge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = []string{"text/plain"}
			w.Write(body)
		})))
	})
	rt := newRoundTripper(t, ls, "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: test\r\n\r\n")
	rt.yield = true
	const budget = 12
	if got := testing.AllocsPerRun(200, func() { rt.do(t) }); got > budget {
		t.Errorf("got %.1f allocations per request; want at most %d", got, budget)
	}
}
