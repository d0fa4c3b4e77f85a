package evhttp_test

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eventide-go/eventide/evhttp"
	"github.com/eventide-go/eventide/internal/evtest"
	"github.com/eventide-go/eventide/stream"
)

// wsKey is the Sec-WebSocket-Key of RFC 6455's example handshake.
const wsKey = "dGhlIHNhbXBsZSBub25jZQ=="

// wsUpgrade is a websocket opening handshake for path (RFC 6455 §4.1).
func wsUpgrade(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + wsKey + "\r\nSec-WebSocket-Version: 13\r\n\r\n"
}

// lineUpgrade asks to switch the connection to a line protocol of the
// tests' own.
func lineUpgrade(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: x\r\nUpgrade: line\r\nConnection: Upgrade\r\n\r\n"
}

// wsAccept is the Sec-WebSocket-Accept answer to key (RFC 6455 §4.2.2).
func wsAccept(key string) string {
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// Websocket opcodes (RFC 6455 §5.2).
const (
	wsText   = 0x1
	wsBinary = 0x2
	wsClose  = 0x8
)

// wsFrame encodes p, at most 64 KiB, as one final frame, masked as a
// client sends it if masked.
func wsFrame(op byte, p []byte, masked bool) []byte {
	b := []byte{0x80 | op}
	var mask byte
	if masked {
		mask = 0x80
	}
	if len(p) < 126 {
		b = append(b, mask|byte(len(p)))
	} else {
		b = binary.BigEndian.AppendUint16(append(b, mask|126), uint16(len(p)))
	}
	if !masked {
		return append(b, p...)
	}
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	b = append(b, key[:]...)
	for i, c := range p {
		b = append(b, c^key[i%4])
	}
	return b
}

// readWSFrame reads one frame of at most 64 KiB and unmasks it.
func readWSFrame(r io.Reader) (op byte, p []byte, err error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	n := int(h[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return 0, nil, err
		}
		n = int(binary.BigEndian.Uint16(l[:]))
	case 127:
		return 0, nil, errors.New("frame longer than the tests send")
	}
	var key [4]byte
	masked := h[1]&0x80 != 0
	if masked {
		if _, err := io.ReadFull(r, key[:]); err != nil {
			return 0, nil, err
		}
	}
	p = make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		return 0, nil, err
	}
	if masked {
		for i := range p {
			p[i] ^= key[i%4]
		}
	}
	return h[0] & 0x0f, p, nil
}

// wsEcho is a websocket echo handler written as websocket libraries are:
// it hijacks the connection, answers the handshake itself and echoes
// frames until a close frame, which it echoes before closing. It sends
// how many bytes its reader held at Hijack on buffered, then its end on
// done.
func wsEcho(buffered chan<- int, done chan<- error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			http.Error(w, "websocket only", http.StatusUpgradeRequired)
			return
		}
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			done <- err
			return
		}
		defer conn.Close()
		buffered <- brw.Reader.Buffered()
		fmt.Fprintf(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
			"Sec-WebSocket-Accept: %s\r\n\r\n", wsAccept(r.Header.Get("Sec-WebSocket-Key")))
		for {
			if err := brw.Flush(); err != nil {
				done <- err
				return
			}
			op, p, err := readWSFrame(brw)
			if err != nil {
				done <- err
				return
			}
			brw.Write(wsFrame(op, p, false))
			if op == wsClose {
				done <- brw.Flush()
				return
			}
		}
	})
}

// TestBridgeHijackWebSocket upgrades a connection to a websocket echo: the
// client sends its first frame in the same write as the handshake, so the
// server has read it with the request when the handler hijacks, and it
// must come first from the hijacker's reader. Closing the hijacked
// connection closes the client's.
func TestBridgeHijackWebSocket(t *testing.T) {
	buffered := make(chan int, 1)
	done := make(chan error, 1)
	ts := startBridge(t, evhttp.Config{}, wsEcho(buffered, done))
	c := ts.dial()
	first := wsFrame(wsText, []byte("hello"), true)
	if _, err := c.Write(append([]byte(wsUpgrade("/ws")), first...)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := resp.Header.Get("Sec-WebSocket-Accept"), wsAccept(wsKey); resp.StatusCode != 101 || got != want {
		t.Fatalf("handshake: got %d, Sec-WebSocket-Accept %q; want 101, %q", resp.StatusCode, got, want)
	}
	if n := wait(t, buffered, "the hijack"); n != len(first) {
		t.Errorf("the hijacker's reader held %d bytes at Hijack; want the first frame's %d", n, len(first))
	}
	frames := []struct {
		op byte
		p  string
	}{
		{wsText, "hello"}, // sent with the handshake
		{wsBinary, strings.Repeat("\x00\xff", 200)},
		{wsClose, "\x03\xe8"}, // 1000, normal closure
	}
	for i, f := range frames {
		if i > 0 {
			if _, err := c.Write(wsFrame(f.op, []byte(f.p), true)); err != nil {
				t.Fatal(err)
			}
		}
		op, p, err := readWSFrame(br)
		if err != nil || op != f.op || string(p) != f.p {
			t.Fatalf("frame %d: got op %d %q, %v; want op %d %q", i, op, p, err, f.op, f.p)
		}
	}
	expectEOF(t, br)
	if err := wait(t, done, "the handler"); err != nil {
		t.Errorf("handler: %v", err)
	}
}

// waitHijack waits until a handler's Hijack waits on the loop for the
// replies before its request.
func (ts *testServer) waitHijack(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting bool
		ts.do(func() { waiting = evhttp.HijackWaiting(ts.srv) })
		if waiting {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the hijack to wait for its turn")
		}
		runtimeGosched()
	}
}

// TestBridgeHijackPipelined hijacks the second of two pipelined requests
// while the first one's handler has not answered: Hijack waits until that
// reply is written, which reaches the client before anything the
// hijacker writes; the bytes pipelined behind the upgrade request are the
// hijacker's.
func TestBridgeHijackPipelined(t *testing.T) {
	release := make(chan struct{})
	hijacked := make(chan struct{})
	done := make(chan error, 1)
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-release
			io.WriteString(w, "slow reply")
			return
		}
		conn, brw, err := w.(http.Hijacker).Hijack()
		close(hijacked)
		if err != nil {
			done <- err
			return
		}
		defer conn.Close()
		io.WriteString(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: line\r\nConnection: Upgrade\r\n\r\n")
		line, err := brw.ReadString('\n')
		if err == nil {
			io.WriteString(brw, "pong "+line)
			err = brw.Flush()
		}
		done <- err
	}))
	c := ts.dial()
	io.WriteString(c, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"+lineUpgrade("/up")+"ping\n")
	ts.waitHijack(t)
	select {
	case <-hijacked:
		t.Fatal("Hijack returned before the reply to the request before it was written")
	default:
	}
	close(release)
	br := bufio.NewReader(c)
	if resp, body := readResponse(t, br, "GET"); resp.StatusCode != 200 || body != "slow reply" {
		t.Fatalf("first reply: got %d %q; want 200 slow reply", resp.StatusCode, body)
	}
	if resp, err := http.ReadResponse(br, &http.Request{Method: "GET"}); err != nil || resp.StatusCode != 101 {
		t.Fatalf("second reply: got %v, %v; want the hijacker's 101", resp, err)
	}
	if line, err := br.ReadString('\n'); line != "pong ping\n" || err != nil {
		t.Fatalf("got %q, %v; want pong ping", line, err)
	}
	expectEOF(t, br)
	if err := wait(t, done, "the handler"); err != nil {
		t.Errorf("handler: %v", err)
	}
}

// TestBridgeHijackRefusedBehindPipelined hijacks a request behind which
// the server has already read another (it parses pipelined requests
// ahead, except behind an Upgrade or a CONNECT): the bytes of that request
// cannot be given back, so Hijack fails, and both requests are answered.
func TestBridgeHijackRefusedBehindPipelined(t *testing.T) {
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hijack" {
			conn, _, err := w.(http.Hijacker).Hijack()
			if conn != nil {
				conn.Close()
			}
			fmt.Fprintf(w, "refused=%v", err != nil)
			return
		}
		io.WriteString(w, "next")
	}))
	c := ts.dial()
	io.WriteString(c, "GET /hijack HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	br := bufio.NewReader(c)
	for _, want := range []string{"refused=true", "next"} {
		if resp, body := readResponse(t, br, "GET"); resp.StatusCode != 200 || body != want {
			t.Errorf("got %d %q; want 200 %q", resp.StatusCode, body, want)
		}
	}
	expectEOF(t, br)
}

// TestBridgeHijackNotSocket hijacks a request that came on a stream pair,
// which has no descriptor to hand over: Hijack fails with an error
// wrapping http.ErrNotSupported, and the reply goes on.
func TestBridgeHijackNotSocket(t *testing.T) {
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted) // prepared for Hijack, then used for the reply
		_, _, err := w.(http.Hijacker).Hijack()
		fmt.Fprintf(w, "not supported=%v", errors.Is(err, http.ErrNotSupported))
	}))
	got := make(chan string, 1)
	ts.do(func() {
		server, client := stream.NewPair(ts.l)
		var out []byte
		client.SetCallbacks(func(c *stream.Conn) {
			in := c.Input()
			out = append(out, in.Pullup(-1)...)
			in.Drain(in.Len())
		}, nil, func(c *stream.Conn, what stream.What, err error) {
			got <- string(out) // the server closed: EOF
			c.Close()          // no callback after this one
		})
		client.Enable(stream.Read)
		ts.srv.Accept(nil, server)
		client.WriteString("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	})
	out := wait(t, got, "the reply")
	if !strings.HasPrefix(out, "HTTP/1.1 202 Accepted\r\n") || !strings.HasSuffix(out, "\r\n\r\nnot supported=true") {
		t.Errorf("got %q; want 202 with not supported=true", out)
	}
}

// TestBridgeHijackedWriter checks the ResponseWriter after Hijack, as
// net/http's: every write returns http.ErrHijacked, WriteHeader does
// nothing, a second Hijack fails, and the request's context lasts until
// the handler returns; after that, Hijack fails.
func TestBridgeHijackedWriter(t *testing.T) {
	type report struct {
		name string
		err  error
	}
	reports := make(chan []report, 1)
	ctxErr := make(chan error, 1)
	kept := make(chan http.ResponseWriter, 1)
	ctxs := make(chan context.Context, 1)
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			reports <- []report{{"Hijack", err}}
			return
		}
		var reps []report
		_, err = w.Write([]byte("x"))
		reps = append(reps, report{"Write", err})
		_, err = w.Write(nil)
		reps = append(reps, report{"Write(nil)", err})
		_, err = io.WriteString(w, "x")
		reps = append(reps, report{"WriteString", err})
		w.WriteHeader(http.StatusInternalServerError)
		w.WriteHeader(42) // net/http ignores it too, without panicking
		reps = append(reps, report{"Flush", http.NewResponseController(w).Flush()})
		_, _, err = w.(http.Hijacker).Hijack()
		reps = append(reps, report{"second Hijack", err})
		ctxErr <- r.Context().Err()
		io.WriteString(conn, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
		conn.Close()
		reports <- reps
		kept <- w
		ctxs <- r.Context()
	}))
	c := ts.dial()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	if resp, _ := readResponse(t, br, "GET"); resp.StatusCode != 204 {
		t.Errorf("got %d; want the hijacker's 204", resp.StatusCode)
	}
	expectEOF(t, br)
	for _, rep := range wait(t, reports, "the handler") {
		if !errors.Is(rep.err, http.ErrHijacked) {
			t.Errorf("%s after Hijack: got %v; want http.ErrHijacked", rep.name, rep.err)
		}
	}
	if err := wait(t, ctxErr, "the context"); err != nil {
		t.Errorf("the request's context after Hijack: %v; want it to last until the handler returns", err)
	}
	w := wait(t, kept, "the ResponseWriter")
	wait(t, wait(t, ctxs, "the context").Done(), "the context's end")
	if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
		conn.Close()
		t.Error("Hijack after the handler returned succeeded")
	}
}

// TestBridgeHijackMatchesNetHTTP serves the same hijacking handlers with
// net/http's server and through the bridge and compares the bytes the
// client gets (the Date aside, the reply head's fields in any order): a
// head the handler wrote goes out before the hijacker's bytes, with what
// was flushed of the body and without what was not; the hijacker's
// reader holds the bytes sent behind the request; a second Hijack and a
// Write fail.
func TestBridgeHijackMatchesNetHTTP(t *testing.T) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var note string
		switch r.URL.Path {
		case "/101":
			w.Header().Set("Upgrade", "line")
			w.Header().Set("Connection", "Upgrade")
			w.WriteHeader(http.StatusSwitchingProtocols)
			_, err := io.WriteString(w, "body")
			note = fmt.Sprint(err)
		case "/written":
			w.Header().Set("X-A", "1")
			io.WriteString(w, "dropped")
		case "/flushed":
			io.WriteString(w, "sent")
			w.(http.Flusher).Flush()
		}
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer conn.Close()
		switch r.URL.Path {
		case "/buffered":
			p, _ := brw.Reader.Peek(brw.Reader.Buffered())
			note = fmt.Sprintf("buffered %q", p)
		case "/again":
			_, werr := w.Write(nil)
			_, _, herr := w.(http.Hijacker).Hijack()
			note = fmt.Sprintf("%v|%v", werr, herr)
		}
		fmt.Fprintf(conn, "raw %s", note)
	})
	ts := startBridge(t, evhttp.Config{}, handler)
	ref := httptest.NewUnstartedServer(handler)
	ref.Config.ErrorLog = log.New(io.Discard, "", 0)
	ref.Start()
	t.Cleanup(ref.Close) // before the loop's descriptor check

	for _, req := range []string{
		lineUpgrade("/101"),
		"GET /written HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /flushed HTTP/1.1\r\nHost: x\r\n\r\n",
		lineUpgrade("/buffered") + "sent behind",
		"GET /again HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		want := hijackExchange(t, ref.Listener.Addr().String(), req)
		got := hijackExchange(t, ts.addr, req)
		if got != want {
			t.Errorf("%q:\n net/http: %s\n bridge:   %s", req, want, got)
		}
	}
}

// hijackExchange sends req on a new connection and returns what the
// server sends until it closes the connection, the Date field's value
// removed and the reply head's fields sorted.
func hijackExchange(t *testing.T, addr, req string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("%q: %v (got %q)", req, err, b)
	}
	head, rest, ok := strings.Cut(string(b), "\r\n\r\n")
	if !ok || !strings.HasPrefix(head, "HTTP/") {
		return string(b)
	}
	lines := strings.Split(head, "\r\n")
	fields := lines[1:]
	for i, f := range fields {
		if strings.HasPrefix(f, "Date: ") {
			fields[i] = "Date: (now)"
		}
	}
	slices.Sort(fields)
	return fmt.Sprintf("%s %q | %q", lines[0], fields, rest)
}

// TestBridgeSwitchingWithoutHijack checks a 101 the handler does not follow
// with Hijack: its head goes out, and the connection closes after it (the
// client took it for a switch; net/http would read another request).
func TestBridgeSwitchingWithoutHijack(t *testing.T) {
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Upgrade", "line")
		w.Header().Set("Connection", "Upgrade")
		w.WriteHeader(http.StatusSwitchingProtocols)
	}))
	c := ts.dial()
	io.WriteString(c, lineUpgrade("/"))
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
	if err != nil || resp.StatusCode != 101 || resp.Header.Get("Upgrade") != "line" {
		t.Fatalf("got %v, %v; want 101 with Upgrade: line", resp, err)
	}
	expectEOF(t, br)
}

// TestBridgeHijackDeadlines checks that the hijacked connection has Go's
// deadlines, and that the server's timeouts, far shorter than the wait,
// no longer apply to it.
func TestBridgeHijackDeadlines(t *testing.T) {
	const short = 20 * time.Millisecond
	cfg := evhttp.Config{ReadHeaderTimeout: short, ReadBodyTimeout: short, WriteTimeout: short, IdleTimeout: short}
	results := make(chan error, 3)
	ts := startBridge(t, cfg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			results <- err
			return
		}
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(5 * short))
		_, err = brw.ReadByte()
		results <- err
		conn.SetWriteDeadline(time.Now().Add(-time.Second))
		_, err = conn.Write([]byte("late"))
		results <- err
		conn.SetDeadline(time.Time{})
		results <- echoLine(brw, conn, "echo ")
	}))
	c := ts.dial()
	io.WriteString(c, lineUpgrade("/"))
	for _, what := range []string{"read", "write"} {
		if err := wait(t, results, "the "+what); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("%s past its deadline: got %v; want os.ErrDeadlineExceeded", what, err)
		}
	}
	exchangeLine(t, c, "still here\n", "echo still here\n")
	if err := wait(t, results, "the handler"); err != nil {
		t.Errorf("handler: %v", err)
	}
}

// TestBridgeHijackShutdown checks that a hijacked connection is no longer
// the server's: it is not counted, Shutdown does not wait for it, and
// neither Shutdown nor Close touches it.
func TestBridgeHijackShutdown(t *testing.T) {
	hijacked := make(chan struct{})
	done := make(chan error, 1)
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			done <- err
			return
		}
		defer conn.Close()
		close(hijacked)
		err = echoLine(brw, conn, "echo ")
		if cerr := r.Context().Err(); err == nil && cerr != nil {
			err = fmt.Errorf("the request's context ended before the handler returned: %w", cerr)
		}
		done <- err
	}))
	c := ts.dial()
	io.WriteString(c, lineUpgrade("/"))
	wait(t, hijacked, "the hijack")
	shutDown := make(chan struct{})
	conns := -1
	ts.do(func() {
		conns = ts.srv.NumConns()
		ts.srv.Shutdown(0, func() { close(shutDown) })
	})
	if conns != 0 {
		t.Errorf("NumConns after Hijack: %d; want 0", conns)
	}
	wait(t, shutDown, "Shutdown, which must not wait for a hijacked connection")
	ts.do(ts.srv.Close)
	exchangeLine(t, c, "after\n", "echo after\n")
	if err := wait(t, done, "the handler"); err != nil {
		t.Errorf("handler: %v", err)
	}
}

// TestBridgeHijackMaxConns checks that a hijacked connection no longer
// counts against Config.MaxConns.
func TestBridgeHijackMaxConns(t *testing.T) {
	hijacked := make(chan error, 1)
	release := make(chan struct{})
	done := make(chan struct{})
	ts := startBridge(t, evhttp.Config{MaxConns: 1}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/hijack" {
			io.WriteString(w, "ok")
			return
		}
		defer close(done)
		conn, _, err := w.(http.Hijacker).Hijack()
		hijacked <- err
		if err == nil {
			<-release
			conn.Close()
		}
	}))
	c := ts.dial()
	io.WriteString(c, lineUpgrade("/hijack"))
	if err := wait(t, hijacked, "the hijack"); err != nil {
		t.Fatal(err)
	}
	if resp, body := get(t, newClient(t, nil), "GET", "http://"+ts.addr+"/", nil); resp.StatusCode != 200 || body != "ok" {
		t.Errorf("a connection beside the hijacked one: got %d %q; want 200 ok", resp.StatusCode, body)
	}
	close(release)
	wait(t, done, "the handler")
}

// TestBridgeHijackStreamedBody hijacks a request whose body the server
// was still reading (HandleStream): the body bytes the server had read
// are still Request.Body's, which then fails with http.ErrHijacked, and
// the rest of the body is the hijacker's, as sent.
func TestBridgeHijackStreamedBody(t *testing.T) {
	type report struct {
		read, rest string
		err        error
	}
	reports := make(chan report, 1)
	done := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := make([]byte, 4)
		if _, err := io.ReadFull(r.Body, p); err != nil {
			done <- err
			return
		}
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			done <- err
			return
		}
		defer conn.Close()
		rest, err := io.ReadAll(r.Body)
		reports <- report{string(p), string(rest), err}
		done <- echoLine(brw, conn, "raw ")
	})
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) { s.HandleStream("/up", evhttp.Bridge(h)) })
	c := ts.dial()
	io.WriteString(c, "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabcdef")
	rep := wait(t, reports, "the handler")
	if rep.read != "abcd" || rep.rest != "ef" || !errors.Is(rep.err, http.ErrHijacked) {
		t.Errorf("body: read %q, then %q and %v; want abcd, then ef and http.ErrHijacked", rep.read, rep.rest, rep.err)
	}
	exchangeLine(t, c, "ghij, then more\n", "raw ghij, then more\n") // the rest of the body, raw
	if err := wait(t, done, "the handler"); err != nil {
		t.Errorf("handler: %v", err)
	}
}

// TestBridgeHijackLoopQuiet checks that the loop stops watching a
// hijacked socket: with bytes waiting in it that nobody reads, a loop
// still watching it (the descriptor closed while its duplicate keeps it
// in epoll's set) would wake at every iteration.
func TestBridgeHijackLoopQuiet(t *testing.T) {
	hijacked := make(chan error, 1)
	release := make(chan struct{})
	done := make(chan struct{})
	ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		conn, _, err := w.(http.Hijacker).Hijack()
		hijacked <- err
		if err == nil {
			<-release
			conn.Close()
		}
	}))
	c := ts.dial()
	io.WriteString(c, lineUpgrade("/"))
	if err := wait(t, hijacked, "the hijack"); err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "unread")
	var before, after uint64
	ts.do(func() { before = ts.l.Iteration() })
	<-time.After(100 * time.Millisecond)
	ts.do(func() { after = ts.l.Iteration() })
	if n := after - before; n > 50 {
		t.Errorf("the loop ran %d iterations in 100 ms with nothing to do; want a few", n)
	}
	close(release)
	wait(t, done, "the handler")
}

// TestBridgeHijackLoopClosed hijacks after the loop was closed (without
// closing the server first): Hijack fails with an error wrapping
// net.ErrClosed instead of waiting for a loop that will never run it.
func TestBridgeHijackLoopClosed(t *testing.T) {
	l := evtest.NewLoop(t)
	s := evhttp.NewServer(l, evhttp.Config{})
	started := make(chan struct{})
	proceed := make(chan struct{})
	returned := make(chan error, 1)
	s.SetGeneric(evhttp.Bridge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-proceed
		conn, _, err := w.(http.Hijacker).Hijack()
		if conn != nil {
			conn.Close()
		}
		returned <- err
	})))
	if err := s.Bind("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	addr := s.Addrs()[0].String()
	evtest.Serve(t, l, nil)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, lineUpgrade("/"))
	wait(t, started, "the handler")
	evtest.Do(l, func() { l.Close() })
	close(proceed)
	if err := wait(t, returned, "Hijack"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Hijack after the loop closed: got %v; want an error wrapping net.ErrClosed", err)
	}
}

// echoLine is a hijacker's whole protocol in several tests: it reads a
// line from brw and answers prefix+line on conn.
func echoLine(brw *bufio.ReadWriter, conn net.Conn, prefix string) error {
	line, err := brw.ReadString('\n')
	if err == nil {
		_, err = io.WriteString(conn, prefix+line)
	}
	return err
}

// exchangeLine is the client's side of echoLine: it sends a line on c,
// expects want back, then the end of the connection.
func exchangeLine(t *testing.T, c net.Conn, send, want string) {
	t.Helper()
	io.WriteString(c, send)
	br := bufio.NewReader(c)
	if line, err := br.ReadString('\n'); line != want || err != nil {
		t.Errorf("got %q, %v; want %q", line, err, want)
	}
	expectEOF(t, br)
}
