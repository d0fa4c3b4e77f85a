package ev

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// ChildFunc is a Child watcher's callback. Child.RPid and Child.Status say
// which process changed state and how.
type ChildFunc func(w *Child)

// Child calls its callback when a child process exits, or, if it traces, is
// stopped or continued (libev's ev_child). It watches one process id, or any
// child with pid 0. The watcher reaps the child (waits for it), so the
// status is reported once, to the Child watchers that match it: those for
// its pid and those for any child, on every loop.
//
// A watcher for one pid stops itself before its callback reports the
// child's exit (the pid cannot report again); a watcher for any child stays
// active.
//
// On Linux a watcher for one pid that does not trace waits on a pidfd
// (pidfd_open(2)), which is readable once the child has exited. Other
// watchers, and every watcher elsewhere, are woken by SIGCHLD, relayed as
// for a Signal (a Signal watcher for SIGCHLD shares the relay and sees every
// delivery), and then reap with wait4(2) and WNOHANG: the pid's,
// or, while a watcher for any child is active, every child that changed
// state.
//
// Children started by os/exec are reaped by exec.Cmd.Wait: a Child watcher
// that reaps one first makes Wait fail ("no child processes"), and a Wait
// that reaps first leaves the watcher without a status: it stops itself,
// without calling its callback, when it finds out (at the child's exit on a
// pidfd, at the next SIGCHLD otherwise). Start the children a Child watcher owns with
// os.StartProcess or syscall.ForkExec and let the watcher reap them, or do
// not call Wait. A watcher for any child (pid 0) reaps every child of the
// process, os/exec's included: do not use one in a program that also runs
// commands with os/exec.
type Child struct {
	watcher
	pid   int
	trace bool
	fn    ChildFunc

	usePidfd   bool // this start waits on a pidfd (Linux); set before registering
	useSIGCHLD bool // never use a pidfd (set by tests to exercise the fallback)
	pidfdW     IO   // the pidfd's watcher, internal, when usePidfd
	hubIdx     int  // position in childHub.watchers; -1 = none; under childHub.mu

	queue  []childReport // reaped, not yet taken by the loop; under childHub.mu
	posted bool          // take is in the loop's post queue; under childHub.mu
	gone   bool          // SIGCHLD: wait4 found no such child (reaped elsewhere); under childHub.mu
	take   func()        // w.takeReports, bound once

	ready   []childReport // taken, waiting for the callback (loop-owned)
	lost    bool          // gone, as taken by the loop: stop once ready is reported (loop-owned)
	rpid    int
	rstatus syscall.WaitStatus
}

// childReport is one state change of one child.
type childReport struct {
	pid    int
	status syscall.WaitStatus
}

// NewChild returns a Child watcher for pid (0: any child), not started. With
// trace, stops and continues are reported too, not only exits. A negative
// pid panics.
func NewChild(l *Loop, pid int, trace bool, fn ChildFunc) *Child {
	w := new(Child)
	w.Init(l, pid, trace, fn)
	return w
}

// Init prepares an embedded or reused Child, as NewChild does. It panics on
// an active watcher.
func (w *Child) Init(l *Loop, pid int, trace bool, fn ChildFunc) {
	if fn == nil {
		panic("ev: nil ChildFunc")
	}
	force := w.useSIGCHLD
	w.watcher.init(l, KindChild)
	*w = Child{watcher: w.watcher, fn: fn, hubIdx: -1, useSIGCHLD: force, queue: w.queue[:0], ready: w.ready[:0]}
	w.take = w.takeReports
	w.Set(pid, trace)
}

// Set changes the process and tracing of a stopped watcher. It panics on an
// active watcher or a negative pid.
func (w *Child) Set(pid int, trace bool) {
	w.mustInit()
	if w.active {
		panic("ev: Child.Set on an active watcher")
	}
	if pid < 0 {
		panic(fmt.Sprintf("ev: Child pid %d: want a process id, or 0 for any child", pid))
	}
	w.pid, w.trace = pid, trace
}

// Pid returns the watched process id; 0 means any child.
func (w *Child) Pid() int { return w.pid }

// RPid returns the process id the running callback reports on.
func (w *Child) RPid() int { return w.rpid }

// Status returns the state change the running callback reports: Exited and
// ExitStatus, Signaled and Signal, or (when tracing) Stopped and StopSignal,
// Continued.
func (w *Child) Status() syscall.WaitStatus { return w.rstatus }

// Start starts watching. For a pid that is not a child of this process it
// returns an error wrapping syscall.ECHILD; on a closed loop, ErrClosed. A
// child that has already exited is reported at the next iteration.
// Starting an active watcher does nothing. Loop-only.
func (w *Child) Start() error {
	w.mustInit()
	l := w.loop
	l.checkGoroutine()
	if w.active {
		return nil
	}
	if err := l.usable(); err != nil {
		return err
	}
	w.usePidfd = false
	pidfd := -1
	if w.pid > 0 && !w.trace && !w.useSIGCHLD {
		fd, err := openPidfd(w.pid)
		switch {
		case err == nil:
			w.usePidfd, pidfd = true, fd
		case errors.Is(err, syscall.ESRCH):
			return os.NewSyscallError("pidfd_open", syscall.ECHILD)
		}
		// Otherwise (an old kernel, ErrUnsupported): SIGCHLD.
	}
	if !w.usePidfd {
		sigHub.add(syscall.SIGCHLD, nil, reapChildren)
	}
	if err := childHub.register(w); err != nil {
		w.release(pidfd)
		return err
	}
	if w.usePidfd {
		w.pidfdW.Init(l, pidfd, Read, w.pidfdReady)
		w.pidfdW.markInternal()
		if err := w.pidfdW.Start(); err != nil {
			childHub.unregister(w)
			w.release(pidfd)
			return err
		}
	}
	l.addActive(w)
	return nil
}

// Stop stops watching. A status already reaped for the watcher and not yet
// reported is dropped. Loop-only.
func (w *Child) Stop() {
	if w.loop == nil {
		return
	}
	w.loop.checkGoroutine()
	clear(w.ready)
	w.ready = w.ready[:0]
	if !w.loop.deactivate(w) {
		return
	}
	childHub.unregister(w)
	fd := -1
	if w.usePidfd {
		fd = w.pidfdW.Fd()
		w.pidfdW.Stop()
	}
	w.release(fd)
}

// release gives back what Start took: the pidfd, or the SIGCHLD relay.
func (w *Child) release(pidfd int) {
	if w.usePidfd {
		unix.Close(pidfd)
		w.usePidfd = false
		return
	}
	sigHub.remove(syscall.SIGCHLD, nil, reapChildren)
}

// pidfdReady runs when the pidfd is readable: the child has exited.
func (w *Child) pidfdReady(io *IO, _ Events) {
	childHub.mu.Lock()
	got, err := childHub.reapPid(w.pid, 0)
	owed := w.posted || len(w.queue) > 0
	childHub.mu.Unlock()
	if got == 0 && err == nil {
		return // not exited after all; keep waiting
	}
	io.Stop() // the child is gone: the pidfd stays readable
	if err != nil && !owed && len(w.ready) == 0 {
		// Reaped by someone else (exec.Cmd.Wait, a raw wait4): no status
		// will ever come.
		w.Stop()
	}
}

// takeReports runs on the loop: it moves what the reaper queued to the
// callback's queue. A watcher whose child was reaped elsewhere stops once
// what was queued before is reported.
func (w *Child) takeReports() {
	childHub.mu.Lock()
	w.posted = false
	w.ready = append(w.ready, w.queue...)
	clear(w.queue)
	w.queue = w.queue[:0]
	w.lost = w.lost || w.gone
	childHub.mu.Unlock()
	if !w.active {
		return
	}
	switch {
	case len(w.ready) > 0:
		w.loop.feed(w, 0)
	case w.lost:
		w.Stop()
	}
}

// invoke calls the callback once per queued report, until the watcher stops.
func (w *Child) invoke(Events) {
	for w.active && len(w.ready) > 0 {
		r := w.ready[0]
		w.ready = append(w.ready[:0], w.ready[1:]...)
		w.rpid, w.rstatus = r.pid, r.status
		if w.pid > 0 && (r.status.Exited() || r.status.Signaled()) {
			w.Stop()
		}
		w.fn(w)
	}
	if w.lost && w.active && len(w.ready) == 0 {
		w.Stop() // reaped elsewhere after the reports it had (a tracing watcher's stops)
	}
}

func (w *Child) describe() string {
	how := "sigchld"
	if w.usePidfd {
		how = "pidfd"
	}
	return fmt.Sprintf("pid=%d trace=%v via=%s", w.pid, w.trace, how)
}

// childHub is the process-wide table of active Child watchers. Every wait4
// the package makes runs under its lock, so that a child reaped by one
// watcher's wait is reported to every other watcher that matches it.
var childHub childTable

type childTable struct {
	mu       sync.Mutex
	watchers []*Child
	anyChild int // active watchers for any child (pid 0)
}

// register adds w and looks at once for a state change that happened before
// it was watching (whose SIGCHLD nobody saw). For a pid that is not our
// child it returns ECHILD and leaves w out.
func (t *childTable) register(w *Child) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	w.hubIdx = len(t.watchers)
	t.watchers = append(t.watchers, w)
	w.gone, w.lost = false, false
	if w.pid == 0 {
		t.anyChild++
		t.reapAny()
		return nil
	}
	if _, err := t.reapPid(w.pid, w.waitFlags()); errors.Is(err, syscall.ECHILD) {
		// Reaped already (by anyone: nothing can be queued for w, which
		// was not registered), or never ours. w.posted may still be set by
		// a take posted before a Stop; it says nothing of this Start.
		t.unregisterLocked(w)
		return os.NewSyscallError("wait4", syscall.ECHILD)
	}
	return nil
}

func (t *childTable) unregister(w *Child) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.unregisterLocked(w)
}

func (t *childTable) unregisterLocked(w *Child) {
	if w.hubIdx < 0 {
		return
	}
	i, last := w.hubIdx, len(t.watchers)-1
	if i != last {
		t.watchers[i] = t.watchers[last]
		t.watchers[i].hubIdx = i
	}
	t.watchers[last] = nil
	t.watchers = t.watchers[:last]
	w.hubIdx = -1
	if w.pid == 0 {
		t.anyChild--
	}
	clear(w.queue)
	w.queue = w.queue[:0]
}

func (w *Child) waitFlags() int {
	if w.trace {
		return waitTrace
	}
	return 0
}

// reapChildren is the SIGCHLD relay's internal subscriber: it runs on the
// relay goroutine after every SIGCHLD.
func reapChildren() {
	childHub.mu.Lock()
	defer childHub.mu.Unlock()
	for _, w := range childHub.watchers {
		if w.pid > 0 && !w.usePidfd {
			_, err := childHub.reapPid(w.pid, w.waitFlags())
			if errors.Is(err, syscall.ECHILD) && !w.gone {
				// register made sure the pid was our child: someone
				// else reaped it (exec.Cmd.Wait, a raw wait4), or this
				// reap found it for another watcher of the pid, whose
				// report is queued for w too. The loop stops w after
				// reporting what it has.
				childHub.lost(w)
			}
		}
	}
	childHub.reapAny()
}

// lost marks w's child as reaped and posts w's loop to find out. Called with
// t.mu held.
func (t *childTable) lost(w *Child) {
	w.gone = true
	if !w.posted {
		w.posted = true
		w.loop.Post(w.take)
	}
}

// reapAny reaps every child that changed state, while a watcher for any
// child is active. Called with t.mu held.
func (t *childTable) reapAny() {
	if t.anyChild == 0 {
		return
	}
	flags := 0
	for _, w := range t.watchers {
		if w.pid == 0 && w.trace {
			flags = waitTrace
		}
	}
	for {
		pid, err := t.reapPid(-1, flags)
		if pid <= 0 || err != nil {
			return
		}
	}
}

// reapPid waits for pid without blocking and reports what it found to the
// matching watchers. It returns the pid reaped (0: none changed state).
// Called with t.mu held.
func (t *childTable) reapPid(pid, flags int) (int, error) {
	var st syscall.WaitStatus
	for {
		got, err := syscall.Wait4(pid, &st, unix.WNOHANG|flags, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if got > 0 {
			t.dispatch(got, st)
		}
		return got, nil
	}
}

// dispatch queues a report for every watcher that matches it and posts the
// watchers' loops. Called with t.mu held.
func (t *childTable) dispatch(pid int, st syscall.WaitStatus) {
	final := st.Exited() || st.Signaled()
	for _, w := range t.watchers {
		if (w.pid != pid && w.pid != 0) || (!final && !w.trace) {
			continue
		}
		w.queue = append(w.queue, childReport{pid: pid, status: st})
		if !w.posted {
			w.posted = true
			w.loop.Post(w.take)
		}
	}
}
