package http1

// BodyKind says how the body of a message is delimited (RFC 9112 §6.3).
type BodyKind uint8

// Body kinds. A request is never BodyUntilClose: without Content-Length or
// Transfer-Encoding its body is empty (RFC 9112 §6.3 rule 7); only an HTTP/1.0
// request with Transfer-Encoding gets 411 Length Required.
const (
	// BodyNone means the message has no body.
	BodyNone BodyKind = iota
	// BodyLength means the body is exactly ContentLength() bytes.
	BodyLength
	// BodyChunked means the body uses the chunked coding; decode it with a
	// ChunkedDecoder.
	BodyChunked
	// BodyUntilClose means the body runs until the connection closes
	// (responses only).
	BodyUntilClose
)

// String returns the kind's name, such as "chunked".
func (k BodyKind) String() string {
	switch k {
	case BodyNone:
		return "none"
	case BodyLength:
		return "content-length"
	case BodyChunked:
		return "chunked"
	case BodyUntilClose:
		return "until-close"
	}
	return "BodyKind(?)"
}

// framing is what the header fields say about the message's delimitation and
// connection, gathered in one pass over the fields.
type framing struct {
	length     int64 // Content-Length value when hasLength
	hasLength  bool  // at least one Content-Length field
	hasTE      bool  // at least one Transfer-Encoding field
	chunked    bool  // chunked is the final transfer coding, applied once
	unknownTE  bool  // a transfer coding other than chunked is present
	closeTok   bool  // Connection: close
	keepTok    bool  // Connection: keep-alive
	expect     bool  // at least one Expect field
	expect100  bool  // Expect: 100-continue
	hosts      int   // number of Host fields
	hostIdx    int   // index of the first Host field, -1 if none
	upgradeIdx int   // index of the first Upgrade field, -1 if none
}

// scanFraming reads the framing-related fields. It rejects conflicting or
// malformed Content-Length and Transfer-Encoding fields, the classic request
// smuggling vectors; the start-line-specific rules are left to the caller.
// Any Transfer-Encoding in an HTTP/1.0 message fails (RFC 9112 §6.1: its
// framing is faulty).
func (h *head) scanFraming(http10 bool) (framing, *Error) {
	f := framing{hostIdx: -1, upgradeIdx: -1}
	var firstLength []byte
	for i := range h.fields {
		name, value := h.header(i)
		switch len(name) {
		case 4:
			if equalFold(name, "host") {
				if f.hosts == 0 {
					f.hostIdx = i
				}
				f.hosts++
			}
		case 6:
			if equalFold(name, "expect") {
				f.expect = true
				f.expect100 = f.expect100 || equalFold(value, "100-continue")
			}
		case 7:
			if equalFold(name, "upgrade") && f.upgradeIdx < 0 {
				f.upgradeIdx = i
			}
		case 10:
			if equalFold(name, "connection") {
				for rest := value; len(rest) > 0; {
					var opt []byte
					opt, rest = nextListElem(rest)
					f.closeTok = f.closeTok || equalFold(opt, "close")
					f.keepTok = f.keepTok || equalFold(opt, "keep-alive")
				}
			}
		case 14:
			if !equalFold(name, "content-length") {
				break
			}
			// Identical duplicates are folded (RFC 9110 §8.6); a comma list
			// is not a valid value (net/http agrees).
			if f.hasLength {
				if string(value) != string(firstLength) {
					return f, errLengthConflict
				}
				break
			}
			n, ok := parseDecimal(value)
			if !ok {
				return f, errContentLength
			}
			f.hasLength, f.length, firstLength = true, n, value
		case 17:
			if !equalFold(name, "transfer-encoding") {
				break
			}
			f.hasTE = true
			if http10 {
				// Faulty framing whatever the codings; the caller says
				// which fault (with Content-Length, or without).
				break
			}
			// Every list element must be a bare token: empty elements and
			// transfer parameters are rejected.
			for rest := value; rest != nil; {
				var coding []byte
				coding, rest = nextListElem(rest)
				if !isToken(coding) {
					return f, errTEList
				}
				isChunked := equalFold(coding, "chunked")
				switch {
				case f.chunked && isChunked:
					return f, errChunkedTwice
				case f.chunked:
					return f, errChunkedLast
				case isChunked:
					f.chunked = true
				default:
					f.unknownTE = true
				}
			}
		}
	}
	return f, nil
}
