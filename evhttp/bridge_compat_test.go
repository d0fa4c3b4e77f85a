package evhttp_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eventide-go/eventide/evhttp"
)

// compatFiles writes the files the compatibility handler serves into a
// temporary directory and returns it.
func compatFiles(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	big := make([]byte, 3<<20+123)
	rand.NewChaCha8([32]byte{1}).Read(big)
	files := map[string][]byte{
		"hello.txt":   []byte("hello, file server\n"),
		"big.bin":     big,
		"dir/a.txt":   []byte("a"),
		"dir/b.html":  []byte("<p>b</p>"),
		"index/x.txt": []byte("x"),
	}
	mtime := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// compatHandler is the handler served both by net/http and through the
// bridge. Paths whose outcome is not visible on the wire (an error a
// Write returned) report it on notes.
func compatHandler(dir string, notes chan<- string) http.Handler {
	note := func(format string, args ...any) { notes <- fmt.Sprintf(format, args...) }
	content := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	mtime := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	mux := http.NewServeMux()
	mux.Handle("/files/", http.StripPrefix("/files", http.FileServer(http.Dir(dir))))
	mux.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "pong") })
	mux.HandleFunc("/content", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		http.ServeContent(w, r, "c.txt", mtime, bytes.NewReader(content))
	})
	sniff := map[string][]byte{
		"html": []byte("<!DOCTYPE html><title>x</title>"),
		"png":  []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
		"text": []byte("just words"),
		"bin":  {0, 1, 2, 3, 0xfe},
		"big":  bytes.Repeat([]byte("<html>"), 5000), // streamed: sniffed from its start
	}
	mux.HandleFunc("/sniff/{kind}", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("nosniff") {
			w.Header().Set("X-Content-Type-Options", "nosniff")
		}
		w.Write(sniff[r.PathValue("kind")])
	})
	mux.HandleFunc("/wh/{case}", func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("case") {
		case "twice":
			w.WriteHeader(http.StatusCreated)
			w.WriteHeader(http.StatusAccepted)
			io.WriteString(w, "x")
		case "implicit":
			io.WriteString(w, "x")
		case "103":
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.Header().Set("Content-Length", "2") // not in the 103
			w.WriteHeader(http.StatusEarlyHints)
			w.Header().Set("X-Final", "1")
			io.WriteString(w, "ok")
		case "204write", "304write":
			code := http.StatusNoContent
			if r.PathValue("case") == "304write" {
				code = http.StatusNotModified
			}
			w.WriteHeader(code)
			_, err := io.WriteString(w, "x")
			note("%v", err)
		case "over":
			w.Header().Set("Content-Length", "3")
			_, err := io.WriteString(w, "abcd")
			note("%v", err)
		case "under":
			w.Header().Set("Content-Length", "10")
			io.WriteString(w, "short")
		case "declarednothing":
			w.Header().Set("Content-Length", "10")
		case "underbig":
			w.Header().Set("Content-Length", "100000")
			w.Write(make([]byte, 50000))
		case "overbig":
			w.Header().Set("Content-Length", "50000")
			w.Write(make([]byte, 40000))
			_, err := w.Write(make([]byte, 20000))
			note("%v", err)
		case "badlength":
			w.Header().Set("Content-Length", "ten")
			io.WriteString(w, "body")
		case "close":
			w.Header().Set("Connection", "close")
			io.WriteString(w, "bye")
		case "teidentity":
			w.Header().Set("Transfer-Encoding", "identity")
			io.WriteString(w, "hello")
		case "techunked":
			w.Header().Set("Transfer-Encoding", "chunked")
			io.WriteString(w, "hello")
		}
	})
	mux.HandleFunc("/maxbytes", func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 10))
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		io.WriteString(w, "ok")
	})
	// The slow handler writes once TimeoutHandler has answered 503: its
	// Write must fail with http.ErrHandlerTimeout.
	type answeredKey struct{}
	slow := http.TimeoutHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Value(answeredKey{}).(chan struct{})
		_, err := io.WriteString(w, "late")
		note("%v", err)
	}), 20*time.Millisecond, "too slow")
	mux.HandleFunc("/timeout", func(w http.ResponseWriter, r *http.Request) {
		answered := make(chan struct{})
		defer close(answered)
		slow.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), answeredKey{}, answered)))
	})
	mux.HandleFunc("/fields/", func(w http.ResponseWriter, r *http.Request) {
		var keys []string
		for k := range r.Header {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		host, port, err := net.SplitHostPort(r.RemoteAddr)
		fmt.Fprintf(w, "Host=%q RemoteAddr=%s,%v,%v RequestURI=%q\n", r.Host, host, port != "", err, r.RequestURI)
		fmt.Fprintf(w, "URL=%q Path=%q RawPath=%q EscapedPath=%q RawQuery=%q\n",
			r.URL.String(), r.URL.Path, r.URL.RawPath, r.URL.EscapedPath(), r.URL.RawQuery)
		fmt.Fprintf(w, "Proto=%s %d.%d ContentLength=%d TransferEncoding=%v Close=%v TLS=%v\n",
			r.Proto, r.ProtoMajor, r.ProtoMinor, r.ContentLength, r.TransferEncoding, r.Close, r.TLS != nil)
		for _, k := range keys {
			fmt.Fprintf(w, "%s=%q\n", k, r.Header[k])
		}
		body, err := io.ReadAll(r.Body)
		fmt.Fprintf(w, "body=%q %v trailer=%v\n", body, err, r.Trailer)
	})
	mux.HandleFunc("/localaddr", func(w http.ResponseWriter, r *http.Request) {
		local, ok := r.Context().Value(http.LocalAddrContextKey).(*net.TCPAddr)
		fmt.Fprintf(w, "LocalAddrContextKey=%v", ok)
		if ok {
			fmt.Fprintf(w, " %s %s %v", local.Network(), local.IP, local.Port != 0)
		}
	})
	mux.HandleFunc("/server", func(w http.ResponseWriter, r *http.Request) {
		_, ok := r.Context().Value(http.ServerContextKey).(*http.Server)
		fmt.Fprintf(w, "ServerContextKey=%v", ok)
	})
	mux.HandleFunc("/form", func(w http.ResponseWriter, r *http.Request) {
		err := r.ParseForm()
		fmt.Fprintf(w, "%v Form=%v PostForm=%v", err, r.Form, r.PostForm)
	})
	mux.HandleFunc("/multipart", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			fmt.Fprintf(w, "error %v", err)
			return
		}
		fmt.Fprintf(w, "values=%v", r.MultipartForm.Value)
		for _, fh := range r.MultipartForm.File["file"] {
			f, _ := fh.Open()
			b, _ := io.ReadAll(f)
			f.Close()
			fmt.Fprintf(w, " file=%s %d %x", fh.Filename, fh.Size, sha256.Sum256(b))
		}
	})
	mux.HandleFunc("/trailer/{how}", func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("how") {
		case "declared":
			w.Header().Set("Trailer", "X-T, Content-Length")
		case "early":
			w.Header().Set(http.TrailerPrefix+"X-Early", "early")
		case "big":
			w.Header().Set("Trailer", "X-T")
			io.WriteString(w, strings.Repeat("z", 20000))
		}
		io.WriteString(w, "body")
		w.Header().Set("X-T", "t-value")
		w.Header().Set(http.TrailerPrefix+"X-P", "p-value")
	})
	mux.HandleFunc("/expect/{how}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("how") == "read" {
			io.Copy(w, r.Body)
			return
		}
		io.WriteString(w, "not read")
	})
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	mux.HandleFunc("/panic/flushed", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		panic("boom")
	})
	mux.HandleFunc("/abort", func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
	return mux
}

// compatServers starts the compatibility handler on net/http's server and
// through the bridge, and returns their addresses.
func compatServers(t *testing.T, cfg evhttp.Config) (ref, bridge string, notes chan string) {
	t.Helper()
	notes = make(chan string, 16)
	h := compatHandler(compatFiles(t), notes)
	ts := startBridge(t, cfg, h)
	rs := httptest.NewUnstartedServer(h)
	rs.Config.ErrorLog = log.New(io.Discard, "", 0) // the panics are expected
	rs.Start()
	t.Cleanup(rs.Close) // before the loop's descriptor check
	return rs.Listener.Addr().String(), ts.addr, notes
}

// compatCase is one exchange sent to both servers.
type compatCase struct {
	name   string
	raw    string // the request head, "Host: x" added after its first line
	body   string // sent after the head, or after 100 Continue if it has Expect
	method string // "" is GET
	note   bool   // the handler reports one line on notes
}

// dialRaw connects to addr with a 10 s deadline on every operation.
func dialRaw(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

// describe sends tc on a new connection to addr and describes what a
// client sees: interim replies, the status, the header fields (Date
// aside), the framing, the body and trailer, a read error, and whether the
// connection then serves another request.
func describe(t *testing.T, addr string, tc compatCase, notes <-chan string) string {
	t.Helper()
	c := dialRaw(t, addr)
	defer c.Close()
	method := tc.method
	if method == "" {
		method = "GET"
	}
	head := strings.Replace(tc.raw, "\r\n", "\r\nHost: x\r\n", 1)
	expect := strings.Contains(head, "Expect: 100-continue")
	if !expect {
		head += tc.body
	}
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var out strings.Builder
	var resp *http.Response
	var err error
	for {
		resp, err = http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			fmt.Fprintf(&out, "no response")
			return out.String()
		}
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
		fmt.Fprintf(&out, "%d %v | ", resp.StatusCode, headerList(resp.Header))
		if resp.StatusCode == http.StatusContinue && expect {
			io.WriteString(c, tc.body)
			expect = false
		}
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	h := resp.Header.Clone()
	if ct := h.Get("Content-Type"); strings.HasPrefix(ct, "multipart/") {
		_, params, _ := mime.ParseMediaType(ct)
		b := params["boundary"] // random: replaced by a fixed one
		h.Set("Content-Type", strings.ReplaceAll(ct, b, "B"))
		body = bytes.ReplaceAll(body, []byte(b), []byte("B"))
	}
	// resp.Close aside: the bridge announces a close net/http does
	// without warning (a body shorter than its Content-Length); whether
	// the connection is closed is checked below.
	fmt.Fprintf(&out, "%d %v chunked=%v length=%d", resp.StatusCode, headerList(h),
		slices.Contains(resp.TransferEncoding, "chunked"), resp.ContentLength)
	if len(body) > 512 {
		fmt.Fprintf(&out, " body=%d bytes %x", len(body), sha256.Sum256(body))
	} else {
		fmt.Fprintf(&out, " body=%q", body)
	}
	if err != nil {
		fmt.Fprintf(&out, " body error")
	}
	if len(resp.Trailer) > 0 {
		fmt.Fprintf(&out, " trailer=%v", headerList(resp.Trailer))
	}
	if tc.note {
		fmt.Fprintf(&out, " handler: %s", wait(t, notes, "the handler's note"))
	}
	// Whether the connection serves another request.
	io.WriteString(c, "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp, err := http.ReadResponse(br, nil); err == nil {
		b, _ := io.ReadAll(resp.Body)
		fmt.Fprintf(&out, " then %s", b)
	} else {
		fmt.Fprintf(&out, " then closed")
	}
	return out.String()
}

// headerList lists h's fields but Date, sorted.
func headerList(h http.Header) []string {
	var fs []string
	for k, vs := range h {
		if k != "Date" {
			fs = append(fs, k+"="+strings.Join(vs, ","))
		}
	}
	slices.Sort(fs)
	return fs
}

// multipartBody returns a multipart/form-data body with a field and a
// file, and its Content-Type.
func multipartBody(t *testing.T) (string, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.SetBoundary("the-boundary")
	mw.WriteField("name", "gopher")
	fw, err := mw.CreateFormFile("file", "up.bin")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(bytes.Repeat([]byte{0, 1, 2, 0xff}, 10000))
	mw.Close()
	return b.String(), mw.FormDataContentType()
}

// TestBridgeCompat sends the same requests to net/http's server and to the
// bridge serving the same handler, request bodies buffered and streamed,
// and compares what the client sees.
func TestBridgeCompat(t *testing.T) {
	mp, mpType := multipartBody(t)
	lm := "Tue, 02 Jan 2024 03:04:05 GMT"
	cases := []compatCase{
		// http.FileServer and http.ServeContent.
		{name: "file", raw: "GET /files/hello.txt HTTP/1.1\r\n\r\n"},
		{name: "file HEAD", raw: "HEAD /files/hello.txt HTTP/1.1\r\n\r\n", method: "HEAD"},
		{name: "file range", raw: "GET /files/hello.txt HTTP/1.1\r\nRange: bytes=0-9\r\n\r\n"},
		{name: "file multirange", raw: "GET /files/hello.txt HTTP/1.1\r\nRange: bytes=0-1,5-7\r\n\r\n"},
		{name: "file bad range", raw: "GET /files/hello.txt HTTP/1.1\r\nRange: bytes=100-200\r\n\r\n"},
		{name: "file if-modified-since", raw: "GET /files/hello.txt HTTP/1.1\r\nIf-Modified-Since: " + lm + "\r\n\r\n"},
		{name: "file dir listing", raw: "GET /files/dir/ HTTP/1.1\r\n\r\n"},
		{name: "file dir redirect", raw: "GET /files/dir HTTP/1.1\r\n\r\n"},
		{name: "file index redirect", raw: "GET /files/index.html HTTP/1.1\r\n\r\n"},
		{name: "file missing", raw: "GET /files/missing HTTP/1.1\r\n\r\n"},
		{name: "file big", raw: "GET /files/big.bin HTTP/1.1\r\n\r\n"},
		{name: "file big HEAD", raw: "HEAD /files/big.bin HTTP/1.1\r\n\r\n", method: "HEAD"},
		{name: "file big range", raw: "GET /files/big.bin HTTP/1.1\r\nRange: bytes=1000000-3999999\r\n\r\n"},
		{name: "content", raw: "GET /content HTTP/1.1\r\n\r\n"},
		{name: "content if-none-match", raw: "GET /content HTTP/1.1\r\nIf-None-Match: \"v1\"\r\n\r\n"},
		{name: "content if-range", raw: "GET /content HTTP/1.1\r\nRange: bytes=3-5\r\nIf-Range: \"v1\"\r\n\r\n"},
		{name: "content multirange", raw: "GET /content HTTP/1.1\r\nRange: bytes=0-0,-2\r\n\r\n"},
		// Content-Type sniffing.
		{name: "sniff html", raw: "GET /sniff/html HTTP/1.1\r\n\r\n"},
		{name: "sniff png", raw: "GET /sniff/png HTTP/1.1\r\n\r\n"},
		{name: "sniff text", raw: "GET /sniff/text HTTP/1.1\r\n\r\n"},
		{name: "sniff binary", raw: "GET /sniff/bin HTTP/1.1\r\n\r\n"},
		{name: "sniff big", raw: "GET /sniff/big HTTP/1.1\r\n\r\n"},
		{name: "sniff nosniff", raw: "GET /sniff/html?nosniff HTTP/1.1\r\n\r\n"},
		// WriteHeader and Write edge cases.
		{name: "WriteHeader twice", raw: "GET /wh/twice HTTP/1.1\r\n\r\n"},
		{name: "Write without WriteHeader", raw: "GET /wh/implicit HTTP/1.1\r\n\r\n"},
		{name: "103 Early Hints", raw: "GET /wh/103 HTTP/1.1\r\n\r\n"},
		{name: "204 with Write", raw: "GET /wh/204write HTTP/1.1\r\n\r\n", note: true},
		{name: "304 with Write", raw: "GET /wh/304write HTTP/1.1\r\n\r\n", note: true},
		{name: "Content-Length over-written", raw: "GET /wh/over HTTP/1.1\r\n\r\n", note: true},
		{name: "Content-Length under-written", raw: "GET /wh/under HTTP/1.1\r\n\r\n"},
		{name: "Content-Length nothing written", raw: "GET /wh/declarednothing HTTP/1.1\r\n\r\n"},
		{name: "Content-Length HEAD", raw: "HEAD /wh/declarednothing HTTP/1.1\r\n\r\n", method: "HEAD"},
		{name: "Content-Length under-written streamed", raw: "GET /wh/underbig HTTP/1.1\r\n\r\n"},
		{name: "Content-Length over-written streamed", raw: "GET /wh/overbig HTTP/1.1\r\n\r\n", note: true},
		{name: "Connection: close", raw: "GET /wh/close HTTP/1.1\r\n\r\n"},
		// MaxBytesReader, TimeoutHandler.
		{name: "MaxBytesReader within", raw: "POST /maxbytes HTTP/1.1\r\nContent-Length: 5\r\n\r\n", body: "12345", method: "POST"},
		{name: "TimeoutHandler", raw: "GET /timeout HTTP/1.1\r\n\r\n", note: true},
		// Request fields.
		{name: "fields", raw: "GET /fields/a%2Fb/%7Ec?x=1&y=%20 HTTP/1.1\r\nx-multi: 1\r\nX-Multi: 2\r\naccept: */*\r\nX-Empty:\r\n\r\n"},
		{name: "fields HTTP/1.0", raw: "GET /fields/ HTTP/1.0\r\n\r\n"},
		{name: "fields close", raw: "GET /fields/ HTTP/1.1\r\nConnection: close\r\n\r\n"},
		{name: "fields absolute", raw: "GET http://other:8080/fields/p?q HTTP/1.1\r\n\r\n"},
		{name: "fields chunked", raw: "POST /fields/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n",
			body: "3\r\nabc\r\n0\r\nX-Sum: 42\r\n\r\n", method: "POST"},
		{name: "form", raw: "POST /form?q=1&a=query HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\n\r\n",
			body: "a=body&b=2", method: "POST"},
		{name: "form malformed", raw: "POST /form?q=1 HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 11\r\n\r\n",
			body: "a=body&b=2%", method: "POST"},
		{name: "LocalAddrContextKey", raw: "GET /localaddr HTTP/1.1\r\n\r\n"},
		{name: "multipart", raw: fmt.Sprintf("POST /multipart HTTP/1.1\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", mpType, len(mp)),
			body: mp, method: "POST"},
		// Trailers.
		{name: "trailer declared", raw: "GET /trailer/declared HTTP/1.1\r\n\r\n"},
		{name: "trailer declared HEAD", raw: "HEAD /trailer/declared HTTP/1.1\r\n\r\n", method: "HEAD"},
		{name: "trailer declared HTTP/1.0", raw: "GET /trailer/declared HTTP/1.0\r\n\r\n"},
		{name: "trailer declared big", raw: "GET /trailer/big HTTP/1.1\r\n\r\n"},
		{name: "trailer prefix only", raw: "GET /trailer/prefix HTTP/1.1\r\n\r\n"},
		{name: "trailer prefix early", raw: "GET /trailer/early HTTP/1.1\r\n\r\n"},
		// Panics: http.ErrAbortHandler, a panic after the head went out.
		{name: "abort", raw: "GET /abort HTTP/1.1\r\n\r\n"},
		{name: "panic after Flush", raw: "GET /panic/flushed HTTP/1.1\r\n\r\n"},
		// Expect: 100-continue.
		{name: "expect read", raw: "POST /expect/read HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", body: "hello", method: "POST"},
	}
	for _, mode := range []struct {
		name string
		cfg  evhttp.Config
	}{
		{"buffered", evhttp.Config{}},
		{"streamed", evhttp.Config{StreamBodies: true}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			ref, bridge, notes := compatServers(t, mode.cfg)
			for _, tc := range cases {
				want := describe(t, ref, tc, notes)
				got := describe(t, bridge, tc, notes)
				if got != want {
					t.Errorf("%s:\n net/http: %s\n bridge:   %s", tc.name, want, got)
				}
			}
		})
	}
}

// TestBridgeCompatDiffers lists the exchanges where the bridge deliberately
// answers otherwise than net/http, with both answers.
func TestBridgeCompatDiffers(t *testing.T) {
	ref, bridge, notes := compatServers(t, evhttp.Config{})
	for _, tc := range []compatCase{
		{name: "panic", raw: "GET /panic HTTP/1.1\r\n\r\n"},
		{name: "MaxBytesReader beyond", raw: "POST /maxbytes HTTP/1.1\r\nContent-Length: 20\r\n\r\n", body: "12345678901234567890", method: "POST"},
		{name: "expect unread", raw: "POST /expect/ignore HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", body: "hello", method: "POST"},
		{name: "Content-Length invalid", raw: "GET /wh/badlength HTTP/1.1\r\n\r\n"},
		{name: "TE identity", raw: "GET /wh/teidentity HTTP/1.1\r\n\r\n"},
		{name: "TE chunked", raw: "GET /wh/techunked HTTP/1.1\r\n\r\n"},
		{name: "103 Early Hints HTTP/1.0", raw: "GET /wh/103 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"},
		{name: "ServerContextKey", raw: "GET /server HTTP/1.1\r\n\r\n"},
	} {
		want := describe(t, ref, tc, notes)
		got := describe(t, bridge, tc, notes)
		if got != want {
			t.Logf("%s:\n net/http: %s\n bridge:   %s", tc.name, want, got)
		}
	}
}

// TestBridgeEarlyHintsPipelined checks that a 103 sent by the handler of a
// pipelined request waits for the replies before it, and that a 103 after
// the final status is ignored.
func TestBridgeEarlyHintsPipelined(t *testing.T) {
	release := make(chan struct{})
	hinted := make(chan struct{})
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-release
			io.WriteString(w, "slow")
			return
		}
		w.Header().Set("Link", "</a.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		close(hinted)
		w.WriteHeader(http.StatusOK)
		w.WriteHeader(http.StatusEarlyHints) // too late: ignored
		io.WriteString(w, "hinted")
	}))
	c := ts.dial()
	io.WriteString(c, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /hints HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	wait(t, hinted, "the second handler")
	close(release)
	br := bufio.NewReader(c)
	var got []string
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			break
		}
		b, _ := io.ReadAll(resp.Body)
		got = append(got, fmt.Sprintf("%d %s %s", resp.StatusCode, resp.Header.Get("Link"), b))
	}
	want := []string{"200  slow", "103 </a.css>; rel=preload ", "200 </a.css>; rel=preload hinted"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q; want %q", got, want)
	}
}

// TestBridgeWriteAfterReturn uses a ResponseWriter from a goroutine after
// its handler returned, while the next request's handler runs: the late
// Write must fail, as it does with net/http (the ResponseWriter may not
// be used after ServeHTTP returned), and never reach another reply; a late
// Flush must not crash the program.
func TestBridgeWriteAfterReturn(t *testing.T) {
	for _, late := range []string{"write", "flush"} {
		t.Run(late, func(t *testing.T) {
			leaked := make(chan http.ResponseWriter, 1)
			running, release := make(chan struct{}), make(chan struct{})
			ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/leak" {
					leaked <- w
					io.WriteString(w, "a")
					return
				}
				running <- struct{}{}
				<-release
				io.WriteString(w, "b")
			}))
			c := ts.dial()
			br := bufio.NewReader(c)
			// Repeated so that the next request reuses what the first left
			// behind, whatever sync.Pool does under -race.
			for i := range 20 {
				io.WriteString(c, "GET /leak HTTP/1.1\r\nHost: x\r\n\r\n")
				if body := readBody(t, br); body != "a" {
					t.Fatalf("round %d: first reply %q; want %q", i, body, "a")
				}
				w := wait(t, leaked, "the first handler")
				io.WriteString(c, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
				wait(t, running, "the second handler")
				switch late {
				case "write":
					if n, err := io.WriteString(w, "LEAK"); err == nil {
						t.Errorf("round %d: late Write = %d, nil; want an error", i, n)
					}
				case "flush":
					w.(http.Flusher).Flush()
				}
				release <- struct{}{}
				if body := readBody(t, br); body != "b" {
					t.Fatalf("round %d: second reply %q; want %q", i, body, "b")
				}
			}
		})
	}
}

func readBody(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestBridgeOptionsAsterisk: net/http's server answers "OPTIONS *" itself
// (200, Content-Length: 0) instead of calling the handler, whose ServeMux
// would answer 400 and close.
func TestBridgeOptionsAsterisk(t *testing.T) {
	ref, bridge, notes := compatServers(t, evhttp.Config{})
	for _, tc := range []compatCase{
		{name: "OPTIONS *", raw: "OPTIONS * HTTP/1.1\r\n\r\n", method: "OPTIONS"},
		{name: "OPTIONS * with body", raw: "OPTIONS * HTTP/1.1\r\nContent-Length: 5\r\n\r\n", body: "hello", method: "OPTIONS"},
		{name: "OPTIONS /ping", raw: "OPTIONS /ping HTTP/1.1\r\n\r\n", method: "OPTIONS"},
	} {
		want := describe(t, ref, tc, notes)
		got := describe(t, bridge, tc, notes)
		if got != want {
			t.Errorf("%s:\n net/http: %s\n bridge:   %s", tc.name, want, got)
		}
	}
}

// TestBridgeReasonPhrase compares the status lines, reason phrase
// included, with net/http's for the codes handlers commonly send (416
// and 412 come from http.ServeContent, 103 from Early Hints).
func TestBridgeReasonPhrase(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		if code == http.StatusEarlyHints {
			w.WriteHeader(code)
			code = http.StatusOK
		}
		w.WriteHeader(code)
	})
	ts := startBridge(t, evhttp.Config{}, h)
	ref := startRef(t, h)
	for _, code := range []int{103, 200, 205, 206, 402, 406, 410, 412, 416, 418, 422, 425, 428, 451, 299, 599} {
		raw := "GET /?code=" + strconv.Itoa(code) + " HTTP/1.1\r\nHost: x\r\n\r\n"
		if got, want := statusLines(t, ts.addr, raw), statusLines(t, ref, raw); got != want {
			t.Errorf("code %d: got %q; want %q (net/http)", code, got, want)
		}
	}
}

// startRef serves h with net/http's server and returns its address.
func startRef(t *testing.T, h http.Handler) string {
	t.Helper()
	rs := httptest.NewServer(h)
	t.Cleanup(rs.Close) // before the loop's descriptor check
	return rs.Listener.Addr().String()
}

// statusLines sends raw on a new connection to addr and returns the
// status lines of the replies to it, interim ones included.
func statusLines(t *testing.T, addr, raw string) string {
	t.Helper()
	c := dialRaw(t, addr)
	defer c.Close()
	io.WriteString(c, raw)
	br := bufio.NewReader(c)
	var lines []string
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		lines = append(lines, resp.Proto+" "+resp.Status)
		if resp.StatusCode >= 200 {
			return strings.Join(lines, " | ")
		}
	}
}
