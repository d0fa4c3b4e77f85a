package stream

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// SetKeepAlive turns TCP keep-alive probes on or off; with on and idle > 0
// the first probe is sent after idle without traffic (rounded up to a
// second), where the system lets a socket choose (not OpenBSD, which
// returns errors.ErrUnsupported for idle > 0).
func (c *Conn) SetKeepAlive(on bool, idle time.Duration) error {
	if err := c.setsockopt(unix.SOL_SOCKET, unix.SO_KEEPALIVE, on); err != nil {
		return err
	}
	if !on || idle <= 0 {
		return nil
	}
	secs := int((idle + time.Second - 1) / time.Second)
	if err := setKeepIdle(c.Fd(), secs); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	return nil
}
