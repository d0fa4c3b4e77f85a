package evhttp

import "net/http"

// dateCache holds the Date header value of the current second, formatted
// once per second rather than once per response.
type dateCache struct {
	sec int64
	buf [len(http.TimeFormat)]byte
}

// get returns the IMF-fixdate of the loop's current time; the slice is
// valid until the next call.
func (d *dateCache) get(s *Server) []byte {
	now := s.loop.Now()
	if sec := now.Unix(); sec != d.sec || d.buf[0] == 0 {
		d.sec = sec
		now.UTC().AppendFormat(d.buf[:0], http.TimeFormat)
	}
	return d.buf[:]
}
