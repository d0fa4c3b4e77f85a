package ev_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/internal/evtest"
)

// statModes are the two ways a Stat watcher learns of changes.
var statModes = []struct {
	name string
	poll bool
}{
	{"kernel", false},
	{"polling", true},
}

// statRecorder is a started Stat watcher whose callbacks are counted.
type statRecorder struct {
	w     *ev.Stat
	calls int
}

func watchPath(t *testing.T, l *ev.Loop, path string, poll bool) *statRecorder {
	t.Helper()
	r := &statRecorder{}
	r.w = ev.NewStat(l, path, 5*time.Millisecond, func(*ev.Stat) { r.calls++ })
	r.w.SetPolling(poll)
	if err := r.w.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(r.w.Stop)
	return r
}

// TestStatLifecycle walks a path through creation, writes, truncation,
// chmod, replacement by rename, deletion and re-creation, and checks that
// each step is reported with the right attributes.
func TestStatLifecycle(t *testing.T) {
	for _, m := range statModes {
		t.Run(m.name, func(t *testing.T) {
			l := newLoop(t)
			dir := t.TempDir()
			path := filepath.Join(dir, "f")
			r := watchPath(t, l, path, m.poll)
			if got := r.w.Polling(); got != m.poll {
				t.Errorf("Polling = %v; want %v", got, m.poll)
			}
			if r.w.Attr().Exists {
				t.Fatalf("Attr().Exists = true for a missing file")
			}
			var ino uint64
			steps := []struct {
				name string
				do   func() error
				want func(prev, cur ev.FileAttr) error
			}{
				{"create", func() error { return os.WriteFile(path, []byte("hello"), 0o644) },
					func(p, c ev.FileAttr) error {
						ino = c.Ino
						return expect(!p.Exists && c.Exists && c.Size == 5 && c.Mode == 0o644 && c.Nlink == 1, p, c)
					}},
				{"append", func() error { return appendFile(path, " world") },
					func(p, c ev.FileAttr) error { return expect(p.Size == 5 && c.Size == 11 && c.Ino == ino, p, c) }},
				{"truncate", func() error { return os.Truncate(path, 0) },
					func(p, c ev.FileAttr) error { return expect(p.Size == 11 && c.Size == 0, p, c) }},
				{"chmod", func() error { return os.Chmod(path, 0o600) },
					func(p, c ev.FileAttr) error { return expect(p.Mode == 0o644 && c.Mode == 0o600, p, c) }},
				{"link", func() error { return os.Link(path, path+".link") },
					func(p, c ev.FileAttr) error { return expect(p.Nlink == 1 && c.Nlink == 2, p, c) }},
				{"rename over", func() error {
					if err := os.WriteFile(path+".new", []byte("new!"), 0o640); err != nil {
						return err
					}
					return os.Rename(path+".new", path)
				}, func(p, c ev.FileAttr) error {
					return expect(c.Exists && c.Ino != ino && c.Size == 4 && c.Mode == 0o640, p, c)
				}},
				{"delete", func() error { return os.Remove(path) },
					func(p, c ev.FileAttr) error { return expect(p.Exists && !c.Exists && c == ev.FileAttr{}, p, c) }},
				{"re-create", func() error { return os.WriteFile(path, []byte("again"), 0o644) },
					func(p, c ev.FileAttr) error { return expect(!p.Exists && c.Exists && c.Size == 5, p, c) }},
				{"write after re-create", func() error { return appendFile(path, "!") },
					func(p, c ev.FileAttr) error { return expect(p.Size == 5 && c.Size == 6, p, c) }},
			}
			for _, s := range steps {
				before := r.calls
				if err := s.do(); err != nil {
					t.Fatalf("%s: %v", s.name, err)
				}
				runUntil(t, l, func() bool { return r.calls > before })
				if err := s.want(r.w.Prev(), r.w.Attr()); err != nil {
					t.Errorf("%s: %v", s.name, err)
				}
			}
		})
	}
}

func expect(ok bool, prev, cur ev.FileAttr) error {
	if ok {
		return nil
	}
	return fmt.Errorf("unexpected change:\n prev %+v\n cur  %+v", prev, cur)
}

func appendFile(path, s string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(s)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// TestStatMissingDirectory watches a path whose directory does not exist
// yet: the watcher polls until it does, then (in kernel mode) uses the
// kernel.
func TestStatMissingDirectory(t *testing.T) {
	for _, m := range statModes {
		t.Run(m.name, func(t *testing.T) {
			l := newLoop(t)
			sub := filepath.Join(t.TempDir(), "sub")
			path := filepath.Join(sub, "f")
			r := watchPath(t, l, path, m.poll)
			if !r.w.Polling() {
				t.Errorf("Polling = false while the directory is missing")
			}
			if err := os.Mkdir(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			if !m.poll {
				runUntil(t, l, func() bool { return !r.w.Polling() })
			}
			if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			runUntil(t, l, func() bool { return r.w.Attr().Exists })
			// The directory goes away and comes back.
			if err := os.RemoveAll(sub); err != nil {
				t.Fatal(err)
			}
			runUntil(t, l, func() bool { return !r.w.Attr().Exists })
			if err := os.Mkdir(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte("xy"), 0o644); err != nil {
				t.Fatal(err)
			}
			runUntil(t, l, func() bool { return r.w.Attr().Size == 2 })
			if got := r.w.Polling(); !m.poll && got {
				runUntil(t, l, func() bool { return !r.w.Polling() })
			}
		})
	}
}

// TestStatCoalesce makes many changes before the loop runs: one callback.
func TestStatCoalesce(t *testing.T) {
	for _, m := range statModes {
		t.Run(m.name, func(t *testing.T) {
			l := newLoop(t)
			path := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(path, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			r := watchPath(t, l, path, m.poll)
			for range 100 {
				if err := appendFile(path, "x"); err != nil {
					t.Fatal(err)
				}
			}
			os.Chmod(path, 0o600)
			runUntil(t, l, func() bool { return r.calls > 0 })
			l.Run(ev.RunNoWait)
			if r.calls != 1 {
				t.Errorf("callbacks = %d; want 1", r.calls)
			}
			if got := r.w.Attr(); got.Size != 100 || got.Mode != 0o600 || r.w.Prev().Size != 0 {
				t.Errorf("Prev %+v, Attr %+v; want size 0 → 100, mode 0600", r.w.Prev(), got)
			}
		})
	}
}

// TestStatNoChange checks that events that change no attribute (a sibling
// file in the same directory) make no callback.
func TestStatNoChange(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	os.WriteFile(path, []byte("x"), 0o644)
	r := watchPath(t, l, path, false)
	other := watchPath(t, l, filepath.Join(dir, "g"), false)
	os.WriteFile(filepath.Join(dir, "g"), []byte("y"), 0o644)
	runUntil(t, l, func() bool { return other.calls > 0 })
	l.Run(ev.RunNoWait)
	if r.calls != 0 {
		t.Errorf("callbacks for an unchanged file = %d; want 0", r.calls)
	}
}

// TestStatSymlink watches a symbolic link to a file in another directory:
// changes of the target, its removal and re-creation, and the link's
// re-pointing are all reported (the attributes are the target's).
func TestStatSymlink(t *testing.T) {
	for _, m := range statModes {
		t.Run(m.name, func(t *testing.T) {
			l := newLoop(t)
			target, other := filepath.Join(t.TempDir(), "target"), filepath.Join(t.TempDir(), "other")
			link := filepath.Join(t.TempDir(), "link")
			if err := os.WriteFile(target, []byte("1"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			r := watchPath(t, l, link, m.poll)
			steps := []struct {
				name string
				do   func() error
				want func(a ev.FileAttr) bool
			}{
				{"append to target", func() error { return appendFile(target, "2") },
					func(a ev.FileAttr) bool { return a.Size == 2 }},
				{"remove target", func() error { return os.Remove(target) },
					func(a ev.FileAttr) bool { return !a.Exists }},
				{"re-create target", func() error { return os.WriteFile(target, []byte("123"), 0o644) },
					func(a ev.FileAttr) bool { return a.Exists && a.Size == 3 }},
				{"append to re-created target", func() error { return appendFile(target, "4") },
					func(a ev.FileAttr) bool { return a.Size == 4 }},
				{"re-point link", func() error {
					if err := os.WriteFile(other, []byte("12345"), 0o644); err != nil {
						return err
					}
					if err := os.Symlink(other, link+".new"); err != nil {
						return err
					}
					return os.Rename(link+".new", link)
				}, func(a ev.FileAttr) bool { return a.Size == 5 }},
			}
			for _, s := range steps {
				if err := s.do(); err != nil {
					t.Fatalf("%s: %v", s.name, err)
				}
				runUntil(t, l, func() bool { return s.want(r.w.Attr()) })
			}
		})
	}
}

// TestStatDirectory watches a directory: adding, removing or renaming an
// entry changes its times (and a subdirectory its link count), which both
// ways of watching must report.
func TestStatDirectory(t *testing.T) {
	ops := []struct {
		name string
		do   func(dir string) error
	}{
		{"create file", func(d string) error { return os.WriteFile(filepath.Join(d, "new"), nil, 0o644) }},
		{"mkdir", func(d string) error { return os.Mkdir(filepath.Join(d, "sub"), 0o755) }},
		{"remove", func(d string) error { return os.Remove(filepath.Join(d, "old")) }},
		{"rename", func(d string) error { return os.Rename(filepath.Join(d, "old"), filepath.Join(d, "older")) }},
		{"symlink", func(d string) error { return os.Symlink("nowhere", filepath.Join(d, "link")) }},
	}
	for _, op := range ops {
		for _, m := range statModes {
			t.Run(op.name+"/"+m.name, func(t *testing.T) {
				l := newLoop(t)
				dir := filepath.Join(t.TempDir(), "d")
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "old"), nil, 0o644); err != nil {
					t.Fatal(err)
				}
				// An hour back: the change cannot hide in the times' granularity.
				past := time.Now().Add(-time.Hour)
				if err := os.Chtimes(dir, past, past); err != nil {
					t.Fatal(err)
				}
				r := watchPath(t, l, dir, m.poll)
				if err := op.do(dir); err != nil {
					t.Fatal(err)
				}
				runUntil(t, l, func() bool { return r.calls > 0 })
				if p, c := r.w.Prev(), r.w.Attr(); !c.ModTime.After(p.ModTime) || c.Ino != p.Ino {
					t.Errorf("Prev %+v, Attr %+v; want the same directory, modified later", p, c)
				}
			})
		}
	}
}

func TestStatBadInput(t *testing.T) {
	l := newLoop(t)
	tests := []struct {
		name string
		f    func()
	}{
		{"empty path", func() { ev.NewStat(l, "", 0, func(*ev.Stat) {}) }},
		{"negative interval", func() { ev.NewStat(l, "/", -time.Second, func(*ev.Stat) {}) }},
		{"nil func", func() { ev.NewStat(l, "/", 0, nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("did not panic")
				}
			}()
			tt.f()
		})
	}
	w := ev.NewStat(l, "/", 0, func(*ev.Stat) {})
	if got := w.Interval(); got != ev.DefaultStatInterval {
		t.Errorf("Interval with 0 = %v; want %v", got, ev.DefaultStatInterval)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	if a := w.Attr(); !a.Exists || a.Mode&fs.ModeDir == 0 {
		t.Errorf("Attr of / = %+v; want an existing directory", a)
	}
	w.Stop()
}

func ExampleNewStat() {
	l, _ := ev.NewLoop()
	defer l.Close()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "config")
	w := ev.NewStat(l, path, time.Second, func(w *ev.Stat) {
		fmt.Printf("exists %v → %v, size %d\n", w.Prev().Exists, w.Attr().Exists, w.Attr().Size)
		w.Stop()
	})
	if err := w.Start(); err != nil {
		fmt.Println(err)
		return
	}
	os.WriteFile(path, []byte("debug=1\n"), 0o644)
	l.Run(ev.RunDefault)
	// Output: exists false → true, size 8
}

// TestStatTwoLoops watches one path from two loops running on two
// goroutines: each watcher has its own kernel watches (or polls), and both
// see the file appear.
func TestStatTwoLoops(t *testing.T) {
	for _, m := range statModes {
		t.Run(m.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f")
			loops := []*ev.Loop{newLoop(t), newLoop(t)} // both before any watcher: evtest counts descriptors
			done := make(chan error, len(loops))
			for _, l := range loops {
				w := ev.NewStat(l, path, 5*time.Millisecond, func(w *ev.Stat) {
					if w.Attr().Exists {
						w.Stop() // the loop runs out of watchers
					}
				})
				w.SetPolling(m.poll)
				if err := w.Start(); err != nil {
					t.Fatal(err)
				}
				go func() { done <- l.Run(ev.RunDefault) }()
			}
			if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			timeout := time.After(evtest.Deadline)
			for range loops {
				select {
				case err := <-done:
					if err != nil {
						t.Errorf("Run: %v", err)
					}
				case <-timeout:
					t.Errorf("a loop did not see the file within %v", evtest.Deadline)
					for _, l := range loops {
						l.Break(ev.BreakAll)
					}
					<-done // Run returns before the loop is closed at cleanup
				}
			}
		})
	}
}
