package evhttp

import (
	"errors"
	"strconv"
	"strings"

	"github.com/eventide-go/eventide/internal/http1"
)

// ErrBadURI is returned by ParseURI for a string that is not an RFC 3986
// URI-reference.
var ErrBadURI = errors.New("evhttp: malformed URI")

// URI is a parsed URI-reference (RFC 3986 §4.1), the equivalent of libevent's
// struct evhttp_uri. Components are kept as received: Path, RawQuery and
// Fragment are not percent-decoded (use DecodeURI or Query).
type URI struct {
	// Scheme is the scheme without ':', such as "http"; empty for a relative
	// reference like "/path?q".
	Scheme string
	// Userinfo is the part of the authority before '@'; empty if none.
	Userinfo string
	// Host is the host of the authority; an IP-literal keeps its brackets
	// ("[::1]"). Empty when there is no authority.
	Host string
	// Port is the port of the authority, or -1 when there is none (ParseURI
	// sets -1; note that a URI literal must set it explicitly: the zero
	// value URI{} has the port 0, and String writes it as "//:0").
	Port int
	// Path is the path, possibly empty.
	Path string
	// RawQuery is the query without '?'; empty means no query.
	RawQuery string
	// Fragment is the fragment without '#'; empty means no fragment.
	Fragment string
	// EmptyAuthority records an authority that is present but empty, as in
	// "file:///x" or the reference "///x" (ParseURI sets it); String then
	// writes the "//". It does nothing when Host, Userinfo or Port is set.
	EmptyAuthority bool
}

// URI component byte classes (RFC 3986 §2, §3), outside percent escapes.
var (
	pcharSet    [256]bool // unreserved / sub-delims / ":" / "@"
	userinfoSet [256]bool // unreserved / sub-delims / ":"
	regNameSet  [256]bool // unreserved / sub-delims
)

func init() {
	for c := 0; c < 256; c++ {
		sub := strings.IndexByte("!$&'()*+,;=", byte(c)) >= 0
		base := unreserved(byte(c)) || sub
		regNameSet[c] = base
		userinfoSet[c] = base || c == ':'
		pcharSet[c] = base || c == ':' || c == '@'
	}
}

// validComponent reports whether every byte of s is in set, extra, or part of
// a well-formed percent escape.
func validComponent(s string, set *[256]bool, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
				return false
			}
			i += 2
		case set[c], strings.IndexByte(extra, c) >= 0:
		default:
			return false
		}
	}
	return true
}

// ParseURI parses s strictly as an RFC 3986 URI-reference, like libevent's
// evhttp_uri_parse_with_flags without EVHTTP_URI_NONCONFORMANT: every
// component must use only its allowed characters and well-formed percent
// escapes. Absolute URIs ("http://u@h:8080/p?q#f") and relative references,
// including request targets ("/path?q"), are accepted. A port must be decimal
// and at most 65535; an empty port ("h:") counts as none. Stricter than
// net/url: an IPv6 zone ("[fe80::1%25eth0]", RFC 6874) and a second '@' in
// the authority ("u:p@w@h") are refused.
func ParseURI(s string) (*URI, error) {
	u := &URI{Port: -1}
	rest := s
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		u.Fragment, rest = rest[i+1:], rest[:i]
		if !validComponent(u.Fragment, &pcharSet, "/?") {
			return nil, ErrBadURI
		}
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		u.RawQuery, rest = rest[i+1:], rest[:i]
		if !validComponent(u.RawQuery, &pcharSet, "/?") {
			return nil, ErrBadURI
		}
	}
	if i := schemeEnd(rest); i > 0 {
		u.Scheme, rest = rest[:i], rest[i+1:]
	}
	hasAuthority := strings.HasPrefix(rest, "//")
	if hasAuthority {
		rest = rest[2:]
		end := strings.IndexByte(rest, '/')
		if end < 0 {
			end = len(rest)
		}
		if err := u.parseAuthority(rest[:end]); err != nil {
			return nil, err
		}
		u.EmptyAuthority = !u.hasAuthority()
		rest = rest[end:]
	} else if u.Scheme == "" {
		// RFC 3986 §4.2: the first segment of a relative-path reference
		// cannot contain ':' (it would read as a scheme).
		first, _, _ := strings.Cut(rest, "/")
		if strings.IndexByte(first, ':') >= 0 {
			return nil, ErrBadURI
		}
	}
	if !validComponent(rest, &pcharSet, "/") {
		return nil, ErrBadURI
	}
	u.Path = rest
	return u, nil
}

// schemeEnd returns the index of the ':' ending a scheme at the start of s,
// or -1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func schemeEnd(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return i
		default:
			return -1
		}
	}
	return -1
}

// parseAuthority parses [userinfo "@"] host [":" port].
func (u *URI) parseAuthority(a string) error {
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		u.Userinfo, a = a[:i], a[i+1:]
		if !validComponent(u.Userinfo, &userinfoSet, "") {
			return ErrBadURI
		}
	}
	host, port := a, ""
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return ErrBadURI
		}
		if lit := a[1:end]; !http1.ValidIPv6(lit) && !http1.ValidIPvFuture(lit) {
			return ErrBadURI
		}
		host, port = a[:end+1], a[end+1:]
		if port != "" && port[0] != ':' {
			return ErrBadURI
		}
	} else if i := strings.LastIndexByte(a, ':'); i >= 0 {
		host, port = a[:i], a[i:]
	}
	if host != "" && host[0] != '[' && !validComponent(host, &regNameSet, "") {
		return ErrBadURI
	}
	u.Host = host
	if len(port) > 1 {
		n, err := strconv.Atoi(port[1:])
		if err != nil || n > 65535 || port[1] == '+' || port[1] == '-' {
			return ErrBadURI
		}
		u.Port = n
	}
	return nil
}

// hasAuthority reports whether u has an authority component.
func (u *URI) hasAuthority() bool {
	return u.Host != "" || u.Userinfo != "" || u.Port >= 0 || u.EmptyAuthority
}

// String reassembles the URI. An empty query or fragment is omitted, so
// "/p?" and "/p#" do not round-trip exactly; an empty authority is kept
// ("file:///x", with EmptyAuthority). A Path that does not begin with '/'
// is written after an authority with one ("http://h/p"). Components are
// written as they are, not escaped: for a URI whose components are valid
// (as ParseURI makes them), ParseURI of the result gives the same URI back.
func (u *URI) String() string {
	var b strings.Builder
	if u.Scheme != "" {
		b.WriteString(u.Scheme)
		b.WriteByte(':')
	}
	if u.hasAuthority() {
		b.WriteString("//")
		if u.Userinfo != "" {
			b.WriteString(u.Userinfo)
			b.WriteByte('@')
		}
		b.WriteString(u.Host)
		if u.Port >= 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(u.Port))
		}
	}
	switch {
	case u.hasAuthority() && u.Path != "" && u.Path[0] != '/':
		// RFC 3986 §3.3: a path after an authority begins with "/";
		// without it, Path "p" of Host "h" would read as the host "hp".
		b.WriteByte('/')
	case !u.hasAuthority() && strings.HasPrefix(u.Path, "//"):
		// An empty authority keeps the path from reading as one.
		b.WriteString("//")
	case u.Scheme == "" && !u.hasAuthority() && firstSegmentHasColon(u.Path):
		// RFC 3986 §4.2: "./" keeps "a:b" from reading as a scheme.
		b.WriteString("./")
	}
	b.WriteString(u.Path)
	if u.RawQuery != "" {
		b.WriteByte('?')
		b.WriteString(u.RawQuery)
	}
	if u.Fragment != "" {
		b.WriteByte('#')
		b.WriteString(u.Fragment)
	}
	return b.String()
}

func firstSegmentHasColon(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return strings.IndexByte(first, ':') >= 0
}

// Query parses RawQuery with ParseQuery.
func (u *URI) Query() (Params, error) { return ParseQuery(u.RawQuery) }

// ResolveReference resolves ref against u as a base URI with the algorithm
// of RFC 3986 §5.2.2, removing dot segments, and returns a new URI. Because an
// empty RawQuery means "no query", a reference "?" behaves like "".
func (u *URI) ResolveReference(ref *URI) *URI {
	t := &URI{Port: -1, Fragment: ref.Fragment}
	switch {
	case ref.Scheme != "":
		t.Scheme, t.Userinfo, t.Host, t.Port = ref.Scheme, ref.Userinfo, ref.Host, ref.Port
		t.EmptyAuthority = ref.EmptyAuthority
		t.Path, t.RawQuery = removeDotSegments(ref.Path), ref.RawQuery
		return t
	case ref.hasAuthority():
		t.Userinfo, t.Host, t.Port, t.EmptyAuthority = ref.Userinfo, ref.Host, ref.Port, ref.EmptyAuthority
		t.Path, t.RawQuery = removeDotSegments(ref.Path), ref.RawQuery
	case ref.Path == "":
		t.Userinfo, t.Host, t.Port, t.EmptyAuthority = u.Userinfo, u.Host, u.Port, u.EmptyAuthority
		t.Path, t.RawQuery = u.Path, u.RawQuery
		if ref.RawQuery != "" {
			t.RawQuery = ref.RawQuery
		}
	default:
		t.Userinfo, t.Host, t.Port, t.EmptyAuthority = u.Userinfo, u.Host, u.Port, u.EmptyAuthority
		t.RawQuery = ref.RawQuery
		if ref.Path[0] == '/' {
			t.Path = removeDotSegments(ref.Path)
		} else {
			t.Path = removeDotSegments(u.merge(ref.Path))
		}
	}
	t.Scheme = u.Scheme
	return t
}

// merge implements RFC 3986 §5.2.3.
func (u *URI) merge(ref string) string {
	if u.hasAuthority() && u.Path == "" {
		return "/" + ref
	}
	i := strings.LastIndexByte(u.Path, '/')
	return u.Path[:i+1] + ref
}

// removeDotSegments implements RFC 3986 §5.2.4.
func removeDotSegments(in string) string {
	var out []string // output segments, each starting with "/" unless first
	for in != "" {
		switch {
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "/..":
			in = "/"
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "." || in == "..":
			in = ""
		default:
			i := strings.IndexByte(in[1:], '/')
			if i < 0 {
				out = append(out, in)
				in = ""
			} else {
				out = append(out, in[:i+1])
				in = in[i+1:]
			}
		}
	}
	return strings.Join(out, "")
}
