package evhttp_test

import (
	"bufio"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

// TestNothingProcessedAfterClose pipelines a request behind one that
// closes the connection, whose handler answers late: the request behind
// must not reach its handler (RFC 9112 §9.6: after "close", a server
// "MUST NOT process any further requests"). Its reply would be dropped,
// so a client retrying it on a new connection would run it twice.
func TestNothingProcessedAfterClose(t *testing.T) {
	tests := []struct {
		name  string
		first string
	}{
		{"Connection close", "GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"},
		{"Connection close with body", "POST /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc"},
		{"HTTP/1.0", "GET /slow HTTP/1.0\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var held *evhttp.Request
			var handled []string
			ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
				s.SetGeneric(func(r *evhttp.Request) {
					handled = append(handled, r.Method()+" "+r.URI())
					if r.URI() == "/slow" {
						held = r
						return
					}
					r.SendReply(200, "", nil)
				})
			})
			c := ts.dial()
			io.WriteString(c, tt.first+"POST /after HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
			ts.waitHeld(&held)
			// Both requests arrived in one segment and were read together:
			// the loop has parsed all it was going to before the reply.
			ts.do(func() { held.SendReply(200, "", nil) })
			br := bufio.NewReader(c)
			if resp, _ := readResponse(t, br, "GET"); resp.StatusCode != 200 || !resp.Close {
				t.Errorf("got %d close=%v; want 200 with Connection: close", resp.StatusCode, resp.Close)
			}
			expectEOF(t, br)
			var got []string
			ts.do(func() { got = slices.Clone(handled) })
			if want := []string{strings.Fields(tt.first)[0] + " /slow"}; !slices.Equal(got, want) {
				t.Errorf("handled %q; want %q", got, want)
			}
		})
	}
}
