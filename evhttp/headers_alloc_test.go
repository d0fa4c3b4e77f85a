//go:build !race

package evhttp_test

import (
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

func TestHeadersRefillZeroAllocs(t *testing.T) {
	var h evhttp.Headers
	names := []string{"Content-Type", "Content-Length", "Date", "Server", "Connection", "Cache-Control"}
	fill := func() {
		h.Clear()
		for _, n := range names {
			if err := h.Add(n, "value"); err != nil {
				t.Fatal(err)
			}
		}
		_ = h.Get("server")
	}
	fill()
	if allocs := testing.AllocsPerRun(100, fill); allocs != 0 {
		t.Errorf("got %v allocs per refill; want 0", allocs)
	}
}
