package http1

import "iter"

// RequestParser parses the head of an HTTP/1.1 request: the request line and
// the header section (RFC 9112 §2-§5), incrementally and strictly.
//
// Bytes are copied into an arena owned by the parser, allocated once with
// capacity Limits.MaxHeadBytes and reused after Reset, so that parsing in steady
// state allocates nothing. The zero value is ready to use with default Limits.
//
// All []byte results are views into the arena: they are valid until the next
// Reset and must not be modified.
//
// A RequestParser is not safe for concurrent use.
type RequestParser struct {
	h          head
	methodEnd  int32 // method is arena[:methodEnd]
	targetEnd  int32 // target is arena[methodEnd+1:targetEnd]
	major      int
	minor      int
	f          framing
	kind       BodyKind
	keepAlive  bool
	configured bool // h.init has run
	// methodScan is how many bytes of the incomplete start line have been
	// checked as method bytes (-1: the method is complete).
	methodScan int
	// lastHost[:lastHostLen] is the last Host value that passed the
	// authority check (none while lastHostLen is 0); unlike the rest, it
	// survives Reset (see knownHost).
	lastHost    [maxKnownHost]byte
	lastHostLen uint8
}

// NewRequestParser returns a parser bounded by lim, with its arena allocated.
func NewRequestParser(lim Limits) *RequestParser {
	p := &RequestParser{}
	p.h.init(lim)
	p.configured = true
	return p
}

// Feed parses as much of in as belongs to the request head and returns how
// many bytes it consumed. It may be called with any split of the input, down
// to one byte at a time. Once Done reports true, consumed stops right after
// the CRLF CRLF ending the head: in[consumed:] is the start of the body (or of
// the next request) and belongs to the caller.
//
// A non-nil error is always an *Error with the status to answer; it is sticky:
// later calls return it again until Reset.
func (p *RequestParser) Feed(in []byte) (consumed int, err error) {
	if !p.configured {
		p.h.init(Limits{})
		p.configured = true
	}
	if p.h.done && p.h.err == nil {
		return 0, nil // the head is complete; the rest is the caller's
	}
	if len(p.h.arena) == 0 && !p.h.started && p.h.err == nil {
		// A request whose whole head arrived at once, as most do: one
		// pass and one copy. Faults are left to the general path below,
		// which reports them exactly as for any other split.
		if n, ok := p.h.feedWhole(in); ok {
			if p.parseRequestLine() == nil && p.finish() == nil {
				return n, nil
			}
			p.Reset()
		}
	}
	for {
		n, startLine, err := p.h.feed(in[consumed:], errTargetTooLong)
		consumed += n
		if err != nil {
			if !p.h.started {
				err = p.startLineFault(err)
			}
			return consumed, err
		}
		if startLine {
			if e := p.parseRequestLine(); e != nil {
				return consumed, p.h.fail(e)
			}
			continue
		}
		if !p.h.started {
			if e := p.checkPartialMethod(); e != nil {
				return consumed, p.h.fail(e)
			}
		}
		if p.h.done {
			if e := p.finish(); e != nil {
				return consumed, p.h.fail(e)
			}
		}
		return consumed, nil
	}
}

// Done reports whether the complete head has been parsed without error; the
// framing accessors are meaningful only then.
func (p *RequestParser) Done() bool { return p.h.done && p.h.err == nil }

// Reset prepares the parser for the next request, keeping its arena (and
// the last Host value it accepted, so that the next request's identical
// Host is not checked again). All views returned so far become invalid.
func (p *RequestParser) Reset() {
	p.h.reset()
	p.methodEnd, p.targetEnd, p.major, p.minor = 0, 0, 0, 0
	p.f = framing{}
	p.kind, p.keepAlive = BodyNone, false
	p.methodScan = 0
}

// checkPartialMethod fails as soon as the start line received so far
// cannot begin with a method, instead of when its line end comes: bytes
// that are no HTTP at all (a TLS ClientHello sent to the plain port,
// binary junk) may hold no LF for a long time, and the client would wait
// for the header timeout rather than get its 400. The same fault takes
// precedence on a complete line (parseRequestLine, startLineFault), so the
// error does not depend on how the input was split.
func (p *RequestParser) checkPartialMethod() *Error {
	if p.methodScan < 0 {
		return nil
	}
	next, bad := scanMethod(p.h.arena[p.h.lineStart:], p.methodScan, true)
	if bad {
		return errMethod
	}
	p.methodScan = next
	return nil
}

// startLineFault returns the error to report for err, a fault of the line
// reader met before the start line was complete: errMethod if the line's
// method part already had a byte no method may have, errMethodTooLong if
// the line filled the head with its method alone (RFC 9112 §3: a method
// longer than any implemented gets 501; the target, 414, has not begun).
func (p *RequestParser) startLineFault(err error) error {
	line := p.h.arena
	partial := true
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line, partial = line[:n-1], false
	}
	next, bad := scanMethod(line, 0, partial)
	switch {
	case bad:
		p.h.err = errMethod
		return errMethod
	case next >= 0 && err == error(errTargetTooLong):
		p.h.err = errMethodTooLong
		return errMethodTooLong
	}
	return err
}

// scanMethod checks line[from:] as method bytes up to the first SP. It
// returns where to resume (-1 once the SP is seen) and whether a byte is
// not a token character; in a partial line, a CR as the last byte may
// be the start of the line end, and is checked again with the next byte.
func scanMethod(line []byte, from int, partial bool) (next int, bad bool) {
	for i := from; i < len(line); i++ {
		switch c := line[i]; {
		case c == ' ':
			return -1, false
		case tchar[c]:
		case c == '\r' && partial && i == len(line)-1:
			return i, false
		default:
			return i, true
		}
	}
	return len(line), false
}

// parseRequestLine validates request-line = method SP request-target SP
// HTTP-version (RFC 9112 §3), with exactly one SP between the parts.
func (p *RequestParser) parseRequestLine() *Error {
	line := p.h.arena[:p.h.startEnd]
	if p.parseCommonLine(line) {
		return nil
	}
	return p.parseAnyLine(line)
}

// parseCommonLine is parseRequestLine's one-pass fast path for the line
// nearly every request has: a method, an origin-form target of RFC 3986
// characters without percent escapes, and HTTP/1.1. It reports false,
// having recorded nothing, on any other line, which parseAnyLine then
// parses from the start: a line it accepts, parseAnyLine accepts with the
// same result, so no verdict depends on which of the two ran.
func (p *RequestParser) parseCommonLine(line []byte) bool {
	const version = " HTTP/1.1"
	end := len(line) - len(version) // where the target ends
	if end < 3 || string(line[end:]) != version {
		return false
	}
	sp1 := 3 // after "GET", the usual method
	if end <= sp1+1 || string(line[:sp1+1]) != "GET " {
		sp1 = 0
		for sp1 < end && tchar[line[sp1]] {
			sp1++
		}
		if sp1 == 0 || sp1 >= end || line[sp1] != ' ' || string(line[:sp1]) == "CONNECT" {
			return false
		}
	}
	target := line[sp1+1 : end]
	if len(target) == 0 || target[0] != '/' || len(target) > p.h.lim.MaxTargetBytes {
		return false
	}
	for _, c := range target {
		if !uriChar[c] {
			return false
		}
	}
	p.methodEnd, p.targetEnd = int32(sp1), int32(end)
	p.major, p.minor = 1, 1
	return true
}

// parseAnyLine is parseRequestLine for any line; it knows every fault.
func (p *RequestParser) parseAnyLine(line []byte) *Error {
	sp1 := 0
	for sp1 < len(line) && tchar[line[sp1]] {
		sp1++
	}
	switch {
	case sp1 < len(line) && line[sp1] != ' ':
		return errMethod
	case sp1 == 0 || sp1 == len(line):
		return errRequestLine
	}
	method, rest := line[:sp1], line[sp1+1:]
	sp2 := indexSP(rest)
	if sp2 < 0 {
		return errRequestLine
	}
	if sp2 == 0 {
		return errTarget // empty target; net/http accepts it for CONNECT
	}
	if sp2 > p.h.lim.MaxTargetBytes {
		return errTargetTooLong
	}
	major, minor, e := parseVersion(rest[sp2+1:])
	if e != nil {
		return e
	}
	if e := checkTarget(method, rest[:sp2]); e != nil {
		return e
	}
	p.methodEnd = int32(sp1)
	p.targetEnd = int32(sp1 + 1 + sp2)
	p.major, p.minor = major, minor
	return nil
}

func indexSP(b []byte) int {
	for i, c := range b {
		if c == ' ' {
			return i
		}
	}
	return -1
}

// parseVersion parses HTTP-version = "HTTP/" DIGIT "." DIGIT (case-sensitive,
// RFC 9112 §2.3). Major version 1 is supported, a minor version above 1
// being processed as 1.1 (RFC 9110 §2.5; net/http does the same); other
// well-formed versions get 505.
func parseVersion(v []byte) (major, minor int, err *Error) {
	if len(v) != 8 || string(v[:5]) != "HTTP/" || v[6] != '.' ||
		v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9' {
		return 0, 0, errVersion
	}
	major, minor = int(v[5]-'0'), int(v[7]-'0')
	if major != 1 {
		return 0, 0, errVersionSupport
	}
	return major, minor, nil
}

// finish applies the request framing rules of RFC 9112 §6 once the head is
// complete. The framing is gathered in p.f and left there only if the
// request passes.
func (p *RequestParser) finish() *Error {
	f := &p.f
	if e := p.checkFraming(f); e != nil {
		*f = framing{}
		return e
	}
	switch {
	case f.chunked:
		p.kind = BodyChunked
	case f.hasLength:
		p.kind = BodyLength
	default:
		p.kind = BodyNone
	}
	p.keepAlive = f.keepAlive(p.minor == 0)
	return nil
}

// checkFraming gathers the framing fields into f and checks them and the
// Host field.
func (p *RequestParser) checkFraming(f *framing) *Error {
	if e := p.h.scanFraming(f, p.minor == 0); e != nil {
		return e
	}
	switch {
	case f.hasLength && f.hasTE:
		return errLengthAndTE
	case f.hasTE && p.minor == 0:
		// RFC 9112 §6.1: the framing of an HTTP/1.0 message with
		// Transfer-Encoding is faulty; the request has a body but no
		// Content-Length: 411 (§6.3).
		return errLengthRequired
	case f.hasTE && !f.chunked:
		return errChunkedLast
	case f.unknownTE:
		return errTEUnsupported
	case f.hosts > 1:
		return errDuplicateHost
	case f.hosts == 0 && p.minor >= 1:
		return errMissingHost
	}
	if f.hosts == 1 {
		_, host := p.h.header(f.hostIdx)
		if len(host) > 0 && !p.knownHost(host) {
			if checkAuthority(host, false) != nil {
				return errHost
			}
			p.rememberHost(host)
		}
	}
	return nil
}

// maxKnownHost bounds the Host values a parser remembers: a few host names
// and ports fit, and comparing that much costs less than checking it again.
const maxKnownHost = 64

// knownHost reports whether host is byte for byte the last Host value that
// passed checkAuthority in this parser. A keep-alive client sends the same
// Host on every request, and the parser (recycled with its connection's
// requests) sees it again and again; the answer depends on the bytes alone,
// so whichever connection a remembered value came from does not matter.
func (p *RequestParser) knownHost(host []byte) bool {
	return len(host) == int(p.lastHostLen) && string(host) == string(p.lastHost[:p.lastHostLen])
}

// rememberHost records host, which has passed checkAuthority, for
// knownHost, if it is short enough.
func (p *RequestParser) rememberHost(host []byte) {
	if len(host) <= maxKnownHost {
		p.lastHostLen = uint8(copy(p.lastHost[:], host))
	}
}

// Method returns the request method, such as "GET". Methods are
// case-sensitive; the parser only checks that it is a token.
func (p *RequestParser) Method() []byte { return p.h.arena[:p.methodEnd:p.methodEnd] }

// Target returns the request target exactly as received (not decoded).
func (p *RequestParser) Target() []byte {
	return p.h.arena[p.methodEnd+1 : p.targetEnd : p.targetEnd]
}

// Proto returns the HTTP version as received: 1.0, 1.1, or a later 1.x
// that the parser processes as 1.1.
func (p *RequestParser) Proto() (major, minor int) { return p.major, p.minor }

// NumHeaders returns the number of header fields parsed so far.
func (p *RequestParser) NumHeaders() int { return len(p.h.fields) }

// Header returns the i-th header field in arrival order, with name as
// received and value trimmed of surrounding whitespace. It panics if i is out
// of range.
func (p *RequestParser) Header(i int) (name, value []byte) { return p.h.header(i) }

// Get returns the value of the first field named name (ASCII
// case-insensitive) and whether there was one.
func (p *RequestParser) Get(name string) ([]byte, bool) { return p.h.get(name) }

// Values yields the value of every field named name, in order.
func (p *RequestParser) Values(name string) iter.Seq[[]byte] { return p.h.values(name) }

// BodyKind returns how the request body is delimited.
func (p *RequestParser) BodyKind() BodyKind { return p.kind }

// ContentLength returns the body length when BodyKind is BodyLength, and 0
// otherwise.
func (p *RequestParser) ContentLength() int64 {
	if p.kind != BodyLength {
		return 0
	}
	return p.f.length
}

// KeepAlive reports whether the connection may persist after this request:
// HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with
// "Connection: keep-alive" (RFC 9112 §9.3).
func (p *RequestParser) KeepAlive() bool { return p.keepAlive }

// Expect100 reports whether the request carries "Expect: 100-continue".
func (p *RequestParser) Expect100() bool { return p.f.expect100 }

// HasExpect reports whether the request has an Expect field, whatever its
// value.
func (p *RequestParser) HasExpect() bool { return p.f.expect }

// HasHost reports whether the request has a Host field (always true for a
// parsed HTTP/1.1 request; HTTP/1.0 may omit it).
func (p *RequestParser) HasHost() bool { return p.f.hosts == 1 }

// Host returns the Host field value, empty if absent.
func (p *RequestParser) Host() []byte {
	if p.f.hosts != 1 {
		return nil
	}
	_, v := p.h.header(p.f.hostIdx)
	return v
}

// Upgrade returns the value of the first Upgrade field, or nil (also
// before Done). A server honours it only if ConnectionHas("upgrade")
// (RFC 9110 §7.8).
func (p *RequestParser) Upgrade() []byte {
	if !p.Done() || p.f.upgradeIdx < 0 {
		return nil
	}
	_, v := p.h.header(p.f.upgradeIdx)
	return v
}

// ConnectionHas reports whether token is one of the Connection options
// (ASCII case-insensitive), such as "close" or "upgrade".
func (p *RequestParser) ConnectionHas(token string) bool { return p.h.connectionHas(token) }
