package ev_test

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"testing"

	"github.com/eventide-go/eventide/ev"
)

// spawn runs /bin/sh -c script as a child the test must reap (through a Child
// watcher), and returns its pid.
func spawn(t *testing.T, script string) int {
	t.Helper()
	pid, err := syscall.ForkExec("/bin/sh", []string{"sh", "-c", script}, &syscall.ProcAttr{})
	if err != nil {
		t.Fatalf("ForkExec: %v", err)
	}
	return pid
}

// spawnStdin is spawn with the child's standard input on stdin (a
// rawPipe's read end); its output goes to the test's.
func spawnStdin(t *testing.T, script string, stdin int) int {
	t.Helper()
	pid, err := syscall.ForkExec("/bin/sh", []string{"sh", "-c", script},
		&syscall.ProcAttr{Files: []uintptr{uintptr(stdin), 1, 2}})
	if err != nil {
		t.Fatalf("ForkExec: %v", err)
	}
	return pid
}

// rawPipe returns a blocking pipe for children's standard input; the test
// closes both ends itself.
func rawPipe(t *testing.T) (r, w int) {
	t.Helper()
	var p [2]int
	syscall.ForkLock.RLock() // no fork may inherit the ends before they are close-on-exec
	defer syscall.ForkLock.RUnlock()
	if err := syscall.Pipe(p[:]); err != nil {
		t.Fatal(err)
	}
	syscall.CloseOnExec(p[0])
	syscall.CloseOnExec(p[1])
	return p[0], p[1]
}

// childModes are the two ways a Child watcher waits: a pidfd where the
// system has one, and SIGCHLD.
var childModes = []struct {
	name  string
	setup func(*ev.Child)
}{
	{"default", func(*ev.Child) {}},
	{"sigchld", ev.ChildUseSIGCHLD},
}

func newChild(l *ev.Loop, pid int, trace bool, setup func(*ev.Child), fn ev.ChildFunc) *ev.Child {
	w := new(ev.Child)
	setup(w)
	w.Init(l, pid, trace, fn)
	return w
}

func TestChildStatus(t *testing.T) {
	tests := []struct {
		name   string
		script string
		check  func(ws syscall.WaitStatus) error
	}{
		{"exit 0", "exit 0", exitedWith(0)},
		{"exit 3", "exit 3", exitedWith(3)},
		{"SIGKILL", "kill -KILL $$", killedBy(syscall.SIGKILL)},
		{"SIGTERM", "kill -TERM $$", killedBy(syscall.SIGTERM)},
	}
	for _, m := range childModes {
		for _, tt := range tests {
			t.Run(m.name+"/"+tt.name, func(t *testing.T) {
				l := newLoop(t)
				pid := spawn(t, tt.script)
				var got []syscall.WaitStatus
				w := newChild(l, pid, false, m.setup, func(w *ev.Child) {
					if w.RPid() != pid {
						t.Errorf("RPid = %d; want %d", w.RPid(), pid)
					}
					if w.Active() {
						t.Errorf("watcher for one pid still active when reporting its exit")
					}
					got = append(got, w.Status())
				})
				if err := w.Start(); err != nil {
					t.Fatalf("Start: %v", err)
				}
				runUntil(t, l, func() bool { return len(got) > 0 })
				if err := tt.check(got[0]); err != nil {
					t.Error(err)
				}
				l.Run(ev.RunNoWait)
				if len(got) != 1 {
					t.Errorf("callback ran %d times; want 1", len(got))
				}
			})
		}
	}
}

func exitedWith(code int) func(syscall.WaitStatus) error {
	return func(ws syscall.WaitStatus) error {
		if !ws.Exited() || ws.ExitStatus() != code {
			return fmt.Errorf("status %#x: Exited %v ExitStatus %d; want exit %d", uint32(ws), ws.Exited(), ws.ExitStatus(), code)
		}
		return nil
	}
}

func killedBy(sig syscall.Signal) func(syscall.WaitStatus) error {
	return func(ws syscall.WaitStatus) error {
		if !ws.Signaled() || ws.Signal() != sig {
			return fmt.Errorf("status %#x: Signaled %v Signal %v; want killed by %v", uint32(ws), ws.Signaled(), ws.Signal(), sig)
		}
		return nil
	}
}

func TestChildNotOurs(t *testing.T) {
	l := newLoop(t)
	for _, m := range childModes {
		w := newChild(l, 1, false, m.setup, func(*ev.Child) {})
		if err := w.Start(); !errors.Is(err, syscall.ECHILD) {
			t.Errorf("%s: Start(pid 1) = %v; want ECHILD", m.name, err)
		}
		if w.Active() {
			t.Errorf("%s: active after a failed Start", m.name)
			w.Stop()
		}
	}
}

// TestChildRestartAfterReap stops a watcher whose child's exit was reaped
// for it but not yet reported (the status is dropped, as documented) and
// starts it again: the pid is no child any more, so Start fails with
// ECHILD rather than leave an active watcher that can never fire. A
// watcher for the same pid on a second loop says when the exit was reaped.
func TestChildRestartAfterReap(t *testing.T) {
	for _, m := range childModes {
		t.Run(m.name, func(t *testing.T) {
			l, witness := newLoop(t), newLoop(t)
			r, wfd := rawPipe(t)
			pid := spawnStdin(t, "read x; exit 2", r)
			syscall.Close(r)
			calls, seen := 0, 0
			w := newChild(l, pid, false, m.setup, func(*ev.Child) { calls++ })
			ww := newChild(witness, pid, false, m.setup, func(*ev.Child) { seen++ })
			for _, c := range []*ev.Child{w, ww} {
				if err := c.Start(); err != nil {
					t.Fatal(err)
				}
			}
			syscall.Close(wfd)                                    // both watch: now the child may exit
			runUntil(t, witness, func() bool { return seen > 0 }) // reaped for w too
			w.Stop()
			if err := w.Start(); !errors.Is(err, syscall.ECHILD) {
				t.Errorf("Start after the child was reaped = %v; want ECHILD", err)
			}
			if w.Active() {
				t.Errorf("watcher active after Start for a reaped child")
				w.Stop()
			}
			l.Run(ev.RunNoWait)
			if calls != 0 {
				t.Errorf("stopped watcher called %d times; want 0", calls)
			}
		})
	}
}

// TestChildTrace watches a child that stops itself; the callback continues
// it; then it exits.
func TestChildTrace(t *testing.T) {
	l := newLoop(t)
	r, wfd := rawPipe(t)
	pid := spawnStdin(t, "kill -STOP $$; read x; exit 5", r)
	syscall.Close(r)
	var got []string
	w := ev.NewChild(l, pid, true, func(w *ev.Child) {
		ws := w.Status()
		switch {
		case ws.Stopped():
			got = append(got, "stopped "+ws.StopSignal().String())
			syscall.Kill(pid, syscall.SIGCONT)
		case ws.Continued():
			got = append(got, "continued")
			syscall.Close(wfd) // now exit: a continue and an exit in a row would merge
		case ws.Exited():
			got = append(got, fmt.Sprintf("exit %d", ws.ExitStatus()))
		default:
			got = append(got, fmt.Sprintf("status %#x", uint32(ws)))
		}
	})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	runUntil(t, l, func() bool { return !w.Active() })
	want := []string{"stopped stopped (signal)", "continued", "exit 5"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("reports %q; want %q", got, want)
	}
}

// TestChildMany starts 20 children that exit together (when a pipe they all
// read from is closed) and checks that every exit is reported to the
// watchers for each pid and to one for any child.
func TestChildMany(t *testing.T) {
	for _, m := range childModes {
		t.Run(m.name, func(t *testing.T) {
			l := newLoop(t)
			r, wfd := rawPipe(t)
			const n = 20
			byPid := make(map[int]syscall.WaitStatus)
			anyPid := make(map[int]syscall.WaitStatus)
			any := newChild(l, 0, false, m.setup, func(w *ev.Child) { anyPid[w.RPid()] = w.Status() })
			if err := any.Start(); err != nil {
				t.Fatal(err)
			}
			defer any.Stop()
			want := make(map[int]int)
			for i := range n {
				pid := spawnStdin(t, fmt.Sprintf("read x; exit %d", i), r)
				want[pid] = i
				w := newChild(l, pid, false, m.setup, func(w *ev.Child) { byPid[w.RPid()] = w.Status() })
				if err := w.Start(); err != nil {
					t.Fatal(err)
				}
			}
			syscall.Close(r)
			syscall.Close(wfd) // every child's read returns EOF: they exit
			runUntil(t, l, func() bool { return len(byPid) == n && len(anyPid) == n })
			for pid, code := range want {
				if err := exitedWith(code)(byPid[pid]); err != nil {
					t.Errorf("pid watcher for %d: %v", pid, err)
				}
				if err := exitedWith(code)(anyPid[pid]); err != nil {
					t.Errorf("any-child watcher for %d: %v", pid, err)
				}
			}
		})
	}
}

func TestChildBadPid(t *testing.T) {
	l := newLoop(t)
	defer func() {
		if r := recover(); r == nil {
			t.Errorf("NewChild with pid -1 did not panic")
		}
	}()
	ev.NewChild(l, -1, false, func(*ev.Child) {})
}

func ExampleNewChild() {
	l, _ := ev.NewLoop()
	defer l.Close()
	// os/exec's Cmd.Wait would reap the child too: start it directly.
	pid, err := syscall.ForkExec("/bin/sh", []string{"sh", "-c", "exit 3"}, &syscall.ProcAttr{})
	if err != nil {
		fmt.Println(err)
		return
	}
	w := ev.NewChild(l, pid, false, func(w *ev.Child) {
		fmt.Println("exit status", w.Status().ExitStatus())
	})
	if err := w.Start(); err != nil {
		fmt.Println(err)
		return
	}
	l.Run(ev.RunDefault) // returns when the watcher stopped itself
	// Output: exit status 3
}

// TestChildReapedElsewhere lets another waiter (a blocking wait4, as
// exec.Cmd.Wait makes) reap a watched child: the watcher, in every mode and
// tracing or not, must stop itself without a report, as documented, rather
// than stay active for a pid that can never report (and that the system may
// give to another child). The blocked waiter is woken by the kernel itself,
// so it almost always beats the watcher; when it does not, the round is
// tried again with a new child.
func TestChildReapedElsewhere(t *testing.T) {
	for _, m := range childModes {
		for _, trace := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/trace=%v", m.name, trace), func(t *testing.T) {
				l := newLoop(t)
				for range 20 {
					r, wfd := rawPipe(t)
					pid := spawnStdin(t, "read x; exit 4", r)
					syscall.Close(r)
					calls := 0
					w := newChild(l, pid, trace, m.setup, func(*ev.Child) { calls++ })
					if err := w.Start(); err != nil {
						t.Fatal(err)
					}
					waited := make(chan error, 1)
					go func() {
						var ws syscall.WaitStatus
						_, err := syscall.Wait4(pid, &ws, 0, nil)
						waited <- err
					}()
					syscall.Close(wfd) // the child exits
					wonElsewhere := <-waited == nil
					runUntil(t, l, func() bool { return !w.Active() })
					if !wonElsewhere {
						continue // the watcher reaped first: try again
					}
					if calls != 0 {
						t.Errorf("callback called %d times for a child reaped elsewhere; want 0", calls)
					}
					return
				}
				t.Skip("the watcher reaped first in every round")
			})
		}
	}
}

// TestChildWithExec runs commands with os/exec on another goroutine while
// watchers for one pid (each mode, tracing or not) wait for 100 children
// that exit together: Cmd.Run gets every exit status, every watcher its
// child's, and no zombie is left.
func TestChildWithExec(t *testing.T) {
	for _, m := range childModes {
		for _, trace := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/trace=%v", m.name, trace), func(t *testing.T) {
				l := newLoop(t)
				r, wfd := rawPipe(t)
				const n = 100
				want := make(map[int]int)
				got := make(map[int]syscall.WaitStatus)
				for i := range n {
					pid := spawnStdin(t, fmt.Sprintf("read x; exit %d", i%64), r)
					want[pid] = i % 64
					w := newChild(l, pid, trace, m.setup, func(w *ev.Child) { got[w.RPid()] = w.Status() })
					if err := w.Start(); err != nil {
						t.Fatal(err)
					}
				}
				syscall.Close(r)
				ran := make(chan error, 1)
				go func() {
					for range 20 {
						err := exec.Command("/bin/sh", "-c", "exit 7").Run()
						if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || ee.ExitCode() != 7 {
							ran <- fmt.Errorf("Cmd.Run = %v; want exit status 7", err)
							return
						}
					}
					ran <- nil
				}()
				syscall.Close(wfd) // the watched children exit
				runUntil(t, l, func() bool { return len(got) == n })
				if err := <-ran; err != nil {
					t.Error(err)
				}
				for pid, code := range want {
					if err := exitedWith(code)(got[pid]); err != nil {
						t.Errorf("watcher for %d: %v", pid, err)
					}
				}
				var ws syscall.WaitStatus
				if zombie, _ := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); zombie > 0 {
					t.Errorf("child %d left a zombie (status %#x)", zombie, uint32(ws))
				}
			})
		}
	}
}

// TestChildSignalLoopClosed closes a loop whose Signal and Child watchers
// (both modes) are active: the signal relays end, and a second loop still
// gets the signal and the child's exit.
func TestChildSignalLoopClosed(t *testing.T) {
	base := ev.SignalRelays()
	other := newLoop(t)
	closing := newLoop(t) // evtest checks it at cleanup; Close twice is a no-op
	r, wfd := rawPipe(t)
	pid := spawnStdin(t, "read x; exit 1", r)
	syscall.Close(r)
	for _, m := range childModes {
		if err := newChild(closing, pid, false, m.setup, func(*ev.Child) {}).Start(); err != nil {
			t.Fatal(err)
		}
	}
	if err := ev.NewSignal(closing, syscall.SIGUSR1, func(*ev.Signal) {}).Start(); err != nil {
		t.Fatal(err)
	}
	kill(t, syscall.SIGUSR1) // a delivery may be on its way to the closing loop
	if err := closing.Close(); err != nil {
		t.Fatal(err)
	}
	if got := ev.SignalRelays(); got != base {
		t.Errorf("signal relays after Close = %d; want %d", got, base)
	}
	calls, exited := 0, false
	s := ev.NewSignal(other, syscall.SIGUSR1, func(*ev.Signal) { calls++ })
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	c := ev.NewChild(other, pid, false, func(*ev.Child) { exited = true })
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	kill(t, syscall.SIGUSR1)
	syscall.Close(wfd)
	runUntil(t, other, func() bool { return calls > 0 && exited })
}
