package evhttp_test

import (
	"strings"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

func TestRouting(t *testing.T) {
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		for _, p := range []string{"/", "/a", "/a b", "/gone"} {
			s.HandleFunc(p, func(r *evhttp.Request) { r.SendReply(200, "", []byte("route "+p)) })
		}
		if !s.Remove("/gone") || s.Remove("/never") {
			t.Errorf("Remove: wrong results")
		}
	})
	tests := []struct{ target, want string }{
		{"/", "200 route /"},
		{"/a", "200 route /a"},
		{"/a?x=1", "200 route /a"},
		{"/a%20b", "200 route /a b"},
		{"http://x/a?y", "200 route /a"},
		{"http://x", "200 route /"},
		{"/a/", "404 "},
		{"/gone", "404 "},
	}
	for _, tt := range tests {
		got := ts.exchange("GET " + tt.target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		status := strings.TrimPrefix(strings.SplitN(got, "\r\n", 2)[0], "HTTP/1.1 ")[:3]
		body := got[strings.Index(got, "\r\n\r\n")+4:]
		if status == "404" {
			body = ""
		}
		if status+" "+body != tt.want {
			t.Errorf("%s: got %q; want %q", tt.target, status+" "+body, tt.want)
		}
	}
}

func TestHandleFuncMisuse(t *testing.T) {
	ls := newLoopServer(t, evhttp.Config{}, nil)
	for name, fn := range map[string]func(){
		"relative path": func() { ls.srv.HandleFunc("a", hello) },
		"nil handler":   func() { ls.srv.HandleFunc("/n", nil) },
		"duplicate":     func() { ls.srv.HandleFunc("/d", hello); ls.srv.HandleFunc("/d", hello) },
		"bad method": func() {
			evhttp.NewServer(ls.l, evhttp.Config{AllowedMethods: []string{"BREW"}})
		},
		"server name with CRLF": func() {
			evhttp.NewServer(ls.l, evhttp.Config{ServerName: "x\r\nSet-Cookie: a=b"})
		},
		"content type with LF": func() {
			evhttp.NewServer(ls.l, evhttp.Config{DefaultContentType: "text/plain\nX: y"})
		},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "evhttp: ") {
					t.Errorf("%s: got panic %v; want an \"evhttp: \" panic", name, r)
				}
			}()
			fn()
		}()
	}
}
