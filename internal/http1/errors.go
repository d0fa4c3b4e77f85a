package http1

import "strconv"

// Error is a parse error carrying the HTTP status code a server should answer with
// (RFC 9110 §15) and a short, fixed reason. Parsers return the same *Error values for
// the same fault, so returning an error never allocates; compare Status, or use
// errors.As, never pointer identity across versions.
//
// ResponseParser and ChunkedDecoder reuse the request statuses to classify faults
// (400 malformed, 431 too large, 501 unsupported coding); a client would typically
// map any of them to 502 Bad Gateway.
type Error struct {
	// Status is the HTTP status code: 400, 411, 414, 431, 501 or 505.
	Status int
	// Reason is a short lower-case description of the fault, fit for a log line
	// or a response body.
	Reason string
}

// Error formats the error as "http1: <status> <reason>".
func (e *Error) Error() string {
	return "http1: " + strconv.Itoa(e.Status) + " " + e.Reason
}

func newError(status int, reason string) *Error { return &Error{Status: status, Reason: reason} }

// Request line and start line faults.
var (
	errRequestLine     = newError(400, "malformed request line")
	errMethod          = newError(400, "invalid method")
	errTarget          = newError(400, "invalid request target")
	errTargetForm      = newError(400, "request target form not allowed for method")
	errUserinfo        = newError(400, "userinfo in request target")
	errVersion         = newError(400, "malformed HTTP version")
	errVersionSupport  = newError(505, "HTTP version not supported")
	errTargetTooLong   = newError(414, "request target too long")
	errMethodTooLong   = newError(501, "method too long")
	errStatusLine      = newError(400, "malformed status line")
	errLeadingNewlines = newError(400, "too many empty lines before start line")
)

// Header block faults.
var (
	errHeadTooLarge   = newError(431, "header section too large")
	errTooManyFields  = newError(431, "too many header fields")
	errBareLF         = newError(400, "bare LF line terminator")
	errFieldName      = newError(400, "invalid header field name")
	errFieldValue     = newError(400, "invalid header field value")
	errSpaceInName    = newError(400, "whitespace between field name and colon")
	errObsFold        = newError(400, "obsolete line folding")
	errMissingColon   = newError(400, "header line without colon")
	errMissingHost    = newError(400, "missing Host header")
	errDuplicateHost  = newError(400, "multiple Host headers")
	errHost           = newError(400, "invalid Host header")
	errLengthAndTE    = newError(400, "both Content-Length and Transfer-Encoding")
	errContentLength  = newError(400, "invalid Content-Length")
	errLengthConflict = newError(400, "conflicting Content-Length values")
	errTEList         = newError(400, "malformed Transfer-Encoding")
	errChunkedLast    = newError(400, "chunked is not the final transfer coding")
	errChunkedTwice   = newError(400, "chunked applied more than once")
	errTEHTTP10       = newError(400, "Transfer-Encoding in HTTP/1.0 message")
	// errLengthRequired is an HTTP/1.0 request announcing a body with
	// Transfer-Encoding and no Content-Length: RFC 9112 §6.1 makes its
	// framing faulty, and §6.3 lets a server answer a request with a body
	// but no Content-Length with 411.
	errLengthRequired = newError(411, "Transfer-Encoding in HTTP/1.0 request; Content-Length required")
	errTEUnsupported  = newError(501, "unsupported transfer coding")
)

// Chunked body faults.
var (
	errChunkSize        = newError(400, "invalid chunk size")
	errChunkOverflow    = newError(400, "chunk size too large")
	errChunkExt         = newError(400, "invalid chunk extension")
	errChunkCRLF        = newError(400, "missing CRLF after chunk data")
	errChunkLineTooLong = newError(400, "chunk size line too long")
	errChunkOverhead    = newError(400, "too much chunk framing for its data")
	errTrailerTooLarge  = newError(431, "trailer section too large")
)
