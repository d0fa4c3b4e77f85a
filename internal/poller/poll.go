//go:build unix

package poller

// The poll(2) backend: portable, level-triggered, O(n) per wait in the number
// of descriptors. Quirks it handles:
//
//  1. poll(2) has no edge-triggered mode: Edge interest is served as level,
//     which reports more often, never less.
//  2. Peer half-close (RDHup) is reported only where the system has
//     POLLRDHUP (Linux); elsewhere a half-closed peer shows as readable.
//  3. A descriptor closed while registered reports POLLNVAL: passed on as
//     Invalid so the loop stops its watchers.
//  4. The timeout has millisecond resolution: rounded up, so a wait never
//     ends before the caller's deadline.
//  5. EINTR is retried with the remaining timeout.
//  6. There is no descriptor to park on, so a waiting loop blocks its thread
//     in poll(2), with a pipe to wake it.

import (
	"math"
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

type pollBackend struct {
	fds   []unix.PollFd // fds[0] is the wake pipe's read end
	gens  []uint32      // generation of fds[i]
	index map[int]int   // descriptor → position in fds

	wakeR, wakeW int
	wakePending  atomic.Bool
	guard        wakeGuard // Wake writes wakeW only while it is open
}

var _ Poller = (*pollBackend)(nil)

func newPoll() (Poller, error) {
	r, w, err := pipe()
	if err != nil {
		return nil, err
	}
	p := &pollBackend{wakeR: r, wakeW: w, index: make(map[int]int)}
	p.fds = append(p.fds, unix.PollFd{Fd: int32(r), Events: unix.POLLIN})
	p.gens = append(p.gens, 0)
	return p, nil
}

func (p *pollBackend) Name() string { return "poll" }

func pollMask(interest Events) int16 {
	var m int16
	if interest&In != 0 {
		m |= unix.POLLIN
	}
	if interest&Out != 0 {
		m |= unix.POLLOUT
	}
	if interest&RDHup != 0 {
		m |= pollRDHup
	}
	return m
}

func (p *pollBackend) Add(fd int, interest Events, gen uint32) error {
	if fd < 0 {
		return os.NewSyscallError("poll", unix.EBADF)
	}
	if i, ok := p.index[fd]; ok {
		p.fds[i].Events, p.gens[i] = pollMask(interest), gen
		return nil
	}
	// poll(2) accepts any descriptor, so check it is open now, as the other
	// backends do, rather than reporting POLLNVAL at the next wait.
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
		return os.NewSyscallError("fcntl", err)
	}
	p.index[fd] = len(p.fds)
	p.fds = append(p.fds, unix.PollFd{Fd: int32(fd), Events: pollMask(interest)})
	p.gens = append(p.gens, gen)
	return nil
}

func (p *pollBackend) Modify(fd int, interest Events, gen uint32) error {
	return p.Add(fd, interest, gen)
}

func (p *pollBackend) Delete(fd int) error {
	i, ok := p.index[fd]
	if !ok {
		return nil
	}
	last := len(p.fds) - 1
	p.fds[i], p.gens[i] = p.fds[last], p.gens[last]
	p.index[int(p.fds[i].Fd)] = i
	p.fds, p.gens = p.fds[:last], p.gens[:last]
	delete(p.index, fd)
	return nil
}

// pollMillis converts a wait of d ≥ 0 to poll(2)'s milliseconds, rounded
// up. poll takes a C int (x/sys passes it through on the BSDs and macOS), so
// a wait beyond ~24.8 days is capped rather than turned negative, which
// would block for good: a capped wait returns early with no events, and the
// loop computes the rest.
func pollMillis(d time.Duration) int {
	const most = math.MaxInt32 * time.Millisecond
	return int((min(d, most) + time.Millisecond - 1) / time.Millisecond)
}

func (p *pollBackend) Wait(events []Event, block func() time.Duration) (int, error) {
	ms := -1
	var deadline time.Time
	timeout := block()
	if timeout >= 0 {
		ms = pollMillis(timeout)
		deadline = time.Now().Add(timeout)
	}
	for {
		_, err := unix.Poll(p.fds, ms)
		if err == nil {
			break
		}
		if err != unix.EINTR {
			return 0, os.NewSyscallError("poll", err)
		}
		if ms > 0 {
			ms = pollMillis(max(0, time.Until(deadline)))
		}
	}
	n := 0
	for i := range p.fds {
		r := p.fds[i].Revents
		if r == 0 {
			continue
		}
		p.fds[i].Revents = 0
		if i == 0 {
			p.drainWake()
			continue
		}
		if n == len(events) {
			continue // reported again by the next wait: poll is level-triggered
		}
		events[n] = makeEvent(p.fds[i].Fd, p.gens[i], fromPoll(r))
		n++
	}
	return n, nil
}

func fromPoll(r int16) Events {
	var e Events
	if r&unix.POLLIN != 0 {
		e |= In
	}
	if r&unix.POLLOUT != 0 {
		e |= Out
	}
	if r&pollRDHup != 0 {
		e |= RDHup
	}
	if r&unix.POLLERR != 0 {
		e |= Err
	}
	if r&unix.POLLNVAL != 0 {
		e |= Invalid
	}
	if r&unix.POLLHUP != 0 {
		e |= Hup
	}
	return e
}

func (p *pollBackend) drainWake() {
	var buf [64]byte
	for {
		if n, err := unix.Read(p.wakeR, buf[:]); n <= 0 || err != nil {
			break
		}
	}
	p.wakePending.Store(false) // after draining: see epoll's drainWake
}

func (p *pollBackend) Wake() error {
	if !p.wakePending.CompareAndSwap(false, true) {
		return nil
	}
	if !p.guard.enter() {
		return nil // closed: nothing to wake
	}
	_, err := unix.Write(p.wakeW, []byte{0})
	p.guard.exit()
	if err != nil && err != unix.EAGAIN {
		return os.NewSyscallError("write", err)
	}
	return nil
}

func (p *pollBackend) Close() error {
	p.guard.shut()
	unix.Close(p.wakeR)
	unix.Close(p.wakeW)
	return nil
}

// pipe returns a non-blocking, close-on-exec pipe.
func pipe() (r, w int, err error) {
	var fds [2]int
	if err := unix.Pipe(fds[:]); err != nil {
		return -1, -1, os.NewSyscallError("pipe", err)
	}
	for _, fd := range fds {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(fds[0])
			unix.Close(fds[1])
			return -1, -1, os.NewSyscallError("fcntl", err)
		}
	}
	return fds[0], fds[1], nil
}
