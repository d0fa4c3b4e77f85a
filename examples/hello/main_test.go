package main

import (
	"errors"
	"io"
	"net/http"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/ev"
)

func TestHello(t *testing.T) {
	loop, err := ev.NewLoop()
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(loop)
	if err := srv.Bind("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	url := "http://" + srv.Addrs()[0].String() + "/"
	done := make(chan struct{})
	go func() { loop.Run(ev.RunDefault); close(done) }()
	defer func() {
		loop.Post(srv.Close)
		<-done
		loop.Close()
	}()
	for range 3 {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "Hello, World!" || resp.Close {
			t.Errorf("got %d %q close=%v; want 200 Hello, World!, keep-alive", resp.StatusCode, b, resp.Close)
		}
	}
}

// TestBridgeNotYet builds and runs the program with -bridge.
func TestBridgeNotYet(t *testing.T) {
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
	out, err := exec.Command(exe, "-bridge").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "not implemented yet") {
		t.Errorf("-bridge: got %v, %q; want exit 2 and a not-yet message", err, out)
	}
}
