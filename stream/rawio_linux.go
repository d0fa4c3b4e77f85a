package stream

import (
	"syscall"

	"github.com/eventide-go/eventide/internal/sysio"
)

// rawRead reads into p with recvfrom(2) on a socket, read(2) on anything
// else, as one raw system call (sysio.Read; EINTR retried). p must not be
// empty. It is inlined: the read path pays no frame of its own for it.
func rawRead(fd int, p []byte, sock bool) (int, syscall.Errno) {
	return sysio.Read(sock, fd, p)
}
