//go:build !race

package http1_test

import (
	"testing"

	"github.com/eventide-go/eventide/internal/http1"
)

func TestRequestParserZeroAllocs(t *testing.T) {
	p := http1.NewRequestParser(http1.Limits{})
	in := []byte(get)
	allocs := testing.AllocsPerRun(100, func() {
		p.Reset()
		if _, err := p.Feed(in); err != nil || !p.Done() {
			t.Fatalf("Feed: %v", err)
		}
		_, _ = p.Get("cookie")
		_ = p.KeepAlive()
	})
	if allocs != 0 {
		t.Errorf("got %v allocs per request; want 0", allocs)
	}
}

func TestChunkedDecoderZeroAllocs(t *testing.T) {
	d := http1.NewChunkedDecoder(http1.ChunkedLimits{})
	in := []byte("5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nT: 1\r\n\r\n")
	allocs := testing.AllocsPerRun(100, func() {
		d.Reset()
		for b := in; len(b) > 0 && !d.Done(); {
			n, _, err := d.Decode(b)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			b = b[n:]
		}
	})
	if allocs != 0 {
		t.Errorf("got %v allocs per body; want 0", allocs)
	}
}

func TestResponseParserZeroAllocs(t *testing.T) {
	p := http1.NewResponseParser(http1.Limits{})
	in := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n")
	allocs := testing.AllocsPerRun(100, func() {
		p.Reset()
		if _, err := p.Feed(in); err != nil || !p.Done() {
			t.Fatalf("Feed: %v", err)
		}
	})
	if allocs != 0 {
		t.Errorf("got %v allocs per response; want 0", allocs)
	}
}
