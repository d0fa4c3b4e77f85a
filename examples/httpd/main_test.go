package main

import (
	"bufio"
	"github.com/eventide-go/eventide/internal/evtest"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
)

func TestMain(m *testing.M) { evtest.Main(m) }

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

func TestHelp(t *testing.T) {
	var out strings.Builder
	if c := run([]string{"-h"}, &out, io.Discard); c != 0 || !strings.Contains(out.String(), "usage: httpd") {
		t.Errorf("-h: got %d %q", c, out.String())
	}
	if c := run([]string{"-x"}, io.Discard, io.Discard); c != 2 {
		t.Errorf("bad flag: got exit %d; want 2", c)
	}
}
