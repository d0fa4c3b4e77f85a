package evhttp

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The http.ResponseWriter side of a bridged request. These methods run on
// the handler's goroutine (or any goroutine the handler hands the
// ResponseWriter to, one at a time, as net/http allows).

var (
	_ http.ResponseWriter = (*bridged)(nil)
	_ http.Flusher        = (*bridged)(nil)
)

// Header returns the header map of the reply; changes after WriteHeader or
// the first Write have no effect, as with net/http.
func (b *bridged) Header() http.Header {
	if b.header == nil {
		b.header = make(http.Header)
	}
	return b.header
}

// WriteHeader sets the status of the reply and takes a snapshot of the
// header map. Informational statuses (1xx) are not sent; a second call is
// ignored. It panics on a code outside 100..999, as net/http does.
func (b *bridged) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if b.wroteHeader || code < 200 {
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
// refuses: a body for a status without one, and bytes beyond a declared
// Content-Length.
func (b *bridged) checkWrite(n int) error {
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

// Flush sends the head and everything written so far, and waits until the
// loop has written it to the socket.
func (b *bridged) Flush() { b.FlushError() }

// FlushError is Flush that reports a connection gone, for
// http.ResponseController.
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
		if !validField(k, "") {
			continue
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
