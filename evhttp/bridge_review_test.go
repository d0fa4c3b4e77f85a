package evhttp_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eventide-go/eventide/evhttp"
)

// TestBridgeWriteAfterReturn uses a ResponseWriter from a goroutine after
// its handler returned, while the next request's handler runs: the late
// Write must fail, as it does with net/http (the ResponseWriter may not
// be used after ServeHTTP returned), and never reach another reply; a late
// Flush must not crash the program.
func TestBridgeWriteAfterReturn(t *testing.T) {
	for _, late := range []string{"write", "flush"} {
		t.Run(late, func(t *testing.T) {
			leaked := make(chan http.ResponseWriter, 1)
			running, release := make(chan struct{}), make(chan struct{})
			ts := startBridge(t, evhttp.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/leak" {
					leaked <- w
					io.WriteString(w, "a")
					return
				}
				running <- struct{}{}
				<-release
				io.WriteString(w, "b")
			}))
			c := ts.dial()
			br := bufio.NewReader(c)
			// Repeated so that the next request reuses what the first left
			// behind, whatever sync.Pool does under -race.
			for i := range 20 {
				io.WriteString(c, "GET /leak HTTP/1.1\r\nHost: x\r\n\r\n")
				if body := readBody(t, br); body != "a" {
					t.Fatalf("round %d: first reply %q; want %q", i, body, "a")
				}
				w := wait(t, leaked, "the first handler")
				io.WriteString(c, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
				wait(t, running, "the second handler")
				switch late {
				case "write":
					if n, err := io.WriteString(w, "LEAK"); err == nil {
						t.Errorf("round %d: late Write = %d, nil; want an error", i, n)
					}
				case "flush":
					w.(http.Flusher).Flush()
				}
				release <- struct{}{}
				if body := readBody(t, br); body != "b" {
					t.Fatalf("round %d: second reply %q; want %q", i, body, "b")
				}
			}
		})
	}
}

func readBody(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestBridgeOptionsAsterisk: net/http's server answers "OPTIONS *" itself
// (200, Content-Length: 0) instead of calling the handler, whose ServeMux
// would answer 400 and close.
func TestBridgeOptionsAsterisk(t *testing.T) {
	ref, bridge, notes := compatServers(t, evhttp.Config{})
	for _, tc := range []compatCase{
		{name: "OPTIONS *", raw: "OPTIONS * HTTP/1.1\r\n\r\n", method: "OPTIONS"},
		{name: "OPTIONS * with body", raw: "OPTIONS * HTTP/1.1\r\nContent-Length: 5\r\n\r\n", body: "hello", method: "OPTIONS"},
		{name: "OPTIONS /ping", raw: "OPTIONS /ping HTTP/1.1\r\n\r\n", method: "OPTIONS"},
	} {
		want := describe(t, ref, tc, notes)
		got := describe(t, bridge, tc, notes)
		if got != want {
			t.Errorf("%s:\n net/http: %s\n bridge:   %s", tc.name, want, got)
		}
	}
}

// TestBridgeReasonPhrase compares the status lines, reason phrase
// included, with net/http's for the codes handlers commonly send (416
// and 412 come from http.ServeContent, 103 from Early Hints).
func TestBridgeReasonPhrase(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		if code == http.StatusEarlyHints {
			w.WriteHeader(code)
			code = http.StatusOK
		}
		w.WriteHeader(code)
	})
	ts := startBridge(t, evhttp.Config{}, h)
	ref := startRef(t, h)
	for _, code := range []int{103, 200, 205, 206, 402, 406, 410, 412, 416, 418, 422, 425, 428, 451, 299, 599} {
		raw := "GET /?code=" + strconv.Itoa(code) + " HTTP/1.1\r\nHost: x\r\n\r\n"
		if got, want := statusLines(t, ts.addr, raw), statusLines(t, ref, raw); got != want {
			t.Errorf("code %d: got %q; want %q (net/http)", code, got, want)
		}
	}
}

// startRef serves h with net/http's server and returns its address.
func startRef(t *testing.T, h http.Handler) string {
	t.Helper()
	rs := httptest.NewServer(h)
	t.Cleanup(rs.Close) // before the loop's descriptor check
	return rs.Listener.Addr().String()
}

// statusLines sends raw on a new connection to addr and returns the
// status lines of the replies to it, interim ones included.
func statusLines(t *testing.T, addr, raw string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, raw)
	br := bufio.NewReader(c)
	var lines []string
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		lines = append(lines, resp.Proto+" "+resp.Status)
		if resp.StatusCode >= 200 {
			return strings.Join(lines, " | ")
		}
	}
}
