package buffer

import "bytes"

// An EOLStyle says what ends a line, with the meanings of libevent's
// enum evbuffer_eol_style.
type EOLStyle int

const (
	// EOLAny ends a line at any run of CR and LF bytes. "a\r\n\r\nb"
	// is the line "a" then "b". A CRLF that arrives split across reads
	// ends two lines, and a CR at the end of the buffer ends a line.
	EOLAny EOLStyle = iota
	// EOLCRLF ends a line at LF, with an optional CR before it. A CR not
	// followed by LF, including one at the end of the buffer, is data.
	EOLCRLF
	// EOLCRLFStrict ends a line only at CR LF; a bare LF or CR is data.
	EOLCRLFStrict
	// EOLLF ends a line at LF; a CR before it stays in the line.
	EOLLF
	// EOLNUL ends a line at a NUL byte.
	EOLNUL
)

// String returns the name of the style.
func (s EOLStyle) String() string {
	switch s {
	case EOLAny:
		return "EOLAny"
	case EOLCRLF:
		return "EOLCRLF"
	case EOLCRLFStrict:
		return "EOLCRLFStrict"
	case EOLLF:
		return "EOLLF"
	case EOLNUL:
		return "EOLNUL"
	}
	return "EOLStyle(?)"
}

var crlf = []byte("\r\n")

// maxScratch is the largest line copy a Buffer keeps for reuse; a longer
// line that spans chunks is copied into a fresh allocation.
const maxScratch = 4 << 10

// SearchEOL returns the position of the first end of line at or after
// start (nil: the start of b) and the length of the terminator, or a Pos
// with Offset -1 and 0. It panics on an unknown style.
func (b *Buffer) SearchEOL(start *Pos, style EOLStyle) (Pos, int) {
	switch style {
	case EOLLF, EOLNUL:
		x := byte('\n')
		if style == EOLNUL {
			x = 0
		}
		p := b.searchByte(start, x)
		if p.Offset < 0 {
			return p, 0
		}
		return p, 1
	case EOLCRLFStrict:
		p := b.Search(crlf, start)
		if p.Offset < 0 {
			return p, 0
		}
		return p, 2
	case EOLAny:
		p := b.searchCRorLF(start)
		if p.Offset < 0 {
			return p, 0
		}
		return p, b.spanCRLF(p)
	case EOLCRLF:
		p := b.searchCRorLF(start)
		for p.Offset >= 0 {
			c, k, _ := b.resolve(&p)
			if c.buf[c.off+k] == '\n' {
				return p, 1
			}
			if b.matchAt(c, k, crlf) {
				return p, 2
			}
			// A lone CR is data.
			q := p
			if !b.Advance(&q, 1) {
				break
			}
			p = b.searchCRorLF(&q)
		}
		return notFound, 0
	}
	panic("buffer: unknown EOLStyle")
}

// searchByte finds the first x at or after start.
func (b *Buffer) searchByte(start *Pos, x byte) Pos {
	c, k, ok := b.resolve(start)
	if !ok {
		return notFound
	}
	off := 0
	if start != nil {
		off = start.Offset
	}
	for ; c != nil; c, k = c.next, 0 {
		if c.kind == kindFile {
			var ok bool
			if c, k, ok = b.loadAt(c, k); !ok {
				break
			}
		}
		seg := c.buf[c.off+k : c.end]
		if i := bytes.IndexByte(seg, x); i >= 0 {
			return b.pos(off+i, c, k+i)
		}
		off += len(seg)
	}
	return notFound
}

// searchCRorLF finds the first CR or LF at or after start.
func (b *Buffer) searchCRorLF(start *Pos) Pos {
	c, k, ok := b.resolve(start)
	if !ok {
		return notFound
	}
	off := 0
	if start != nil {
		off = start.Offset
	}
	for ; c != nil; c, k = c.next, 0 {
		if c.kind == kindFile {
			var ok bool
			if c, k, ok = b.loadAt(c, k); !ok {
				break
			}
		}
		seg := c.buf[c.off+k : c.end]
		i := bytes.IndexByte(seg, '\n')
		head := seg
		if i >= 0 {
			head = seg[:i]
		}
		if j := bytes.IndexByte(head, '\r'); j >= 0 {
			i = j
		}
		if i >= 0 {
			return b.pos(off+i, c, k+i)
		}
		off += len(seg)
	}
	return notFound
}

// spanCRLF counts the CR and LF bytes starting at p.
func (b *Buffer) spanCRLF(p Pos) int {
	c, k, _ := b.resolve(&p)
	n := 0
	for ; c != nil; c, k = c.next, 0 {
		if c.kind == kindFile {
			var ok bool
			if c, k, ok = b.loadAt(c, k); !ok {
				break
			}
		}
		for _, x := range c.buf[c.off+k : c.end] {
			if x != '\r' && x != '\n' {
				return n
			}
			n++
		}
	}
	return n
}

// ReadLine removes the first line and its terminator from b and returns
// the line without the terminator. It returns nil, false if b holds no
// complete line or its front is frozen.
//
// The line is valid until the next call that modifies b. It aliases b's
// chunk when the line lies in one chunk that keeps data after it;
// otherwise it is copied into scratch space that b keeps (up to 4 KiB)
// for the next such line, so steady-state line reading does not allocate.
func (b *Buffer) ReadLine(style EOLStyle) (line []byte, ok bool) {
	if b.frontFrozen {
		return nil, false
	}
	p, eol := b.SearchEOL(nil, style)
	if p.Offset < 0 {
		return nil, false
	}
	n := p.Offset
	h := b.head
	switch {
	case n == 0:
		line = b.scratch[:0:0]
		if line == nil {
			line = []byte{}
		}
	case h.kind != kindFile && h.size() > n+eol:
		line = h.buf[h.off : h.off+n : h.off+n]
	case n <= maxScratch:
		if cap(b.scratch) < n {
			b.scratch = make([]byte, 0, max(n, 256))
		}
		line = b.scratch[:n]
		b.copyOut(h, 0, line)
	default:
		line = make([]byte, n)
		b.copyOut(h, 0, line)
	}
	orig := b.n
	b.drain(n + eol)
	b.notify(orig, 0, n+eol)
	return line, true
}

// ReadLineString is ReadLine returning a string, which is a copy.
func (b *Buffer) ReadLineString(style EOLStyle) (string, bool) {
	line, ok := b.ReadLine(style)
	return string(line), ok
}
