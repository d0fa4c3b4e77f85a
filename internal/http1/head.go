package http1

import (
	"bytes"
	"iter"
)

// maxLeadingEmptyLines is how many empty lines a parser skips before a start
// line. RFC 9112 §2.2 asks servers to ignore "at least one"; some clients send
// a stray CRLF after a POST body. A few are tolerated, a stream of them is not.
const maxLeadingEmptyLines = 4

// field locates one header field inside the arena.
type field struct {
	nameStart, nameEnd, valStart, valEnd int32
}

// head is the machinery shared by RequestParser, ResponseParser and the
// trailer section of ChunkedDecoder: it copies complete lines into an arena
// and splits header lines into fields.
type head struct {
	lim       Limits
	arena     []byte  // head bytes received so far; cap = lim.MaxHeadBytes
	fields    []field // parsed header fields; cap = lim.MaxHeaders
	lineStart int     // arena offset of the line being received
	skipped   int     // empty lines skipped before the start line
	started   bool    // the start line has been received
	startEnd  int32   // arena offset of the end of the start line (it starts at 0)
	done      bool    // the empty line ending the head has been received
	err       *Error  // sticky error; nil while parsing is possible
}

func (h *head) init(lim Limits) {
	h.lim = lim.withDefaults()
	h.arena = make([]byte, 0, h.lim.MaxHeadBytes)
	h.fields = make([]field, 0, h.lim.MaxHeaders)
}

func (h *head) reset() {
	h.arena = h.arena[:0]
	h.fields = h.fields[:0]
	h.lineStart = 0
	h.skipped = 0
	h.started = false
	h.startEnd = 0
	h.done = false
	h.err = nil
}

// nextLine copies bytes from in into the arena up to and including the next
// LF. It returns how many bytes it took and whether a complete line now sits at
// arena[lineStart:]. tooLarge is the error to report when the arena is full.
func (h *head) nextLine(in []byte, tooLarge *Error) (n int, complete bool, err *Error) {
	room := cap(h.arena) - len(h.arena)
	look := in
	if len(look) > room {
		look = look[:room]
	}
	if i := bytes.IndexByte(look, '\n'); i >= 0 {
		h.arena = append(h.arena, in[:i+1]...)
		return i + 1, true, nil
	}
	h.arena = append(h.arena, look...) // on error too: the arena holds what was taken
	if len(in) > room {
		return room, false, tooLarge
	}
	return len(in), false, nil
}

// line returns the complete line at arena[lineStart:] without its CRLF and
// advances lineStart past it. A line not ending in CRLF is a bare LF.
func (h *head) line() ([]byte, *Error) {
	l := h.arena[h.lineStart:]
	h.lineStart = len(h.arena)
	if len(l) < 2 || l[len(l)-2] != '\r' {
		return nil, errBareLF
	}
	return l[:len(l)-2], nil
}

// addField validates one header line (RFC 9112 §5) and records it. The line
// lies in the arena; off is its offset.
func (h *head) addField(line []byte, off int) *Error {
	if line[0] == ' ' || line[0] == '\t' {
		return errObsFold
	}
	colon := -1
	for i, c := range line {
		if c == ':' {
			colon = i
			break
		}
		if !tchar[c] {
			if c == ' ' || c == '\t' {
				return errSpaceInName
			}
			return errFieldName
		}
	}
	if colon < 0 {
		return errMissingColon
	}
	if colon == 0 {
		return errFieldName
	}
	vs, ve := colon+1, len(line)
	if !validFieldValue(line[vs:]) {
		return errFieldValue
	}
	vs, ve = trimBounds(line, vs, ve)
	if len(h.fields) == cap(h.fields) {
		return errTooManyFields
	}
	h.fields = append(h.fields, field{
		nameStart: int32(off), nameEnd: int32(off + colon),
		valStart: int32(off + vs), valEnd: int32(off + ve),
	})
	return nil
}

// trimBounds narrows b[vs:ve] past its leading and trailing optional
// whitespace (SP, HTAB), as trimOWS does, in offsets: a field records
// where its value lies in the arena.
func trimBounds(b []byte, vs, ve int) (int, int) {
	for vs < ve && (b[vs] == ' ' || b[vs] == '\t') {
		vs++
	}
	for ve > vs && (b[ve-1] == ' ' || b[ve-1] == '\t') {
		ve--
	}
	return vs, ve
}

func (h *head) header(i int) (name, value []byte) {
	f := h.fields[i]
	return h.arena[f.nameStart:f.nameEnd:f.nameEnd], h.arena[f.valStart:f.valEnd:f.valEnd]
}

func (h *head) get(name string) ([]byte, bool) {
	for i := range h.fields {
		n, v := h.header(i)
		if equalFold(n, name) {
			return v, true
		}
	}
	return nil, false
}

// feed drives the line loop: it records header lines and stops after the
// empty line ending the head, or right after the start line, which it leaves
// for the caller to parse (startLine reports that; the line is
// arena[startOff:startEnd]). It returns how many bytes of in it took.
func (h *head) feed(in []byte, startTooLong *Error) (consumed int, startLine bool, err error) {
	if h.err != nil {
		return 0, false, h.err
	}
	for !h.done && consumed < len(in) {
		tooLarge := errHeadTooLarge
		if !h.started {
			tooLarge = startTooLong
		}
		n, complete, e := h.nextLine(in[consumed:], tooLarge)
		consumed += n
		if e != nil {
			h.err = e
			return consumed, false, e
		}
		if !complete {
			break
		}
		off := h.lineStart
		line, e := h.line()
		if e == nil {
			switch {
			case !h.started && len(line) == 0:
				// RFC 9112 §2.2: ignore empty lines before the start line;
				// they are dropped from the arena.
				h.skipped++
				h.arena = h.arena[:off]
				h.lineStart = off
				if h.skipped > maxLeadingEmptyLines {
					e = errLeadingNewlines
				}
			case !h.started:
				h.started = true
				h.startEnd = int32(off + len(line))
				return consumed, true, nil
			case len(line) == 0:
				h.done = true
			default:
				e = h.addField(line, off)
			}
		}
		if e != nil {
			h.err = e
			return consumed, false, e
		}
	}
	return consumed, false, nil
}

// feedWhole is feed's fast path for the usual case: a head not begun
// yet that lies complete at the start of in, within the limits, with
// nothing feed would have to report. It checks each header line the way
// addField does, in one pass over in, and copies the head into the arena
// once, where feed copies line by line. It returns the length of the head
// and true, leaving the head as feed would after its empty line (started,
// done, every field recorded); the start line is left to the caller, as
// feed leaves it. Anything else (an incomplete head, leading empty lines,
// obs-fold, a bare LF, a byte addField refuses, too many fields) returns
// false with h unchanged, and feed, which knows every fault, takes over.
func (h *head) feedWhole(in []byte) (int, bool) {
	if len(in) > cap(h.arena) {
		in = in[:cap(h.arena)]
	}
	lf := bytes.IndexByte(in, '\n')
	if lf < 1 || in[lf-1] != '\r' || lf == 1 {
		return 0, false // incomplete, a bare LF, or an empty line first
	}
	startEnd := lf - 1
	pos := lf + 1
	for {
		if pos+1 < len(in) && in[pos] == '\r' && in[pos+1] == '\n' {
			break // the empty line
		}
		name := pos
		for pos < len(in) && tchar[in[pos]] {
			pos++
		}
		if pos == name || pos >= len(in) || in[pos] != ':' || len(h.fields) == cap(h.fields) {
			h.fields = h.fields[:0]
			return 0, false
		}
		colon := pos
		end := colon + 1 + valueLen(in[colon+1:])
		if end+1 >= len(in) || in[end] != '\r' || in[end+1] != '\n' {
			h.fields = h.fields[:0]
			return 0, false
		}
		vs, ve := trimBounds(in, colon+1, end)
		h.fields = append(h.fields, field{
			nameStart: int32(name), nameEnd: int32(colon),
			valStart: int32(vs), valEnd: int32(ve),
		})
		pos = end + 2
	}
	n := pos + 2
	h.arena = append(h.arena[:0], in[:n]...)
	h.lineStart = n
	h.started = true
	h.startEnd = int32(startEnd)
	h.done = true
	return n, true
}

// fail records err as the sticky error and returns it.
func (h *head) fail(err *Error) error {
	h.err = err
	return err
}

func (h *head) values(name string) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for i := range h.fields {
			n, v := h.header(i)
			if equalFold(n, name) && !yield(v) {
				return
			}
		}
	}
}

func (h *head) connectionHas(token string) bool {
	for i := range h.fields {
		n, v := h.header(i)
		if !equalFold(n, "connection") {
			continue
		}
		for rest := v; rest != nil; {
			var opt []byte
			opt, rest = nextListElem(rest)
			if equalFold(opt, token) {
				return true
			}
		}
	}
	return false
}
