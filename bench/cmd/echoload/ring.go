//go:build linux

package main

import (
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/eventide-go/eventide/bench/internal/rawnet"
	"github.com/eventide-go/eventide/internal/uring"
	"golang.org/x/sys/unix"
)

// runRing is run with the system calls of each poll batched: epoll tells
// which connections are readable, one io_uring_enter receives on all of
// them (MSG_DONTWAIT: every operation completes inline, nothing waits in
// the ring), and one more sends the next messages of the completed echoes.
func (w *worker) runRing() {
	r, err := uring.New(256)
	if err != nil {
		w.err = err
		return
	}
	defer r.Close()
	ep, err := w.start()
	if err != nil {
		w.err = err
		return
	}
	defer unix.Close(ep)
	const slot = 64 << 10
	bufs := make([]byte, 256*slot)
	events := make([]unix.EpollEvent, 256)
	for !w.stop.Load() {
		n, err := rawnet.Wait(ep, events)
		if err != nil {
			w.err = err
			return
		}
		for i, ev := range events[:n] {
			r.Recv(w.conns[ev.Fd].fd, bufs[i*slot:(i+1)*slot], uint64(ev.Fd))
		}
		if err := r.Submit(); err != nil {
			w.err = err
			return
		}
		sends := 0
		var now time.Time
		for {
			user, res, ok := r.Next()
			if !ok {
				break
			}
			c := &w.conns[user]
			switch {
			case res == -int32(syscall.EAGAIN):
				continue
			case res < 0:
				w.err = os.NewSyscallError("recv", syscall.Errno(-res))
				return
			case res == 0:
				w.err = fmt.Errorf("server closed a connection")
				return
			}
			c.got += int(res)
			if c.got < len(w.msg) {
				continue
			}
			if c.got > len(w.msg) {
				w.err = fmt.Errorf("received %d bytes for a %d-byte message", c.got, len(w.msg))
				return
			}
			c.got = 0
			if sends == 0 {
				now = time.Now()
			}
			if w.measuring.Load() {
				w.hist.Record(now.Sub(c.sentAt))
				w.done.Add(1)
			}
			c.sentAt = now
			r.Send(c.fd, w.msg, user)
			sends++
		}
		if sends == 0 {
			continue
		}
		if err := r.Submit(); err != nil {
			w.err = err
			return
		}
		for {
			user, res, ok := r.Next()
			if !ok {
				break
			}
			if res != int32(len(w.msg)) {
				// A short send would need the rest queued; the messages are
				// far smaller than a socket buffer, so call it an error.
				w.err = fmt.Errorf("send on connection %d: %d of %d bytes", user, res, len(w.msg))
				return
			}
		}
	}
}
