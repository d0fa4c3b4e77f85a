package evhttp_test

import (
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/evhttp"
)

// dateLine matches the Date line the server writes itself; TestReplyBytes
// replaces its value by "DATE". A Date set by a handler stays as it is.
var dateLine = regexp.MustCompile(`Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT\r\n`)

// replyHandlers are TestReplyBytes's handlers, by path.
var replyHandlers = map[string]evhttp.HandlerFunc{
	"/hello": func(r *evhttp.Request) { r.SendReply(200, "OK", []byte("hello")) },
	"/typed": func(r *evhttp.Request) {
		r.OutputHeaders().Set("Content-Type", "text/plain")
		r.SendReply(200, "OK", []byte("hello"))
	},
	"/typed-lower": func(r *evhttp.Request) {
		r.OutputHeaders().Set("content-TYPE", "text/plain")
		r.SendReply(200, "", []byte("hi"))
	},
	"/empty":   func(r *evhttp.Request) { r.SendReply(200, "", nil) },
	"/okay":    func(r *evhttp.Request) { r.SendReply(200, "Okay", []byte("x")) },
	"/nope":    func(r *evhttp.Request) { r.SendReply(404, "Nope", []byte("x")) },
	"/201":     func(r *evhttp.Request) { r.SendReply(201, "", []byte("made")) },
	"/unknown": func(r *evhttp.Request) { r.SendReply(999, "", nil) },
	"/crlf":    func(r *evhttp.Request) { r.SendReply(299, "a\r\nX-Injected: 1\x7f\tb", nil) },
	"/204":     func(r *evhttp.Request) { r.SendReply(204, "", []byte("dropped")) },
	"/304": func(r *evhttp.Request) {
		r.OutputHeaders().Set("ETag", `"v1"`)
		r.SendReply(304, "", []byte("dropped"))
	},
	"/framing": func(r *evhttp.Request) {
		h := r.OutputHeaders()
		h.Add("X-First", "1")
		h.Set("Content-Length", "999")
		h.Set("Transfer-Encoding", "chunked")
		h.Add("Connection", "keep-alive")
		h.Add("X-Dup", "a")
		h.Add("x-dup", "b")
		r.SendReply(200, "", []byte("four"))
	},
	"/conn-close": func(r *evhttp.Request) {
		r.OutputHeaders().Add("CONNECTION", "Close")
		r.SendReply(200, "", []byte("bye"))
	},
	"/conn-second-close": func(r *evhttp.Request) {
		h := r.OutputHeaders()
		h.Add("Connection", "keep-alive")
		h.Add("Connection", "close") // only the first Connection field counts
		r.SendReply(200, "", []byte("x"))
	},
	"/conn-deleted": func(r *evhttp.Request) {
		h := r.OutputHeaders()
		h.Set("Connection", "close")
		h.Set("Content-Type", "a/b")
		h.Del("connection")
		h.Del("Content-Type")
		r.SendReply(200, "", []byte("x"))
	},
	"/conn-reset": func(r *evhttp.Request) {
		h := r.OutputHeaders()
		h.Set("Connection", "close")
		h.Set("Connection", "keep-alive")
		r.SendReply(200, "", []byte("x"))
	},
	"/cleared": func(r *evhttp.Request) {
		h := r.OutputHeaders()
		h.Set("Date", "mine")
		h.Set("Content-Type", "a/b")
		h.Clear()
		r.SendReply(200, "", []byte("x"))
	},
	"/date-server": func(r *evhttp.Request) {
		h := r.OutputHeaders()
		h.Set("Date", "Thu, 01 Jan 1970 00:00:00 UTC")
		h.Set("server", "mine")
		r.SendReply(200, "OK", []byte("x"))
	},
	"/server-only": func(r *evhttp.Request) {
		r.OutputHeaders().Set("Server", "mine")
		r.SendReply(200, "OK", []byte("x"))
	},
	"/odd-names": func(r *evhttp.Request) {
		h := r.OutputHeaders()
		for _, name := range []string{"!#$%&'*+-.^_`|~09azAZ", "Content-Typ", "Content-Types", "Dates", "Servers", "X"} {
			if err := h.Add(name, "v"); err != nil {
				panic(err)
			}
		}
		for _, name := range []string{"", "Bad Name", "Bad:Name", "Content-Type\r\n", "Naïve", "X\x00"} {
			if h.Add(name, "v") == nil || h.Set(name, "v") == nil {
				panic("invalid name " + name + " accepted")
			}
		}
		if h.Add("X", "a\rb") == nil || h.Set("Content-Type", "a\nb") == nil {
			panic("invalid value accepted")
		}
		r.SendReply(200, "OK", []byte("x"))
	},
	"/copy-input": func(r *evhttp.Request) {
		*r.OutputHeaders() = r.InputHeaders().Clone()
		r.OutputHeaders().Add("X-Added", "1")
		r.SendReply(200, "", []byte("x"))
	},
	"/buffer": func(r *evhttp.Request) {
		var b buffer.Buffer
		b.WriteString("buffered")
		r.SendReplyBuffer(200, "", &b)
	},
	"/error": func(r *evhttp.Request) { r.SendError(503, "") },
	"/error-reason": func(r *evhttp.Request) {
		r.OutputHeaders().Set("Retry-After", "1")
		r.SendError(429, "Slow <down>")
	},
	"/stream": func(r *evhttp.Request) {
		r.OutputHeaders().Set("Content-Type", "text/event-stream")
		r.StartReply(200, "")
		r.SendChunk([]byte("abc"), nil)
		r.SendChunk(nil, nil)
		r.SendChunk([]byte("0123456789abcdef0"), nil)
		r.EndReply()
	},
	"/stream-204": func(r *evhttp.Request) {
		r.StartReply(204, "")
		r.SendChunk([]byte("dropped"), nil)
		r.EndReply()
	},
}

// TestReplyBytes pins the exact bytes of replies: status line, the
// server's own fields (Date, Server, Content-Type, the framing), the
// handler's fields in order, and the body. The server's Date value reads
// DATE.
func TestReplyBytes(t *testing.T) {
	const hello = "HTTP/1.1 200 OK\r\nDate: DATE\r\nServer: eventide\r\n"
	tests := []struct {
		name     string
		noServer bool // a server without Config.ServerName
		req      string
		want     string
		closes   bool // the server closes the connection after want
	}{
		{name: "200 with body", req: "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n",
			want: hello + "Content-Type: text/html; charset=utf-8\r\nContent-Length: 5\r\n\r\nhello"},
		{name: "200 without Server", noServer: true, req: "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n",
			want: "HTTP/1.1 200 OK\r\nDate: DATE\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 5\r\n\r\nhello"},
		{name: "content type set", req: "GET /typed HTTP/1.1\r\nHost: a\r\n\r\n",
			want: hello + "Content-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"},
		{name: "content type set in another case", req: "GET /typed-lower HTTP/1.1\r\nHost: a\r\n\r\n",
			want: hello + "Content-Length: 2\r\ncontent-TYPE: text/plain\r\n\r\nhi"},
		{name: "200 without body", req: "GET /empty HTTP/1.1\r\nHost: a\r\n\r\n",
			want: hello + "Content-Length: 0\r\n\r\n"},
		{name: "200 with another reason", req: "GET /okay HTTP/1.1\r\nHost: a\r\n\r\n",
			want: "HTTP/1.1 200 Okay\r\nDate: DATE\r\nServer: eventide\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 1\r\n\r\nx"},
		{name: "404 custom reason", req: "GET /nope HTTP/1.1\r\nHost: a\r\n\r\n",
			want: "HTTP/1.1 404 Nope\r\nDate: DATE\r\nServer: eventide\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 1\r\n\r\nx"},
		{name: "201 default reason", req: "GET /201 HTTP/1.1\r\nHost: a\r\n\r\n",
			want: "HTTP/1.1 201 Created\r\nDate: DATE\r\nServer: eventide\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 4\r\n\r\nmade"},
		{name: "unknown code", req: "GET /unknown HTTP/1.1\r\nHost: a\r\n\r\n",
			want: "HTTP/1.1 999 Status\r\nDate: DATE\r\nServer: eventide\r\nContent-Length: 0\r\n\r\n"},
		{name: "reason sanitised", req: "GET /crlf HTTP/1.1\r\nHost: a\r\n\r\n",
			want: "HTTP/1.1 299 a  X-Injected: 1 \tb\r\nDate: DATE\r\nServer: eventide\r\nContent-Length: 0\r\n\r\n"},
		{name: "204", req: "GET /204 HTTP/1.1\r\nHost: a\r\n\r\n",
			want: "HTTP/1.1 204 No Content\r\nDate: DATE\r\nServer: eventide\r\n\r\n"},
		{name: "304", req: "GET /304 HTTP/1.1\r\nHost: a\r\n\r\n",
			want: "HTTP/1.1 304 Not Modified\r\nDate: DATE\r\nServer: eventide\r\nETag: \"v1\"\r\n\r\n"},
		{name: "HEAD", req: "HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\n",
			want: hello + "Content-Type: text/html; charset=utf-8\r\nContent-Length: 5\r\n\r\n"},
		{name: "HEAD without body", req: "HEAD /empty HTTP/1.1\r\nHost: a\r\n\r\n",
			want: hello + "Content-Type: text/html; charset=utf-8\r\nContent-Length: 0\r\n\r\n"},
		{name: "HEAD 204", req: "HEAD /204 HTTP/1.1\r\nHost: a\r\n\r\n",
			want: "HTTP/1.1 204 No Content\r\nDate: DATE\r\nServer: eventide\r\n\r\n"},
		{name: "HTTP/1.0", req: "GET /hello HTTP/1.0\r\n\r\n", closes: true,
			want: hello + "Content-Type: text/html; charset=utf-8\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"},
		{name: "HTTP/1.0 keep-alive", req: "GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
			want: hello + "Content-Type: text/html; charset=utf-8\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello"},
		{name: "request says close", req: "GET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", closes: true,
			want: hello + "Content-Type: text/html; charset=utf-8\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"},
		{name: "framing fields are the server's", req: "GET /framing HTTP/1.1\r\nHost: a\r\n\r\n",
			want: hello + "Content-Type: text/html; charset=utf-8\r\nContent-Length: 4\r\nX-First: 1\r\nX-Dup: a\r\nx-dup: b\r\n\r\nfour"},
		{name: "handler says close", req: "GET /conn-close HTTP/1.1\r\nHost: a\r\n\r\n", closes: true,
			want: hello + "Content-Type: text/html; charset=utf-8\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbye"},
		{name: "second Connection field ignored", req: "GET /conn-second-close HTTP/1.1\r\nHost: a\r\n\r\n",
			want: hello + "Content-Type: text/html; charset=utf-8\r\nContent-Length: 1\r\n\r\nx"},
		{name: "deleted fields", req: "GET /conn-deleted HTTP/1.1\r\nHost: a\r\n\r\n",
			want: hello + "Content-Type: text/html; charset=utf-8\r\nContent-Length: 1\r\n\r\nx"},
		{name: "Connection set again", req: "GET /conn-reset HTTP/1.1\r\nHost: a\r\n\r\n",
			want: hello + "Content-Type: text/html; charset=utf-8\r\nContent-Length: 1\r\n\r\nx"},
		{name: "cleared fields", req: "GET /cleared HTTP/1.1\r\nHost: a\r\n\r\n",
			want: hello + "Content-Type: text/html; charset=utf-8\r\nContent-Length: 1\r\n\r\nx"},
		{name: "Date and Server set", req: "GET /date-server HTTP/1.1\r\nHost: a\r\n\r\n",
			want: "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 1\r\nDate: Thu, 01 Jan 1970 00:00:00 UTC\r\nserver: mine\r\n\r\nx"},
		{name: "Server set", req: "GET /server-only HTTP/1.1\r\nHost: a\r\n\r\n",
			want: "HTTP/1.1 200 OK\r\nDate: DATE\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 1\r\nServer: mine\r\n\r\nx"},
		{name: "Server set without ServerName", noServer: true, req: "GET /server-only HTTP/1.1\r\nHost: a\r\n\r\n",
			want: "HTTP/1.1 200 OK\r\nDate: DATE\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 1\r\nServer: mine\r\n\r\nx"},
		{name: "unusual names", req: "GET /odd-names HTTP/1.1\r\nHost: a\r\n\r\n",
			want: hello + "Content-Type: text/html; charset=utf-8\r\nContent-Length: 1\r\n" +
				"!#$%&'*+-.^_`|~09azAZ: v\r\nContent-Typ: v\r\nContent-Types: v\r\nDates: v\r\nServers: v\r\nX: v\r\n\r\nx"},
		{name: "request fields copied", req: "GET /copy-input HTTP/1.1\r\nHost: a\r\nContent-Type: a/b\r\nconnection: CLOSE\r\n\r\n", closes: true,
			want: hello + "Content-Length: 1\r\nHost: a\r\nContent-Type: a/b\r\nX-Added: 1\r\nConnection: close\r\n\r\nx"},
		{name: "buffer body", req: "GET /buffer HTTP/1.1\r\nHost: a\r\n\r\n",
			want: hello + "Content-Type: text/html; charset=utf-8\r\nContent-Length: 8\r\n\r\nbuffered"},
		{name: "error", req: "GET /error HTTP/1.1\r\nHost: a\r\n\r\n",
			want: "HTTP/1.1 503 Service Unavailable\r\nDate: DATE\r\nServer: eventide\r\nContent-Length: 106\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
				"<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>\n"},
		{name: "error with reason", req: "GET /error-reason HTTP/1.1\r\nHost: a\r\n\r\n",
			want: "HTTP/1.1 429 Slow <down>\r\nDate: DATE\r\nServer: eventide\r\nContent-Length: 102\r\nRetry-After: 1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
				"<html><head><title>429 Slow &lt;down&gt;</title></head><body><h1>Slow &lt;down&gt;</h1></body></html>\n"},
		{name: "not found", req: "GET /missing HTTP/1.1\r\nHost: a\r\n\r\n",
			want: "HTTP/1.1 404 Not Found\r\nDate: DATE\r\nServer: eventide\r\nContent-Length: 86\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
				"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n"},
		{name: "bad request", req: "GET /hello HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n", closes: true,
			want: "HTTP/1.1 400 Bad Request\r\nDate: DATE\r\nServer: eventide\r\nContent-Length: 90\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n\r\n" +
				"<html><head><title>400 Bad Request</title></head><body><h1>Bad Request</h1></body></html>\n"},
		{name: "HEAD error", req: "HEAD /missing HTTP/1.1\r\nHost: a\r\n\r\n",
			want: "HTTP/1.1 404 Not Found\r\nDate: DATE\r\nServer: eventide\r\nContent-Length: 86\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"},
		{name: "chunked stream", req: "GET /stream HTTP/1.1\r\nHost: a\r\n\r\n",
			want: hello + "Transfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\n3\r\nabc\r\n11\r\n0123456789abcdef0\r\n0\r\n\r\n"},
		{name: "HTTP/1.0 stream", req: "GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", closes: true,
			want: hello + "Content-Type: text/event-stream\r\nConnection: close\r\n\r\nabc0123456789abcdef0"},
		{name: "HEAD stream", req: "HEAD /stream HTTP/1.1\r\nHost: a\r\n\r\n",
			want: hello + "Transfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\n"},
		{name: "204 stream", req: "GET /stream-204 HTTP/1.1\r\nHost: a\r\n\r\n",
			want: "HTTP/1.1 204 No Content\r\nDate: DATE\r\nServer: eventide\r\n\r\n"},
		{name: "pipelined", req: "GET /typed HTTP/1.1\r\nHost: a\r\n\r\nGET /hello HTTP/1.1\r\nHost: a\r\n\r\nHEAD /typed HTTP/1.1\r\nHost: a\r\n\r\nGET /204 HTTP/1.1\r\nHost: a\r\n\r\nGET /empty HTTP/1.0\r\n\r\n", closes: true,
			want: hello + "Content-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello" +
				hello + "Content-Type: text/html; charset=utf-8\r\nContent-Length: 5\r\n\r\nhello" +
				hello + "Content-Length: 5\r\nContent-Type: text/plain\r\n\r\n" +
				"HTTP/1.1 204 No Content\r\nDate: DATE\r\nServer: eventide\r\n\r\n" +
				hello + "Content-Length: 0\r\nConnection: close\r\n\r\n"},
	}
	setup := func(s *evhttp.Server) {
		for path, fn := range replyHandlers {
			s.HandleFunc(path, fn)
		}
	}
	named := startServer(t, evhttp.Config{ServerName: "eventide"}, setup)
	anon := startServer(t, evhttp.Config{}, setup)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := named
			if tc.noServer {
				ts = anon
			}
			c := ts.dial()
			if _, err := io.WriteString(c, tc.req); err != nil {
				t.Fatalf("write: %v", err)
			}
			// The server's Date value is 29 bytes; DATE stands for it.
			n := len(tc.want) + strings.Count(tc.want, "Date: DATE\r\n")*(29-len("DATE"))
			b := make([]byte, n)
			if _, err := io.ReadFull(c, b); err != nil {
				t.Fatalf("read: %v (got %q)", err, b)
			}
			got := dateLine.ReplaceAllString(string(b), "Date: DATE\r\n")
			if got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
			// A keep-alive connection then carries one more request, whose
			// reply must follow at once: nothing more came before it.
			wantRest := ""
			if !tc.closes {
				if _, err := io.WriteString(c, "GET /empty HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"); err != nil {
					t.Fatalf("write: %v", err)
				}
				wantRest = hello + "Content-Length: 0\r\nConnection: close\r\n\r\n"
				if tc.noServer {
					wantRest = strings.Replace(wantRest, "Server: eventide\r\n", "", 1)
				}
			}
			rest, err := io.ReadAll(c)
			if got := dateLine.ReplaceAllString(string(rest), "Date: DATE\r\n"); err != nil || got != wantRest {
				t.Errorf("after the reply: got %q, %v; want %q and EOF", got, err, wantRest)
			}
			// The server closes its side once it sees the client's: wait
			// for that, so that no connection is left for the server's
			// Close at the end of the test.
			c.Close()
			for {
				var n int
				ts.do(func() { n = ts.srv.NumConns() })
				if n == 0 {
					break
				}
				runtimeGosched()
			}
		})
	}
}

// TestAppendLength checks the Content-Length line around every step of
// its digit-by-digit path against strconv.
func TestAppendLength(t *testing.T) {
	for _, n := range []int64{0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 1001, 9999, 10000, 10001, 123456789, 1<<63 - 1} {
		want := "Content-Length: " + strconv.FormatInt(n, 10) + "\r\n"
		if got := string(evhttp.AppendLength([]byte("x"), n)); got != "x"+want {
			t.Errorf("appendLength(%d): got %q; want %q", n, got, "x"+want)
		}
	}
	for n := range int64(20000) {
		if got, want := string(evhttp.AppendLength(nil, n)), "Content-Length: "+strconv.FormatInt(n, 10)+"\r\n"; got != want {
			t.Fatalf("appendLength(%d): got %q; want %q", n, got, want)
		}
	}
}
