package evhttp_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/evhttp"
)

func TestReplyFormatting(t *testing.T) {
	tests := []struct {
		name    string
		handler evhttp.HandlerFunc
		check   func(t *testing.T, resp *http.Response, body string)
	}{
		{"default content type", func(r *evhttp.Request) { r.SendReply(200, "", []byte("x")) },
			func(t *testing.T, resp *http.Response, body string) {
				if got := resp.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
					t.Errorf("Content-Type: got %q", got)
				}
			}},
		{"reason sanitised", func(r *evhttp.Request) { r.SendReply(299, "bad\r\nX-Injected: 1", nil) },
			func(t *testing.T, resp *http.Response, body string) {
				if resp.StatusCode != 299 || resp.Header.Get("X-Injected") != "" {
					t.Errorf("got %q, headers %v", resp.Status, resp.Header)
				}
			}},
		{"204 has no length or body", func(r *evhttp.Request) { r.SendReply(204, "", []byte("dropped")) },
			func(t *testing.T, resp *http.Response, body string) {
				if resp.StatusCode != 204 || body != "" || resp.Header.Get("Content-Length") != "" {
					t.Errorf("got %d %q %v", resp.StatusCode, body, resp.Header)
				}
			}},
		{"304 has no body", func(r *evhttp.Request) { r.SendReply(304, "", []byte("dropped")) },
			func(t *testing.T, resp *http.Response, body string) {
				if resp.StatusCode != 304 || body != "" {
					t.Errorf("got %d %q", resp.StatusCode, body)
				}
			}},
		{"framing headers are the server's", func(r *evhttp.Request) {
			h := r.OutputHeaders()
			h.Set("Content-Length", "999")
			h.Set("Transfer-Encoding", "chunked")
			h.Set("X-Mine", "yes")
			r.SendReply(200, "", []byte("four"))
		}, func(t *testing.T, resp *http.Response, body string) {
			if body != "four" || resp.ContentLength != 4 || resp.Header.Get("X-Mine") != "yes" {
				t.Errorf("got %q length %d headers %v", body, resp.ContentLength, resp.Header)
			}
		}},
		{"buffer body moves", func(r *evhttp.Request) {
			var b buffer.Buffer
			b.WriteString(strings.Repeat("b", 100000))
			r.SendReplyBuffer(200, "", &b)
			if b.Len() != 0 {
				panic("SendReplyBuffer left bytes in its buffer")
			}
		}, func(t *testing.T, resp *http.Response, body string) {
			if body != strings.Repeat("b", 100000) {
				t.Errorf("got %d bytes", len(body))
			}
		}},
		{"error page escaped", func(r *evhttp.Request) { r.SendError(418, "<tea>") },
			func(t *testing.T, resp *http.Response, body string) {
				if resp.StatusCode != 418 || !strings.Contains(body, "&lt;tea&gt;") || strings.Contains(body, "<tea>") {
					t.Errorf("got %d %q", resp.StatusCode, body)
				}
			}},
		{"date", func(r *evhttp.Request) { r.SendReply(200, "", nil) },
			func(t *testing.T, resp *http.Response, body string) {
				d, err := http.ParseTime(resp.Header.Get("Date"))
				if err != nil || time.Since(d).Abs() > time.Minute {
					t.Errorf("Date %q: %v", resp.Header.Get("Date"), err)
				}
			}},
		{"1xx final status panics", func(r *evhttp.Request) {
			// A 1xx is interim: a client reading it as the reply would
			// take the real one for the next request's.
			for _, send := range []func(){
				func() { r.SendReply(101, "", nil) },
				func() { r.StartReply(199, "") },
				func() { r.SendError(100, "") },
			} {
				func() {
					defer func() {
						if p, _ := recover().(string); !strings.HasPrefix(p, "evhttp: ") {
							panic(fmt.Sprintf("a 1xx final reply panicked with %q; want an evhttp message", p))
						}
					}()
					send()
				}()
			}
			r.SendReply(200, "", []byte("final"))
		}, func(t *testing.T, resp *http.Response, body string) {
			if resp.StatusCode != 200 || body != "final" {
				t.Errorf("got %d %q; want 200 final", resp.StatusCode, body)
			}
		}},
		{"double reply panics", func(r *evhttp.Request) {
			r.SendReply(200, "", []byte("once"))
			defer func() {
				if p := recover(); p == nil {
					panic("no panic on a second reply")
				}
			}()
			r.SendReply(200, "", nil)
		}, func(t *testing.T, resp *http.Response, body string) {
			if body != "once" {
				t.Errorf("got %q", body)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) { s.SetGeneric(tt.handler) })
			c := ts.dial()
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			resp, body := readResponse(t, bufio.NewReader(c), "GET")
			tt.check(t, resp, body)
		})
	}
}

func TestStatusText(t *testing.T) {
	for code, want := range map[int]string{200: "OK", 404: "Not Found", 413: "Content Too Large", 431: "Request Header Fields Too Large", 299: ""} {
		if got := evhttp.StatusText(code); got != want {
			t.Errorf("StatusText(%d): got %q; want %q", code, got, want)
		}
	}
}

// TestRequestUsedAfterReply uses a Request once its reply is complete and
// the server has recycled it, replying again in the handler or later: each
// use panics with an "evhttp: " message naming the mistake, not a nil
// pointer dereference.
func TestRequestUsedAfterReply(t *testing.T) {
	big := make([]byte, 64<<10)
	tests := []struct {
		name string
		use  func(r *evhttp.Request)
	}{
		{"SendReply", func(r *evhttp.Request) { r.SendReply(200, "", []byte("again")) }},
		{"SendReply large", func(r *evhttp.Request) { r.SendReply(200, "", big) }},
		{"SendReplyBuffer", func(r *evhttp.Request) { r.SendReplyBuffer(200, "", new(buffer.Buffer)) }},
		{"SendError", func(r *evhttp.Request) { r.SendError(500, "") }},
		{"StartReply", func(r *evhttp.Request) { r.StartReply(200, "") }},
		{"SendChunk", func(r *evhttp.Request) { r.SendChunk([]byte("x"), nil) }},
		{"EndReply", func(r *evhttp.Request) { r.EndReply() }},
		{"RemoteAddr", func(r *evhttp.Request) { r.RemoteAddr() }},
	}
	// recovered runs use and returns what it panicked with.
	recovered := func(r *evhttp.Request, use func(*evhttp.Request)) (v any) {
		defer func() { v = recover() }()
		use(r)
		return nil
	}
	check := func(t *testing.T, when string, v any) {
		t.Helper()
		msg, _ := v.(string)
		if !strings.HasPrefix(msg, "evhttp: ") || !strings.Contains(msg, "after its reply") {
			t.Errorf("%s: panicked with %v; want an \"evhttp: ... after its reply ...\" message", when, v)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var held *evhttp.Request
			var inHandler any
			ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
				s.SetGeneric(func(r *evhttp.Request) {
					r.SendReply(200, "", []byte("once"))
					inHandler = recovered(r, tt.use)
					held = r
				})
			})
			c := ts.dial()
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			if _, body := readResponse(t, bufio.NewReader(c), "GET"); body != "once" {
				t.Fatalf("got %q; want the first reply", body)
			}
			var later any
			ts.do(func() {
				check(t, "in the handler", inHandler)
				later = recovered(held, tt.use)
			})
			check(t, "later", later)
		})
	}
}
