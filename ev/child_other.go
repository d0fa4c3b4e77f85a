//go:build !linux && !netbsd

package ev

import (
	"errors"

	"golang.org/x/sys/unix"
)

// openPidfd reports that this system has no pidfds (FreeBSD's process
// descriptors and kqueue's EVFILT_PROC need the process to be created by, or
// known to, the watcher in ways os.StartProcess does not offer): Child
// watchers use SIGCHLD here.
func openPidfd(int) (int, error) { return -1, errors.ErrUnsupported }

// waitTrace asks wait4 for stops and continues too.
const waitTrace = unix.WUNTRACED | unix.WCONTINUED
