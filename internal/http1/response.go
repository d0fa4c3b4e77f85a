package http1

import "iter"

// ResponseParser parses the head of an HTTP/1.1 response: the status line and
// the header section, incrementally, with the same strictness, arena and
// lifetime rules as RequestParser (views are valid until Reset).
//
// The body framing depends on the request (RFC 9112 §6.3): call
// SetRequestMethod before the head completes when the request was HEAD or
// CONNECT. The zero value is ready to use with default Limits and assumes a
// GET request.
//
// A ResponseParser is not safe for concurrent use.
type ResponseParser struct {
	h          head
	status     int
	major      int
	minor      int
	reasonOff  int32 // reason phrase is arena[reasonOff:h.startEnd]
	f          framing
	kind       BodyKind
	keepAlive  bool
	head       bool // the request was HEAD
	connect    bool // the request was CONNECT
	configured bool
}

// NewResponseParser returns a parser bounded by lim, with its arena allocated.
func NewResponseParser(lim Limits) *ResponseParser {
	p := &ResponseParser{}
	p.h.init(lim)
	p.configured = true
	return p
}

// SetRequestMethod tells the parser which method the response answers; it
// matters for HEAD (never a body) and CONNECT (a 2xx switches to a tunnel).
// Reset keeps it.
func (p *ResponseParser) SetRequestMethod(method []byte) {
	p.head = string(method) == "HEAD"
	p.connect = string(method) == "CONNECT"
}

// Feed parses as much of in as belongs to the response head and returns how
// many bytes it consumed, with the same contract as RequestParser.Feed.
// A 1xx response is a complete message without body: the caller Resets and
// feeds the rest for the final response.
func (p *ResponseParser) Feed(in []byte) (consumed int, err error) {
	if !p.configured {
		p.h.init(Limits{})
		p.configured = true
	}
	if p.h.done && p.h.err == nil {
		return 0, nil // the head is complete; the rest is the caller's
	}
	for {
		n, startLine, err := p.h.feed(in[consumed:], errHeadTooLarge)
		consumed += n
		if err != nil {
			return consumed, err
		}
		if startLine {
			if e := p.parseStatusLine(); e != nil {
				return consumed, p.h.fail(e)
			}
			continue
		}
		if p.h.done {
			if e := p.finish(); e != nil {
				return consumed, p.h.fail(e)
			}
		}
		return consumed, nil
	}
}

// Done reports whether the complete head has been parsed without error.
func (p *ResponseParser) Done() bool { return p.h.done && p.h.err == nil }

// Reset prepares the parser for the next response, keeping its arena and the
// request method. All views returned so far become invalid.
func (p *ResponseParser) Reset() {
	p.h.reset()
	p.status, p.major, p.minor, p.reasonOff = 0, 0, 0, 0
	p.f = framing{}
	p.kind, p.keepAlive = BodyNone, false
}

// parseStatusLine validates status-line = HTTP-version SP status-code SP
// [reason-phrase] (RFC 9112 §4). As a tolerance for old servers, the SP after
// the status code may be missing when the reason is empty.
func (p *ResponseParser) parseStatusLine() *Error {
	line := p.h.arena[:p.h.startEnd]
	if len(line) < 12 || line[8] != ' ' {
		return errStatusLine
	}
	major, minor, e := parseVersion(line[:8])
	if e != nil {
		return e
	}
	code := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return errStatusLine
		}
		code = code*10 + int(c-'0')
	}
	if code < 100 {
		return errStatusLine
	}
	reason := line[12:]
	if len(reason) > 0 {
		if reason[0] != ' ' {
			return errStatusLine
		}
		for _, c := range reason[1:] {
			if !fieldVal[c] {
				return errStatusLine
			}
		}
		p.reasonOff = 13
	} else {
		p.reasonOff = 12
	}
	p.status, p.major, p.minor = code, major, minor
	return nil
}

// finish applies the response framing rules of RFC 9112 §6.3.
func (p *ResponseParser) finish() *Error {
	var f framing
	if e := p.h.scanFraming(&f, p.minor == 0); e != nil {
		return e
	}
	if f.hasTE && p.minor == 0 {
		return errTEHTTP10 // faulty framing, even where no body follows
	}
	p.f = f
	noBody := p.head || p.status < 200 || p.status == 204 || p.status == 304 ||
		p.connect && p.status < 300
	switch {
	case noBody:
		p.kind = BodyNone
	case f.hasLength && f.hasTE:
		// RFC 9112 §6.3 rule 3 lets Transfer-Encoding win, but a message with
		// both is a smuggling attempt or a broken server: reject.
		return errLengthAndTE
	case f.hasTE && p.minor == 0:
		return errTEHTTP10
	case f.hasTE && f.chunked && !f.unknownTE:
		p.kind = BodyChunked
	case f.hasTE && f.chunked:
		return errTEUnsupported
	case f.hasTE:
		// Rule 4: chunked is not final, the body runs until close.
		p.kind = BodyUntilClose
	case f.hasLength:
		p.kind = BodyLength
	default:
		p.kind = BodyUntilClose
	}
	p.keepAlive = f.keepAlive(p.minor == 0)
	if p.kind == BodyUntilClose {
		p.keepAlive = false
	}
	return nil
}

// Status returns the status code, 100-999.
func (p *ResponseParser) Status() int { return p.status }

// Reason returns the reason phrase, possibly empty.
func (p *ResponseParser) Reason() []byte {
	return p.h.arena[p.reasonOff:p.h.startEnd:p.h.startEnd]
}

// Proto returns the HTTP version: 1.0 or 1.1.
func (p *ResponseParser) Proto() (major, minor int) { return p.major, p.minor }

// NumHeaders returns the number of header fields parsed so far.
func (p *ResponseParser) NumHeaders() int { return len(p.h.fields) }

// Header returns the i-th header field in arrival order. It panics if i is
// out of range.
func (p *ResponseParser) Header(i int) (name, value []byte) { return p.h.header(i) }

// Get returns the value of the first field named name (ASCII
// case-insensitive) and whether there was one.
func (p *ResponseParser) Get(name string) ([]byte, bool) { return p.h.get(name) }

// Values yields the value of every field named name, in order.
func (p *ResponseParser) Values(name string) iter.Seq[[]byte] { return p.h.values(name) }

// BodyKind returns how the response body is delimited.
func (p *ResponseParser) BodyKind() BodyKind { return p.kind }

// ContentLength returns the body length when BodyKind is BodyLength, and 0
// otherwise.
func (p *ResponseParser) ContentLength() int64 {
	if p.kind != BodyLength {
		return 0
	}
	return p.f.length
}

// KeepAlive reports whether the connection may carry another request after
// this response's body.
func (p *ResponseParser) KeepAlive() bool { return p.keepAlive }

// ConnectionHas reports whether token is one of the Connection options.
func (p *ResponseParser) ConnectionHas(token string) bool { return p.h.connectionHas(token) }
