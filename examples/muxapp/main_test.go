package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMuxApp runs the program in-process, hits every route with the
// net/http client, then stops it with SIGTERM.
func TestMuxApp(t *testing.T) {
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() { errc <- run("127.0.0.1:0", pw) }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	pr.Close() // run writes nothing more
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if !ok {
		t.Fatalf("first line %q; want listening on ADDR", line)
	}
	base := "http://" + addr
	tr := &http.Transport{}
	client := &http.Client{Transport: tr, Timeout: 20 * time.Second}

	upload := bytes.Repeat([]byte("0123456789"), 300000) // 3 MB
	for _, tc := range []struct {
		method, path string
		body         []byte
		code         int
		want         string
	}{
		{"GET", "/hello/gopher", nil, 200, "Hello, gopher!\n"},
		{"POST", "/upload", upload, 200, "3000000 bytes\n"},
		{"GET", "/stream", nil, 200, "line 1\nline 2\nline 3\n"},
		{"POST", "/hello/gopher", nil, 405, "Method Not Allowed\n"},
		{"GET", "/missing", nil, 404, "404 page not found\n"},
	} {
		req, _ := http.NewRequest(tc.method, base+tc.path, bytes.NewReader(tc.body))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != tc.code || string(b) != tc.want {
			t.Errorf("%s %s: got %d %q, %v; want %d %q", tc.method, tc.path, resp.StatusCode, b, err, tc.code, tc.want)
		}
		if tc.path == "/stream" && resp.TransferEncoding == nil {
			t.Errorf("/stream: not chunked: the lines were not flushed")
		}
	}
	tr.CloseIdleConnections()

	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return after SIGTERM")
	}
}
