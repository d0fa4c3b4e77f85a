package evhttp

import (
	"encoding/binary"
	"errors"
	"iter"
	"maps"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"unsafe"
)

// ErrInvalidHeader is returned when a header field name is not an RFC 9110
// token or a value contains CR, LF or NUL, which would let a value inject
// fields or split a message.
var ErrInvalidHeader = errors.New("evhttp: invalid header field")

// Headers is an ordered list of HTTP header fields. Names are compared ASCII
// case-insensitively (RFC 9110 §5.1) and kept as given. The zero value is an
// empty list ready to use.
//
// Headers is built for reuse: Clear keeps the backing storage, so refilling it
// with as many fields as before allocates nothing. A Headers is not safe for
// concurrent use.
type Headers struct {
	fields []headerField
	// known records which of the fields that shape a reply head fields
	// holds, when its setKnown bit is set: Add, Set and Clear keep it, Del
	// drops it, and replyFields then counts afresh. Code that changes
	// fields directly must clear it (setFields does).
	known fieldSet
}

type headerField struct{ name, value string }

// validName reports whether name is a token (RFC 9110 §5.6.2).
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isTchar(name[i]) {
			return false
		}
	}
	return true
}

// checkName reports whether name is a token, and which of the fields that
// shape a reply head it names. The names replies carry most are
// recognised whole, which costs a few compares (a string switch) rather
// than a test of every byte; the others take the general path.
func checkName(name string) (fieldSet, bool) {
	switch name {
	case "Content-Type":
		return setType, true
	case "Content-Length":
		return setLength, true
	case "Date":
		return setDate, true
	case "Server":
		return setServer, true
	case "Connection":
		return setConn, true
	case "Cache-Control", "Content-Encoding", "ETag", "Expires", "Last-Modified",
		"Location", "Set-Cookie", "Vary", "Access-Control-Allow-Origin":
		return 0, true
	}
	if !validName(name) {
		return 0, false
	}
	return nameSet(name), true
}

// fieldSet records which of the fields that shape a reply head a Headers
// holds (Headers.known).
type fieldSet uint8

const (
	setDate      fieldSet = 1 << iota // a Date field
	setServer                         // a Server field
	setType                           // a Content-Type field
	setConnClose                      // the first Connection field says "close"
	setConn                           // a Connection field
	setLength                         // a Content-Length field
	setTE                             // a Transfer-Encoding field
	setKnown                          // the bits above are those of the fields

	// setFraming marks the fields framingField names.
	setFraming = setConn | setLength | setTE
)

// nameSet returns the bit of the field named name (ASCII case
// insensitively), 0 for a field that does not shape the reply head.
func nameSet(name string) fieldSet {
	switch len(name) { // the names are told apart by length alone
	case len("Date"):
		if equalFold(name, "Date") {
			return setDate
		}
	case len("Server"):
		if equalFold(name, "Server") {
			return setServer
		}
	case len("Content-Type"):
		if equalFold(name, "Content-Type") {
			return setType
		}
	case len("Connection"):
		if equalFold(name, "Connection") {
			return setConn
		}
	case len("Content-Length"):
		if equalFold(name, "Content-Length") {
			return setLength
		}
	case len("Transfer-Encoding"):
		if equalFold(name, "Transfer-Encoding") {
			return setTE
		}
	}
	return 0
}

// note records in h.known a field of set with value, about to be added
// (Add) or to replace every field of its name (Set, replace). The usual
// case is inlined; noteSlow is the rest.
func (h *Headers) note(set fieldSet, value string, replace bool) {
	if h.known&setKnown == 0 || set == setConn {
		h.noteSlow(set, value, replace)
		return
	}
	h.known |= set
}

// noteSlow is note for unknown fields or a Connection field.
func (h *Headers) noteSlow(set fieldSet, value string, replace bool) {
	if h.known&setKnown == 0 {
		h.count()
	}
	if set == setConn && (replace || h.known&setConn == 0) {
		// It is, or will be, the first Connection field.
		h.known &^= setConnClose
		if equalFold(value, "close") {
			h.known |= setConnClose
		}
	}
	h.known |= set
}

// count sets h.known from h's fields.
func (h *Headers) count() {
	known := setKnown
	for i := range h.fields {
		f := &h.fields[i]
		set := nameSet(f.name)
		if set == setConn && known&setConn == 0 && equalFold(f.value, "close") {
			known |= setConnClose
		}
		known |= set
	}
	h.known = known
}

// replyFields returns which of the fields that shape a reply head h holds,
// with setKnown.
func (h *Headers) replyFields() fieldSet {
	if h.known&setKnown == 0 {
		h.count()
	}
	return h.known
}

// setFields makes fields, valid ones, h's fields.
func (h *Headers) setFields(fields []headerField) {
	h.fields = append(h.fields[:0], fields...)
	h.known = 0
}

// validValue reports whether v has no CR, LF or NUL. It tests eight bytes
// at a time; a value of eight bytes or more ends with its last eight
// bytes, which overlap the previous word. A word with no byte below 0x0e
// (NUL, LF and CR are) passes one test; only the others are looked at for
// the three bytes.
func validValue(v string) bool {
	if len(v) < 8 {
		for i := 0; i < len(v); i++ {
			if badValueByte[v[i]] {
				return false
			}
		}
		return true
	}
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	b := unsafe.Slice(unsafe.StringData(v), len(v)) // read only
	for {
		w := binary.LittleEndian.Uint64(b)
		// (w - n*ones) &^ w has a high bit set exactly when some byte of w
		// is below n (for n up to 0x80), the test for a zero byte
		// generalised.
		if (w-0x0e*ones)&^w&highs != 0 {
			cr, lf := w^'\r'*ones, w^'\n'*ones
			// A zero byte in w, cr or lf is a NUL, CR or LF in v.
			if ((w-ones)&^w|(cr-ones)&^cr|(lf-ones)&^lf)&highs != 0 {
				return false
			}
		}
		switch {
		case len(b) == 8:
			return true
		case len(b) < 16:
			b = b[len(b)-8:]
		default:
			b = b[8:]
		}
	}
}

// badValueByte marks the bytes a field value must not contain: CR, LF, NUL.
var badValueByte = [256]bool{'\r': true, '\n': true, 0: true}

// tcharTable holds the RFC 9110 §5.6.2 token characters.
var tcharTable = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", byte(c)) >= 0
	}
	return t
}()

func isTchar(c byte) bool { return tcharTable[c] }

// equalFold compares ASCII case-insensitively; Unicode folding
// (strings.EqualFold) would wrongly equate "K" (U+212A) and "k".
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	if a == b {
		return true // the usual case, and a fast compare
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		// Bytes that differ are equal only as the two cases of a letter,
		// which differ in bit 0x20 alone.
		if x |= 0x20; x != y|0x20 || x < 'a' || x > 'z' {
			return false
		}
	}
	return true
}

// Add appends the field name: value. It returns ErrInvalidHeader, and adds
// nothing, if name is not a token or value contains CR, LF or NUL.
func (h *Headers) Add(name, value string) error {
	set, ok := checkName(name)
	if !ok || !validValue(value) {
		return ErrInvalidHeader
	}
	h.note(set, value, false)
	h.fields = append(h.fields, headerField{name, value})
	return nil
}

// Set replaces every field named name by one name: value, at the position of
// the first one (appended if there was none). It returns ErrInvalidHeader, and
// changes nothing, for an invalid name or value.
func (h *Headers) Set(name, value string) error {
	set, ok := checkName(name)
	if !ok || !validValue(value) {
		return ErrInvalidHeader
	}
	h.note(set, value, true)
	for i := range h.fields {
		if equalFold(h.fields[i].name, name) {
			h.fields[i] = headerField{name, value}
			rest := h.fields[i+1:]
			kept := slices.DeleteFunc(rest, func(f headerField) bool { return equalFold(f.name, name) })
			h.fields = h.fields[:i+1+len(kept)]
			return nil
		}
	}
	h.fields = append(h.fields, headerField{name, value})
	return nil
}

// Get returns the value of the first field named name, or "".
func (h *Headers) Get(name string) string {
	for _, f := range h.fields {
		if equalFold(f.name, name) {
			return f.value
		}
	}
	return ""
}

// Values returns the values of every field named name in order, or nil; the
// slice is new.
func (h *Headers) Values(name string) []string {
	var out []string
	for _, f := range h.fields {
		if equalFold(f.name, name) {
			out = append(out, f.value)
		}
	}
	return out
}

// Del removes every field named name.
func (h *Headers) Del(name string) {
	h.fields = slices.DeleteFunc(h.fields, func(f headerField) bool { return equalFold(f.name, name) })
	h.known = 0
}

// Clear removes every field, keeping the backing storage for reuse.
func (h *Headers) Clear() {
	for i := range h.fields {
		// Field by field: the compiler makes a whole-element loop a
		// memclrHasPointers call, which costs more for the usual few.
		f := &h.fields[i]
		f.name, f.value = "", ""
	}
	h.fields = h.fields[:0]
	h.known = setKnown
}

// Len returns the number of fields.
func (h *Headers) Len() int { return len(h.fields) }

// All yields every field as name, value in insertion order. The loop body
// may change h: fields added meanwhile are not yielded, and removing fields
// (Del, Set, Clear) may make the iteration skip fields after the current
// one, but it never yields a field twice or one that is not in h.
func (h *Headers) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		// Index h.fields afresh at each step: a removal shifts the fields
		// left and zeroes the freed tail, which a range over the slice as
		// it was would yield as empty fields.
		for i, n := 0, len(h.fields); i < n && i < len(h.fields); i++ {
			if f := h.fields[i]; !yield(f.name, f.value) {
				return
			}
		}
	}
}

// Clone returns an independent copy of h.
func (h *Headers) Clone() Headers {
	return Headers{fields: slices.Clone(h.fields), known: h.known}
}

// ToHTTP converts h to a net/http Header, canonicalising the names
// (textproto.CanonicalMIMEHeaderKey) and keeping the order of values per name.
func (h *Headers) ToHTTP() http.Header {
	out := make(http.Header, len(h.fields))
	for _, f := range h.fields {
		k := textproto.CanonicalMIMEHeaderKey(f.name)
		out[k] = append(out[k], f.value)
	}
	return out
}

// HeadersFromHTTP converts a net/http Header, whose map has no order, into
// Headers with the names sorted and each name's values in order. It returns
// ErrInvalidHeader if any field is invalid.
func HeadersFromHTTP(hh http.Header) (Headers, error) {
	var h Headers
	for _, name := range slices.Sorted(maps.Keys(hh)) {
		for _, v := range hh[name] {
			if err := h.Add(name, v); err != nil {
				return Headers{}, err
			}
		}
	}
	return h, nil
}
