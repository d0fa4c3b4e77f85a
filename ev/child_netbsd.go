//go:build netbsd

package ev

import (
	"errors"

	"golang.org/x/sys/unix"
)

// openPidfd reports that NetBSD has no pidfds: Child watchers use SIGCHLD.
func openPidfd(int) (int, error) { return -1, errors.ErrUnsupported }

// waitTrace asks wait4 for stops and continues too. Neither syscall nor
// x/sys/unix define WCONTINUED for NetBSD; its value is 0x10 in
// <sys/wait.h>: https://github.com/NetBSD/src/blob/trunk/sys/sys/wait.h
const waitTrace = unix.WUNTRACED | 0x10
