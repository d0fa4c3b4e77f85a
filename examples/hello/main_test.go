package main

import (
	"bufio"
	"io"
	"net/http"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/ev"
)

func TestHello(t *testing.T) {
	for _, tc := range []struct {
		name   string
		bridge bool
	}{
		{"native", false},
		{"bridge", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loop, err := ev.NewLoop()
			if err != nil {
				t.Fatal(err)
			}
			srv := newServer(loop, tc.bridge)
			if err := srv.Bind("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			url := "http://" + srv.Addrs()[0].String() + "/"
			done := make(chan struct{})
			go func() { loop.Run(ev.RunDefault); close(done) }()
			tr := &http.Transport{}
			defer func() {
				tr.CloseIdleConnections()
				loop.Post(srv.Close)
				<-done
				loop.Close()
			}()
			client := &http.Client{Transport: tr}
			for range 3 {
				resp, err := client.Get(url)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || string(b) != "Hello, World!" || resp.Close {
					t.Errorf("got %d %q close=%v; want 200 Hello, World!, keep-alive", resp.StatusCode, b, resp.Close)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "text/plain" {
					t.Errorf("Content-Type: got %q; want text/plain", ct)
				}
			}
			resp, err := client.Head(url)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || len(b) != 0 || resp.ContentLength != int64(len("Hello, World!")) {
				t.Errorf("HEAD: got %d, %d body bytes, Content-Length %d; want 200, none, 13", resp.StatusCode, len(b), resp.ContentLength)
			}
		})
	}
}

// TestBridgeFlag builds the program and runs it with -bridge.
func TestBridgeFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	exe := t.TempDir() + "/hello"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	if out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	help, _ := exec.Command(exe, "-h").CombinedOutput()
	if !strings.Contains(string(help), "-bridge") || strings.Contains(string(help), "not yet available") {
		t.Errorf("-h: got %q; want -bridge documented as available", help)
	}
	cmd := exec.Command(exe, "-bridge", "-addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if err != nil || !ok {
		t.Fatalf("first line: got %q, %v; want listening on ADDR", line, err)
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "Hello, World!" {
		t.Errorf("got %d %q; want 200 Hello, World!", resp.StatusCode, b)
	}
}
