//go:build linux

package main_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEcho checks small messages on several connections and 1 MiB sent
// while it is read back, which the server holds for EPOLLOUT in parts.
func TestEcho(t *testing.T) {
	addr := start(t)
	var conns []net.Conn
	for range 8 {
		conns = append(conns, dial(t, addr))
	}
	for i, c := range conns {
		msg := bytes.Repeat([]byte{byte('a' + i)}, 64)
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("conn %d: got %q, %v; want %q", i, got, err, msg)
		}
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	errc := make(chan error, 1)
	go func() {
		_, err := conns[0].Write(big)
		errc <- err
	}()
	got := make([]byte, len(big))
	if _, err := io.ReadFull(conns[0], got); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("1 MiB: %v, equal %v", err, bytes.Equal(got, big))
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// TestHTTP checks the canned answers: one per request, whether requests
// arrive pipelined or split inside their "\r\n\r\n", and to net/http's
// client.
func TestHTTP(t *testing.T) {
	addr := start(t, "-http")
	c := dial(t, addr)
	req := "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	stream := strings.Repeat(req, 5)
	// Split at every offset of the first request, then the rest at once.
	for i := 1; i < len(req); i++ {
		if _, err := io.WriteString(c, stream[:i]); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(c, stream[i:]); err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(c)
		for j := range 5 {
			resp, err := http.ReadResponse(r, nil)
			if err != nil {
				t.Fatalf("split %d, response %d: %v", i, j, err)
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != 200 || string(body) != "Hello, World!" {
				t.Fatalf("split %d, response %d: %d %q %v", i, j, resp.StatusCode, body, err)
			}
		}
		if r.Buffered() != 0 {
			t.Fatalf("split %d: %d bytes more than 5 responses", i, r.Buffered())
		}
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(body) != "Hello, World!" {
		t.Fatalf("net/http client: %q, %v", body, err)
	}
	client.CloseIdleConnections()
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return c
}

// start builds and runs the server on a free port and returns its
// address; it is killed at cleanup.
func start(t *testing.T, args ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "floor")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	const prefix = "floor: listening on "
	if err != nil || !strings.HasPrefix(line, prefix) {
		t.Fatalf("first line %q, %v", line, err)
	}
	return strings.TrimSpace(strings.TrimPrefix(line, prefix))
}
