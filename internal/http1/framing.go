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

// keepAlive reports whether the connection persists after a message with
// framing f (RFC 9112 §9.3): HTTP/1.0 only with "keep-alive" among its
// Connection options, 1.1 unless "close" is among them.
func (f *framing) keepAlive(http10 bool) bool {
	if http10 {
		return f.keepTok && !f.closeTok
	}
	return !f.closeTok
}

// scanFraming reads the framing-related fields into f. It rejects conflicting
// or malformed Content-Length and Transfer-Encoding fields, the classic
// request smuggling vectors; the start-line-specific rules are left to the
// caller. Any Transfer-Encoding in an HTTP/1.0 message fails (RFC 9112 §6.1:
// its framing is faulty). On error f holds what was gathered so far.
//
// It runs once per message, over every field: f is filled in place rather
// than returned (a framing is seven words), and a field's name is sliced
// only when its length is one of the six names looked for.
func (h *head) scanFraming(f *framing, http10 bool) *Error {
	*f = framing{hostIdx: -1, upgradeIdx: -1}
	var firstLength []byte
	arena := h.arena
	for i := range h.fields {
		fl := &h.fields[i]
		switch fl.nameEnd - fl.nameStart {
		case 4, 6, 7, 10, 14, 17:
		default:
			continue
		}
		name := arena[fl.nameStart:fl.nameEnd]
		value := arena[fl.valStart:fl.valEnd]
		switch len(name) {
		case 4:
			if isHostName(name) {
				if f.hosts == 0 {
					f.hostIdx = i
				}
				f.hosts++
			}
		case 6:
			if isFieldName(name, "expect") {
				f.expect = true
				f.expect100 = f.expect100 || equalFold(value, "100-continue")
			}
		case 7:
			if isFieldName(name, "upgrade") && f.upgradeIdx < 0 {
				f.upgradeIdx = i
			}
		case 10:
			if isFieldName(name, "connection") {
				for rest := value; len(rest) > 0; {
					var opt []byte
					opt, rest = nextListElem(rest)
					f.closeTok = f.closeTok || equalFold(opt, "close")
					f.keepTok = f.keepTok || equalFold(opt, "keep-alive")
				}
			}
		case 14:
			if !isFieldName(name, "content-length") {
				break
			}
			// Identical duplicates are folded (RFC 9110 §8.6); a comma list
			// is not a valid value (net/http agrees).
			if f.hasLength {
				if string(value) != string(firstLength) {
					return errLengthConflict
				}
				break
			}
			n, ok := parseDecimal(value)
			if !ok {
				return errContentLength
			}
			f.hasLength, f.length, firstLength = true, n, value
		case 17:
			if !isFieldName(name, "transfer-encoding") {
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
					return errTEList
				}
				isChunked := equalFold(coding, "chunked")
				switch {
				case f.chunked && isChunked:
					return errChunkedTwice
				case f.chunked:
					return errChunkedLast
				case isChunked:
					f.chunked = true
				default:
					f.unknownTE = true
				}
			}
		}
	}
	return nil
}
