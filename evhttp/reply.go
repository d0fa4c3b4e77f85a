package evhttp

import (
	"strconv"

	"github.com/eventide-go/eventide/buffer"
)

// SendReply sends a complete reply with body (evhttp_send_reply). For a
// HEAD request the body is not sent, its Content-Length is. reason ""
// means StatusText(code). It panics if code is not a final status
// (200..999: 1xx replies are interim, and the server sends 100 itself), if
// a reply was already started, or completed and r recycled (see Request).
func (r *Request) SendReply(code int, reason string, body []byte) {
	if len(body) <= maxDirectReply && r.direct() {
		r.sendDirect(code, reason, body)
		return
	}
	r.startReply(code, reason, int64(len(body)))
	if !r.noBody {
		r.out.Write(body)
	}
	r.finish()
}

// maxDirectReply bounds the body that sendDirect copies next to the head:
// a larger one is likely to be written in part, and its rest copied again.
const maxDirectReply = 16 << 10

// direct reports whether r's reply may go straight to the connection:
// every earlier reply is complete (r heads the queue) and r has queued
// nothing of its own. queued comes first: a recycled r has no connection
// (startReply then panics), and an orphan is never queued.
func (r *Request) direct() bool {
	return r.queued && r.c.qhead == r && !r.c.closed && r.out.Len() == 0
}

// sendDirect is SendReply for a reply whose turn it is: head and body are
// built in the server's scratch space and handed to the connection in one
// Write, which tries the socket at once and queues only what it did not
// take, without the round through r.out's chunks.
func (r *Request) sendDirect(code int, reason string, body []byte) {
	s := r.c.srv
	b := r.appendHead(s.hdr[:0], code, reason, int64(len(body)))
	if !r.noBody {
		b = append(b, body...)
	}
	r.c.batch()
	r.c.sc.Write(b) // a failure reaches onEvent, which closes c
	s.keepScratch(b)
	r.finish()
}

// SendReplyBuffer is SendReply with the body taken from b, whose chunks
// move to the reply without copying; b ends empty.
func (r *Request) SendReplyBuffer(code int, reason string, b *buffer.Buffer) {
	r.startReply(code, reason, int64(b.Len()))
	if r.noBody {
		b.Reset()
	} else {
		r.out.AppendBuffer(b)
	}
	r.finish()
}

// SendError sends an error reply (evhttp_send_error) with a small HTML body
// naming the status. reason "" means StatusText(code). It panics as
// SendReply does.
func (r *Request) SendError(code int, reason string) {
	r.checkLive()
	if reason == "" {
		reason = StatusText(code)
	}
	r.outHdr.Set("Content-Type", "text/html; charset=utf-8")
	body := "<html><head><title>" + strconv.Itoa(code) + " " + HTMLEscape(reason) +
		"</title></head><body><h1>" + HTMLEscape(reason) + "</h1></body></html>\n"
	r.startReply(code, reason, int64(len(body)))
	if !r.noBody {
		r.out.WriteString(body)
	}
	r.finish()
}

// StartReply starts a streamed reply (evhttp_send_reply_start): the header
// goes out now, with the chunked transfer coding for an HTTP/1.1 client
// (an HTTP/1.0 one gets the body until the connection closes). Send the
// body with SendChunk and end with EndReply. It panics, as SendReply does,
// if code is not 200..999 or a reply was already started.
func (r *Request) StartReply(code int, reason string) {
	r.startReply(code, reason, -1)
	r.flush()
}

// SendChunk sends p as the next piece of a streamed reply
// (evhttp_send_reply_chunk), copying it. done, if not nil, is called
// once everything queued on the connection so far has been written to the
// socket (or the connection is gone): a producer waits for it before sending
// more, for flow control. It panics outside StartReply / EndReply.
func (r *Request) SendChunk(p []byte, done func()) {
	if !r.started || r.complete {
		r.checkLive()
		panic("evhttp: SendChunk outside StartReply and EndReply")
	}
	if len(p) > 0 && !r.noBody && !r.orphan {
		if r.chunkReply {
			var hex [20]byte
			r.out.Write(strconv.AppendInt(hex[:0], int64(len(p)), 16))
			r.out.WriteString("\r\n")
			r.out.Write(p)
			r.out.WriteString("\r\n")
		} else {
			r.out.Write(p)
		}
	}
	if done != nil {
		r.dones = append(r.dones, done)
	}
	r.flush()
}

// EndReply ends a streamed reply (evhttp_send_reply_end). It panics if no
// reply was started.
func (r *Request) EndReply() {
	if !r.started || r.complete {
		r.checkLive()
		panic("evhttp: EndReply without StartReply")
	}
	if r.chunkReply && !r.noBody {
		r.out.WriteString("0\r\n\r\n")
	}
	r.finish()
}

// endReplyTrailer is EndReply with a trailer section: the last chunk,
// fields, the empty line (RFC 9112 §7.1.2). The reply must be chunked.
func (r *Request) endReplyTrailer(fields []headerField) {
	if !r.started || r.complete {
		panic("evhttp: EndReply without StartReply")
	}
	b := appendFields(append(r.c.srv.hdr[:0], "0\r\n"...), fields)
	r.out.Write(b)
	r.c.srv.keepScratch(b)
	r.finish()
}

// sendInterim sends an informational (1xx) reply with fields ahead of r's
// final one, unless that is already started or the client speaks
// HTTP/1.0 (RFC 9110 §15.2: a server must not send it a 1xx). reason ""
// means StatusText(code).
func (r *Request) sendInterim(code int, reason string, fields []headerField) {
	if r.started || r.orphan {
		return
	}
	if _, minor := r.p.Proto(); minor == 0 {
		return
	}
	if reason == "" {
		reason = StatusText(code)
	}
	if reason == "" {
		reason = "Informational"
	}
	b := append(r.c.srv.hdr[:0], "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, ' ')
	b = append(b, reason...)
	b = append(b, "\r\n"...)
	b = appendFields(b, fields)
	r.out.Write(b)
	r.c.srv.keepScratch(b)
	r.flush()
}

// appendFields appends fields as header lines and the empty line that
// ends them.
func appendFields(b []byte, fields []headerField) []byte {
	for _, f := range fields {
		b = append(b, f.name...)
		b = append(b, ": "...)
		b = append(b, f.value...)
		b = append(b, "\r\n"...)
	}
	return append(b, "\r\n"...)
}

// flush hands r's reply bytes to the connection if it is r's turn.
func (r *Request) flush() {
	if r.orphan {
		r.out.Reset()
		r.runDones()
		return
	}
	if r.c.qhead == r {
		r.c.flush()
	}
}

// finish marks the reply complete.
func (r *Request) finish() {
	r.complete = true
	if r.orphan {
		r.out.Reset()
		r.runDones()
		if r.state == stDone {
			r.c.srv.release(r)
		}
		return
	}
	if r.streaming && r.state == stBody && r.c.cur == r {
		// The reply is complete before the streamed body: what the body
		// handler left unread is dropped (it must not reach the next
		// request's handler) and the rest of the body is discarded.
		r.body.Reset()
		r.paused = false
	}
	if r.bodyWithheld() {
		// There is nothing more to read for this request (appendHead
		// made the reply close the connection). A client may send the
		// body anyway; it is never parsed as a request: nothing more is,
		// and the connection closes after the reply, its input
		// discarded.
		if r.c.cur == r {
			r.state = stDone
			r.c.cur = nil
			r.c.closing = true
		}
	}
	if r.c.qhead == r {
		r.c.flush()
	}
}

// abort ends r's reply as it stands, without completing its framing, and
// closes the connection after it: the client sees a truncated reply, or
// none (a handler panic after the head went out, http.ErrAbortHandler).
func (r *Request) abort() {
	r.keepAlive = false
	r.started = true
	r.finish()
}

// runDones runs r's SendChunk completions. A completion may send more
// (SendChunk, EndReply), which runs completions again, nested: each is
// taken off the list before it runs, so that the nested run does not call
// it again, and the request may be released by then.
func (r *Request) runDones() {
	for len(r.dones) > 0 {
		fn := r.dones[0]
		r.dones[0] = nil
		r.dones = r.dones[1:]
		fn()
	}
}

// checkLive panics if r was recycled: its reply completed and the server
// took it back for reuse (reset left it without a connection). A Request
// already serving another request cannot be told apart.
func (r *Request) checkLive() {
	if r.c == nil {
		panic("evhttp: Request used after its reply completed")
	}
}

// lengthNone is startReply's length for a HEAD reply that must announce
// no length at all (the bridge's handler wrote nothing and declared
// nothing, as net/http): no Content-Length, no chunked framing, no default
// Content-Type.
const lengthNone = -2

// startReply writes the reply head into r.out. length is the body length,
// or -1 for a streamed body.
func (r *Request) startReply(code int, reason string, length int64) {
	r.checkLive()
	s := r.c.srv
	b := r.appendHead(s.hdr[:0], code, reason, length)
	r.out.Write(b)
	s.keepScratch(b)
}

// bodyWithheld reports whether the client waits for a 100 Continue that
// r's reply, made before it was sent, means it will never get: the body it
// holds back will not come.
func (r *Request) bodyWithheld() bool {
	return r.need100 && !r.sent100 && r.state == stBody
}

// maxScratch bounds the server's scratch space kept between replies.
const maxScratch = 32 << 10

// keepScratch keeps b, scratch built on s.hdr and now copied out, as the
// server's scratch space for the next reply, unless it grew beyond
// maxScratch: a one-off large reply does not stay with the server.
func (s *Server) keepScratch(b []byte) {
	if cap(b) > maxScratch {
		b = nil
	}
	s.hdr = b[:0]
}

// appendHead marks r's reply started and appends its head to b. length is
// startReply's.
func (r *Request) appendHead(b []byte, code int, reason string, length int64) []byte {
	if r.started {
		panic("evhttp: reply already started")
	}
	if code < 200 || code > 999 {
		// A 1xx is interim (the server sends 100 itself): a client taking
		// it for the reply would read the real one as the next request's.
		panic("evhttp: status code " + strconv.Itoa(code) + " is not a final status (200..999)")
	}
	r.started = true
	c := r.c
	s := c.srv
	if reason == "" {
		reason = StatusText(code)
		if reason == "" {
			reason = "Status"
		}
	}
	r.noBody = r.head || !bodyAllowed(code)
	set := r.outHdr.replyFields()
	if set&setConnClose != 0 {
		r.keepAlive = false
	}
	if r.next == nil && (s.shutting || c.peerEOF && (c.cur == nil || c.cur == r) && c.sc.Input().Len() == 0) {
		// Shutting down, or the client has shut down its side and sent
		// nothing more to parse: the last reply closes the connection.
		// The requests queued behind r have run and are answered first.
		r.keepAlive = false
	}
	if r.bodyWithheld() {
		// The connection cannot carry another request, and the reply
		// says so.
		r.keepAlive = false
	}
	_, minor := r.p.Proto()
	if length < 0 && length != lengthNone && bodyAllowed(code) {
		if minor == 0 {
			r.keepAlive = false // the body ends when the connection closes
		} else {
			r.chunkReply = true
		}
	}

	if code == 200 && reason == "OK" && !r.omitDate && set&(setDate|setServer) == 0 {
		b = append(b, s.date.okHead(s)...) // the usual opening, one copy
	} else {
		b = appendStatusLine(b, code, reason)
		if !r.omitDate && set&setDate == 0 {
			b = append(b, s.date.line(s)...)
		}
		if set&setServer == 0 {
			b = append(b, s.serverLine...)
		}
	}
	if bodyAllowed(code) {
		if (length != 0 || r.head) && length != lengthNone && !r.omitType && set&setType == 0 {
			b = append(b, "Content-Type: "...)
			b = append(b, s.cfg.DefaultContentType...)
			b = append(b, "\r\n"...)
		}
		switch {
		case length >= 0:
			b = appendLength(b, length)
		case r.chunkReply:
			b = append(b, "Transfer-Encoding: chunked\r\n"...)
		}
	}
	for _, f := range r.outHdr.fields {
		if set&setFraming != 0 && framingField(f.name) {
			continue
		}
		b = append(b, f.name...)
		b = append(b, ": "...)
		b = append(b, f.value...)
		b = append(b, "\r\n"...)
	}
	switch {
	case !r.keepAlive:
		b = append(b, "Connection: close\r\n"...)
	case minor == 0:
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	return append(b, "\r\n"...)
}

// framingField reports whether name is one of the fields that the server
// writes itself from the reply's framing: Content-Length,
// Transfer-Encoding, Connection.
func framingField(name string) bool { return nameSet(name)&setFraming != 0 }

// appendLength appends the Content-Length line of length (0 or more).
// The usual lengths, below 10,000, are written digit by digit, which costs
// a third of strconv.AppendInt's general path.
func appendLength(b []byte, length int64) []byte {
	b = append(b, "Content-Length: "...)
	switch n := byte(length % 10); {
	case length < 10:
		b = append(b, '0'+n)
	case length < 100:
		b = append(b, '0'+byte(length/10), '0'+n)
	case length < 1000:
		b = append(b, '0'+byte(length/100), '0'+byte(length/10%10), '0'+n)
	case length < 10000:
		b = append(b, '0'+byte(length/1000), '0'+byte(length/100%10), '0'+byte(length/10%10), '0'+n)
	default:
		b = strconv.AppendInt(b, length, 10)
	}
	return append(b, "\r\n"...)
}

// appendStatusLine appends the status line of code and reason.
func appendStatusLine(b []byte, code int, reason string) []byte {
	b = append(b, "HTTP/1.1 "...)
	b = append(b, byte('0'+code/100), byte('0'+code/10%10), byte('0'+code%10), ' ')
	b = appendSafe(b, reason)
	return append(b, "\r\n"...)
}

// appendSafe appends a reason phrase, replacing the bytes that would break
// the status line (CR, LF, other controls but HTAB) by spaces.
func appendSafe(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' && c != '\t' || c == 0x7f {
			c = ' '
		}
		b = append(b, c)
	}
	return b
}
