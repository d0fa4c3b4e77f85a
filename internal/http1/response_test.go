package http1_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/internal/http1"
)

type respResult struct {
	Status    int // parse error status; 0 when accepted
	Code      int
	Reason    string
	Proto     string
	Kind      http1.BodyKind
	Length    int64
	KeepAlive bool
	Consumed  int
}

func parseResponse(p *http1.ResponseParser, pieces ...[]byte) respResult {
	p.Reset()
	var r respResult
	for _, piece := range pieces {
		n, err := p.Feed(piece)
		r.Consumed += n
		if err != nil {
			var e *http1.Error
			errors.As(err, &e)
			return respResult{Status: e.Status}
		}
		if p.Done() {
			break
		}
	}
	if !p.Done() {
		return respResult{Status: -1}
	}
	major, minor := p.Proto()
	r.Proto = string(rune('0'+major)) + "." + string(rune('0'+minor))
	r.Code, r.Reason = p.Status(), string(p.Reason())
	r.Kind, r.Length, r.KeepAlive = p.BodyKind(), p.ContentLength(), p.KeepAlive()
	return r
}

func TestResponse(t *testing.T) {
	tests := []struct {
		name   string
		method string
		in     string
		want   respResult
	}{
		{"ok length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
			respResult{Code: 200, Reason: "OK", Proto: "1.1", Kind: http1.BodyLength, Length: 3, KeepAlive: true}},
		{"chunked", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
			respResult{Code: 200, Reason: "OK", Proto: "1.1", Kind: http1.BodyChunked, KeepAlive: true}},
		{"until close", "GET", "HTTP/1.1 200 OK\r\n\r\n",
			respResult{Code: 200, Reason: "OK", Proto: "1.1", Kind: http1.BodyUntilClose}},
		{"te not chunked", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
			respResult{Code: 200, Reason: "OK", Proto: "1.1", Kind: http1.BodyUntilClose}},
		{"head", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
			respResult{Code: 200, Reason: "OK", Proto: "1.1", KeepAlive: true}},
		{"204", "GET", "HTTP/1.1 204 No Content\r\n\r\n",
			respResult{Code: 204, Reason: "No Content", Proto: "1.1", KeepAlive: true}},
		{"304", "GET", "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
			respResult{Code: 304, Reason: "Not Modified", Proto: "1.1", KeepAlive: true}},
		{"100", "GET", "HTTP/1.1 100 Continue\r\n\r\n",
			respResult{Code: 100, Reason: "Continue", Proto: "1.1", KeepAlive: true}},
		{"connect 200", "CONNECT", "HTTP/1.1 200 Connection established\r\n\r\n",
			respResult{Code: 200, Reason: "Connection established", Proto: "1.1", KeepAlive: true}},
		{"empty reason", "GET", "HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n",
			respResult{Code: 404, Proto: "1.1", Kind: http1.BodyLength, KeepAlive: true}},
		{"no reason no space", "GET", "HTTP/1.0 404\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n",
			respResult{Code: 404, Proto: "1.0", Kind: http1.BodyLength, KeepAlive: true}},
		{"1.0 close", "GET", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
			respResult{Code: 200, Reason: "OK", Proto: "1.0", Kind: http1.BodyLength}},
		{"bad code", "GET", "HTTP/1.1 2x0 OK\r\n\r\n", respResult{Status: 400}},
		{"code 099", "GET", "HTTP/1.1 099 OK\r\n\r\n", respResult{Status: 400}},
		{"bad version", "GET", "HTTP/1.1x 200 OK\r\n\r\n", respResult{Status: 400}},
		{"version 2", "GET", "HTTP/2.0 200 OK\r\n\r\n", respResult{Status: 505}},
		{"CL and TE", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", respResult{Status: 400}},
		{"gzip chunked", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", respResult{Status: 501}},
		{"TE 1.0", "GET", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", respResult{Status: 400}},
		{"bare LF", "GET", "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", respResult{Status: 400}},
		{"control in reason", "GET", "HTTP/1.1 200 O\x01K\r\n\r\n", respResult{Status: 400}},
	}
	p := http1.NewResponseParser(http1.Limits{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.SetRequestMethod([]byte(tt.method))
			want := tt.want
			if want.Status == 0 {
				want.Consumed = strings.LastIndex(tt.in, "\r\n\r\n") + 4
			}
			for i, pieces := range splits([]byte(tt.in)) {
				if got := parseResponse(p, pieces...); !reflect.DeepEqual(got, want) {
					t.Fatalf("split %d: got %+v; want %+v", i, got, want)
				}
			}
		})
	}
}

func TestResponseLookup(t *testing.T) {
	p := http1.NewResponseParser(http1.Limits{})
	if _, err := p.Feed([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX: 1\r\nx: 2\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if p.NumHeaders() != 4 {
		t.Fatalf("NumHeaders: got %d; want 4", p.NumHeaders())
	}
	if n, v := p.Header(0); string(n) != "Upgrade" || string(v) != "websocket" {
		t.Errorf("Header(0): got %q %q; want Upgrade websocket", n, v)
	}
	if v, ok := p.Get("upgrade"); !ok || string(v) != "websocket" {
		t.Errorf("Get: got %q %v", v, ok)
	}
	var vals []string
	for v := range p.Values("X") {
		vals = append(vals, string(v))
	}
	if !reflect.DeepEqual(vals, []string{"1", "2"}) || !p.ConnectionHas("UPGRADE") {
		t.Errorf("Values: got %q, ConnectionHas(upgrade)=%v", vals, p.ConnectionHas("UPGRADE"))
	}
}
