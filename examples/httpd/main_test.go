package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/internal/evtest"
)

// TestMain runs the tests, or the program itself when -d started this
// binary as the daemon.
func TestMain(m *testing.M) {
	if os.Getenv(readyEnv) != "" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	evtest.Main(m)
}

// TestHTTPD runs the program in-process on a free port, checks the seed's
// reply format for a GET and a form POST, then stops it with SIGTERM.
func TestHTTPD(t *testing.T) {
	pr, pw := io.Pipe()
	code := make(chan int)
	go func() {
		code <- run([]string{"-l", "127.0.0.1", "-p", "0", "-t", "5"}, pw, io.Discard)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		t.Fatal("no listening line")
	}
	addr := strings.TrimPrefix(lines.Text(), "listening on ")
	go func() {
		for lines.Scan() { // drain the rest
		}
	}()

	tests := []struct {
		name string
		do   func() (*http.Response, error)
		want string
	}{
		{"GET", func() (*http.Response, error) {
			return http.Get("http://" + addr + "/path%20x?q=test&s=some+thing")
		}, "It works!\nuri=/path%20x?q=test&s=some+thing\nuri=/path%20x?q=test&s=some+thing\n" +
			"decoded_uri=/path x?q=test&s=some thing\nq=test\ns=some thing\npost_data=\n\n"},
		{"POST", func() (*http.Response, error) {
			return http.Post("http://"+addr+"/p?q=1", "application/x-www-form-urlencoded", strings.NewReader("s=two"))
		}, "It works!\nuri=/p?q=1\nuri=/p?q=1\ndecoded_uri=/p?q=1\nq=1\ns=two\npost_data=s=two\n\n"},
		// The doc comment's example: curl -d sends a body that is not a
		// valid form under the form Content-Type; the query still counts.
		{"POST not a form", func() (*http.Response, error) {
			return http.Post("http://"+addr+"/x?q=test&s=some+thing", "application/x-www-form-urlencoded", strings.NewReader("post body"))
		}, "It works!\nuri=/x?q=test&s=some+thing\nuri=/x?q=test&s=some+thing\ndecoded_uri=/x?q=test&s=some thing\n" +
			"q=test\ns=some thing\npost_data=post body\n\n"},
	}
	for _, tt := range tests {
		resp, err := tt.do()
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != tt.want {
			t.Errorf("%s: got %q; want %q", tt.name, body, tt.want)
		}
		if resp.Header.Get("Server") != signature || !resp.Close || resp.Header.Get("Content-Type") != "text/plain; charset=UTF-8" {
			t.Errorf("%s: headers %v", tt.name, resp.Header)
		}
	}

	syscall.Kill(syscall.Getpid(), syscall.SIGTERM)
	if c := <-code; c != 0 {
		t.Errorf("exit code: got %d; want 0", c)
	}
}

// TestUsage checks the exit status and where the usage goes: -h asks for
// it (standard output, status 0), -help too (standard error, as package flag
// does, status 0), a bad flag or value gets it on standard error with
// status 2.
func TestUsage(t *testing.T) {
	const usage = "usage: httpd [-l address]"
	tests := []struct {
		args             []string
		code             int
		wantOut, wantErr string
	}{
		{[]string{"-h"}, 0, usage, ""},
		{[]string{"-help"}, 0, "", usage},
		{[]string{"-x"}, 2, "", usage},
		{[]string{"-p", "abc"}, 2, "", usage},
	}
	for _, tt := range tests {
		var out, errOut strings.Builder
		code := run(tt.args, &out, &errOut)
		if code != tt.code || !strings.Contains(out.String(), tt.wantOut) || !strings.Contains(errOut.String(), tt.wantErr) {
			t.Errorf("%q: got exit %d, stdout %q, stderr %q; want %d, %q and %q",
				tt.args, code, out.String(), errOut.String(), tt.code, tt.wantOut, tt.wantErr)
		}
	}
}

// TestDaemon runs -d as a user would: the parent returns at once with the
// daemon's pid and address, or with the daemon's error and a non-zero
// status when it could not listen. The daemon is this test binary, which
// TestMain turns into the program when it sees readyEnv.
func TestDaemon(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	_, busyPort, _ := net.SplitHostPort(busy.Addr().String())
	// Under -race the daemon would wait a second before it exits.
	t.Setenv("GORACE", "atexit_sleep_ms=0")

	tests := []struct {
		name    string
		args    []string
		code    int
		wantErr string // in the parent's standard error
	}{
		{"-d", []string{"-d", "-l", "127.0.0.1", "-p", "0"}, 0, ""},
		{"-d=1", []string{"-l", "127.0.0.1", "-d=1", "-p", "0", "-t", "5"}, 0, ""},
		{"port in use", []string{"-d", "-l", "127.0.0.1", "-p", busyPort}, 1, "address already in use"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut strings.Builder
			code := run(tt.args, &out, &errOut)
			if code != tt.code || !strings.Contains(errOut.String(), tt.wantErr) {
				t.Fatalf("got exit %d, stderr %q; want %d and %q", code, errOut.String(), tt.code, tt.wantErr)
			}
			if tt.code != 0 {
				return
			}
			// "httpd: running as pid N, listening on ADDR"
			var pid int
			var addr string
			if _, err := fmt.Sscanf(out.String(), "httpd: running as pid %d, listening on %s", &pid, &addr); err != nil {
				t.Fatalf("got %q; want the pid and the address (%v)", out.String(), err)
			}
			exited := make(chan syscall.WaitStatus)
			go func() {
				var ws syscall.WaitStatus
				syscall.Wait4(pid, &ws, 0, nil) // Released, but still our child: reap it
				exited <- ws
			}()
			stopped := false
			defer func() {
				if !stopped {
					syscall.Kill(pid, syscall.SIGKILL)
					<-exited
				}
			}()
			if sid, _ := unix.Getsid(pid); sid != pid {
				t.Errorf("daemon's session: got %d; want its own, %d", sid, pid)
			}
			resp, err := http.Get("http://" + addr + "/d?q=1")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(body), "q=1\n") {
				t.Errorf("daemon's reply: got %q; want q=1", body)
			}
			syscall.Kill(pid, syscall.SIGTERM)
			select {
			case ws := <-exited:
				stopped = true
				if !ws.Exited() || ws.ExitStatus() != 0 {
					t.Errorf("daemon after SIGTERM: got status %v; want exit 0", ws)
				}
			case <-time.After(evtest.Deadline):
				t.Fatal("daemon still running after SIGTERM")
			}
		})
	}
}
