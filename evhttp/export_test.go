package evhttp

// BufferedOutput returns the reply bytes s's connections hold that the
// kernel has not accepted yet: queued in the streams and waiting in the
// requests' reply buffers.
func BufferedOutput(s *Server) int {
	n := 0
	for _, c := range s.conns {
		n += c.sc.OutputLen()
		for r := c.qhead; r != nil; r = r.next {
			n += r.out.Len()
		}
	}
	return n
}

// CorkPosted corks r's connection until the posted functions running have
// run, as a bridged reply does.
func CorkPosted(r *Request) { r.c.corkPosted() }

// ReplyFieldsCounted reports whether the reply-head fields h records, kept
// up to date by its methods, are those a count of its fields finds.
func ReplyFieldsCounted(h *Headers) bool {
	got := h.replyFields()
	c := Headers{fields: h.fields}
	c.count()
	return got == c.known
}

// AppendLength is appendLength.
func AppendLength(b []byte, length int64) []byte { return appendLength(b, length) }

// HijackWaiting reports whether a request of s waits for the replies
// before its own to be written, to be hijacked. Loop-only.
func HijackWaiting(s *Server) bool {
	for _, c := range s.conns {
		for r := c.qhead; r != nil; r = r.next {
			if r.switching && len(r.dones) > 0 {
				return true
			}
		}
	}
	return false
}
