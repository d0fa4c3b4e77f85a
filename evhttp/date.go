package evhttp

import "net/http"

// dateCache holds the Date header line of the current second, formatted
// once per second rather than once per response.
type dateCache struct {
	sec  int64
	iter uint64 // the loop iteration of the last line
	buf  [len("Date: ") + len(http.TimeFormat) + len("\r\n")]byte
}

// line returns "Date: " and the IMF-fixdate of the loop's current time,
// with its CRLF; the slice is valid until the next call. The loop's time
// changes once per iteration (or at an UpdateNow, when a callback ran
// long), so line looks at the clock once per iteration: a Date that lags
// by one iteration at most.
func (d *dateCache) line(s *Server) []byte {
	if it := s.loop.Iteration(); it != d.iter || d.buf[0] == 0 {
		d.iter = it
		now := s.clock() // the loop's time, shared with the connections' timers
		if sec := now.Unix(); sec != d.sec || d.buf[0] == 0 {
			d.sec = sec
			now.UTC().AppendFormat(append(d.buf[:0], "Date: "...), http.TimeFormat)
			copy(d.buf[len(d.buf)-2:], "\r\n")
		}
	}
	return d.buf[:]
}
