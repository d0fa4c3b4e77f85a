package http1

// Limits bounds the memory a parser may use for one message head. The zero value
// of each field selects its default; a parser allocates its arena and field
// table once, sized by these limits, and reuses them for every message.
type Limits struct {
	// MaxHeadBytes is the maximum size of the start line plus header section,
	// including line terminators and the empty line ending it; 0 means
	// DefaultMaxHeadBytes. Exceeding it fails with 431 (414 while still in the
	// request line, 501 while still in its method). It is also the arena
	// capacity.
	MaxHeadBytes int
	// MaxHeaders is the maximum number of header fields; 0 means
	// DefaultMaxHeaders. Exceeding it fails with 431.
	MaxHeaders int
	// MaxTargetBytes is the maximum length of the request target; 0 means
	// DefaultMaxTargetBytes. Exceeding it fails with 414.
	MaxTargetBytes int
}

// Default limits. 16 KiB is enough for a browser request with large cookies
// and is what many front-end proxies allow; net/http allows 1 MiB.
const (
	DefaultMaxHeadBytes   = 16 << 10
	DefaultMaxHeaders     = 100
	DefaultMaxTargetBytes = 8 << 10
)

// withDefaults returns l with zero fields replaced by their defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxHeadBytes <= 0 {
		l.MaxHeadBytes = DefaultMaxHeadBytes
	}
	if l.MaxHeaders <= 0 {
		l.MaxHeaders = DefaultMaxHeaders
	}
	if l.MaxTargetBytes <= 0 {
		l.MaxTargetBytes = DefaultMaxTargetBytes
	}
	return l
}
