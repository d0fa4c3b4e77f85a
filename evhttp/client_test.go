package evhttp_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

func TestNetHTTPClient(t *testing.T) {
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	var conns atomic.Int32
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: 1,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conns.Add(1)
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}}
	defer client.CloseIdleConnections()
	base := "http://" + ts.addr
	for i := range 10 {
		var resp *http.Response
		var err error
		if i%2 == 0 {
			resp, err = client.Get(fmt.Sprintf("%s/get/%d", base, i))
		} else {
			resp, err = client.Post(base+"/post", "text/plain", strings.NewReader(strings.Repeat("x", i*1000)))
		}
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := fmt.Sprintf("GET /get/%d ", i)
		if i%2 == 1 {
			want = "POST /post " + strings.Repeat("x", i*1000)
		}
		if string(b) != want {
			t.Errorf("request %d: got %.60q; want %.60q", i, b, want)
		}
	}
	if conns.Load() != 1 {
		t.Errorf("connections dialled: got %d; want 1 (keep-alive)", conns.Load())
	}
}

func TestCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed (apt-get install -y curl)")
	}
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	base := "http://" + ts.addr
	tests := []struct {
		args []string
		want string
	}{
		{[]string{base + "/a?b=c"}, "GET /a?b=c "},
		{[]string{"-d", "x=1&y=2", base + "/form"}, "POST /form x=1&y=2"},
		{[]string{"-H", "Transfer-Encoding: chunked", "-d", "chunky", base + "/c"}, "POST /c chunky"},
		{[]string{"-H", "Expect: 100-continue", "--data-binary", strings.Repeat("z", 2000), base + "/e"}, "POST /e " + strings.Repeat("z", 2000)},
		{[]string{"--http1.0", base + "/old"}, "GET /old "},
		{[]string{base + "/1", base + "/2"}, "GET /1 GET /2 "}, // one connection, reused
	}
	for _, tt := range tests {
		out, err := exec.Command(curl, append([]string{"-sS", "--max-time", "10"}, tt.args...)...).CombinedOutput()
		if err != nil || string(out) != tt.want {
			t.Errorf("curl %v: got %.80q, %v; want %.80q", tt.args, out, err, tt.want)
		}
	}
}
