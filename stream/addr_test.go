package stream_test

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/stream"
)

func TestSockopts(t *testing.T) {
	l := newLoop(t)
	a, _ := tcpPair(t, l)
	fd := a.Fd()
	get := func(level, opt int) int {
		t.Helper()
		v, err := unix.GetsockoptInt(fd, level, opt)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if err := a.SetNoDelay(false); err != nil || get(unix.IPPROTO_TCP, unix.TCP_NODELAY) != 0 {
		t.Errorf("SetNoDelay(false): %v; TCP_NODELAY %d", err, get(unix.IPPROTO_TCP, unix.TCP_NODELAY))
	}
	if err := a.SetNoDelay(true); err != nil || get(unix.IPPROTO_TCP, unix.TCP_NODELAY) == 0 {
		t.Errorf("SetNoDelay(true): %v; TCP_NODELAY off", err)
	}
	if err := a.SetKeepAlive(true, 30*time.Second); err != nil || get(unix.SOL_SOCKET, unix.SO_KEEPALIVE) == 0 {
		t.Errorf("SetKeepAlive: %v; SO_KEEPALIVE off", err)
	}
	if err := a.SetLinger(5); err != nil {
		t.Errorf("SetLinger: %v", err)
	} else if lg, err := unix.GetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER); err != nil || lg.Onoff == 0 || lg.Linger != 5 {
		t.Errorf("SO_LINGER %+v, %v; want on, 5 s", lg, err)
	}
	for _, tc := range []struct {
		name string
		set  func(int) error
		opt  int
	}{
		{"SetReadBuffer", a.SetReadBuffer, unix.SO_RCVBUF},
		{"SetWriteBuffer", a.SetWriteBuffer, unix.SO_SNDBUF},
	} {
		if err := tc.set(96 << 10); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		} else if v := get(unix.SOL_SOCKET, tc.opt); v < 96<<10 {
			t.Errorf("%s(96 KiB): the kernel reports %d", tc.name, v)
		}
		if err := tc.set(-1); err == nil {
			t.Errorf("%s(-1): no error", tc.name)
		}
	}
	if a.LocalAddr() == nil || a.RemoteAddr() == nil {
		t.Errorf("addresses %v, %v; want both", a.LocalAddr(), a.RemoteAddr())
	}
	if a.Fd() < 0 || a.Loop() != l {
		t.Errorf("Fd %d, Loop %p; want a descriptor and %p", a.Fd(), a.Loop(), l)
	}
}

// TestNoDelayDefault checks that accepted and dialed TCP connections have
// TCP_NODELAY unless Nagle is asked for.
func TestNoDelayDefault(t *testing.T) {
	for _, nagle := range []bool{false, true} {
		l := newLoop(t)
		var server *stream.Conn
		ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{Nagle: nagle}, func(_ *stream.Listener, c *stream.Conn) {
			server = c
		})
		if err != nil {
			t.Fatal(err)
		}
		client, err := stream.DialWith(l, "tcp", ln.Addr().String(), stream.DialConfig{Nagle: nagle})
		if err != nil {
			t.Fatal(err)
		}
		connected := false
		client.SetCallbacks(nil, nil, func(_ *stream.Conn, what stream.What, _ error) {
			connected = connected || what&stream.Connected != 0
		})
		runUntil(t, l, func() bool { return connected && server != nil })
		for name, c := range map[string]*stream.Conn{"accepted": server, "dialed": client} {
			v, err := unix.GetsockoptInt(c.Fd(), unix.IPPROTO_TCP, unix.TCP_NODELAY)
			if err != nil {
				t.Fatal(err)
			}
			if got := v != 0; got == nagle {
				t.Errorf("Nagle %v: %s connection has TCP_NODELAY %v; want %v", nagle, name, got, !nagle)
			}
		}
		client.Close()
		server.Close()
		ln.Close()
	}
}
