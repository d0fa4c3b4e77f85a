// Command reload is the seed's timer example, in eventide: an HTTP server on
// port 8081 that serves the content of a file and re-reads it every 5
// seconds when its modification time changed, from a loop timer re-armed in
// its own callback.
//
//	go run ./examples/reload page.html        # default file: sample.html
//	curl http://127.0.0.1:8081/
//
// -addr host:port changes the address (default ":8081", every interface).
// A file that cannot be read at start, or is not a regular file, is an
// error (exit status 1); one that disappears or cannot be read later keeps
// the last content served.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
)

const (
	defaultFile   = "sample.html"
	reloadTimeout = 5 * time.Second
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, out, errOut io.Writer) int {
	fs := flag.NewFlagSet("reload", flag.ContinueOnError)
	fs.SetOutput(errOut)
	addr := fs.String("addr", ":8081", "address to listen on")
	fs.Usage = func() {
		fmt.Fprintln(errOut, "usage: reload [-addr host:port] [file]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0 // -h asked for the usage
		}
		return 2
	}
	name := defaultFile
	if fs.NArg() > 0 {
		name = fs.Arg(0)
		fmt.Fprintln(out, "Using", name)
	}
	loop, err := ev.NewLoop()
	if err != nil {
		fmt.Fprintln(errOut, "reload:", err)
		return 1
	}
	defer loop.Close()
	f := &file{name: name, log: errOut}
	if err := f.load(); err != nil {
		fmt.Fprintf(errOut, "reload: cannot load %s: %v\n", name, err)
		return 1
	}
	f.watch(loop, reloadTimeout)
	srv := evhttp.NewServer(loop, evhttp.Config{})
	srv.SetGeneric(f.serve)
	if err := srv.Bind(*addr); err != nil {
		fmt.Fprintln(errOut, "reload:", err)
		return 1
	}
	fmt.Fprintln(errOut, "Server started on", srv.Addrs()[0])
	if err := loop.Run(ev.RunDefault); err != nil {
		fmt.Fprintln(errOut, "reload:", err)
		return 1
	}
	return 0
}

// file is the served file and what was last read of it.
type file struct {
	name    string
	data    []byte
	mtime   time.Time
	reloads int
	log     io.Writer
}

// load reads the file if its modification time changed since the last
// read (the seed's read_file, which looked only for a newer time: a file
// replaced by an older copy is read too).
func (f *file) load() error {
	st, err := os.Stat(f.name)
	if err != nil {
		return err
	}
	if st.ModTime().Equal(f.mtime) {
		return nil
	}
	if !st.Mode().IsRegular() {
		// Reading a named pipe blocks the loop until a writer comes; a
		// device such as /dev/zero never ends.
		return &os.PathError{Op: "read", Path: f.name, Err: errors.New("not a regular file")}
	}
	data, err := os.ReadFile(f.name)
	if err != nil {
		return err
	}
	verb := "Loading"
	if f.reloads > 0 {
		verb = "Reloading"
	}
	f.reloads++
	fmt.Fprintf(f.log, "%s file: %s (%d bytes)\n", verb, f.name, len(data))
	f.data, f.mtime = data, st.ModTime()
	return nil
}

// watch re-reads the file every interval: a one-shot timer started again
// from its callback, as the seed's load_file re-adds its event.
func (f *file) watch(loop *ev.Loop, interval time.Duration) *ev.Timer {
	t := ev.NewTimer(loop, interval, 0, func(t *ev.Timer) {
		if err := f.load(); err != nil {
			fmt.Fprintf(f.log, "reload: %v (still serving the last content)\n", err)
		}
		t.Start()
	})
	t.Start()
	return t
}

// serve is the seed's generic_request_handler.
func (f *file) serve(r *evhttp.Request) { r.SendReply(200, "OK", f.data) }
