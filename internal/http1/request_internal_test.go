package http1

import (
	"strings"
	"testing"
)

// TestParseCommonLine checks the request line's fast path against the
// general one: on each line, and on each line with every byte of a set
// of troublemakers put at every position, a line parseCommonLine accepts
// must be accepted by parseAnyLine with the same method, target and
// version, and the common lines must take the fast path.
func TestParseCommonLine(t *testing.T) {
	lines := []string{
		"GET / HTTP/1.1", "GET /index.html?q=1&r=a:b@c HTTP/1.1", "POST /upload HTTP/1.1",
		"M / HTTP/1.1", "OPTIONS / HTTP/1.1", "GET%20/ HTTP/1.1",
		"GET /a%41 HTTP/1.1", "GET / HTTP/1.0", "GET http://h/ HTTP/1.1", "CONNECT /x HTTP/1.1",
		"CONNECT h:443 HTTP/1.1", "OPTIONS * HTTP/1.1", "GET  / HTTP/1.1", "GET / HTTP/1.1 ",
		"GET HTTP/1.1", "GET  HTTP/1.1", "G HTTP/1.1", " HTTP/1.1", "GET / HTTP/1.2", "/ / HTTP/1.1",
		"GET /" + strings.Repeat("a", 40) + " HTTP/1.1",
	}
	fast := map[string]bool{lines[0]: true, lines[1]: true, lines[2]: true, lines[3]: true, lines[4]: true}
	odd := []byte{' ', '\t', '/', '%', '?', '#', '*', ':', '@', 'a', 'T', '0', '1', 0, 0x7f, 0x80}
	lim := Limits{MaxTargetBytes: 32}.withDefaults()
	check := func(line []byte) {
		var p1, p2 RequestParser
		p1.h.lim, p2.h.lim = lim, lim
		ok := p1.parseCommonLine(line)
		if fast[string(line)] && !ok {
			t.Errorf("%q: the fast path gave up", line)
		}
		if !ok {
			return
		}
		if e := p2.parseAnyLine(line); e != nil {
			t.Fatalf("%q: the fast path accepts it, the general one says %v", line, e)
		}
		if p1.methodEnd != p2.methodEnd || p1.targetEnd != p2.targetEnd || p1.major != p2.major || p1.minor != p2.minor {
			t.Fatalf("%q: fast path %d %d %d.%d; general %d %d %d.%d", line,
				p1.methodEnd, p1.targetEnd, p1.major, p1.minor, p2.methodEnd, p2.targetEnd, p2.major, p2.minor)
		}
	}
	for _, l := range lines {
		check([]byte(l))
		for pos := range len(l) + 1 {
			for _, c := range odd {
				b := []byte(l[:pos] + string(c) + l[pos:]) // inserted
				check(b)
				if pos < len(l) {
					b = []byte(l)
					b[pos] = c // replaced
					check(b)
					check([]byte(l[:pos] + l[pos+1:])) // removed
				}
			}
		}
	}
}
