package evhttp_test

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/evhttp"
)

// TestNewConnAfterClose opens each connection right after the previous one
// closed, with no loop iteration between: the new socket must not inherit
// the closed one's descriptor state (a descriptor number closed and reused
// within one iteration was never watched).
func TestNewConnAfterClose(t *testing.T) {
	ls := newLoopServer(t, evhttp.Config{}, func(s *evhttp.Server) { s.SetGeneric(echo) })
	buf := make([]byte, 4096)
	for range 5 {
		fd := ls.connect(t)
		unix.Write(fd, []byte("GET /x HTTP/1.1\r\nHost: x\r\n\r\n"))
		var out []byte
		ls.runUntil(t, func() bool {
			if n, _ := unix.Read(fd, buf); n > 0 {
				out = append(out, buf[:n]...)
			}
			return bytes.HasSuffix(out, []byte("GET /x "))
		})
		unix.Shutdown(fd, unix.SHUT_WR)
		ls.runUntil(t, func() bool { return ls.srv.NumConns() == 0 })
		unix.Close(fd)
	}
}
