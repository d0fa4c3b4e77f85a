//go:build linux || freebsd || netbsd || dragonfly

package stream

import "golang.org/x/sys/unix"

func setKeepIdle(fd, secs int) error {
	return unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, secs)
}
