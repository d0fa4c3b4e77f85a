//go:build unix

package buffer

import (
	"errors"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// sendFileTo sends the file segment c to w with sendfile(2) if w exposes
// a descriptor and the system supports it. handled is false if nothing
// was sent and the caller should fall back to reading the file.
func sendFileTo(w io.Writer, c *chunk) (n int, handled bool, err error) {
	sc, ok := w.(syscall.Conn)
	if !ok || !haveSendfile {
		return 0, false, nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0, false, nil
	}
	src, err := c.fileFd()
	if err != nil {
		return 0, true, err
	}
	var serr error
	werr := rc.Write(func(fd uintptr) bool {
		for n < c.flen {
			k, e := sendfile(int(fd), src, c.foff+int64(n), min(c.flen-n, maxSendfile))
			n += k
			switch {
			case e == unix.EAGAIN:
				return false
			case e != nil:
				serr = e
				return true
			case k == 0:
				serr = errShortFile
				return true
			}
		}
		return true
	})
	if n == 0 && isSendfileUnsupported(serr) {
		return 0, false, nil
	}
	if serr == nil {
		serr = werr
	}
	if errno, ok := serr.(syscall.Errno); ok {
		serr = os.NewSyscallError("sendfile", errno)
	}
	return n, true, serr
}

// maxSendfile caps one sendfile call; Linux transfers at most about 2 GiB.
const maxSendfile = 1 << 30

// isSendfileUnsupported reports errors that mean "sendfile cannot do this
// pair of descriptors" rather than an I/O failure.
func isSendfileUnsupported(err error) bool {
	return errors.Is(err, unix.ENOTSOCK) || errors.Is(err, unix.EINVAL) ||
		errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) ||
		errors.Is(err, unix.ENOTSUP) || // a number of its own on darwin
		errors.Is(err, errors.ErrUnsupported)
}
