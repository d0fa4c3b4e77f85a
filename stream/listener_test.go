package stream_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

func TestThousandConnections(t *testing.T) {
	l := newLoop(t)
	var servers []*stream.Conn
	ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{}, func(_ *stream.Listener, c *stream.Conn) {
		servers = append(servers, c)
		echo(c)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const n = 1000
	msg := pattern(1000)
	got := make([][]byte, n)
	done := 0
	var clients []*stream.Conn
	for i := range n {
		c, err := stream.Dial(l, "tcp", ln.Addr().String(), 0)
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
		c.SetCallbacks(func(c *stream.Conn) {
			in := c.Input()
			k := len(got[i])
			got[i] = append(got[i], make([]byte, in.Len())...)
			in.Read(got[i][k:])
			if len(got[i]) == len(msg) {
				done++
			}
		}, nil, nil)
		c.Enable(stream.Read)
		c.Write(msg)
	}
	closeAtEnd(t, clients...)
	t.Cleanup(func() {
		for _, c := range servers {
			if !c.Closed() {
				c.Close()
			}
		}
	})
	runUntil(t, l, func() bool { return done == n })
	for i := range got {
		if !bytes.Equal(got[i], msg) {
			t.Fatalf("connection %d got %d bytes, different from those sent", i, len(got[i]))
		}
	}
}

func TestListenerAddrAndClose(t *testing.T) {
	l := newLoop(t)
	ln, err := stream.Listen(l, "tcp4", "127.0.0.1:0", stream.ListenConfig{ReuseAddr: true, ReusePort: true}, func(*stream.Listener, *stream.Conn) {})
	if err != nil {
		t.Fatal(err)
	}
	a, ok := ln.Addr().(*net.TCPAddr)
	if !ok || a.Port == 0 || !a.IP.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Fatalf("Addr = %v; want 127.0.0.1 with a port", ln.Addr())
	}
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ln.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second Close: %v; want net.ErrClosed", err)
	}
	if err := ln.Enable(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Enable after Close: %v; want net.ErrClosed", err)
	}
	if _, err := stream.Listen(l, "tcp", "nonsense", stream.ListenConfig{}, func(*stream.Listener, *stream.Conn) {}); err == nil {
		t.Error("Listen on a bad address succeeded")
	}
}

// TestListenErrorNamesAddress binds an address already in use: the error
// names the address, as net.Listen's does, and is EADDRINUSE.
func TestListenErrorNamesAddress(t *testing.T) {
	l := newLoop(t)
	nl, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	addr := nl.Addr().String()
	_, err = stream.Listen(l, "tcp4", addr, stream.ListenConfig{}, func(*stream.Listener, *stream.Conn) {})
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Addr == nil || oe.Addr.String() != addr || !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("Listen on %s in use: %v; want a *net.OpError naming it, wrapping EADDRINUSE", addr, err)
	}
}

func TestNewListener(t *testing.T) {
	l := newLoop(t)
	nl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f, err := nl.(*net.TCPListener).File()
	nl.Close()
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Dup(int(f.Fd()))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var accepted *stream.Conn
	ln, err := stream.NewListener(l, fd, func(_ *stream.Listener, c *stream.Conn) { accepted = c })
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := stream.Dial(l, "tcp", ln.Addr().String(), 0)
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, c)
	runUntil(t, l, func() bool { return accepted != nil })
	closeAtEnd(t, accepted)
}

// TestAcceptErrorBacksOff: an accept error that is not about one
// connection (here EINVAL: the socket is not listening, which epoll
// reports as hung up at every iteration) pauses accepting as running out
// of descriptors does, 10 ms then doubling: it used to be reported at
// every loop iteration, thousands of OnError calls a second.
func TestAcceptErrorBacksOff(t *testing.T) {
	l := newLoop(t)
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	ln, err := stream.NewListener(l, fd, func(*stream.Listener, *stream.Conn) { t.Error("accepted on a socket that is not listening") })
	if err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	defer ln.Close()
	var errs []error
	ln.SetErrorFunc(func(_ *stream.Listener, err error) { errs = append(errs, err) })
	start := time.Now()
	for i := 0; i < 100 && len(errs) < 3; i++ {
		l.Run(ev.RunOnce)
	}
	elapsed := time.Since(start)
	if len(errs) != 3 || !errors.Is(errs[0], syscall.EINVAL) {
		t.Fatalf("%d errors in 100 loop iterations (first %v); want 3, EINVAL, one per backoff", len(errs), errs)
	}
	// Timers never fire early: the third error comes after 10 + 20 ms.
	if elapsed < 30*time.Millisecond {
		t.Errorf("3 accept errors in %v; want the backoff to space them by 10 ms, then 20 ms", elapsed)
	}
}

// TestUnixListenerCloseRemovesItsFileOnly listens on Unix sockets and
// closes them: the socket file of a path goes, and a Linux abstract
// socket ("@name"), which has no file, leaves alone the file of that name
// in the working directory.
func TestUnixListenerCloseRemovesItsFileOnly(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	tests := []struct {
		name      string
		address   string
		wantFile  bool // the file at address exists after Close
		linuxOnly bool
	}{
		{"path", filepath.Join(dir, "s"), false, false},
		{"abstract", fmt.Sprintf("@eventide-test-%d", os.Getpid()), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.linuxOnly && runtime.GOOS != "linux" {
				t.Skip("abstract Unix sockets are Linux's")
			}
			l := newLoop(t)
			if tt.wantFile {
				if err := os.WriteFile(tt.address, []byte("not ours"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			ln, err := stream.Listen(l, "unix", tt.address, stream.ListenConfig{}, func(*stream.Listener, *stream.Conn) {})
			if err != nil {
				t.Fatal(err)
			}
			if err := ln.Close(); err != nil {
				t.Fatal(err)
			}
			_, err = os.Stat(tt.address)
			if got := err == nil; got != tt.wantFile {
				t.Errorf("after Close, file %q exists: %v (%v); want %v", tt.address, got, err, tt.wantFile)
			}
		})
	}
}
