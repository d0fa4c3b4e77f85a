package http1

import (
	"bytes"
	"net/netip"
)

// checkTarget validates a request target against the four forms of RFC 9112
// §3.2, more strictly than net/http: only RFC 3986 characters, well-formed
// percent escapes, no fragment, no userinfo, and each form only where allowed:
//
//	origin-form     "/" path ["?" query]           any method but CONNECT
//	absolute-form   scheme "://" authority [path]  any method but CONNECT
//	authority-form  host ":" port                  CONNECT only
//	asterisk-form   "*"                            OPTIONS only
func checkTarget(method, t []byte) *Error {
	isConnect := string(method) == "CONNECT"
	switch {
	case isConnect:
		return checkAuthority(t, true)
	case len(t) == 1 && t[0] == '*':
		if string(method) != "OPTIONS" {
			return errTargetForm
		}
		return nil
	case t[0] == '/':
		return checkPathQuery(t)
	}
	return checkAbsolute(t)
}

// checkPathQuery validates path-abempty ["?" query] (RFC 3986 §3.3, §3.4).
func checkPathQuery(b []byte) *Error {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '%' {
			if i+2 >= len(b) || unhex(b[i+1]) < 0 || unhex(b[i+2]) < 0 {
				return errTarget
			}
			i += 2
			continue
		}
		if !uriChar[c] {
			return errTarget
		}
	}
	return nil
}

// checkAbsolute validates scheme "://" authority path-abempty ["?" query].
func checkAbsolute(t []byte) *Error {
	i := 0
	for ; i < len(t); i++ {
		c := t[i]
		alpha := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if alpha || i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.') {
			continue
		}
		break
	}
	if i == 0 || len(t) < i+3 || string(t[i:i+3]) != "://" {
		return errTarget
	}
	rest := t[i+3:]
	end := len(rest)
	for j, c := range rest {
		if c == '/' || c == '?' {
			end = j
			break
		}
	}
	if e := checkAuthority(rest[:end], false); e != nil {
		return e
	}
	return checkPathQuery(rest[end:])
}

// checkAuthority validates host [":" port] where host is a reg-name or an
// IP-literal in brackets; needPort makes the port mandatory (authority-form).
// Userinfo is rejected: RFC 9110 §4.2.4 asks recipients to treat it as an error.
func checkAuthority(a []byte, needPort bool) *Error {
	if len(a) == 0 {
		return errTarget
	}
	var port []byte
	if a[0] == '[' {
		end := -1
		for i, c := range a {
			if c == ']' {
				end = i
				break
			}
		}
		// An IPvFuture is refused: no server can route to one (net/http
		// accepts anything between the brackets).
		if end < 0 || !ValidIPv6(a[1:end]) {
			return errTarget
		}
		port = a[end+1:]
	} else if h := regNameLen(a); h == len(a) || a[h] == ':' {
		// The usual host: reg-name bytes alone, up to the port.
		if h == 0 {
			return errTarget
		}
		port = a[h:]
	} else {
		host := a
		if i := bytes.IndexByte(a, ':'); i >= 0 {
			host, port = a[:i], a[i:]
		}
		if len(host) == 0 {
			return errTarget
		}
		for i := 0; i < len(host); i++ {
			c := host[i]
			if regName[c] {
				continue
			}
			switch {
			case c == '@':
				return errUserinfo
			case c == '%':
				if i+2 >= len(host) || !hostEscape(host[i+1], host[i+2]) {
					return errTarget
				}
				i += 2
			default:
				return errTarget
			}
		}
	}
	if len(port) == 0 {
		if needPort {
			return errTarget
		}
		return nil
	}
	if port[0] != ':' || len(port) < 2 || len(port) > 6 {
		if containsAt(port) {
			return errUserinfo
		}
		return errTarget
	}
	n, ok := parseDecimal(port[1:])
	if !ok || n > 65535 {
		if containsAt(port) {
			return errUserinfo
		}
		return errTarget
	}
	return nil
}

// hostEscape reports whether "%" hi lo is a percent escape a host may
// hold. As net/url reads RFC 3986 §3.2.2, a host escapes only non-ASCII
// bytes, and "%25" (RFC 6874's escaped percent sign); net/http rejects any
// other escape of an ASCII byte, such as "%00" or "%41", and so do we.
func hostEscape(hi, lo byte) bool {
	h, l := unhex(hi), unhex(lo)
	return h >= 8 && l >= 0 || h == 2 && l == 5
}

// regNameLen returns how many bytes at the start of b are reg-name bytes
// outside a percent escape.
func regNameLen(b []byte) int {
	for i, c := range b {
		if !regName[c] {
			return i
		}
	}
	return len(b)
}

func containsAt(b []byte) bool {
	for _, c := range b {
		if c == '@' {
			return true
		}
	}
	return false
}

// ValidIPv6 reports whether s, the text between the brackets of an
// IP-literal (RFC 3986 §3.2.2), is an IPv6 address. A zone ("%25eth0",
// RFC 6874) is not accepted, nor is an IPv4 address.
func ValidIPv6[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; unhex(c) < 0 && c != ':' && c != '.' {
			return false
		}
	}
	a, err := netip.ParseAddr(string(s))
	return err == nil && a.Is6()
}

// ValidIPvFuture reports whether s, the text between the brackets of an
// IP-literal, is an IPvFuture (RFC 3986 §3.2.2):
// "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ).
func ValidIPvFuture[T string | []byte](s T) bool {
	if len(s) == 0 || s[0] != 'v' && s[0] != 'V' {
		return false
	}
	i := 1
	for i < len(s) && unhex(s[i]) >= 0 {
		i++
	}
	if i == 1 || i+1 >= len(s) || s[i] != '.' {
		return false
	}
	for i++; i < len(s); i++ {
		if c := s[i]; !uriChar[c] || c == '/' || c == '?' || c == '@' {
			return false
		}
	}
	return true
}
