// Package ev is eventide's event loop: libev's watchers and libevent's event
// API over epoll (Linux), kqueue (BSD, macOS) or poll(2), in pure Go.
//
// A Loop waits for events and calls the callbacks of the watchers that asked
// for them. Watchers are small values, meant to be embedded in the structs
// that own them and started and stopped any number of times without
// allocating:
//
//   - IO: a descriptor is readable, writable, or its peer closed;
//   - Timer: a delay passed, on the monotonic clock; Again for timeouts;
//   - Periodic: a wall-clock time came (at a time, every interval, or by a
//     function);
//   - Idle, Prepare, Check: nothing else to do; before polling; after;
//   - Signal, Child, Stat: a signal arrived; a child process changed
//     state; a file's attributes changed (each has a section below);
//   - Async: another goroutine called Send;
//   - Cleanup: the loop is being closed;
//   - Event: libevent's descriptor + timeout + persist unit, with Active.
//
// # Iteration phases
//
// One iteration of Run, in order (the function that implements it lists the
// same steps):
//
//  1. run prepare watchers (and anything already pending); return at once
//     if one of them broke the loop;
//  2. apply interest changes to the backend;
//  3. compute how long to wait;
//  4. poll the backend;
//  5. update the loop's time, rescheduling periodics if the wall clock jumped;
//  6. queue I/O watchers, sent asyncs and posted functions;
//  7. queue expired timers, then expired periodics;
//  8. queue the most urgent idle watchers if no callback as urgent is
//     pending;
//  9. queue check watchers;
//  10. run pending callbacks by priority;
//  11. return, or go to 1.
//
// # Watcher states
//
// A watcher is initialised (NewX or Init), then active between Start and
// Stop. When its event happens it becomes pending: its callback is queued,
// and runs in step 10 of the same iteration. Stop clears the pending state,
// so a stopped watcher's callback never runs afterwards. Init and Set are
// allowed only on an inactive watcher (they panic otherwise); Modify (IO),
// Again and SetRepeat (Timer) work on active ones. FeedEvent makes any
// watcher pending by hand, Invoke calls its callback at once, ClearPending
// unqueues it.
//
// # Priorities
//
// Every watcher has a priority from MinPriority (-2) to MaxPriority (2),
// default 0, set while it is neither active nor pending (SetPriority panics
// otherwise). Within a pass, callbacks run highest
// priority first and in queue order within a priority; after each callback
// the loop starts again from the highest non-empty priority, so a callback
// that queues a more urgent watcher has it run next. With
// WithStrictPriorities a pass runs only the highest priority that has any
// pending callback, leaving lower ones for a pass in which no higher one is
// pending — libevent's semantics, where a busy high-priority source can
// starve lower ones by design.
//
// # Goroutines
//
// A loop belongs to the goroutine that runs it: every callback runs there,
// and every method is loop-only (to be called from a callback, or while no
// goroutine runs the loop) except these, which are safe from any goroutine:
//
//   - Loop.Post: run a function on the loop;
//   - Async.Send: wake an Async watcher (and Async.AsyncPending);
//   - Loop.Break, Loop.LoopBreak, Loop.LoopExit: stop the loop;
//   - ManualClock's methods, and Default.
//
// WithDebug makes every loop-only method check its caller. Run returns
// ErrRunning when another goroutine is running the loop; a callback may call
// Run again (nesting, as in libev).
//
// # Timers and periodics
//
// A Timer runs on the monotonic clock: "in 5 seconds" stays 5 seconds when
// the system clock is changed. A Periodic runs on the wall clock: "at 03:00"
// stays at 03:00. The loop detects a change of the system clock by comparing
// the two clocks at every iteration and reschedules periodics; while
// periodics are active it wakes at least once a second to look.
//
// Deadlines are measured from the loop's time (Now), read once per
// iteration (and by UpdateNow): timers started in one callback with the same
// delay share a deadline and fire in start order. Before Run, or between
// Runs, starting a timer reads the clock afresh.
//
// "Be smart about timeouts" (libev's advice) applies: for an inactivity
// timeout, keep one repeating Timer and call Again on activity — O(log n) —
// rather than stopping and starting a new timer.
//
// ManualClock (WithClock) replaces the system clocks for tests: time moves
// only by Advance and Set.
//
// # Complexity
//
// With n timers, m watchers on a descriptor: Timer Start, Stop and Again
// O(log n); IO Start and Stop O(m) (plus one system call the first time a
// descriptor is watched; later changes are batched into one call per
// descriptor per iteration); Idle, Prepare, Check, Async Start and Stop O(1);
// Async.Send and Post O(1), with a system call only when the loop is
// blocked; dispatch O(1) per event. Once its tables have grown, the loop
// allocates nothing per iteration.
//
// # The special problem of descriptors
//
// A descriptor closed while an IO watcher watches it: stop the watcher first.
// If you do not, the loop finds out when it next changes the descriptor's
// interest: it stops the descriptor's watchers and runs them with Error. A
// descriptor number reused after close is handled, even within one iteration,
// as long as the new descriptor's watcher went through Init or Set (as in
// libev, which asks for ev_io_set): the first Start after Init or Set tells
// the backend anew when the watcher is the number's only one. Restarting a
// watcher without Set assumes its descriptor is the same one.
// A descriptor that may have duplicates (dup(2), net.FileConn, another
// process) needs Loop.FdClosing between the Stop and the close: epoll
// registers the open file, and a registration the loop can no longer
// remove keeps reporting to it (stream.Conn and stream.Listener do this).
// Regular files and /dev/null cannot be polled by epoll: they count as always
// ready, as in libev. Two IO watchers on one descriptor (or on dup'ed ones)
// work; if any of them is level-triggered, the descriptor is watched
// level-triggered for all.
//
// # The special problem of signals
//
// The Go runtime owns every signal handler, so a Signal watcher goes through
// os/signal: the first watcher of a signal calls signal.Notify on a channel
// of capacity 1 with a relay goroutine; the last Stop calls signal.Stop,
// restoring the runtime's default (exit for SIGHUP, SIGINT, SIGTERM; ignore
// for SIGUSR1, SIGUSR2, SIGWINCH, SIGURG…) unless other code also asked for
// it. Channels given to signal.Notify receive the signal too, but
// signal.Ignore and signal.Reset cancel the watchers' subscription as well,
// until the next Start of a watcher of that signal, which subscribes anew
// and so undoes an earlier signal.Ignore (Signal says what then). Any
// number of watchers on any number of loops see every signal; their
// callbacks run on their loops. Arrivals coalesce (the kernel and the runtime
// merge a repeat not yet delivered; Count says how many the relay saw); one
// arriving during the callback runs it again. SIGKILL, SIGSTOP and numbers
// outside 1..64 are ErrBadSignal. Expect tens of microseconds from kill(2)
// to the callback, not single digits: the signal passes os/signal's
// goroutine, the relay and the loop's wake-up (BENCHMARKS.md measures p50
// 81 µs against C libev's 19 µs, whose handler writes the loop's eventfd
// itself).
//
// # The special problem of child reaping
//
// A Child watcher reaps (wait4) its child; the status goes to every matching
// watcher (its pid, and pid 0) on every loop. On Linux a watcher for one pid
// that does not trace waits on a pidfd; tracing and pid-0 watchers, and all
// watchers elsewhere, wake on SIGCHLD. os/exec's Cmd.Wait reaps too: whoever
// waits first wins, and the other gets nothing (Wait fails with ECHILD; the
// watcher stops silently). Start the children a watcher owns with
// os.StartProcess or syscall.ForkExec and do not call Wait. A pid-0 watcher
// reaps every child, os/exec's included: never use one in a program that
// runs commands with os/exec. A watcher for one pid stops itself before
// reporting its exit.
//
// # The special problem of file notifications
//
// Stat uses inotify (Linux) or kqueue EVFILT_VNODE (BSD, macOS) on the file
// and its directory, and polls stat(2) otherwise: when asked (SetPolling:
// network file systems, whose remote changes the kernel never sees), when the
// kernel refuses (inotify's max_user_watches gives ENOSPC; max_user_instances
// is 128 by default, one instance per Stat watcher, then EMFILE), while the
// directory does not exist, and, besides the kernel, while the path is a
// symbolic link (the target's directory is not watched). Polling reports
// which. Polling misses changes undone within one interval and rewrites that
// leave every attribute equal within the timestamp granularity. kqueue needs
// a readable, open file.
// Bursts make one callback; Prev is what the last callback saw.
//
// # The special problem of wall-clock jumps
//
// Timers never notice the system clock being set: they run on the monotonic
// clock. Periodics do: each iteration compares how far the wall clock and the
// monotonic clock moved; when they differ by more than 10 ms, every repeating
// periodic is recomputed from the new wall-clock time (one whose time the jump
// passed fires once first), and absolute ones keep their time. While
// periodics are active the loop wakes at least once a second, so a jump is
// seen within a second even on an otherwise idle loop.
//
// # Platform notes
//
// The loop waits without blocking a thread: it polls with a zero timeout,
// and only when nothing is ready parks its goroutine on Go's network poller
// through the epoll or kqueue descriptor (docs/design.md measures why). The
// poll(2) backend, selectable everywhere with WithBackend, blocks its thread
// in poll(2) and has no edge-triggered mode (it reports levels) and, outside
// Linux, no Closed.
package ev
