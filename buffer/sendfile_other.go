//go:build unix && !linux && !darwin && !dragonfly && !freebsd

package buffer

import "errors"

// haveSendfile is false: x/sys has no working sendfile here (NetBSD and
// OpenBSD lack the system call), so file segments are read and written.
const haveSendfile = false

func sendfile(dst, src int, off int64, n int) (int, error) {
	return 0, errors.ErrUnsupported
}
