package http1

import (
	"encoding/binary"
	"math/bits"
)

// Byte classes used by the parsers, as 256-entry lookup tables so that the hot
// loops do one load per byte.
//
//	tchar     RFC 9110 §5.6.2 token characters
//	fieldVal  RFC 9110 §5.5 field-value characters: VCHAR, obs-text, SP, HTAB
//	uriChar   RFC 3986 characters allowed in a request target outside a
//	          percent escape: unreserved, sub-delims, ":", "@", "/", "?"
//	regName   RFC 3986 reg-name characters outside a percent escape
var (
	tchar    [256]bool
	fieldVal [256]bool
	uriChar  [256]bool
	regName  [256]bool
)

func init() {
	for c := 0; c < 256; c++ {
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		tchar[c] = alnum || containsByte("!#$%&'*+-.^_`|~", c)
		fieldVal[c] = c == ' ' || c == '\t' || 0x21 <= c && c <= 0x7e || c >= 0x80
		unreserved := alnum || containsByte("-._~", c)
		subDelim := containsByte("!$&'()*+,;=", c)
		uriChar[c] = unreserved || subDelim || containsByte(":@/?", c)
		regName[c] = unreserved || subDelim
	}
}

func containsByte(s string, c int) bool {
	for i := 0; i < len(s); i++ {
		if int(s[i]) == c {
			return true
		}
	}
	return false
}

// isToken reports whether b is a non-empty RFC 9110 token.
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !tchar[c] {
			return false
		}
	}
	return true
}

// unhex returns the value of the hexadecimal digit c, or -1.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// equalFold reports whether b equals s under ASCII case folding; HTTP field names
// and tokens are ASCII case-insensitive (RFC 9110 §5.1), so Unicode folding
// (strings.EqualFold) would be wrong: it maps "K" (U+212A) to "k".
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if x == y {
			continue
		}
		// Bytes that differ are equal only as the two cases of a
		// letter, which differ in bit 0x20 alone.
		if x |= 0x20; x != y|0x20 || x < 'a' || x > 'z' {
			return false
		}
	}
	return true
}

// isFieldName reports whether name, a field name (token bytes only), is
// lower, a name of lower-case letters and '-', in any case. Setting bit 0x20
// of a token byte gives a lower-case letter only from that letter in either
// case, and '-' only from '-' (the other byte, CR, is no token byte), so one
// OR per byte decides what equalFold decides with a range test.
func isFieldName(name []byte, lower string) bool {
	if len(name) != len(lower) {
		return false
	}
	for i := 0; i < len(name); i++ {
		if name[i]|0x20 != lower[i] {
			return false
		}
	}
	return true
}

// isHostName is isFieldName(name, "host") for a name of four bytes, as one
// 32-bit compare: every request has a Host field.
func isHostName(name []byte) bool {
	const host = 'h' | 'o'<<8 | 's'<<16 | 't'<<24
	return binary.LittleEndian.Uint32(name)|0x20202020 == host
}

// trimOWS removes leading and trailing optional whitespace (SP, HTAB).
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// nextListElem splits the first element off a comma-separated list (RFC 9110
// §5.6.1), trimming OWS, and returns it with the rest of the list; rest is nil
// when no comma followed the element, and empty but non-nil after a trailing comma.
func nextListElem(list []byte) (elem, rest []byte) {
	for i, c := range list {
		if c == ',' {
			return trimOWS(list[:i]), list[i+1:]
		}
	}
	return trimOWS(list), nil
}

// parseDecimal parses 1*DIGIT into a non-negative int64, rejecting signs, spaces,
// and values above maxInt64.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for i, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		// Below 18 digits so far n*10+d cannot overflow: the division
		// is for long numbers only.
		if i >= 18 && n > (1<<63-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// validFieldValue reports whether every byte of v is a fieldVal byte. It
// tests eight bytes at a time for the two faults, a byte below 0x20 and
// DEL, and looks at a word byte by byte only when one is there: HTAB, the
// one control byte a value may hold, or a fault. A value of eight bytes or
// more ends with its last eight bytes, which overlap the previous word.
func validFieldValue(v []byte) bool {
	if len(v) < 8 {
		for _, c := range v {
			if !fieldVal[c] {
				return false
			}
		}
		return true
	}
	for {
		if !fieldWord(v[:8]) {
			return false
		}
		if len(v) == 8 {
			return true
		}
		if len(v) < 16 {
			v = v[len(v)-8:]
		} else {
			v = v[8:]
		}
	}
}

// fieldWord is validFieldValue for eight bytes.
func fieldWord(v []byte) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	w := binary.LittleEndian.Uint64(v)
	below20 := (w - 0x20*ones) & ^w & highs // some byte < 0x20
	x := w ^ 0x7f*ones
	del := (x - ones) & ^x & highs // some byte == 0x7f
	if below20|del == 0 {
		return true
	}
	for _, c := range v[:8] {
		if !fieldVal[c] {
			return false
		}
	}
	return true
}

// valueLen returns how many bytes at the start of b are fieldVal bytes: the
// length of a field value that runs up to its line's CR. Like
// validFieldValue it tests eight bytes at a time, for a byte below 0x20 or
// DEL; in a word that has one, the lowest flagged byte is the first such
// byte (the borrows of the test only ever flag bytes above a true one), and
// only an HTAB, which a value may hold, sends the scan on.
func valueLen(b []byte) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	i := 0
	for i+8 <= len(b) {
		w := binary.LittleEndian.Uint64(b[i:])
		x := w ^ 0x7f*ones
		m := ((w-0x20*ones)&^w | (x-ones)&^x) & highs
		if m == 0 {
			i += 8
			continue
		}
		j := i + bits.TrailingZeros64(m)>>3
		if b[j] != '\t' {
			return j
		}
		i = j + 1
	}
	for ; i < len(b); i++ {
		if !fieldVal[b[i]] {
			return i
		}
	}
	return len(b)
}
