package stream_test

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
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

// ipv6Interfaces returns the loopback interface, if it has ::1, and an
// interface with a link-local IPv6 address and that address, if any.
func ipv6Interfaces(t *testing.T) (lo *net.Interface, ll *net.Interface, llAddr netip.Addr) {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Skipf("no interfaces: %v", err)
	}
	for i := range ifs {
		addrs, err := ifs[i].Addrs()
		if err != nil || ifs[i].Flags&net.FlagUp == 0 {
			continue
		}
		for _, a := range addrs {
			n, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip, ok := netip.AddrFromSlice(n.IP)
			switch {
			case !ok || !ip.Is6() || ip.Is4In6():
			case ip == netip.IPv6Loopback() && ifs[i].Flags&net.FlagLoopback != 0 && lo == nil:
				lo = &ifs[i]
			case ip.IsLinkLocalUnicast() && ll == nil:
				ll, llAddr = &ifs[i], ip
			}
		}
	}
	return lo, ll, llAddr
}

// TestDialZone dials IPv6 addresses with a zone: an interface name or
// index becomes the socket address's scope id (the kernel ignores it on
// ::1 and needs it on a link-local address); a name that is no interface
// is an Error event.
func TestDialZone(t *testing.T) {
	lo, ll, llAddr := ipv6Interfaces(t)
	if lo == nil {
		t.Skip("no loopback interface with ::1")
	}
	type dialCase struct {
		name, listen, dial string
		wantRemote         string // the dialed connection's RemoteAddr
	}
	cases := []dialCase{
		{"loopback name", "[::1]:0", "[::1%" + lo.Name + "]", "[::1]"},
		{"loopback index", "[::1]:0", fmt.Sprintf("[::1%%%d]", lo.Index), "[::1]"},
	}
	if ll != nil {
		zoned := llAddr.WithZone(ll.Name).String()
		cases = append(cases,
			dialCase{"link-local name", "[" + zoned + "]:0", "[" + zoned + "]", "[" + zoned + "]"},
			dialCase{"link-local index", "[" + zoned + "]:0", fmt.Sprintf("[%s%%%d]", llAddr, ll.Index), "[" + zoned + "]"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newLoop(t)
			var server *stream.Conn
			ln, err := stream.Listen(l, "tcp6", tc.listen, stream.ListenConfig{}, func(_ *stream.Listener, c *stream.Conn) {
				server = c
				echo(c)
			})
			if err != nil {
				t.Fatalf("Listen(%q): %v", tc.listen, err)
			}
			defer ln.Close()
			port := ln.Addr().(*net.TCPAddr).Port
			c, err := stream.Dial(l, "tcp6", fmt.Sprintf("%s:%d", tc.dial, port), 5*time.Second)
			if err != nil {
				t.Fatalf("Dial(%s): %v", tc.dial, err)
			}
			closeAtEnd(t, c)
			var got []byte
			var events []stream.What
			collect(c, &got, &events)
			c.WriteString("zoned")
			runUntil(t, l, func() bool { return string(got) == "zoned" || len(events) > 0 && events[0] != stream.Connected })
			closeAtEnd(t, server)
			if string(got) != "zoned" || len(events) != 1 || events[0] != stream.Connected {
				t.Fatalf("got %q, events %v; want %q, [connected]", got, events, "zoned")
			}
			if got, want := c.RemoteAddr().String(), fmt.Sprintf("%s:%d", tc.wantRemote, port); got != want {
				t.Errorf("RemoteAddr %s; want %s", got, want)
			}
		})
	}
	t.Run("unknown interface", func(t *testing.T) {
		l := newLoop(t)
		c, err := stream.Dial(l, "tcp6", "[fe80::1%no-such-if0]:80", 0)
		if err != nil {
			t.Fatalf("Dial: %v; want an Error event", err)
		}
		closeAtEnd(t, c)
		var ev dialEvents
		c.SetCallbacks(nil, nil, ev.record)
		runUntil(t, l, func() bool { return len(ev.what) > 0 })
		if len(ev.what) != 1 || ev.what[0] != stream.Writing|stream.Error {
			t.Fatalf("events %v; want [writing|error]", ev.what)
		}
		var op *net.OpError
		if !errors.As(ev.errs[0], &op) || !strings.Contains(op.Error(), `no network interface "no-such-if0"`) {
			t.Errorf("error %v; want a *net.OpError naming the unknown interface", ev.errs[0])
		}
		if !c.Closed() {
			t.Errorf("connection open after its Error event")
		}
		if ln, err := stream.Listen(l, "tcp6", "[fe80::1%no-such-if0]:0", stream.ListenConfig{}, func(*stream.Listener, *stream.Conn) {}); err == nil {
			ln.Close()
			t.Errorf("Listen with an unknown zone: no error")
		}
	})
}

// TestSockoptsOnClosedConn: the socket options of a closed connection
// return errors wrapping net.ErrClosed, as every operation on a closed
// Conn does, not "no descriptor".
func TestSockoptsOnClosedConn(t *testing.T) {
	l := newLoop(t)
	c, _ := connPair(t, l)
	c.Close()
	for _, tc := range []struct {
		name string
		set  func() error
	}{
		{"SetNoDelay", func() error { return c.SetNoDelay(true) }},
		{"SetKeepAlive", func() error { return c.SetKeepAlive(true, time.Second) }},
		{"SetLinger", func() error { return c.SetLinger(0) }},
		{"SetReadBuffer", func() error { return c.SetReadBuffer(4096) }},
		{"SetWriteBuffer", func() error { return c.SetWriteBuffer(4096) }},
	} {
		if err := tc.set(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("%s on a closed Conn: %v; want net.ErrClosed", tc.name, err)
		}
	}
}
