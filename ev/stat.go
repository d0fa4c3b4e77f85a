package ev

import (
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// DefaultStatInterval is the polling interval of a Stat watcher created with
// interval 0, as in libev.
const DefaultStatInterval = 5 * time.Second

// FileAttr is what a Stat watcher knows of its path: the attributes stat(2)
// reports (following symbolic links), or Exists false.
type FileAttr struct {
	Exists     bool        // false: the path does not exist or cannot be stat'ed; every other field is zero
	Size       int64       // length in bytes
	Mode       fs.FileMode // type and permission bits, as os.FileInfo.Mode
	ModTime    time.Time   // last change of the contents (st_mtime)
	ChangeTime time.Time   // last change of the contents or the attributes (st_ctime)
	Nlink      uint64      // number of hard links
	Ino        uint64      // inode number
	Dev        uint64      // device of the file system holding it
	Uid, Gid   uint32      // owner and group
}

// sameFile reports whether a and b describe the same file (not whether its
// attributes are the same).
func (a FileAttr) sameFile(b FileAttr) bool {
	return a.Exists == b.Exists && a.Ino == b.Ino && a.Dev == b.Dev
}

func (a FileAttr) equal(b FileAttr) bool {
	return a.sameFile(b) && a.Size == b.Size && a.Mode == b.Mode && a.Nlink == b.Nlink &&
		a.Uid == b.Uid && a.Gid == b.Gid && a.ModTime.Equal(b.ModTime) && a.ChangeTime.Equal(b.ChangeTime)
}

// StatFunc is a Stat watcher's callback; Stat.Prev and Stat.Attr say what
// changed.
type StatFunc func(w *Stat)

// Stat watches a path's attributes (libev's ev_stat) and calls its callback
// when any of them changes: the path appears or disappears, is replaced (by
// rename or re-creation), or its size, mode, times, link count, owner or
// group change. The path need not exist, nor its directory.
//
// Where the kernel can tell (inotify on Linux, kqueue's EVFILT_VNODE on the
// BSDs and macOS), the watcher is told of changes to the file and to its
// directory, and compares attributes at once. Elsewhere, when the kernel
// refuses (out of inotify watches or instances), while the path's
// directory does not exist, or while the path is a symbolic link (the
// kernel follows it, but the directory watched is the link's, not the
// target's), it polls: stat(2) every interval. Polling reports which.
// Changes seen in one iteration make one callback; Prev is then the
// attributes at the previous callback.
//
// Polling misses a change undone within one interval, and a change that
// leaves every attribute as it was (a rewrite of the same size within the
// file system's time granularity). Kernel notification misses changes made
// through another machine on a network file system: use SetPolling there.
type Stat struct {
	watcher
	path      string
	interval  time.Duration
	fn        StatFunc
	forcePoll bool
	prev      FileAttr
	attr      FileAttr

	n       statNotifier // the kernel's notifications; nil while polling for good
	waiting bool         // n is set but misses changes (no directory yet, or a symbolic link): polling too
	nio     IO           // watches n's descriptor (internal)
	poll    Timer        // polling, or waiting for the directory (internal)
}

// statNotifier is one kernel mechanism that tells a Stat watcher that its
// path or the path's directory changed. Implementations: inotify (Linux),
// kqueue (BSD, macOS); elsewhere newStatNotifier returns
// errors.ErrUnsupported.
type statNotifier interface {
	// fd returns a descriptor that is readable when notifications are queued.
	fd() int
	// watch (re)establishes the kernel's watches on path's directory and, if
	// it exists, on path. It returns errDirMissing when the directory does
	// not exist, and another error when the kernel refuses (out of watches):
	// the caller then polls.
	watch(path string) error
	// drain consumes queued notifications without blocking and reports
	// whether a watched file or directory went away, so that watch must be
	// called again.
	drain() (rewatch bool)
	// close releases the mechanism.
	close()
}

var errDirMissing = errors.New("ev: directory does not exist")

// NewStat returns a Stat watcher for path, polling every interval when it
// has to poll (0: DefaultStatInterval), not started. An empty path or a
// negative interval panics.
func NewStat(l *Loop, path string, interval time.Duration, fn StatFunc) *Stat {
	w := new(Stat)
	w.Init(l, path, interval, fn)
	return w
}

// Init prepares an embedded or reused Stat, as NewStat does. It panics on an
// active watcher.
func (w *Stat) Init(l *Loop, path string, interval time.Duration, fn StatFunc) {
	if fn == nil {
		panic("ev: nil StatFunc")
	}
	w.watcher.init(l, KindStat)
	w.fn, w.forcePoll = fn, false
	w.prev, w.attr = FileAttr{}, FileAttr{}
	w.Set(path, interval)
}

// Set changes the path and interval of a stopped watcher. It panics on an
// active watcher, an empty path or a negative interval.
func (w *Stat) Set(path string, interval time.Duration) {
	w.mustInit()
	if w.active {
		panic("ev: Stat.Set on an active watcher")
	}
	if path == "" {
		panic("ev: Stat with an empty path")
	}
	if interval < 0 {
		panic(fmt.Sprintf("ev: negative Stat interval %v", interval))
	}
	if interval == 0 {
		interval = DefaultStatInterval
	}
	w.path, w.interval = path, interval
}

// SetPolling makes a stopped watcher poll even where the kernel could notify
// it (for network file systems, whose remote changes the kernel does not
// see), or, with false, lets it use the kernel again. It panics on an active
// watcher.
func (w *Stat) SetPolling(on bool) {
	w.mustInit()
	if w.active {
		panic("ev: Stat.SetPolling on an active watcher")
	}
	w.forcePoll = on
}

// Polling reports whether the active watcher is polling: asked to, on a
// system without notifications, refused by the kernel (out of inotify
// watches, for instance), waiting for the path's directory to appear, or
// watching a symbolic link (whose target's directory the kernel does not
// watch).
func (w *Stat) Polling() bool { return w.active && (w.n == nil || w.waiting) }

// Path returns the watched path.
func (w *Stat) Path() string { return w.path }

// Interval returns the polling interval.
func (w *Stat) Interval() time.Duration { return w.interval }

// Attr returns the path's attributes as last seen: at Start, or at the
// latest change.
func (w *Stat) Attr() FileAttr { return w.attr }

// Prev returns the attributes before the change the callback reports (at
// the previous callback, or at Start).
func (w *Stat) Prev() FileAttr { return w.prev }

// Start reads the path's attributes and starts watching. It returns the
// kernel's error if an internal watcher cannot be started, and ErrClosed on
// a closed loop. Starting an active watcher does nothing. Loop-only.
func (w *Stat) Start() error {
	w.mustInit()
	l := w.loop
	l.checkGoroutine()
	if w.active {
		return nil
	}
	if err := l.usable(); err != nil {
		return err
	}
	w.attr = readAttr(w.path)
	w.prev = w.attr
	w.poll.Init(l, w.interval, w.interval, w.tick)
	w.poll.markInternal()
	w.n, w.waiting = nil, false
	if !w.forcePoll {
		if n, err := newStatNotifier(); err == nil {
			w.nio.Init(l, n.fd(), Read, w.notified)
			w.nio.markInternal()
			if err := w.nio.Start(); err != nil {
				n.close()
				return err
			}
			w.n = n
		}
	}
	l.addActive(w)
	if w.n == nil {
		w.poll.Start()
		return nil
	}
	w.refresh(true)
	return nil
}

// Stop stops watching and releases the kernel's watches. Loop-only.
func (w *Stat) Stop() {
	if w.loop == nil {
		return
	}
	w.loop.checkGoroutine()
	if !w.loop.deactivate(w) {
		return
	}
	w.poll.Stop()
	if w.n != nil {
		w.nio.Stop()
		w.n.close()
		w.n, w.waiting = nil, false
	}
}

// notified runs when the kernel has notifications for the watcher.
func (w *Stat) notified(*IO, Events) { w.refresh(w.n.drain()) }

// tick runs every interval while polling.
func (w *Stat) tick(*Timer) { w.refresh(w.n != nil) }

// refresh compares the path's attributes with the last seen and queues the
// callback when they differ; with rewatch (or when the path now names
// another file) it first moves the kernel's watches. The loop is bounded:
// a path replaced again and again is caught at its next notification.
func (w *Stat) refresh(rewatch bool) {
	for range 3 {
		if rewatch && w.n != nil {
			w.watch()
		}
		a := readAttr(w.path)
		if a.equal(w.attr) {
			return
		}
		if w.pendIdx == 0 {
			w.prev = w.attr // coalesce: Prev stays what the last callback saw
		}
		rewatch = !a.sameFile(w.attr)
		w.attr = a
		w.loop.feed(w, 0)
		if !rewatch {
			return
		}
	}
}

// watch points the kernel's watches at the path, and polls while it cannot.
func (w *Stat) watch() {
	err := w.n.watch(w.path)
	switch {
	case err == nil:
		// The kernel's watch follows a symbolic link to its target, but the
		// directory watched is the link's: the target's removal is seen (its
		// link count drops), its re-creation is not. Poll while the path is
		// a link.
		if w.waiting = isSymlink(w.path); !w.waiting {
			w.poll.Stop()
			return
		}
	case errors.Is(err, errDirMissing):
		w.waiting = true
	default:
		// Out of watches, or refused: poll from now on.
		w.nio.Stop()
		w.n.close()
		w.n, w.waiting = nil, false
	}
	if !w.poll.Active() {
		w.poll.Start()
	}
}

func (w *Stat) invoke(Events) { w.fn(w) }

func (w *Stat) describe() string {
	how := "kernel"
	if w.Polling() {
		how = "polling"
	}
	return fmt.Sprintf("path=%q interval=%v via=%s exists=%v", w.path, w.interval, how, w.attr.Exists)
}
