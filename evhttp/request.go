package evhttp

import (
	"net"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/internal/http1"
)

// Request is an HTTP request and its reply (libevent's evhttp_request).
//
// A server reuses its Requests: one is valid from the handler's call until
// its reply is complete (SendReply, SendError or EndReply), and must not be
// touched afterwards. Replying again, or asking for RemoteAddr, panics
// while the server keeps it for reuse; once it serves another request the
// mistake cannot be seen. Strings it returns (URI, Path, header values…) are
// ordinary Go strings that stay valid; the buffers (Body, chunks given to the
// body handler) belong to the Request and live as long as it does.
//
// A Request belongs to its server's loop: every method is loop-only.
type Request struct {
	// Storage kept across reuse; reset empties it.
	p      *http1.RequestParser // the head; views valid until recycle
	cd     http1.ChunkedDecoder // the body, when chunked
	inHdr  Headers
	outHdr Headers
	body   buffer.Buffer // the buffered request body
	out    buffer.Buffer // reply bytes not yet handed to the connection
	dones  []func()

	reqVars // the rest, zeroed by reset
}

// reqVars is the part of a Request that reset sets back to zero: one
// assignment rather than a copy of the whole Request through a literal
// (the Buffers alone are ~500 bytes).
type reqVars struct {
	c      *Conn
	next   *Request // the connection's reply queue
	method string

	// omitType and omitDate leave out the reply's default Content-Type and
	// its Date (the bridge: a net/http handler set them to nil).
	omitType, omitDate bool

	uri, path string // cached conversions; "" until asked
	uriSet    bool
	pathSet   bool
	inHdrSet  bool

	route     route
	bodyFn    func(chunk *buffer.Buffer, done bool)
	bodyErrFn func(status int) // told when a streamed body fails after dispatch (Bridge)
	remaining int64            // body bytes still to read (BodyLength)
	bodyBytes int64            // body bytes read so far

	state      reqState
	chunked    bool // the request body is chunked
	streaming  bool // the body goes to bodyFn, the handler already ran
	paused     bool // the body handler left bytes: reading waits for ResumeBody
	keepAlive  bool
	head       bool // a HEAD request: replies have no body
	need100    bool // send 100 Continue when this request's turn comes
	sent100    bool
	dispatched bool // the handler was called
	started    bool // the reply head was written
	complete   bool // the reply is complete
	chunkReply bool // the reply body is chunked
	noBody     bool // the reply has no body (HEAD, 1xx, 204, 304)
	orphan     bool // the connection is gone: replies are dropped
	queued     bool // in the connection's reply queue
	// switching: the request may switch the connection to another
	// protocol (Upgrade, CONNECT) or is being hijacked (Bridge): nothing
	// after it is parsed until its reply is complete, since what follows
	// may not be HTTP.
	switching bool
}

type reqState uint8

const (
	stHead reqState = iota // reading the head
	stBody                 // reading the body
	stDone                 // the request was read completely
)

func newRequest(lim http1.Limits) *Request {
	return &Request{p: http1.NewRequestParser(lim)}
}

// reset prepares r for reuse, keeping its storage.
func (r *Request) reset() {
	r.p.Reset()
	r.cd.Reset()
	r.inHdr.Clear()
	r.outHdr.Clear()
	r.body.Reset()
	r.out.Reset()
	clear(r.dones)
	r.dones = r.dones[:0]
	r.reqVars = reqVars{}
}

// Method returns the request method. For the methods with a Method constant
// it is that constant.
func (r *Request) Method() string { return r.method }

// URI returns the request target exactly as received, such as
// "/search?q=a%20b" (evhttp_request_get_uri).
func (r *Request) URI() string {
	if !r.uriSet {
		r.uri, r.uriSet = string(r.p.Target()), true
	}
	return r.uri
}

// ParsedURI parses the request target (evhttp_request_get_evhttp_uri).
func (r *Request) ParsedURI() (*URI, error) { return ParseURI(r.URI()) }

// Path returns the path of the target, without its query, percent-decoded
// ('+' stays '+'); the raw target if it does not decode.
func (r *Request) Path() string {
	if !r.pathSet {
		raw := string(targetPath(r.p.Target()))
		if d, err := DecodeURI(raw, false); err == nil {
			raw = d
		}
		r.path, r.pathSet = raw, true
	}
	return r.path
}

// rawQuery returns the query of the target, without '?'.
func (r *Request) rawQuery() string {
	u := r.URI()
	for i := 0; i < len(u); i++ {
		if u[i] == '?' {
			return u[i+1:]
		}
	}
	return ""
}

// Query returns the parameters of the target's query, decoded, skipping
// malformed pairs (ParseQueryLenient).
func (r *Request) Query() Params { return ParseQueryLenient(r.rawQuery()) }

// Form returns the query parameters followed by those of an
// application/x-www-form-urlencoded body (GET and POST parameters in one
// place). The first malformed pair is an error (ErrBadQuery, ErrBadEscape).
// With a streamed body only the query is seen.
func (r *Request) Form() (Params, error) {
	p, err := ParseQuery(r.rawQuery())
	if err != nil {
		return Params{}, err
	}
	ct, _ := r.p.Get("Content-Type")
	if mediaIs(ct, "application/x-www-form-urlencoded") && r.body.Len() > 0 {
		b, err := ParseQuery(string(r.body.Pullup(-1)))
		if err != nil {
			return Params{}, err
		}
		for k, v := range b.All() {
			p.Add(k, v)
		}
	}
	return p, nil
}

// mediaIs reports whether a Content-Type value has media type t (ASCII
// case-insensitive, parameters ignored).
func mediaIs(ct []byte, t string) bool {
	if i := indexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	for len(ct) > 0 && (ct[len(ct)-1] == ' ' || ct[len(ct)-1] == '\t') {
		ct = ct[:len(ct)-1]
	}
	return equalFoldBytes(t, ct)
}

// InputHeaders returns the request's header fields in arrival order. They
// are converted from the parser on the first call.
func (r *Request) InputHeaders() *Headers {
	if !r.inHdrSet {
		r.inHdrSet = true
		for i := range r.p.NumHeaders() {
			n, v := r.p.Header(i)
			r.inHdr.fields = append(r.inHdr.fields, headerField{string(n), string(v)})
		}
		r.inHdr.known = 0 // filled directly: its reply fields are unknown
	}
	return &r.inHdr
}

// Header returns the value of the first request header field named name,
// or "" (a shortcut that does not build InputHeaders).
func (r *Request) Header(name string) string {
	v, _ := r.p.Get(name)
	return string(v)
}

// Host returns the host the request is for: the authority of an
// absolute-form target ("GET http://h:8080/p"), which replaces the Host
// header (RFC 9112 §3.2.2), else the Host header, or "" (HTTP/1.0 may omit
// it). Virtual hosts are chosen by it.
func (r *Request) Host() string { return string(r.hostBytes()) }

func (r *Request) hostBytes() []byte {
	if h := targetHost(r.p.Target()); h != nil {
		return h
	}
	return r.p.Host()
}

// Trailer returns the value of the first trailer field named name of a
// chunked request body, or "". Trailer fields are never merged into the
// header fields.
func (r *Request) Trailer(name string) string {
	v, _ := r.cd.GetTrailer(name)
	return string(v)
}

// OutputHeaders returns the header fields of the reply, to be set before
// it is sent. The server adds Date, Content-Length or Transfer-Encoding,
// Connection, Server (Config.ServerName) and a default Content-Type; a
// Content-Length or Transfer-Encoding set here is ignored, a "Connection:
// close" closes the connection after the reply.
func (r *Request) OutputHeaders() *Headers { return &r.outHdr }

// Body returns the request body. Handlers see it complete unless the body is
// streamed (SetBodyHandler).
func (r *Request) Body() *buffer.Buffer { return &r.body }

// ContentLength returns the declared length of the body, or -1 if it is
// chunked.
func (r *Request) ContentLength() int64 {
	if r.chunked {
		return -1
	}
	return r.p.ContentLength()
}

// Proto returns "HTTP/1.1" or "HTTP/1.0".
func (r *Request) Proto() string {
	if _, minor := r.p.Proto(); minor == 0 {
		return "HTTP/1.0"
	}
	return "HTTP/1.1"
}

// RemoteAddr returns the client's address, or nil if unknown (an
// in-memory connection).
func (r *Request) RemoteAddr() net.Addr {
	r.checkLive()
	return r.c.RemoteAddr()
}

// Conn returns the connection the request came on
// (evhttp_request_get_connection).
func (r *Request) Conn() *Conn { return r.c }

// SetBodyHandler sets the function that receives a streamed body: fn is
// called with each piece as it arrives, and with done true once (possibly
// with an empty chunk) at the end. fn consumes the chunk by draining it (Read,
// Drain, RemoveBuffer…); bytes it leaves there pause reading the connection
// — the client is held back by TCP flow control — until ResumeBody.
// Call it from the handler of a streamed path (HandleStream,
// Config.StreamBodies); otherwise the body is buffered in Body as usual.
func (r *Request) SetBodyHandler(fn func(chunk *buffer.Buffer, done bool)) {
	r.bodyFn = fn
}

// ResumeBody resumes reading a streamed body that the body handler paused
// by leaving bytes in its chunk; the handler is called again with what it
// left.
func (r *Request) ResumeBody() {
	if r.paused {
		r.paused = false
		if r.c != nil && !r.orphan {
			r.c.process()
		}
	}
}
