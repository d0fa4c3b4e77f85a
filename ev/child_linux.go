//go:build linux

package ev

import (
	"errors"

	"golang.org/x/sys/unix"
)

// openPidfd returns a pidfd for pid: a descriptor that becomes readable when
// the process exits (pidfd_open(2), Linux 5.3). Quirks handled:
//
//  1. ENOSYS (older kernels) and EPERM (seccomp filters that deny the call):
//     reported as errors.ErrUnsupported, and the watcher uses SIGCHLD.
//  2. ESRCH: no such process; the caller reports ECHILD.
//  3. The descriptor is close-on-exec by definition of the call.
//  4. A pidfd says nothing of stops and continues: tracing watchers use
//     SIGCHLD.
func openPidfd(pid int) (int, error) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) {
			return -1, errors.ErrUnsupported
		}
		return -1, err
	}
	return fd, nil
}

// waitTrace asks wait4 for stops and continues too.
const waitTrace = unix.WUNTRACED | unix.WCONTINUED
