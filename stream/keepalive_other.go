//go:build !linux && !freebsd && !netbsd && !dragonfly && !darwin

package stream

import "errors"

func setKeepIdle(fd, secs int) error { return errors.ErrUnsupported }
