//go:build !freebsd

package stream

import "golang.org/x/sys/unix"

// reusePortOpt is the socket option ListenConfig.ReusePort sets (see
// reuseport_freebsd.go for FreeBSD's).
const reusePortOpt = unix.SO_REUSEPORT
