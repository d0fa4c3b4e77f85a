package http1

// ChunkedLimits bounds a ChunkedDecoder. The zero value of each field selects
// its default.
type ChunkedLimits struct {
	// MaxLineBytes is the maximum length of a chunk-size line including
	// extensions and CRLF; 0 means DefaultMaxChunkLineBytes.
	MaxLineBytes int
	// MaxTrailerBytes is the maximum size of the trailer section including the
	// final empty line; 0 means DefaultMaxTrailerBytes. Exceeding it fails
	// with 431.
	MaxTrailerBytes int
	// MaxTrailers is the maximum number of trailer fields; 0 means
	// DefaultMaxHeaders.
	MaxTrailers int
}

// Default chunked limits.
const (
	DefaultMaxChunkLineBytes = 4 << 10
	DefaultMaxTrailerBytes   = 8 << 10
)

// maxChunkSize bounds a chunk size (sizes must be below it) so that it fits an int64 with room to spare;
// no real chunk comes close to 2^62 bytes, and bounding the value before each
// shift is the overflow check.
const maxChunkSize = 1 << 62

// Decoder states, in the order a chunk goes through them.
const (
	chunkSize    = iota // reading a chunk-size line into line
	chunkData           // remaining data bytes of the current chunk
	chunkDataCR         // CR after chunk data
	chunkDataLF         // LF after chunk data
	chunkTrailer        // trailer section after the last chunk
	chunkDone           // the final CRLF has been read
)

// ChunkedDecoder decodes a body in the chunked transfer coding (RFC 9112 §7.1)
// incrementally and without copying the data: it may be fed any split of the
// input, down to one byte at a time.
//
// It is strict: chunk sizes are 1*HEXDIG with an overflow bound; chunk
// extensions must match the grammar (token [= token / quoted-string], with
// BWS only around ";" and "=") and are then ignored; the CRLF after each
// chunk's data is enforced; bare LF is rejected; trailer fields are parsed with
// the header rules and kept apart from the header fields. Framing that
// outweighs the data (many tiny chunks with long extensions) is refused
// with 400 once it exceeds 16 KiB beyond an allowance of 16 bytes per chunk
// plus twice the chunk's size.
//
// The zero value is ready to use with default limits. Allocation happens once,
// for the line buffer and trailer arena; Reset keeps them.
type ChunkedDecoder struct {
	lim        ChunkedLimits
	state      uint8
	remaining  int64  // data bytes left in the current chunk
	excess     int64  // framing bytes beyond the data's allowance (maxChunkOverhead)
	line       []byte // chunk-size line received so far; cap = lim.MaxLineBytes
	trailer    head   // trailer section; its "start line" is skipped
	configured bool   // buffers allocated
	err        *Error // sticky error
}

// NewChunkedDecoder returns a decoder bounded by lim.
func NewChunkedDecoder(lim ChunkedLimits) *ChunkedDecoder {
	d := &ChunkedDecoder{}
	d.configure(lim)
	return d
}

func (d *ChunkedDecoder) configure(lim ChunkedLimits) {
	if lim.MaxLineBytes <= 0 {
		lim.MaxLineBytes = DefaultMaxChunkLineBytes
	}
	if lim.MaxTrailerBytes <= 0 {
		lim.MaxTrailerBytes = DefaultMaxTrailerBytes
	}
	if lim.MaxTrailers <= 0 {
		lim.MaxTrailers = DefaultMaxHeaders
	}
	d.lim = lim
	d.line = make([]byte, 0, lim.MaxLineBytes)
	d.trailer.init(Limits{MaxHeadBytes: lim.MaxTrailerBytes, MaxHeaders: lim.MaxTrailers})
	d.trailer.started = true
	d.configured = true
}

// Reset prepares the decoder for the next body, keeping its buffers. Trailer
// views returned so far become invalid.
func (d *ChunkedDecoder) Reset() {
	d.state = chunkSize
	d.remaining = 0
	d.excess = 0
	d.line = d.line[:0]
	d.trailer.reset()
	d.trailer.started = true
	d.err = nil
}

// Done reports whether the whole chunked body, trailers included, has been
// decoded.
func (d *ChunkedDecoder) Done() bool { return d.state == chunkDone }

// Decode consumes input up to the end of the next span of body data, the end of
// the body, or the end of in, whichever comes first. data is the span found,
// a sub-slice of in (no copy; valid as long as in is), possibly empty.
// in[consumed:] has not been looked at: the caller passes it to the next call
// (once Done, it is the next message). A non-nil error is an *Error and is
// sticky until Reset.
//
// A typical loop:
//
//	for len(in) > 0 && !d.Done() {
//		n, data, err := d.Decode(in)
//		if err != nil { ... }
//		use(data)
//		in = in[n:]
//	}
func (d *ChunkedDecoder) Decode(in []byte) (consumed int, data []byte, err error) {
	if !d.configured {
		d.configure(ChunkedLimits{})
	}
	if d.err != nil {
		return 0, nil, d.err
	}
	for consumed < len(in) {
		switch d.state {
		case chunkSize:
			n, complete := d.readLine(in[consumed:])
			consumed += n
			if !complete {
				if len(d.line) == cap(d.line) {
					return consumed, nil, d.fail(errChunkLineTooLong)
				}
				continue
			}
			size, e := parseChunkLine(d.line)
			if e == nil {
				e = d.account(len(d.line), size)
			}
			d.line = d.line[:0]
			if e != nil {
				return consumed, nil, d.fail(e)
			}
			d.remaining = size
			d.state = chunkData
			if size == 0 {
				d.state = chunkTrailer
			}
		case chunkData:
			n := int64(len(in) - consumed)
			if n > d.remaining {
				n = d.remaining
			}
			start := consumed
			consumed += int(n)
			d.remaining -= n
			if d.remaining == 0 {
				d.state = chunkDataCR
			}
			return consumed, in[start:consumed:consumed], nil
		case chunkDataCR, chunkDataLF:
			want := byte('\r')
			if d.state == chunkDataLF {
				want = '\n'
			}
			if in[consumed] != want {
				return consumed, nil, d.fail(errChunkCRLF)
			}
			consumed++
			d.state++
			if d.state > chunkDataLF {
				d.state = chunkSize
			}
		case chunkTrailer:
			n, _, e := d.trailer.feed(in[consumed:], errTrailerTooLarge)
			consumed += n
			if e != nil {
				if e == error(errHeadTooLarge) {
					d.trailer.err = errTrailerTooLarge
					e = errTrailerTooLarge
				}
				return consumed, nil, d.fail(e.(*Error))
			}
			if d.trailer.done {
				d.state = chunkDone
			}
		case chunkDone:
			return consumed, nil, nil
		}
	}
	return consumed, nil, nil
}

// maxChunkOverhead bounds the framing bytes a chunked body may send beyond
// an allowance of 16 bytes per chunk plus twice its data: chunk-size lines
// (with their extensions) and the CRLF after each chunk's data. Ordinary
// framing stays far below it; 1-byte chunks each carrying a 4 KiB
// extension, which would put thousands of times the body limit on the wire
// while every byte counts as progress, reach it within a few chunks (Go's
// net/http bounds the same ratio since CVE-2023-39326).
const maxChunkOverhead = 16 << 10

// account adds the framing of a chunk, its size line of n bytes and the
// CRLF after its data, to d.excess, less its allowance.
func (d *ChunkedDecoder) account(n int, size int64) *Error {
	d.excess += int64(n) + 2 - 16 - 2*min(size, 1<<32)
	if d.excess < 0 {
		d.excess = 0
	}
	if d.excess > maxChunkOverhead {
		return errChunkOverhead
	}
	return nil
}

func (d *ChunkedDecoder) fail(e *Error) error {
	d.err = e
	return e
}

// readLine appends bytes of in to d.line up to and including LF, within the
// line buffer's capacity.
func (d *ChunkedDecoder) readLine(in []byte) (n int, complete bool) {
	room := cap(d.line) - len(d.line)
	for i, c := range in {
		if i == room {
			d.line = append(d.line, in[:i]...)
			return i, false
		}
		if c == '\n' {
			d.line = append(d.line, in[:i+1]...)
			return i + 1, true
		}
	}
	if len(in) > room {
		d.line = append(d.line, in[:room]...)
		return room, false
	}
	d.line = append(d.line, in...)
	return len(in), false
}

// parseChunkLine parses chunk-size [chunk-ext] CRLF (RFC 9112 §7.1.1).
func parseChunkLine(l []byte) (int64, *Error) {
	if len(l) < 2 || l[len(l)-2] != '\r' {
		return 0, errBareLF
	}
	l = l[:len(l)-2]
	var size int64
	i := 0
	for ; i < len(l); i++ {
		v := unhex(l[i])
		if v < 0 {
			break
		}
		// At most 16 digits, leading zeros included, like net/http.
		if i == 16 || size > (maxChunkSize-1-int64(v))>>4 {
			return 0, errChunkOverflow
		}
		size = size<<4 | int64(v)
	}
	if i == 0 {
		return 0, errChunkSize
	}
	if !validChunkExt(l[i:]) {
		return 0, errChunkExt
	}
	return size, nil
}

// validChunkExt checks *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ) with
// ext-val = token / quoted-string.
//
// Unlike the RFC grammar, no whitespace is accepted between the chunk size and
// the first ";": net/http rejects it too, and a parser disagreeing on where
// the size ends is how chunked smuggling starts.
func validChunkExt(b []byte) bool {
	for first := true; len(b) > 0; first = false {
		if !first {
			b = skipWS(b)
		}
		if len(b) == 0 || b[0] != ';' {
			return false
		}
		b = skipWS(b[1:])
		n := tokenLen(b)
		if n == 0 {
			return false
		}
		b = b[n:]
		after := skipWS(b)
		if len(after) == 0 || after[0] != '=' {
			continue
		}
		b = skipWS(after[1:])
		if len(b) > 0 && b[0] == '"' {
			n = quotedStringLen(b)
		} else {
			n = tokenLen(b)
		}
		if n == 0 {
			return false
		}
		b = b[n:]
	}
	return true
}

func skipWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

func tokenLen(b []byte) int {
	for i, c := range b {
		if !tchar[c] {
			return i
		}
	}
	return len(b)
}

// quotedStringLen returns the length of the quoted-string (RFC 9110 §5.6.4)
// at the start of b, or 0 if there is none.
func quotedStringLen(b []byte) int {
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			if i+1 >= len(b) || !fieldVal[b[i+1]] {
				return 0
			}
			i++
		case !fieldVal[c]:
			return 0
		}
	}
	return 0
}

// NumTrailers returns the number of trailer fields parsed so far.
func (d *ChunkedDecoder) NumTrailers() int { return len(d.trailer.fields) }

// Trailer returns the i-th trailer field; the views are valid until Reset.
// It panics if i is out of range.
func (d *ChunkedDecoder) Trailer(i int) (name, value []byte) { return d.trailer.header(i) }

// GetTrailer returns the value of the first trailer field named name (ASCII
// case-insensitive) and whether there was one.
func (d *ChunkedDecoder) GetTrailer(name string) ([]byte, bool) { return d.trailer.get(name) }
