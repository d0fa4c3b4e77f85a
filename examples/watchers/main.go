// Command watchers runs libev's classic watcher snippets on one eventide
// loop: an hourly wall-clock periodic, SIGINT ending the loop cleanly, a
// child process's exit status, and a stat watch on a file.
//
// Usage:
//
//	watchers [-path /etc/passwd] [-demo]
//
// Without -demo it runs until interrupted (Ctrl-C). With -demo it also
// touches a temporary file, waits for the child and the stat change, and
// exits on its own.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/eventide-go/eventide/ev"
)

func main() {
	path := flag.String("path", "/etc/passwd", "file to watch for attribute changes")
	demo := flag.Bool("demo", false, "watch a temporary file, change it, and exit when everything was seen")
	flag.Parse()
	if err := run(*path, *demo); err != nil {
		log.Fatal(err)
	}
}

func run(path string, demo bool) error {
	l, err := ev.NewLoop()
	if err != nil {
		return err
	}
	defer l.Close()

	// Every hour on the hour (UTC), whatever happens to the system clock.
	hourly := ev.NewPeriodic(l, time.Unix(0, 0), time.Hour, func(p *ev.Periodic) {
		fmt.Println("periodic: the hour struck:", time.Now().UTC().Format(time.TimeOnly))
	})
	hourly.Start()
	l.Unref() // the periodic alone must not keep the loop running
	defer func() { l.Ref(); hourly.Stop() }()

	// SIGINT ends the loop; deferred Stops run, the loop closes.
	sigint := ev.NewSignal(l, syscall.SIGINT, func(w *ev.Signal) {
		fmt.Println("signal: SIGINT, stopping")
		w.Loop().Break(ev.BreakAll)
	})
	if err := sigint.Start(); err != nil {
		return err
	}
	l.Unref()
	defer func() { l.Ref(); sigint.Stop() }()

	// A child's exit status; the watcher reaps it (no exec.Cmd.Wait).
	pid, err := syscall.ForkExec("/bin/sh", []string{"sh", "-c", "exit 3"}, &syscall.ProcAttr{})
	if err != nil {
		return err
	}
	child := ev.NewChild(l, pid, false, func(w *ev.Child) {
		fmt.Printf("child: process %d exited with status %d\n", w.RPid(), w.Status().ExitStatus())
	})
	if err := child.Start(); err != nil {
		return err
	}

	// A file's attributes.
	if demo {
		dir, err := os.MkdirTemp("", "watchers")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "file")
	}
	changes := 0
	st := ev.NewStat(l, path, time.Second, func(w *ev.Stat) {
		changes++
		p, a := w.Prev(), w.Attr()
		fmt.Printf("stat: %s changed: exists %v→%v, size %d→%d\n", w.Path(), p.Exists, a.Exists, p.Size, a.Size)
		if demo {
			w.Stop() // one change is all the demo waits for
		}
	})
	if err := st.Start(); err != nil {
		return err
	}
	defer st.Stop()
	how := "kernel notifications"
	if st.Polling() {
		how = "polling"
	}
	fmt.Printf("stat: watching %s through %s\n", path, how)
	if demo {
		if err := os.WriteFile(path, []byte("hello\n"), 0o644); err != nil {
			return err
		}
	}

	// With -demo the loop returns once the child and the stat watcher are
	// done (the periodic and SIGINT watchers are unreferenced); otherwise it
	// runs until SIGINT.
	if !demo {
		l.Ref()
		defer l.Unref()
	}
	return l.Run(ev.RunDefault)
}
