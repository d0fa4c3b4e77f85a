package evtest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/internal/evtest"
)

func TestMain(m *testing.M) { evtest.Main(m) }

// recorder is a testing.TB whose failures and cleanups are kept, so the
// checks themselves can be checked.
type recorder struct {
	testing.TB
	errs     []string
	cleanups []func()
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recorder) Helper()          {}

func (r *recorder) end() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func TestNewLoopCatchesLeftovers(t *testing.T) {
	r := &recorder{TB: t}
	l := evtest.NewLoop(r)
	ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) {}).Start() // left active
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil { // left open
		t.Fatal(err)
	}
	r.end()
	unix.Close(p[0])
	unix.Close(p[1])
	all := strings.Join(r.errs, "\n")
	if !strings.Contains(all, "1 active watchers") || !strings.Contains(all, "open descriptors") {
		t.Errorf("errors reported: %q; want the active timer and the leaked descriptors", r.errs)
	}
}

func TestNewLoopClean(t *testing.T) {
	r := &recorder{TB: t}
	l := evtest.NewLoop(r)
	tm := ev.NewTimer(l, time.Millisecond, 0, func(*ev.Timer) {})
	tm.Start()
	evtest.RunUntil(r, l, func() bool { return !tm.Active() })
	r.end()
	if len(r.errs) != 0 {
		t.Errorf("errors reported for a clean loop: %q", r.errs)
	}
}

func TestServe(t *testing.T) {
	l := evtest.NewLoop(t)
	stopped := false
	keep := ev.NewTimer(l, time.Hour, 0, func(*ev.Timer) {})
	keep.Start()
	t.Cleanup(func() { // runs after Serve's cleanup
		if !stopped {
			t.Error("Serve's stop function did not run")
		}
	})
	evtest.Serve(t, l, func() { keep.Stop(); stopped = true })
	ran := false
	evtest.Do(l, func() { ran = true })
	if !ran {
		t.Fatal("Do returned before its function ran")
	}
}
