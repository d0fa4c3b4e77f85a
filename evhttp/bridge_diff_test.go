package evhttp_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

// TestBridgeMatchesNetHTTP serves the same handlers with net/http's own
// server and through the bridge, sends both the same raw requests, and
// compares what a client sees: the status, the header fields (Date aside)
// with their framing, and the body.
func TestBridgeMatchesNetHTTP(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 1<<10) // 16 KiB: streamed by both
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/plain":
			io.WriteString(w, "hello")
		case "/html":
			io.WriteString(w, "<!DOCTYPE html><p>x")
		case "/created":
			w.Header().Set("X-A", "1")
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"ok":true}`)
		case "/declared":
			w.Header().Set("Content-Length", "5")
			io.WriteString(w, "hello")
		case "/big":
			io.WriteString(w, big)
		case "/flush":
			io.WriteString(w, "a")
			w.(http.Flusher).Flush()
			io.WriteString(w, "b")
		case "/nocontent":
			w.WriteHeader(http.StatusNoContent)
			io.WriteString(w, "ignored")
		case "/notmodified":
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("ETag", `"x"`)
			w.WriteHeader(http.StatusNotModified)
		case "/encoded":
			w.Header().Set("Content-Encoding", "gzip")
			io.WriteString(w, "not really gzip")
		case "/encodedtyped":
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, "not really gzip")
		case "/nilheaders":
			w.Header()["Content-Type"] = nil
			io.WriteString(w, "<html>")
		case "/multi":
			w.Header().Add("Set-Cookie", "a=1")
			w.Header().Add("Set-Cookie", "b=2")
			io.WriteString(w, "ok")
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s %d %q", r.Method, r.ContentLength, b)
		case "/error":
			http.Error(w, "nope", http.StatusTeapot)
		case "/empty":
		}
	})
	ts := startBridge(t, evhttp.Config{}, handler)
	ref := httptest.NewServer(handler)
	t.Cleanup(ref.Close) // before the loop's descriptor check

	requests := []string{
		"GET /plain", "HEAD /plain", "GET /html", "GET /created", "GET /declared", "HEAD /declared",
		"GET /big", "HEAD /big", "GET /flush", "GET /nocontent", "GET /notmodified", "GET /encoded",
		"GET /nilheaders", "GET /multi", "GET /error", "GET /empty", "HEAD /empty", "GET /encodedtyped",
	}
	bodies := map[string]string{
		"POST /echo (length)":  "Content-Length: 3\r\n\r\nabc",
		"POST /echo (chunked)": "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
	}
	type exchange struct{ name, raw, method string }
	var all []exchange
	for _, q := range requests {
		method, _, _ := strings.Cut(q, " ")
		all = append(all, exchange{q, q + " HTTP/1.1\r\nHost: x\r\n\r\n", method})
	}
	for _, q := range []string{"GET /plain", "GET /big", "GET /flush"} {
		all = append(all, exchange{q + " (HTTP/1.0)", q + " HTTP/1.0\r\n\r\n", "GET"})
	}
	for name, rest := range bodies {
		all = append(all, exchange{name, "POST /echo HTTP/1.1\r\nHost: x\r\n" + rest, "POST"})
	}
	for _, ex := range all {
		want := roundTrip(t, ref.Listener.Addr().String(), ex.raw, ex.method)
		got := roundTrip(t, ts.addr, ex.raw, ex.method)
		if got != want {
			t.Errorf("%s:\n net/http: %s\n bridge:   %s", ex.name, want, got)
		}
	}
}

// roundTrip sends raw on a new connection and describes the response.
func roundTrip(t *testing.T, addr, raw, method string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("%q: body: %v", raw, err)
	}
	var fields []string
	for k, vs := range resp.Header {
		if k == "Date" {
			continue
		}
		fields = append(fields, k+"="+strings.Join(vs, ","))
	}
	slices.Sort(fields)
	return fmt.Sprintf("%d %v chunked=%v length=%d body=%q", resp.StatusCode, fields,
		slices.Contains(resp.TransferEncoding, "chunked"), resp.ContentLength, body)
}
