package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/internal/evtest"
)

func TestMain(m *testing.M) { evtest.Main(m) }

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

// TestFlags builds the program and runs it with -bridge, with -loops 2,
// and with -loops 0 (refused).
func TestFlags(t *testing.T) {
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
	if !strings.Contains(string(help), "-bridge") || !strings.Contains(string(help), "-loops") {
		t.Errorf("-h: got %q; want -bridge and -loops documented", help)
	}
	out, err := exec.Command(exe, "-loops", "0", "-addr", "127.0.0.1:0").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "-loops 0") {
		t.Errorf("-loops 0: got %q, %v; want an error naming the flag", out, err)
	}
	for _, args := range [][]string{{"-bridge"}, {"-loops", "2"}} {
		cmd := exec.Command(exe, append(args, "-addr", "127.0.0.1:0")...)
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
			t.Fatalf("%v: first line: got %q, %v; want listening on ADDR", args, line, err)
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
			t.Errorf("%v: got %d %q; want 200 Hello, World!", args, resp.StatusCode, b)
		}
	}
}

// TestHelloLoops serves one address from two loops running at once
// (-loops 2), natively and through the bridge: 64 keep-alive clients make
// three requests each, and both loops must hold some of the connections
// (all 64 on one loop has a chance of 2^-63 with the kernel's SO_REUSEPORT
// hash).
func TestHelloLoops(t *testing.T) {
	for _, bridge := range []bool{false, true} {
		t.Run(map[bool]string{false: "native", true: "bridge"}[bridge], func(t *testing.T) {
			loops := evtest.NewLoops(t, 2)
			srvs, err := bindAll(loops, "127.0.0.1:0", bridge)
			if err != nil {
				t.Fatal(err)
			}
			addr := srvs[0].Addrs()[0].String()
			if a := srvs[1].Addrs()[0].String(); a != addr {
				t.Fatalf("servers on %s and %s; want one address", addr, a)
			}
			for i, l := range loops {
				evtest.Serve(t, l, srvs[i].Close)
			}
			const clients = 64
			conns := make([]net.Conn, clients)
			for i := range conns {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				conns[i] = c
			}
			errs := make(chan error, clients)
			for _, c := range conns {
				go func() {
					br := bufio.NewReader(c)
					for range 3 {
						if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
							errs <- err
							return
						}
						resp, err := http.ReadResponse(br, nil)
						if err != nil {
							errs <- err
							return
						}
						b, err := io.ReadAll(resp.Body)
						if err == nil && (resp.StatusCode != 200 || string(b) != "Hello, World!" || resp.Close) {
							err = fmt.Errorf("got %d %q close=%v; want 200 Hello, World!, keep-alive", resp.StatusCode, b, resp.Close)
						}
						if err != nil {
							errs <- err
							return
						}
					}
					errs <- nil
				}()
			}
			for range clients {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			total := 0
			for i, l := range loops {
				var n int
				evtest.Do(l, func() { n = srvs[i].NumConns() })
				if n == 0 {
					t.Errorf("loop %d serves none of %d connections", i, clients)
				}
				total += n
			}
			if total != clients {
				t.Errorf("the servers hold %d connections; want %d", total, clients)
			}
		})
	}
}
