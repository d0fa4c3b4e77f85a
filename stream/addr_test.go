package stream_test

import (
	"testing"
	"time"
)

func TestSockopts(t *testing.T) {
	l := newLoop(t)
	a, _ := tcpPair(t, l)
	if err := a.SetNoDelay(true); err != nil {
		t.Errorf("SetNoDelay: %v", err)
	}
	if err := a.SetKeepAlive(true, 30*time.Second); err != nil {
		t.Errorf("SetKeepAlive: %v", err)
	}
	if err := a.SetLinger(5); err != nil {
		t.Errorf("SetLinger: %v", err)
	}
	if a.LocalAddr() == nil || a.RemoteAddr() == nil {
		t.Errorf("addresses %v, %v; want both", a.LocalAddr(), a.RemoteAddr())
	}
	if a.Fd() < 0 || a.Loop() != l {
		t.Errorf("Fd %d, Loop %p; want a descriptor and %p", a.Fd(), a.Loop(), l)
	}
}
