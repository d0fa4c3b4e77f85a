package ev

import (
	"io/fs"
	"time"

	"golang.org/x/sys/unix"
)

// readAttr stats path, following symbolic links; any error (ENOENT, ENOTDIR,
// EACCES, ELOOP) reads as a path that does not exist, as in libev.
func readAttr(path string) FileAttr {
	var st unix.Stat_t
	for {
		err := unix.Stat(path, &st)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return FileAttr{}
		}
		break
	}
	return FileAttr{
		Exists:     true,
		Size:       int64(st.Size),
		Mode:       fileMode(uint32(st.Mode)),
		ModTime:    time.Unix(int64(st.Mtim.Sec), int64(st.Mtim.Nsec)),
		ChangeTime: time.Unix(int64(st.Ctim.Sec), int64(st.Ctim.Nsec)),
		Nlink:      uint64(st.Nlink),
		Ino:        uint64(st.Ino),
		Dev:        uint64(st.Dev),
		Uid:        st.Uid,
		Gid:        st.Gid,
	}
}

// isSymlink reports whether path itself is a symbolic link.
func isSymlink(path string) bool {
	var st unix.Stat_t
	for {
		err := unix.Lstat(path, &st)
		if err == unix.EINTR {
			continue
		}
		return err == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK
	}
}

// fileMode converts st_mode to an fs.FileMode, as os.Stat does.
func fileMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		mode |= fs.ModeDir
	case unix.S_IFLNK:
		mode |= fs.ModeSymlink
	case unix.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case unix.S_IFSOCK:
		mode |= fs.ModeSocket
	case unix.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		mode |= fs.ModeDevice
	}
	if m&unix.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&unix.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&unix.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}
