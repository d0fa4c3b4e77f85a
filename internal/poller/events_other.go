//go:build !linux

package poller

// The event bits, where no backend's bits are worth borrowing (kqueue
// reports filters, not bits).
const (
	In Events = 1 << iota
	Out
	RDHup
	Err
	Hup
	Edge
	Invalid
)
