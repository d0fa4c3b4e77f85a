//go:build darwin || dragonfly || freebsd

package buffer

import "golang.org/x/sys/unix"

const haveSendfile = true

// sendfile copies n bytes of the file src at off to dst. It returns the
// bytes sent and the raw errno; EINTR is retried. On these systems a
// partial transfer may come with EAGAIN or EINTR, and the count is still
// valid.
func sendfile(dst, src int, off int64, n int) (int, error) {
	for {
		o := off
		k, err := unix.Sendfile(dst, src, &o, n)
		if k < 0 {
			k = 0
		}
		if k > 0 && (err == unix.EAGAIN || err == unix.EINTR) {
			return k, nil
		}
		if err == unix.EINTR {
			continue
		}
		return k, err
	}
}
