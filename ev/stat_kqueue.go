//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package ev

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// kqueueNotifier tells a Stat watcher of changes through kqueue's
// EVFILT_VNODE: its own kqueue (itself watched for readability by the
// loop), an open descriptor on the path's directory (NOTE_WRITE: an entry
// was added, removed or renamed) and one on the path (contents, attributes,
// links, rename, deletion). Quirks handled:
//
//  1. EVFILT_VNODE needs an open descriptor: a file the process may not read
//     cannot be watched (the watcher polls), and watching keeps the file
//     open (an unmount is refused while watched; NOTE_REVOKE reports a
//     forced one).
//  2. The path is opened with O_NONBLOCK, so that a FIFO does not block the
//     open.
//  3. Closing the descriptor removes its knote: moving the watch to a new
//     file is close and open again.
//  4. EV_CLEAR: each change is reported once, not for as long as it lasts.
type kqueueNotifier struct {
	kq     int
	dirFd  int // -1: none
	fileFd int // -1: none
	evs    [16]unix.Kevent_t
}

const (
	vnodeDirNotes  = unix.NOTE_WRITE | unix.NOTE_DELETE | unix.NOTE_RENAME | unix.NOTE_REVOKE
	vnodeFileNotes = unix.NOTE_WRITE | unix.NOTE_EXTEND | unix.NOTE_ATTRIB | unix.NOTE_LINK | unix.NOTE_DELETE | unix.NOTE_RENAME | unix.NOTE_REVOKE
	vnodeGone      = unix.NOTE_DELETE | unix.NOTE_RENAME | unix.NOTE_REVOKE
)

func newStatNotifier() (statNotifier, error) {
	kq, err := unix.Kqueue()
	if err != nil {
		return nil, os.NewSyscallError("kqueue", err)
	}
	unix.CloseOnExec(kq)
	return &kqueueNotifier{kq: kq, dirFd: -1, fileFd: -1}, nil
}

func (n *kqueueNotifier) fd() int { return n.kq }

func (n *kqueueNotifier) watch(path string) error {
	if n.dirFd < 0 {
		fd, err := n.open(filepath.Dir(path), vnodeDirNotes)
		switch {
		case errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR):
			return errDirMissing
		case err != nil:
			return err
		}
		n.dirFd = fd
	}
	if n.fileFd >= 0 {
		unix.Close(n.fileFd)
		n.fileFd = -1
	}
	fd, err := n.open(path, vnodeFileNotes)
	switch {
	case err == nil:
		n.fileFd = fd
	case errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP):
		// Not there (yet): the directory's watch sees it come.
	default:
		return err
	}
	return nil
}

// open opens path and registers it for notes.
func (n *kqueueNotifier) open(path string, notes uint32) (int, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return -1, os.NewSyscallError("open", err)
	}
	var kev [1]unix.Kevent_t
	unix.SetKevent(&kev[0], fd, unix.EVFILT_VNODE, unix.EV_ADD|unix.EV_CLEAR)
	kev[0].Fflags = notes
	if _, err := unix.Kevent(n.kq, kev[:], nil, nil); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("kevent", err)
	}
	return fd, nil
}

func (n *kqueueNotifier) drain() (rewatch bool) {
	var zero unix.Timespec
	for {
		got, err := unix.Kevent(n.kq, nil, n.evs[:], &zero)
		if err == unix.EINTR {
			continue
		}
		if got <= 0 || err != nil {
			return rewatch
		}
		for i := range got {
			ev := &n.evs[i]
			if ev.Fflags&vnodeGone == 0 {
				continue
			}
			switch int(ev.Ident) {
			case n.dirFd:
				unix.Close(n.dirFd)
				n.dirFd = -1
				rewatch = true
			case n.fileFd:
				rewatch = true
			}
		}
		if got < len(n.evs) {
			return rewatch
		}
	}
}

func (n *kqueueNotifier) close() {
	if n.fileFd >= 0 {
		unix.Close(n.fileFd)
	}
	if n.dirFd >= 0 {
		unix.Close(n.dirFd)
	}
	unix.Close(n.kq)
}
