package evhttp

import "net/http"

// dateCache holds the Date header value of the current second, formatted
// once per second rather than once per response.
type dateCache struct {
	sec  int64
	iter uint64 // the loop iteration of the last get
	buf  [len(http.TimeFormat)]byte
}

// get returns the IMF-fixdate of the loop's current time; the slice is
// valid until the next call. The loop's time changes once per iteration
// (or at an UpdateNow, when a callback ran long), so get looks at the
// clock once per iteration: a Date that lags by one iteration at most.
func (d *dateCache) get(s *Server) []byte {
	if it := s.loop.Iteration(); it != d.iter || d.buf[0] == 0 {
		d.iter = it
		now := s.loop.Now()
		if sec := now.Unix(); sec != d.sec || d.buf[0] == 0 {
			d.sec = sec
			now.UTC().AppendFormat(d.buf[:0], http.TimeFormat)
		}
	}
	return d.buf[:]
}
