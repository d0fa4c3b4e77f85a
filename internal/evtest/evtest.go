// Package evtest holds the checks every test loop of eventide gets, for the
// tests of its packages and examples: at the end of a test the loop has no
// active watcher, closes cleanly and leaves no descriptor open, and (with
// Main as the package's TestMain) no goroutine outlives the tests.
//
// It is imported only by _test files.
package evtest

import (
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/eventide-go/eventide/ev"
)

// Main runs the package's tests and fails them if any goroutine outlives
// them. Use it as TestMain: func TestMain(m *testing.M) { evtest.Main(m) }.
func Main(m *testing.M) { goleak.VerifyTestMain(m) }

// Deadline bounds every wait of this package: a condition not met by then
// fails the test rather than hanging it.
const Deadline = 20 * time.Second

// NewLoop returns a loop that is checked when the test ends: it must have no
// active watcher (unless the test closed it), must close without error and,
// once closed, must leave the process with the descriptors it had before.
func NewLoop(t testing.TB, opts ...ev.Option) *ev.Loop {
	t.Helper()
	return NewLoops(t, 1, opts...)[0]
}

// NewLoops returns n loops checked as NewLoop checks one, except that the
// descriptors are compared once all of them are closed: a loop may open
// descriptors while the test runs (the stream package's io_uring, at the
// first pass that writes to two connections), and with several loops open
// a per-loop count would charge one loop's to another.
func NewLoops(t testing.TB, n int, opts ...ev.Option) []*ev.Loop {
	t.Helper()
	pollerOnce.Do(startRuntimePoller)
	before := OpenFDs(t)
	loops := make([]*ev.Loop, n)
	for i := range loops {
		l, err := ev.NewLoop(opts...)
		if err != nil {
			t.Fatalf("NewLoop: %v", err)
		}
		loops[i] = l
	}
	t.Cleanup(func() {
		for i, l := range loops {
			if st := l.Stats(); st.Active != 0 && !l.Closed() {
				var b strings.Builder
				l.Dump(&b)
				t.Errorf("loop %d of %d has %d active watchers at the end of the test:\n%s", i+1, n, st.Active, b.String())
			}
			if err := l.Close(); err != nil {
				t.Errorf("loop %d of %d: Close: %v", i+1, n, err)
			}
		}
		if after := OpenFDs(t); after != before {
			t.Errorf("open descriptors: %d before the loop(s), %d after closing them", before, after)
		}
	})
	return loops
}

// pollerOnce starts the runtime's network poller once per test binary.
var pollerOnce sync.Once

// startRuntimePoller makes the Go runtime open its network poller's
// descriptors (an epoll or kqueue instance and a wake-up descriptor) now.
// It does so on first use, which is otherwise the first loop that parks
// or the first socket a test opens, inside some test: that test would see
// the process hold two descriptors more after its loop closed than
// before, a leak that is not one.
func startRuntimePoller() {
	r, w, err := os.Pipe() // pipes are pollable: this registers r and w
	if err != nil {
		return
	}
	r.Close()
	w.Close()
}

// OpenFDs counts the process's open descriptors (0 where /proc is missing).
func OpenFDs(t testing.TB) int {
	t.Helper()
	if runtime.GOOS != "linux" {
		return 0
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// RunUntil runs l on the calling goroutine until done reports true, failing
// the test after Deadline. It never sleeps: each round waits in the loop for
// at most 50 ms.
func RunUntil(t testing.TB, l *ev.Loop, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(Deadline)
	guard := ev.NewTimer(l, 50*time.Millisecond, 0, func(*ev.Timer) {})
	defer guard.Stop()
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", Deadline)
		}
		guard.Stop()
		guard.Start()
		if err := l.Run(ev.RunOnce); err != nil {
			t.Fatalf("Run: %v", err)
		}
	}
}

// Serve runs l on a goroutine of its own until the test ends. At cleanup it
// runs stop on the loop (it must stop or close everything the test started:
// servers, listeners, timers), checks that no watcher is left active, and
// waits for Run to return, at most Deadline. Call it after NewLoop, so that
// its cleanup runs first.
func Serve(t testing.TB, l *ev.Loop, stop func()) {
	t.Helper()
	done := make(chan error, 1)
	started := make(chan struct{})
	go func() {
		l.Ref() // keep running, even with nothing to do, until cleanup
		close(started)
		done <- l.Run(ev.RunDefault)
	}()
	<-started
	t.Cleanup(func() {
		var active int
		var dump strings.Builder
		l.Post(func() {
			if stop != nil {
				stop()
			}
			l.Unref()
			if st := l.Stats(); st.Active != 0 {
				active = st.Active
				l.Dump(&dump)
			}
			l.Break(ev.BreakAll)
		})
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(Deadline):
			t.Fatalf("loop still running %v after the end of the test", Deadline)
		}
		if active != 0 {
			t.Errorf("%d active watchers after stopping the test's services:\n%s", active, dump.String())
		}
	})
}

// Do runs fn on l, which Serve runs, and waits for it to return.
func Do(l *ev.Loop, fn func()) {
	ch := make(chan struct{})
	l.Post(func() { fn(); close(ch) })
	<-ch
}
