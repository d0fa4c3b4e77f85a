package ev_test

import (
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
)

// TestChildExitedBeforeStart starts a watcher for a child that has already
// exited (waitid with WNOWAIT, Linux's, waits for its exit without reaping
// it): it is reported at the next iteration.
func TestChildExitedBeforeStart(t *testing.T) {
	for _, m := range childModes {
		t.Run(m.name, func(t *testing.T) {
			l := newLoop(t)
			pid := spawn(t, "exit 6")
			var info unix.Siginfo // wait for the exit, leaving the zombie
			if err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil); err != nil {
				t.Fatal(err)
			}
			var got []syscall.WaitStatus
			w := newChild(l, pid, false, m.setup, func(w *ev.Child) { got = append(got, w.Status()) })
			if err := w.Start(); err != nil {
				t.Fatal(err)
			}
			runUntil(t, l, func() bool { return !w.Active() })
			if len(got) != 1 {
				t.Fatalf("%d reports; want 1", len(got))
			}
			if err := exitedWith(6)(got[0]); err != nil {
				t.Error(err)
			}
		})
	}
}
