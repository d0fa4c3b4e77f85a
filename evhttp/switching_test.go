package evhttp_test

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
)

// TestSwitchingResumes: a request with Upgrade stops the parsing of
// what follows until its reply completes; every way of completing it must
// let the pipelined request behind it be answered.
func TestSwitchingResumes(t *testing.T) {
	const next = "GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	bridged := func(h http.HandlerFunc) func(*evhttp.Server) {
		return func(s *evhttp.Server) {
			s.HandleFunc("/next", hello)
			s.HandleFunc("/up", evhttp.Bridge(h))
		}
	}
	cases := []struct {
		name  string
		setup func(*evhttp.Server)
		req   string
	}{
		{"bridge buffered", bridged(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "declined") }), lineUpgrade("/up")},
		{"bridge error", bridged(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "declined", http.StatusUpgradeRequired) }), lineUpgrade("/up")},
		{"bridge streamed", bridged(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "decl")
			w.(http.Flusher).Flush()
			io.WriteString(w, "ined")
		}), lineUpgrade("/up")},
		{"bridge streamed body", func(s *evhttp.Server) {
			s.HandleFunc("/next", hello)
			s.HandleStream("/up", evhttp.Bridge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "declined")
			})))
		}, "POST /up HTTP/1.1\r\nHost: x\r\nUpgrade: line\r\nConnection: Upgrade\r\nContent-Length: 5\r\n\r\nabcde"},
		{"native later", func(s *evhttp.Server) {
			s.HandleFunc("/next", hello)
			s.HandleFunc("/up", func(r *evhttp.Request) {
				tm := ev.NewTimer(s.Loop(), time.Millisecond, 0, func(*ev.Timer) { r.SendReply(200, "", []byte("declined")) })
				tm.Start()
			})
		}, lineUpgrade("/up")},
		{"native streamed", func(s *evhttp.Server) {
			s.HandleFunc("/next", hello)
			s.HandleFunc("/up", func(r *evhttp.Request) {
				r.StartReply(200, "")
				r.SendChunk([]byte("decl"), func() {
					r.SendChunk([]byte("ined"), nil)
					r.EndReply()
				})
			})
		}, lineUpgrade("/up")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, evhttp.Config{}, tc.setup)
			c := ts.dial()
			io.WriteString(c, tc.req+next)
			br := bufio.NewReader(c)
			if resp, body := readResponse(t, br, "GET"); resp.StatusCode/100 != 2 && resp.StatusCode != 426 || !strings.Contains(body, "declined") {
				t.Fatalf("first: %d %q", resp.StatusCode, body)
			}
			c.SetReadDeadline(time.Now().Add(3 * time.Second))
			if resp, body := readResponse(t, br, "GET"); resp.StatusCode != 200 || body != "hello" {
				t.Fatalf("second: %d %q", resp.StatusCode, body)
			}
		})
	}
}
