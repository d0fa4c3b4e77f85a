package evhttp

import "net/http"

// okLine is the status line of the usual reply.
const okLine = "HTTP/1.1 200 OK\r\n"

// dateLen is the length of a Date line: "Date: ", an IMF-fixdate, CRLF.
const dateLen = len("Date: ") + len(http.TimeFormat) + len("\r\n")

// dateCache holds the opening lines of the usual reply head — the status
// line of 200 OK, the Date line and the server's Server line — formatted
// once per second rather than once per response, so that appendHead
// writes all three with one copy.
type dateCache struct {
	sec  int64
	iter uint64 // the loop iteration of the last look at the clock
	// buf is okLine, the Date line, then Server.serverLine (if any):
	// allocated by newDateCache, the Date rewritten in place.
	buf []byte
}

func newDateCache(serverLine string) dateCache {
	buf := make([]byte, 0, len(okLine)+dateLen+len(serverLine))
	buf = append(buf, okLine...)
	buf = append(buf, make([]byte, dateLen)...)
	buf = append(buf, serverLine...)
	// iter matches no iteration: the first look formats the Date.
	return dateCache{iter: ^uint64(0), buf: buf}
}

// line returns "Date: " and the IMF-fixdate of the loop's current time,
// with its CRLF; the slice is valid until the next call. The loop's time
// changes once per iteration (or at an UpdateNow, when a callback ran
// long), so line looks at the clock once per iteration: a Date that lags
// by one iteration at most. The test of the iteration is inlined; update
// is the rest.
func (d *dateCache) line(s *Server) []byte {
	return d.okHead(s)[len(okLine) : len(okLine)+dateLen]
}

// okHead returns okLine, line's Date line and the server's Server line,
// in one slice valid until the next call.
func (d *dateCache) okHead(s *Server) []byte {
	if s.loop.Iteration() != d.iter {
		d.update(s)
	}
	return d.buf
}

// update formats the Date of the loop's current time, if its second
// changed since the last.
func (d *dateCache) update(s *Server) {
	d.iter = s.loop.Iteration()
	now := s.clock() // the loop's time, shared with the connections' timers
	if sec := now.Unix(); sec != d.sec || d.buf[len(okLine)] == 0 {
		d.sec = sec
		date := d.buf[len(okLine) : len(okLine)+dateLen]
		now.UTC().AppendFormat(append(date[:0], "Date: "...), http.TimeFormat)
		copy(date[dateLen-2:], "\r\n")
	}
}
