package evhttp

import (
	"errors"
	"strings"
)

// ErrBadEscape is returned by the strict decoders for a '%' that is not
// followed by two hexadecimal digits.
var ErrBadEscape = errors.New("evhttp: invalid percent escape")

// unreserved reports whether c is an RFC 3986 §2.3 unreserved character,
// the only ones EncodeURI leaves as they are.
func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

const upperHex = "0123456789ABCDEF"

// EncodeURI percent-encodes every byte of s except the RFC 3986 unreserved
// characters (ALPHA, DIGIT, "-", ".", "_", "~"), like libevent's
// evhttp_encode_uri. Spaces become "%20". It returns s itself when nothing needs
// encoding.
func EncodeURI(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
	return b.String()
}

// DecodeURI decodes percent escapes in s and, when plusAsSpace is set (form and
// query encoding), '+' as a space. Unlike libevent's evhttp_decode_uri, which
// copies a malformed escape through unchanged, DecodeURI is strict: it returns
// ErrBadEscape for a '%' not followed by two hexadecimal digits. Decoded bytes
// are not checked: "%00" gives a NUL, "%2F" a '/', and invalid UTF-8 passes,
// so check the result before using it as a file name.
func DecodeURI(s string, plusAsSpace bool) (string, error) {
	escapes, plus := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
				return "", ErrBadEscape
			}
			escapes++
			i += 2
		case '+':
			if plusAsSpace {
				plus++
			}
		}
	}
	if escapes+plus == 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s)-2*escapes)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			b = append(b, byte(unhex(s[i+1])<<4|unhex(s[i+2])))
			i += 2
		case c == '+' && plusAsSpace:
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return string(b), nil
}

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

// HTMLEscape replaces the characters that are special in HTML text and
// attribute values, like libevent's evhttp_htmlescape: '&' becomes "&amp;",
// '<' "&lt;", '>' "&gt;", a double quote "&quot;" and an apostrophe
// "&#039;". It returns s itself when there is nothing to escape.
func HTMLEscape(s string) string {
	if !strings.ContainsAny(s, "&<>\"'") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#039;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
