package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eventide-go/eventide/evhttp"
	"github.com/eventide-go/eventide/internal/evtest"
)

func TestMain(m *testing.M) { evtest.Main(m) }

// TestReload serves a file, changes it, and waits (without sleeping: each
// request is answered by the loop) until the new content is served.
func TestReload(t *testing.T) {
	name := filepath.Join(t.TempDir(), "page.html")
	os.WriteFile(name, []byte("one"), 0o644)
	loop := evtest.NewLoop(t)
	t.Cleanup(http.DefaultClient.CloseIdleConnections) // the client's sockets, before the descriptor count
	f := &file{name: name, log: io.Discard}
	if err := f.load(); err != nil {
		t.Fatal(err)
	}
	timer := f.watch(loop, 10*time.Millisecond)
	srv := evhttp.NewServer(loop, evhttp.Config{})
	srv.SetGeneric(f.serve)
	if err := srv.Bind("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	url := "http://" + srv.Addrs()[0].String() + "/"
	evtest.Serve(t, loop, func() { timer.Stop(); srv.Close() })

	get := func() string {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := get(); got != "one" {
		t.Fatalf("got %q; want one", got)
	}
	// A newer modification time, then an older one (a file replaced by an
	// older copy): both are a change.
	for _, step := range []struct {
		content string
		mtime   time.Time
	}{
		{"two", time.Now().Add(time.Hour)},
		{"three", time.Now().Add(-time.Hour)},
	} {
		os.WriteFile(name, []byte(step.content), 0o644)
		os.Chtimes(name, step.mtime, step.mtime)
		deadline := time.Now().Add(10 * time.Second)
		for get() != step.content {
			if time.Now().After(deadline) {
				t.Fatalf("%q not served within 10s", step.content)
			}
		}
	}
}

func TestMissingFile(t *testing.T) {
	var errOut strings.Builder
	code := run([]string{"-addr", "127.0.0.1:0", filepath.Join(t.TempDir(), "nope.html")}, io.Discard, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "cannot load") {
		t.Errorf("got exit %d, %q; want 1 and a message", code, errOut.String())
	}
}

// TestNotRegular gives load a named pipe: reading one blocks until a writer
// comes (the loop would stop serving) and a device such as /dev/zero never
// ends, so anything but a regular file is an error, at once.
func TestNotRegular(t *testing.T) {
	name := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(name, 0o644); err != nil {
		t.Fatal(err)
	}
	f := &file{name: name, log: io.Discard}
	done := make(chan error)
	go func() { done <- f.load() }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("load of a named pipe: got %v; want a 'not a regular file' error", err)
		}
	case <-time.After(evtest.Deadline):
		// Blocked opening the pipe: a writer that closes at once lets it
		// return, so that the test ends.
		w, err := os.OpenFile(name, os.O_WRONLY, 0)
		if err == nil {
			w.Close()
		}
		t.Errorf("load of a named pipe still blocked after %v; got %v once a writer came", evtest.Deadline, <-done)
	}
}
