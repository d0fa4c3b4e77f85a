package buffer

import "golang.org/x/sys/unix"

const haveSendfile = true

// sendfile copies n bytes of the file src at off to dst. It returns the
// bytes sent and the raw errno; EINTR is retried.
//
// Unlike readv and writev it goes through the scheduler-aware
// unix.Sendfile (not RawSyscall6): reading the file may block on the
// disk, and a goroutine blocked in a raw system call holds its P and
// stalls every stop-the-world of the garbage collector. unix.Sendfile
// also picks sendfile64 on 32-bit systems.
func sendfile(dst, src int, off int64, n int) (int, error) {
	for {
		o := off
		k, err := unix.Sendfile(dst, src, &o, n)
		if err == unix.EINTR {
			if k > 0 {
				return k, nil
			}
			continue
		}
		if k < 0 {
			k = 0
		}
		return k, err
	}
}
