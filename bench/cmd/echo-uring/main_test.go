//go:build linux

package main_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEcho builds the server, starts it in both wait modes and checks that
// small messages and a large one (sent back in several sends) come back
// byte for byte, over several connections at once.
func TestEcho(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "echo-uring")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, wait := range []string{"ring", "epoll"} {
		t.Run(wait, func(t *testing.T) {
			addr := start(t, bin, wait)
			var conns []net.Conn
			for range 4 {
				c, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				c.SetDeadline(time.Now().Add(20 * time.Second))
				conns = append(conns, c)
			}
			for i, c := range conns {
				msg := []byte(strings.Repeat(string(rune('a'+i)), 64))
				if _, err := c.Write(msg); err != nil {
					t.Fatal(err)
				}
				got := make([]byte, len(msg))
				if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
					t.Fatalf("conn %d: got %q, %v; want %q", i, got, err, msg)
				}
			}
			big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
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
		})
	}
}

// start runs the server on a free port and returns its address; it is
// killed at cleanup. The test is skipped where io_uring is not allowed.
func start(t *testing.T, bin, wait string) string {
	t.Helper()
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-wait", wait)
	stderr, err := cmd.StderrPipe()
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
	line, err := bufio.NewReader(stderr).ReadString('\n')
	if strings.Contains(line, "io_uring unavailable") {
		t.Skipf("io_uring unavailable here: %s", line)
	}
	if err != nil {
		t.Fatalf("reading the server's first line: %v (%q)", err, line)
	}
	const prefix = "echo-uring: listening on "
	if !strings.HasPrefix(line, prefix) {
		t.Fatalf("first line %q", line)
	}
	return strings.Fields(strings.TrimPrefix(line, prefix))[0]
}
