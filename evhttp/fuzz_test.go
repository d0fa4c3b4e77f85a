package evhttp_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"

	"github.com/eventide-go/eventide/evhttp"
)

var fuzzSeeds = []string{
	"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /c HTTP/1.0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n",
	"PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
	"GET /stream HTTP/1.1\r\nHost: x\r\n\r\nGET /stream HTTP/1.0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"GET / HTTP/1.1\nHost: x\n\n",
	"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n",
	"BREW / HTTP/1.1\r\nHost: x\r\n\r\n",
	"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
	"\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
}

// FuzzServerConn feeds arbitrary bytes, split in three writes, into a real
// server connection, half-closes, and checks that the server neither
// crashes nor hangs and that everything it sent parses as a sequence of
// well-formed responses.
func FuzzServerConn(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add([]byte(s), uint16(i*7), uint16(i*31))
	}
	cfg := evhttp.Config{MaxBodyBytes: 4096, AllowedMethods: []string{"GET", "POST", "PUT"}}
	ls := newLoopServer(f, cfg, func(s *evhttp.Server) {
		s.SetGeneric(echo)
		s.HandleFunc("/stream", func(r *evhttp.Request) {
			r.StartReply(200, "")
			r.SendChunk([]byte("a"), nil)
			r.SendChunk([]byte("bc"), nil)
			r.EndReply()
		})
	})
	f.Fuzz(func(t *testing.T, data []byte, cut1, cut2 uint16) {
		// Responses to HEAD have no body: so that every response can be
		// read as a GET's, no request may be a HEAD.
		data = bytes.ReplaceAll(data, []byte("HEAD"), []byte("HEAX"))
		fd := ls.connect(t)
		defer unix.Close(fd)
		cuts := []int{0, int(cut1) % (len(data) + 1), int(cut2) % (len(data) + 1), len(data)}
		slices.Sort(cuts)
		var out []byte
		buf := make([]byte, 64<<10)
		read := func() bool {
			for {
				n, err := unix.Read(fd, buf)
				if n > 0 {
					out = append(out, buf[:n]...)
					continue
				}
				return n == 0 && err == nil // EOF
			}
		}
		for i := 1; i < len(cuts); i++ {
			p := data[cuts[i-1]:cuts[i]]
			for len(p) > 0 {
				n, err := unix.Write(fd, p)
				if err != nil && !errors.Is(err, unix.EAGAIN) {
					break // the server closed: fine
				}
				p = p[max(n, 0):]
				ls.l.Run(ev.RunNoWait)
				read()
			}
			ls.l.Run(ev.RunNoWait)
			read()
		}
		unix.Shutdown(fd, unix.SHUT_WR)
		eof := false
		n := 0
		ls.runUntil(t, func() bool {
			if n++; n%20000 == 0 && n < 100000 {
				t.Logf("eof=%v conns=%d out=%q", eof, ls.srv.NumConns(), out)
			}
			eof = eof || read()
			return eof && ls.srv.NumConns() == 0
		})
		br := bufio.NewReader(bytes.NewReader(out))
		for {
			if _, err := br.Peek(1); err == io.EOF {
				break
			}
			resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
			if err != nil {
				t.Fatalf("malformed response stream: %v\nin:  %q\nout: %q", err, data, out)
			}
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				t.Fatalf("malformed response body: %v\nin:  %q\nout: %q", err, data, out)
			}
			resp.Body.Close()
		}
	})
}
