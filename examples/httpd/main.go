// Command httpd is the seed's myhttpd, in eventide: an HTTP server whose
// generic handler answers every request with its URI, decoded URI, the q and
// s parameters and the POST data, and ends cleanly on SIGTERM, SIGHUP,
// SIGINT or SIGQUIT.
//
//	go run ./examples/httpd                  # 0.0.0.0:8080
//	go run ./examples/httpd -l 127.0.0.1 -p 8000 -t 30
//	curl 'http://127.0.0.1:8080/x?q=test&s=some+thing' -d 'post body'
//
// Flags: -l address (0.0.0.0), -p port (8080), -d run as a daemon,
// -t timeout in seconds (120; 0 or less: none, as evhttp_set_timeout),
// -h help. Bodies are bounded by evhttp's default Config.MaxBodyBytes,
// 8 MiB (a larger one is answered 413; libevent's default is unbounded).
//
// Go cannot fork a running program, so -d starts the same program again
// without -d, in a new session (setsid) with its standard streams on
// /dev/null, and waits until it listens: then it prints the daemon's pid
// and address and exits with status 0; if the daemon cannot listen (a port
// in use), it prints the daemon's error and exits with status 1. (The
// seed forks before it listens: its parent always exits with status 0.)
//
// Unlike the seed, q and s are read from the query and from a form-encoded
// body alike (Request.Form: the seed's "glue the body to the URI"
// workaround is unnecessary), and a missing parameter prints as empty
// rather than C's "(null)".
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/evhttp"
)

// signature is the Server header, as the seed's MYHTTPD_SIGNATURE.
const signature = "myhttpd v 0.0.1"

// readyEnv, in the environment of the program -d starts, says that its
// descriptor 3 is a pipe to the waiting parent.
const readyEnv = "HTTPD_READY_FD"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is the program: it returns the exit code. The "listening on" line
// goes to out.
func run(args []string, out, errOut io.Writer) int {
	fs := flag.NewFlagSet("httpd", flag.ContinueOnError)
	fs.SetOutput(errOut)
	listen := fs.String("l", "0.0.0.0", "address to listen on")
	port := fs.Int("p", 8080, "port to listen on")
	daemon := fs.Bool("d", false, "run as a daemon")
	timeout := fs.Int("t", 120, "timeout in seconds")
	help := fs.Bool("h", false, "print this help and exit")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: httpd [-l address] [-p port] [-d] [-t timeout] [-h]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0 // -help: the usage went to errOut, as flag does
		}
		return 2
	}
	if *help {
		fs.SetOutput(out)
		fs.Usage()
		return 0
	}
	isDaemon := os.Getenv(readyEnv) != "" // never starts another one
	if *daemon && !isDaemon {
		return daemonize(fs, out, errOut)
	}
	// The daemon tells its parent, on the pipe, that it listens or why it
	// cannot; its own standard streams are /dev/null.
	stdout, stderr := out, errOut
	var ready *os.File
	if isDaemon {
		ready = os.NewFile(3, "ready")
		defer ready.Close() // an error before listening
		out, errOut = ready, ready
	}

	loop, err := ev.NewLoop()
	if err != nil {
		fmt.Fprintln(errOut, "httpd:", err)
		return 1
	}
	defer loop.Close()
	srv := newServer(loop)
	srv.SetTimeout(time.Duration(*timeout) * time.Second)
	if err := srv.Bind(net.JoinHostPort(*listen, strconv.Itoa(*port))); err != nil {
		fmt.Fprintln(errOut, "httpd:", err)
		return 1
	}

	// SIGTERM, SIGHUP, SIGINT and SIGQUIT end the loop (the seed's
	// event_loopbreak), after closing the server.
	var sigs []*ev.Signal
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT} {
		w := ev.NewSignal(loop, sig, func(w *ev.Signal) {
			fmt.Fprintln(out, "got", w.Signum(), "- stopping")
			srv.Close()
			for _, s := range sigs {
				s.Stop()
			}
			loop.Break(ev.BreakAll)
		})
		if err := w.Start(); err != nil {
			fmt.Fprintln(errOut, "httpd:", err)
			return 1
		}
		sigs = append(sigs, w)
	}
	fmt.Fprintln(out, "listening on", srv.Addrs()[0])
	if ready != nil {
		ready.Close() // the parent exits
		out, errOut = stdout, stderr
	}
	if err := loop.Run(ev.RunDefault); err != nil {
		fmt.Fprintln(errOut, "httpd:", err)
		return 1
	}
	return 0
}

// newServer returns the seed's server: one generic handler.
func newServer(loop *ev.Loop) *evhttp.Server {
	srv := evhttp.NewServer(loop, evhttp.Config{})
	srv.SetGeneric(handle)
	return srv
}

// handle is the seed's httpd_handler.
func handle(r *evhttp.Request) {
	uri := r.URI()
	decoded := decodeURI(uri)
	params, err := r.Form()
	if err != nil {
		// A body that is not a valid form (curl -d sends any text as one)
		// must not hide the query's parameters.
		params = r.Query()
	}
	var out []byte
	// The seed prints the URI twice: from evhttp_request_uri(req) and from
	// req->uri, which are the same string.
	out = fmt.Appendf(out, "uri=%s\n", uri)
	out = fmt.Appendf(out, "uri=%s\n", uri)
	out = fmt.Appendf(out, "decoded_uri=%s\n", decoded)
	out = fmt.Appendf(out, "q=%s\n", params.Get("q"))
	out = fmt.Appendf(out, "s=%s\n", params.Get("s"))
	out = fmt.Appendf(out, "post_data=%s\n", r.Body().Pullup(-1))

	h := r.OutputHeaders()
	h.Add("Server", signature)
	h.Add("Content-Type", "text/plain; charset=UTF-8")
	h.Add("Connection", "close")
	r.SendReply(200, "OK", fmt.Appendf(nil, "It works!\n%s\n", out))
}

// decodeURI decodes as libevent's evhttp_decode_uri: percent escapes
// everywhere, '+' as a space only in the query; a malformed escape leaves
// the URI as it is.
func decodeURI(uri string) string {
	path, query, hasQuery := strings.Cut(uri, "?")
	p, err := evhttp.DecodeURI(path, false)
	if err != nil {
		return uri
	}
	if !hasQuery {
		return p
	}
	q, err := evhttp.DecodeURI(query, true)
	if err != nil {
		return uri
	}
	return p + "?" + q
}

// daemonize starts this program again without -d, detached in its own
// session, and waits on a pipe for its "listening on" line or its error.
func daemonize(fs *flag.FlagSet, out, errOut io.Writer) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(errOut, "httpd: fork failed:", err)
		return 1
	}
	// The flags as parsed, not as typed: -d=1 and -d=T are -d too.
	var args []string
	fs.Visit(func(f *flag.Flag) {
		if f.Name != "d" {
			args = append(args, "-"+f.Name+"="+f.Value.String())
		}
	})
	args = append(args, fs.Args()...)
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintln(errOut, "httpd: fork failed:", err)
		return 1
	}
	defer r.Close()
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), readyEnv+"=3")
	cmd.ExtraFiles = []*os.File{w} // descriptor 3
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start() // stdin, stdout, stderr: /dev/null
	w.Close()
	if err != nil {
		fmt.Fprintln(errOut, "httpd: fork failed:", err)
		return 1
	}
	// The daemon closes the pipe once it listens, or exits.
	report, _ := io.ReadAll(r)
	addr, ok := strings.CutPrefix(string(report), "listening on ")
	if !ok {
		err := cmd.Wait()
		if len(report) == 0 {
			fmt.Fprintln(errOut, "httpd: the daemon did not start:", err)
		}
		errOut.Write(report)
		return 1
	}
	fmt.Fprintf(out, "httpd: running as pid %d, listening on %s", cmd.Process.Pid, addr)
	cmd.Process.Release()
	return 0
}
