package evhttp

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The http.ResponseWriter side of a bridged request. These methods run on
// the handler's goroutine (or any goroutine the handler hands the
// ResponseWriter to, one at a time, as net/http allows).

var (
	_ http.ResponseWriter = (*responseWriter)(nil)
	_ http.Flusher        = (*responseWriter)(nil)
	_ http.CloseNotifier  = (*responseWriter)(nil) //lint:ignore SA1019 frameworks still ask for it
)

// errHandlerReturned is what a ResponseWriter's methods return once its
// handler has returned.
var errHandlerReturned = errors.New("evhttp: ResponseWriter used after ServeHTTP returned")

// responseWriter is the http.ResponseWriter a bridged handler gets: a
// handle on its bridged, allocated per request and cut loose when the
// handler returns. The bridged goes back to bridgedPool and serves another
// request, so a goroutine that still uses the ResponseWriter after
// ServeHTTP returned (net/http forbids it, but its late Write fails
// harmlessly) must not reach it: it would write into that other request's
// reply, or crash on a recycled struct.
type responseWriter struct {
	b *bridged // nil once the handler returned; the handler's goroutine only
}

// CloseNotify returns a channel that receives true, once, when the
// client's connection goes away before the handler returns
// (http.CloseNotifier: deprecated in favour of the request's Context,
// which is cancelled at the same moment, but frameworks still ask for it
// and some assert it without checking). Each call makes a new channel;
// after the handler returned, one that never receives.
func (w *responseWriter) CloseNotify() <-chan bool {
	ch := make(chan bool, 1)
	if w.b == nil {
		return ch
	}
	ctx := w.b.ctx
	context.AfterFunc(ctx, func() {
		if context.Cause(ctx) == errConnGone {
			ch <- true
		}
	})
	return ch
}

// Header returns the reply's header map; after the handler returned, a
// map nothing reads.
func (w *responseWriter) Header() http.Header {
	if w.b == nil {
		return make(http.Header)
	}
	return w.b.Header()
}

// WriteHeader is bridged.WriteHeader while the handler runs, and nothing
// after.
func (w *responseWriter) WriteHeader(code int) {
	if w.b != nil {
		w.b.WriteHeader(code)
	}
}

// Write is bridged.Write while the handler runs; after, it fails.
func (w *responseWriter) Write(p []byte) (int, error) {
	if w.b == nil {
		return 0, errHandlerReturned
	}
	return w.b.Write(p)
}

// WriteString is Write for a string.
func (w *responseWriter) WriteString(s string) (int, error) {
	if w.b == nil {
		return 0, errHandlerReturned
	}
	return w.b.WriteString(s)
}

// Flush is FlushError without its error (http.Flusher).
func (w *responseWriter) Flush() { w.FlushError() }

// FlushError is bridged.FlushError while the handler runs; after, it
// fails (http.ResponseController).
func (w *responseWriter) FlushError() error {
	if w.b == nil {
		return errHandlerReturned
	}
	return w.b.FlushError()
}

// SetWriteDeadline sets a deadline for writing the reply, as net/http's
// does (http.ResponseController): a Write or Flush that would wait for the
// client to take bytes past t fails with an error matching
// os.ErrDeadlineExceeded, and the connection is closed (the reply cannot
// be completed); writes that only buffer still succeed, as with net/http.
// The zero time means no deadline, which a streaming handler sets to lift
// one; a later deadline, set before each write, keeps a flowing stream
// going. While the handler runs it may be set from another goroutine: a
// Write waiting then measures against the new deadline (after ServeHTTP
// returned, the ResponseController must not be used, as with net/http). Once the handler has returned, the
// server's Config.WriteTimeout alone bounds the rest of the reply.
func (w *responseWriter) SetWriteDeadline(t time.Time) error {
	if w.b == nil {
		return errHandlerReturned
	}
	w.b.setWriteDeadline(t)
	return nil
}

// SetReadDeadline sets a deadline for reading the request body, as
// net/http's does (http.ResponseController): a body Read that would wait
// for the client past t returns an error matching os.ErrDeadlineExceeded,
// bytes already received are still read, and a later or zero deadline
// lets reading go on. Setting it from another goroutine ends a Read that
// waits, if t is already past. The server's Config.ReadBodyTimeout still
// bounds the client's silence on its own.
func (w *responseWriter) SetReadDeadline(t time.Time) error {
	if w.b == nil {
		return errHandlerReturned
	}
	if w.b.body != nil { // a request without a body has nothing to wait for
		w.b.body.setDeadline(t)
	}
	return nil
}

// EnableFullDuplex is bridged.EnableFullDuplex while the handler runs
// (http.ResponseController).
func (w *responseWriter) EnableFullDuplex() error {
	if w.b == nil {
		return errHandlerReturned
	}
	return w.b.EnableFullDuplex()
}

// Header returns the header map of the reply; changes after WriteHeader or
// the first Write have no effect, as with net/http.
func (b *bridged) Header() http.Header {
	if b.header == nil {
		b.header = make(http.Header)
	}
	return b.header
}

// WriteHeader sets the status of the reply and takes a snapshot of the
// header map; a second call is ignored, and so is any call after Hijack.
// An informational status (1xx, such as 103 Early Hints) goes out at once
// with the header map as it stands, and the final status is still to
// come, as with net/http; but 100 Continue is the server's to send (it
// does when the handler's turn comes to read the body), so it is ignored.
// 101 Switching Protocols is a final status, as in net/http: its head goes
// out at Hijack or, if the handler returns without one, as the reply,
// which then closes the connection (applySwitchHead). It panics on a code
// outside 100..999, as net/http does.
func (b *bridged) WriteHeader(code int) {
	if b.hijacked() {
		return
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if b.wroteHeader {
		return
	}
	if code < 200 && code != http.StatusSwitchingProtocols {
		if code != http.StatusContinue {
			b.sendInterim(code)
		}
		return
	}
	b.wroteHeader = true
	b.status = code
	if cl := b.header.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(strings.TrimSpace(cl), 10, 64); err == nil && n >= 0 {
			b.declared = n
		}
	}
	b.snapshotHeader()
}

// Write adds p to the reply body: buffered up to replyBuffer, then streamed,
// waiting until the loop has written each piece.
func (b *bridged) Write(p []byte) (int, error) {
	if err := b.checkWrite(len(p)); err != nil {
		return 0, err
	}
	if !b.streaming && len(b.buf)+len(p) <= replyBuffer {
		b.buf = append(b.buf, p...)
		return len(p), nil
	}
	if err := b.stream(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// WriteString is Write for a string, without converting a short one.
func (b *bridged) WriteString(s string) (int, error) {
	if b.streaming || len(b.buf)+len(s) > replyBuffer {
		return b.Write([]byte(s))
	}
	if err := b.checkWrite(len(s)); err != nil {
		return 0, err
	}
	b.buf = append(b.buf, s...)
	return len(s), nil
}

// checkWrite sends the implicit 200 head and refuses what net/http
// refuses: any write after Hijack, a body for a status without one, and
// bytes beyond a declared Content-Length.
func (b *bridged) checkWrite(n int) error {
	if b.hijacked() {
		return http.ErrHijacked // even for no bytes, without a side effect
	}
	if !b.wroteHeader {
		b.WriteHeader(http.StatusOK)
	}
	switch {
	case !bodyAllowed(b.status):
		return http.ErrBodyNotAllowed
	case b.err != nil:
		return b.err
	case b.declared >= 0 && b.written+int64(n) > b.declared:
		return http.ErrContentLength
	}
	b.written += int64(n)
	return nil
}

// FlushError sends the head and everything written so far, and waits
// until the loop has written it to the socket; it reports a connection
// gone (for http.ResponseController).
func (b *bridged) FlushError() error {
	if !b.wroteHeader {
		b.WriteHeader(http.StatusOK)
	}
	if b.err != nil {
		return b.err
	}
	if b.streaming && len(b.buf) == 0 {
		return nil
	}
	b.startStream(b.buf)
	err := b.send(b.buf)
	b.buf = b.buf[:0]
	return err
}

// EnableFullDuplex reports success: the server reads a request body while
// its reply is being written (for http.ResponseController).
func (b *bridged) EnableFullDuplex() error { return nil }

// stream sends the buffered bytes and p as pieces of a streamed reply.
func (b *bridged) stream(p []byte) error {
	if len(b.buf) > 0 {
		b.startStream(b.buf)
	} else {
		b.startStream(p)
	}
	for len(p) > 0 {
		if len(b.buf) == 0 && len(p) >= replyBuffer {
			n := min(len(p), maxPiece)
			if err := b.send(p[:n]); err != nil {
				return err
			}
			p = p[n:]
			continue
		}
		n := min(len(p), replyBuffer-len(b.buf))
		b.buf = append(b.buf, p[:n]...)
		p = p[n:]
		if len(b.buf) == replyBuffer {
			err := b.send(b.buf)
			b.buf = b.buf[:0]
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// startStream prepares the head of a streamed reply, sniffing the
// Content-Type from data if the handler set none; the head goes out with
// the first piece.
func (b *bridged) startStream(data []byte) {
	if b.streaming {
		return
	}
	b.streaming = true
	if !b.hasType && len(data) == 0 {
		b.omitType = true // flushed before any byte: nothing to sniff, as net/http
	}
	b.sniff(data)
	b.code = b.status
	b.length = b.declared // -1: chunked
}

// sniff adds a Content-Type detected from the first bytes of the body, as
// net/http does when the handler set neither Content-Type nor
// Content-Encoding.
func (b *bridged) sniff(data []byte) {
	if b.hasType || len(data) == 0 || !bodyAllowed(b.status) {
		return
	}
	b.hasType = true
	b.hdr = append(b.hdr, headerField{"Content-Type", http.DetectContentType(data)})
}

// snapshotHeader converts the header map to the reply's fields, sorted by
// name as net/http writes them; invalid names are skipped and CR, LF and
// NUL in values become spaces, as net/http does.
func (b *bridged) snapshotHeader() {
	b.hdr = b.hdr[:0]
	h := b.header
	if len(h) == 0 {
		return
	}
	keys := b.keys[:0]
	for k := range h {
		keys = append(keys, k)
	}
	if len(keys) > 1 {
		slices.Sort(keys)
	}
	for _, k := range keys {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			b.trailers = true
			continue // a trailer field, sent after the body
		}
		if !validName(k) {
			continue
		}
		if k == "Trailer" {
			b.declareTrailers(h[k])
		}
		if k == "Content-Type" {
			b.hasType = true
			b.omitType = len(h[k]) == 0 // as net/http: nil means "send none"
		}
		if k == "Date" && len(h[k]) == 0 {
			b.omitDate = true
		}
		if k == "Content-Encoding" && h.Get(k) != "" && !b.hasType {
			// net/http neither sniffs an encoded body nor types it.
			b.hasType, b.omitType = true, true
		}
		for _, v := range h[k] {
			b.hdr = append(b.hdr, headerField{k, cleanValue(v)})
		}
	}
	clear(keys)
	b.keys = keys[:0]
}

// declareTrailers notes the trailer fields a "Trailer" header field
// announces: the reply is then chunked, and those fields' values in the
// header map when the handler returns are sent after the body, as net/http
// does. Names that may not be trailers are dropped.
func (b *bridged) declareTrailers(values []string) {
	for _, v := range values {
		b.trailers = true
		for name := range strings.SplitSeq(v, ",") {
			name = http.CanonicalHeaderKey(strings.TrimSpace(name))
			if name == "" || name == "Trailer" || framingField(name) {
				continue
			}
			b.trailerNames = append(b.trailerNames, name)
		}
	}
}

// finalTrailer returns the trailer fields once the handler has returned:
// the values of the declared names and the fields named with
// http.TrailerPrefix (the prefix removed), sorted by name.
func (b *bridged) finalTrailer() []headerField {
	t := make(http.Header)
	for k, vs := range b.header {
		if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok {
			t[name] = append(t[name], vs...)
		}
	}
	for _, k := range b.trailerNames {
		t[k] = append(t[k], b.header[k]...)
	}
	return sortedFields(nil, t, func(k string) bool {
		return k == "Trailer" || framingField(k)
	})
}

// sendInterim hands an informational reply to the loop, with the fields of
// the header map as it stands but those of the body's framing (net/http
// keeps the map for the final reply, RFC 8297 §2).
func (b *bridged) sendInterim(code int) {
	hdr := sortedFields(nil, b.header, func(k string) bool {
		return framingField(k) || strings.HasPrefix(k, http.TrailerPrefix)
	})
	b.loop.Post(func() { b.loopInterim(code, hdr) })
}

// sortedFields appends h's fields to dst sorted by name, skipping invalid
// names and those skip reports, with their values cleaned.
func sortedFields(dst []headerField, h http.Header, skip func(string) bool) []headerField {
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if !validName(k) || skip(k) {
			continue
		}
		for _, v := range h[k] {
			dst = append(dst, headerField{k, cleanValue(v)})
		}
	}
	return dst
}

// cleanValue replaces the bytes that would split a header line by spaces
// and trims the value.
func cleanValue(v string) string {
	if strings.ContainsAny(v, "\r\n\x00") {
		v = strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == 0 {
				return ' '
			}
			return r
		}, v)
	}
	return strings.TrimSpace(v)
}
