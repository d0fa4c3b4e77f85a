package ev_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/internal/evtest"
)

// TestMain fails the package if any goroutine outlives the tests.
func TestMain(m *testing.M) { evtest.Main(m) }

// backends are the mechanisms every loop test runs on.
var backends = []ev.Backend{ev.BackendDefault, ev.BackendPoll}

// forEachBackend runs f once per backend, as subtests named after it.
func forEachBackend(t *testing.T, f func(t *testing.T, opts ...ev.Option)) {
	for _, b := range backends {
		t.Run(b.String(), func(t *testing.T) { f(t, ev.WithBackend(b)) })
	}
}

// newLoop returns a loop checked when the test ends (evtest.NewLoop).
func newLoop(t testing.TB, opts ...ev.Option) *ev.Loop {
	t.Helper()
	return evtest.NewLoop(t, opts...)
}

// runUntil runs l until done reports true (evtest.RunUntil).
func runUntil(t testing.TB, l *ev.Loop, done func() bool) {
	t.Helper()
	evtest.RunUntil(t, l, done)
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
	a, b = rawSocketpair(t)
	t.Cleanup(func() { unix.Close(a); unix.Close(b) })
	return a, b
}

// rawSocketpair returns a non-blocking Unix stream pair that the test closes
// itself.
func rawSocketpair(t testing.TB) (a, b int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	nonblock(t, fds[:])
	return fds[0], fds[1]
}

// priorityOpts returns the options of a loop with libevent's strict
// priorities, or none (libev's).
func priorityOpts(strict bool) []ev.Option {
	if strict {
		return []ev.Option{ev.WithStrictPriorities()}
	}
	return nil
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
