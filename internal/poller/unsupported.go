package poller

import (
	"errors"
	"fmt"
)

// String names the mechanism ("default", "epoll", "kqueue", "poll").
func (k Kind) String() string {
	switch k {
	case Default:
		return "default"
	case Epoll:
		return "epoll"
	case Kqueue:
		return "kqueue"
	case Poll:
		return "poll"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

func unsupported(k Kind) error {
	return fmt.Errorf("poller: %v backend: %w on this system", k, errors.ErrUnsupported)
}
