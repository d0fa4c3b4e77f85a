//go:build linux

package ev

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// inotifyNotifier tells a Stat watcher of changes through inotify(7): one
// instance per watcher, a watch on the path's directory (creation, deletion
// and renames of its entries) and one on the path itself (contents and
// attributes). Quirks handled:
//
//  1. inotify watches an inode, not a name: a file renamed away keeps its
//     watch, so the watch moves whenever the path names another file (the
//     directory's watch says when that may have happened).
//  2. A removed inode's watch ends with IN_IGNORED; removing it by hand
//     then fails with EINVAL, which is ignored.
//  3. ENOSPC from inotify_add_watch (fs.inotify.max_user_watches) and
//     EMFILE from inotify_init1 (fs.inotify.max_user_instances, 128 by
//     default) make the watcher poll instead.
//  4. IN_Q_OVERFLOW: events were lost; the watcher re-reads the attributes
//     and moves its watches, which is all it would have done.
//  5. A path and its directory may be one inode ("/"): one watch, never
//     removed as the path's.
//  6. A watched directory reports a change of its entries (which changes
//     its times, and its link count for a subdirectory) only as
//     IN_CREATE, IN_DELETE or IN_MOVED_*, never as IN_MODIFY or IN_ATTRIB:
//     the path's watch asks for them too, so that a directory path is
//     watched as polling would watch it. On a file they never occur.
type inotifyNotifier struct {
	ifd    int
	dirWd  int // -1: none
	fileWd int // -1: none
	buf    []byte
}

const (
	inotifyEntries  = unix.IN_CREATE | unix.IN_DELETE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO // a directory's entries changed
	inotifyDirMask  = inotifyEntries | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_ONLYDIR
	inotifyFileMask = unix.IN_ATTRIB | unix.IN_MODIFY | unix.IN_CLOSE_WRITE | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | inotifyEntries // quirk 6
	inotifyGone     = unix.IN_IGNORED | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_UNMOUNT
)

func newStatNotifier() (statNotifier, error) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("inotify_init1", err)
	}
	return &inotifyNotifier{ifd: fd, dirWd: -1, fileWd: -1, buf: make([]byte, 4096)}, nil
}

func (n *inotifyNotifier) fd() int { return n.ifd }

func (n *inotifyNotifier) watch(path string) error {
	if n.dirWd < 0 {
		wd, err := unix.InotifyAddWatch(n.ifd, filepath.Dir(path), inotifyDirMask)
		switch {
		case errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR):
			return errDirMissing
		case err != nil:
			return os.NewSyscallError("inotify_add_watch", err)
		}
		n.dirWd = wd
	}
	if n.fileWd >= 0 && n.fileWd != n.dirWd {
		unix.InotifyRmWatch(n.ifd, uint32(n.fileWd))
	}
	n.fileWd = -1
	wd, err := unix.InotifyAddWatch(n.ifd, path, inotifyFileMask)
	switch {
	case err == nil:
		n.fileWd = wd
	case errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP):
		// Not there (yet): the directory's watch sees it come.
	default:
		return os.NewSyscallError("inotify_add_watch", err)
	}
	return nil
}

func (n *inotifyNotifier) drain() (rewatch bool) {
	for {
		got, err := unix.Read(n.ifd, n.buf)
		if err == unix.EINTR {
			continue
		}
		if got <= 0 || err != nil {
			return rewatch
		}
		for off := 0; off+unix.SizeofInotifyEvent <= got; {
			wd := int(int32(binary.NativeEndian.Uint32(n.buf[off:])))
			mask := binary.NativeEndian.Uint32(n.buf[off+4:])
			nameLen := int(binary.NativeEndian.Uint32(n.buf[off+12:]))
			off += unix.SizeofInotifyEvent + nameLen
			switch {
			case mask&unix.IN_Q_OVERFLOW != 0:
				rewatch = true
			case wd == n.dirWd && mask&inotifyGone != 0:
				if mask&unix.IN_IGNORED == 0 {
					unix.InotifyRmWatch(n.ifd, uint32(wd))
				}
				if n.fileWd == n.dirWd {
					n.fileWd = -1
				}
				n.dirWd = -1
				rewatch = true
			case wd == n.fileWd && mask&inotifyGone != 0:
				rewatch = true
			}
		}
	}
}

func (n *inotifyNotifier) close() { unix.Close(n.ifd) }
