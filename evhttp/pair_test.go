package evhttp_test

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
	"github.com/eventide-go/eventide/stream"
)

// loopServer is a Server on a loop run by the test's own goroutine, fed
// through Unix socketpairs: the client side is a raw non-blocking
// descriptor.
type loopServer struct {
	l   *ev.Loop
	srv *evhttp.Server
}

func newLoopServer(tb testing.TB, cfg evhttp.Config, setup func(s *evhttp.Server)) *loopServer {
	tb.Helper()
	before := openFDs(tb)
	l, err := ev.NewLoop()
	if err != nil {
		tb.Fatalf("NewLoop: %v", err)
	}
	s := evhttp.NewServer(l, cfg)
	if setup != nil {
		setup(s)
	}
	tb.Cleanup(func() {
		s.Close()
		if st := l.Stats(); st.Active != 0 {
			tb.Errorf("%d active watchers after Server.Close", st.Active)
		}
		l.Close()
		if after := openFDs(tb); after != before {
			tb.Errorf("open descriptors: %d before, %d after", before, after)
		}
	})
	return &loopServer{l: l, srv: s}
}

// connect returns the client descriptor of a new server connection.
func (ls *loopServer) connect(tb testing.TB) int {
	tb.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		tb.Fatalf("socketpair: %v", err)
	}
	sc, err := stream.NewConn(ls.l, fds[0])
	if err != nil {
		tb.Fatalf("NewConn: %v", err)
	}
	ls.srv.Accept(nil, sc)
	if err := unix.SetNonblock(fds[1], true); err != nil {
		tb.Fatalf("SetNonblock: %v", err)
	}
	return fds[1]
}

// runUntil runs the loop until done reports true, failing after 10 s.
func (ls *loopServer) runUntil(tb testing.TB, done func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			tb.Fatalf("condition not met within 10s")
		}
		if err := ls.l.Run(ev.RunNoWait); err != nil {
			tb.Fatalf("Run: %v", err)
		}
	}
}
