package evhttp

// The methods the server knows (RFC 9110 §9 and PATCH, RFC 5789).
// Request.Method returns these very strings, so comparing with them is cheap
// and reading the method allocates nothing.
const (
	MethodGet     = "GET"
	MethodHead    = "HEAD"
	MethodPost    = "POST"
	MethodPut     = "PUT"
	MethodDelete  = "DELETE"
	MethodOptions = "OPTIONS"
	MethodTrace   = "TRACE"
	MethodConnect = "CONNECT"
	MethodPatch   = "PATCH"
)

// methodSet is a set of known methods, one bit per knownMethods index.
type methodSet uint16

var knownMethods = [...]string{MethodGet, MethodHead, MethodPost, MethodPut, MethodDelete, MethodOptions, MethodTrace, MethodConnect, MethodPatch}

// methodIndex returns the index of m in knownMethods, or -1. The switch on
// string(m) does not allocate.
func methodIndex(m []byte) int {
	switch string(m) {
	case MethodGet:
		return 0
	case MethodHead:
		return 1
	case MethodPost:
		return 2
	case MethodPut:
		return 3
	case MethodDelete:
		return 4
	case MethodOptions:
		return 5
	case MethodTrace:
		return 6
	case MethodConnect:
		return 7
	case MethodPatch:
		return 8
	}
	return -1
}

// newMethodSet returns the set of names; it panics on a method it does not
// know.
func newMethodSet(names []string) methodSet {
	var s methodSet
	for _, n := range names {
		i := methodIndex([]byte(n))
		if i < 0 {
			panic("evhttp: unknown method " + n + " in Config.AllowedMethods")
		}
		s |= 1 << i
	}
	return s
}

// allowHeader returns the value of an Allow header listing s.
func (s methodSet) allowHeader() string {
	out := ""
	for i, m := range knownMethods {
		if s&(1<<i) != 0 {
			if out != "" {
				out += ", "
			}
			out += m
		}
	}
	return out
}
