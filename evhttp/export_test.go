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
