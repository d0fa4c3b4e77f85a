package ev_test

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
)

// TestMain fails the package if any goroutine outlives the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// backends are the mechanisms every loop test runs on.
var backends = []ev.Backend{ev.BackendDefault, ev.BackendPoll}

// forEachBackend runs f once per backend, as subtests named after it.
func forEachBackend(t *testing.T, f func(t *testing.T, opts ...ev.Option)) {
	for _, b := range backends {
		t.Run(b.String(), func(t *testing.T) { f(t, ev.WithBackend(b)) })
	}
}

// newLoop returns a loop that is checked when the test ends: it must have no
// active watcher and, once closed, must leave no descriptor open.
func newLoop(t testing.TB, opts ...ev.Option) *ev.Loop {
	t.Helper()
	before := openFDs(t)
	l, err := ev.NewLoop(opts...)
	if err != nil {
		t.Fatalf("NewLoop: %v", err)
	}
	t.Cleanup(func() {
		if st := l.Stats(); st.Active != 0 && !l.Closed() {
			var b strings.Builder
			l.Dump(&b)
			t.Errorf("loop has %d active watchers at the end of the test:\n%s", st.Active, b.String())
		}
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if after := openFDs(t); after != before {
			t.Errorf("open descriptors: %d before the loop, %d after closing it", before, after)
		}
	})
	return l
}

// openFDs counts the process's open descriptors.
func openFDs(t testing.TB) int {
	if runtime.GOOS != "linux" {
		return 0
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// runUntil runs l until done reports true, failing the test after 10 s. It
// never sleeps: each round waits in the loop, at most 50 ms.
func runUntil(t testing.TB, l *ev.Loop, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	guard := ev.NewTimer(l, 50*time.Millisecond, 0, func(*ev.Timer) {})
	defer guard.Stop()
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within 10s")
		}
		guard.Stop()
		guard.Start()
		if err := l.Run(ev.RunOnce); err != nil {
			t.Fatalf("Run: %v", err)
		}
	}
}

// pipe returns a non-blocking pipe, closed when the test ends.
func pipe(t testing.TB) (r, w int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(p[0]); unix.Close(p[1]) })
	nonblock(t, p[:])
	return p[0], p[1]
}

// socketpair returns a connected non-blocking Unix stream pair, closed when
// the test ends.
func socketpair(t testing.TB) (a, b int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	nonblock(t, fds[:])
	return fds[0], fds[1]
}

// nonblock makes descriptors non-blocking and close-on-exec (portably: the
// flags of pipe2 and SOCK_NONBLOCK are not on every system).
func nonblock(t testing.TB, fds []int) {
	t.Helper()
	for _, fd := range fds {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			t.Fatal(err)
		}
	}
}

func write(t testing.TB, fd int, s string) {
	t.Helper()
	if _, err := unix.Write(fd, []byte(s)); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func drain(fd int) string {
	var buf [4096]byte
	var s []byte
	for {
		n, err := unix.Read(fd, buf[:])
		if n <= 0 || err != nil {
			return string(s)
		}
		s = append(s, buf[:n]...)
	}
}

func shutdownWrite(fd int) error { return unix.Shutdown(fd, unix.SHUT_WR) }
