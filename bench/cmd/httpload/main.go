// Command httpload drives the HTTP benchmarks. By default it runs wrk
// against a hello-world server (a warm-up run, then the measured one),
// samples the server's CPU in /proc around the measured run, and prints one
// line of key=value pairs:
//
//	req_s       requests per second (wrk's Requests/sec)
//	p50_us      median latency, µs (wrk --latency)
//	p99_us      99th percentile latency, µs
//	srv_us_req  server CPU time per request, µs
//	srv_sys_us  the kernel's part of srv_us_req, µs
//	srv_util    server CPU use over the run, in CPUs
//	load_util   wrk's CPU use, in CPUs: near 1 means wrk may be the bottleneck
//	other_util  CPU use of everything else on the machine, in CPUs
//	errors      non-2xx responses plus socket errors (should be 0)
//
//	httpload -addr 127.0.0.1:8001 -conns 50 -dur 5s -pid 1234
//
// With -gen raw the load comes from this process instead of wrk: the same
// one-request-at-a-time keep-alive GETs, with two system calls per request
// where wrk makes four, so that a fast server, not the generator, sets the
// rate (see raw.go). The line has the same keys; errors counts non-200
// responses, and any malformed response ends the run with an error.
//
// With -pipeline N each connection sends N requests at once and the next N
// once all are answered (with wrk, through a Lua script, as TechEmpower's
// plaintext test does); the counts are of requests, not batches.
//
// With -mem it measures memory instead: it reads the server's VmRSS, opens
// -conns keep-alive connections one after the other, sends one GET on each
// and reads the whole response, waits a second, reads VmRSS again and
// prints rss_kib_per_conn, holding every connection open until then. The
// server runs in another process, so each side has the whole descriptor
// limit.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/eventide-go/eventide/bench/internal/procstat"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8001", "server address, host:port")
	conns := flag.Int("conns", 50, "connections")
	dur := flag.Duration("dur", 5*time.Second, "measured duration (whole seconds)")
	warmup := flag.Duration("warmup", time.Second, "unmeasured wrk run before the measurement (0: none)")
	wrk := flag.String("wrk", "wrk", "the wrk program")
	pid := flag.Int("pid", 0, "server process to sample in /proc (required)")
	mem := flag.Bool("mem", false, "measure the server's RSS per idle keep-alive connection instead")
	gen := flag.String("gen", "wrk", "load generator: wrk (wrk -t1) or raw (this process, two system calls per request)")
	pipeline := flag.Int("pipeline", 1, "requests sent at once on each connection (pipelining when more than 1), the next batch once all are answered")
	flag.Parse()

	var err error
	switch {
	case *pid <= 0:
		err = errors.New("-pid is required")
	case *pipeline < 1 || *pipeline > 1024:
		err = fmt.Errorf("-pipeline %d: want 1 to 1024", *pipeline)
	case *mem:
		err = measureMemory(*addr, *conns, *pid)
	case *gen == "raw":
		err = measureRaw(*addr, *conns, *pipeline, *warmup, *dur, *pid)
	case *gen != "wrk":
		err = fmt.Errorf("-gen %q: want wrk or raw", *gen)
	default:
		err = measureLoad(*wrk, *addr, *conns, *pipeline, *warmup, *dur, *pid)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "httpload:", err)
		os.Exit(1)
	}
}

// pipelineScript makes wrk send depth requests at once (its first
// argument), as TechEmpower's plaintext test does.
const pipelineScript = `init = function(args)
  local r = {}
  for i = 1, tonumber(args[1]) do r[i] = wrk.format() end
  req = table.concat(r)
end
request = function() return req end
`

// runWrk runs wrk with one thread and returns its output and CPU time.
// With depth > 1 it pipelines depth requests per connection.
func runWrk(wrk, addr string, conns, depth int, dur time.Duration) ([]byte, time.Duration, error) {
	secs := max(1, int(dur.Round(time.Second)/time.Second))
	args := []string{"-t1", "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(secs) + "s", "--latency", "http://" + addr + "/"}
	if depth > 1 {
		f, err := os.CreateTemp("", "httpload-*.lua")
		if err != nil {
			return nil, 0, err
		}
		defer os.Remove(f.Name())
		_, err = f.WriteString(pipelineScript)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, 0, err
		}
		args = append(args, "-s", f.Name(), "--", strconv.Itoa(depth))
	}
	cmd := exec.Command(wrk, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.Bytes(), 0, fmt.Errorf("%v: %w\n%s", cmd.Args, err, out.Bytes())
	}
	return out.Bytes(), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}

func measureLoad(wrk, addr string, conns, depth int, warmup, dur time.Duration, pid int) error {
	if warmup > 0 {
		if _, _, err := runWrk(wrk, addr, conns, depth, warmup); err != nil {
			return err
		}
	}
	before, err := procstat.ReadPoint(pid)
	if err != nil {
		return err
	}
	t0 := time.Now()
	out, wrkCPU, err := runWrk(wrk, addr, conns, depth, dur)
	if err != nil {
		return err
	}
	elapsed := time.Since(t0)
	after, err := procstat.ReadPoint(pid)
	if err != nil {
		return err
	}
	r, err := parseWrk(out)
	if err != nil {
		return fmt.Errorf("%w\n%s", err, out)
	}
	if r.reqs == 0 {
		return fmt.Errorf("no request completed\n%s", out)
	}
	printLoad(r.reqPerSec*elapsed.Seconds(), elapsed, r.p50, r.p99, before, after, wrkCPU, r.errors)
	return nil
}

// printLoad prints the result line of a load run: reqs requests in
// elapsed, the server and the machine read before and after, and load,
// the generator's CPU time.
func printLoad(reqs float64, elapsed, p50, p99 time.Duration, before, after procstat.Point, load time.Duration, nerr int64) {
	cpu := after.Proc.CPU - before.Proc.CPU
	busy := after.Busy - before.Busy
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	other := busy - cpu - load
	fmt.Printf("req_s=%.0f p50_us=%.1f p99_us=%.1f srv_us_req=%.2f srv_sys_us=%.2f srv_util=%.2f load_util=%.2f other_util=%.2f errors=%d\n",
		reqs/elapsed.Seconds(), us(p50), us(p99), us(cpu)/reqs, us(after.Proc.Sys-before.Proc.Sys)/reqs,
		cpu.Seconds()/elapsed.Seconds(), load.Seconds()/elapsed.Seconds(),
		max(0, other.Seconds()/elapsed.Seconds()), nerr)
}

// wrkResult is what parseWrk takes from wrk's report.
type wrkResult struct {
	reqPerSec float64
	reqs      int64 // "N requests in ..."
	p50, p99  time.Duration
	errors    int64 // non-2xx/3xx responses plus socket errors
}

// parseWrk reads wrk 4's text report (run with --latency).
func parseWrk(out []byte) (wrkResult, error) {
	var r wrkResult
	var haveRate, have50, have99 bool
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return r, fmt.Errorf("wrk: %q: %w", sc.Text(), err)
			}
			r.reqPerSec, haveRate = v, true
		case len(f) >= 2 && f[1] == "requests":
			r.reqs, _ = strconv.ParseInt(f[0], 10, 64)
		case len(f) == 2 && (f[0] == "50%" || f[0] == "99%"):
			d, err := parseWrkDuration(f[1])
			if err != nil {
				return r, err
			}
			if f[0] == "50%" {
				r.p50, have50 = d, true
			} else {
				r.p99, have99 = d, true
			}
		case len(f) == 5 && f[0] == "Non-2xx":
			n, _ := strconv.ParseInt(f[4], 10, 64)
			r.errors += n
		case len(f) >= 3 && f[0] == "Socket" && f[1] == "errors:":
			// "Socket errors: connect 0, read 0, write 0, timeout 0"
			for i := 3; i < len(f); i += 2 {
				n, _ := strconv.ParseInt(strings.TrimSuffix(f[i], ","), 10, 64)
				r.errors += n
			}
		}
	}
	if !haveRate || !have50 || !have99 {
		return r, errors.New("wrk: no Requests/sec or latency distribution in the report")
	}
	return r, nil
}

// parseWrkDuration parses wrk's latency format: "812.00us", "1.23ms", "2.00s".
func parseWrkDuration(s string) (time.Duration, error) {
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"m", time.Minute}, {"s", time.Second}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				break
			}
			return time.Duration(x * float64(u.unit)), nil
		}
	}
	return 0, fmt.Errorf("wrk: bad duration %q", s)
}

const request = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n"

func measureMemory(addr string, nconns, pid int) error {
	before, err := procstat.Read(pid)
	if err != nil {
		return err
	}
	conns := make([]net.Conn, 0, nconns)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range nconns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return fmt.Errorf("connection %d: %w", len(conns)+1, err)
		}
		conns = append(conns, c)
		if _, err := io.WriteString(c, request); err != nil {
			return err
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if err := readResponse(bufio.NewReaderSize(c, 512)); err != nil {
			return fmt.Errorf("connection %d: %w", len(conns), err)
		}
	}
	time.Sleep(time.Second) // let the server finish what it does after answering
	after, err := procstat.Read(pid)
	if err != nil {
		return err
	}
	fmt.Printf("rss_kib_per_conn=%.2f rss_before_kib=%d rss_after_kib=%d\n",
		float64(after.RSSKiB-before.RSSKiB)/float64(nconns), before.RSSKiB, after.RSSKiB)
	return nil
}

// readResponse reads one response with a Content-Length or chunked body and
// checks it is a 200 saying "Hello, World!". The servers answer one request
// per connection here, so nothing is read past the response.
func readResponse(br *bufio.Reader) error {
	status, err := br.ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(status, "HTTP/1.1 200") {
		return fmt.Errorf("status line %q", strings.TrimSpace(status))
	}
	length, chunked := -1, false
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		k, v, _ := strings.Cut(line, ":")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "content-length":
			length, _ = strconv.Atoi(strings.TrimSpace(v))
		case "transfer-encoding":
			chunked = strings.Contains(strings.ToLower(v), "chunked")
		}
	}
	var body []byte
	switch {
	case chunked:
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return err
			}
			n, err := strconv.ParseInt(strings.TrimSpace(line), 16, 32)
			if err != nil {
				return fmt.Errorf("chunk size %q", line)
			}
			chunk := make([]byte, n+2)
			if _, err := io.ReadFull(br, chunk); err != nil {
				return err
			}
			if n == 0 {
				break
			}
			body = append(body, chunk[:n]...)
		}
	case length >= 0:
		body = make([]byte, length)
		if _, err := io.ReadFull(br, body); err != nil {
			return err
		}
	default:
		return errors.New("response without Content-Length or chunked body")
	}
	if string(body) != "Hello, World!" {
		return fmt.Errorf("body %q", body)
	}
	return nil
}
