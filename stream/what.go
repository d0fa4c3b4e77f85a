package stream

import "strings"

// Direction is a set of the two directions of a connection, for Enable and
// Disable.
type Direction uint8

// The directions.
const (
	// Read: the connection reads from its descriptor into its input.
	Read Direction = 1 << iota
	// Write: the connection writes its queued output to its descriptor.
	Write
)

// String returns "read", "write", "read|write" or "0".
func (d Direction) String() string {
	switch d {
	case 0:
		return "0"
	case Read:
		return "read"
	case Write:
		return "write"
	case Read | Write:
		return "read|write"
	}
	return "Direction(" + itoa(int(d)) + ")"
}

// What says what happened, in an EventFunc: a direction bit (Reading or
// Writing, when the event concerns one) ORed with one of EOF, Error,
// Timeout or Connected — libevent's BEV_EVENT_* flags.
type What uint16

// The event bits.
const (
	// Reading: the event happened while reading.
	Reading What = 1 << iota
	// Writing: the event happened while writing (or connecting).
	Writing
	// EOF: the peer closed its side; nothing more will be read. Writing
	// may go on (half-close).
	EOF
	// Error: the connection failed; the error says why. An Error event is
	// final: the connection is closed when the callback returns.
	Error
	// Timeout: the read or write timeout expired; that direction is now
	// disabled, and Enable resumes it. A dial timeout comes as
	// Writing|Timeout|Error and is final.
	Timeout
	// Connected: a Dial completed.
	Connected
)

var whatNames = [...]string{"reading", "writing", "eof", "error", "timeout", "connected"}

// String returns the names of the bits, joined with "|", or "0".
func (w What) String() string {
	if w == 0 {
		return "0"
	}
	var b strings.Builder
	for i, n := range whatNames {
		if w&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(n)
		}
	}
	if rest := w &^ (1<<len(whatNames) - 1); rest != 0 {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString("What(" + itoa(int(rest)) + ")")
	}
	return b.String()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var buf [20]byte
	i := len(buf)
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return string(buf[i:])
}
