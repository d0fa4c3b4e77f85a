package rawnet_test

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/bench/internal/rawnet"
)

func TestRoundTrip(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	echoed := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			echoed <- err
			return
		}
		defer c.Close()
		buf := make([]byte, 5)
		if _, err := c.Read(buf); err != nil {
			echoed <- err
			return
		}
		_, err = c.Write(buf)
		echoed <- err
	}()
	fd, err := rawnet.Dial(netip.MustParseAddrPort(ln.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := rawnet.SetNonblock(fd); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	if _, err := rawnet.Recv(fd, buf); err != unix.EAGAIN {
		t.Fatalf("Recv on an idle socket: %v; want EAGAIN", err)
	}
	if err := rawnet.SendAll(fd, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(ep)
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: 7}
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		t.Fatal(err)
	}
	events := make([]unix.EpollEvent, 4)
	deadline := time.Now().Add(5 * time.Second)
	n := 0
	for n == 0 && time.Now().Before(deadline) {
		if n, err = rawnet.Wait(ep, events); err != nil {
			t.Fatal(err)
		}
	}
	if n != 1 || events[0].Fd != 7 {
		t.Fatalf("Wait = %d events (%+v); want the socket's", n, events[:n])
	}
	got, err := rawnet.Recv(fd, buf)
	if err != nil || string(buf[:got]) != "hello" {
		t.Fatalf("Recv = %q, %v; want \"hello\"", buf[:got], err)
	}
	if err := <-echoed; err != nil {
		t.Fatal(err)
	}
	if rawnet.SelfCPU() <= 0 {
		t.Errorf("SelfCPU = %v; want > 0", rawnet.SelfCPU())
	}
}

func TestDialRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := netip.MustParseAddrPort(ln.Addr().String())
	ln.Close()
	if fd, err := rawnet.Dial(addr); err == nil {
		unix.Close(fd)
		t.Fatal("Dial to a closed port: no error")
	}
}

func TestReceive(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	buf := make([]byte, 16)
	if n, err := rawnet.Receive(fds[0], buf); n != 0 || err != nil {
		t.Errorf("Receive with nothing sent = %d, %v; want 0, nil", n, err)
	}
	if err := rawnet.SendAll(fds[1], []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if n, err := rawnet.Receive(fds[0], buf); err != nil || string(buf[:n]) != "hi" {
		t.Errorf("Receive = %q, %v; want \"hi\"", buf[:n], err)
	}
	unix.Close(fds[1])
	if _, err := rawnet.Receive(fds[0], buf); err != rawnet.ErrPeerClosed {
		t.Errorf("Receive after the peer closed: %v; want ErrPeerClosed", err)
	}
	if _, err := rawnet.Receive(-1, buf); err == nil {
		t.Error("Receive on a bad descriptor: no error")
	}
}
