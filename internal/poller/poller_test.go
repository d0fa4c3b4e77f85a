package poller_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/internal/poller"
)

func backends(t *testing.T, f func(t *testing.T, p poller.Poller)) {
	for _, k := range []poller.Kind{poller.Default, poller.Poll} {
		t.Run(k.String(), func(t *testing.T) {
			p, err := poller.New(k)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			f(t, p)
		})
	}
}

func socketpair(t *testing.T) (int, int) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

func TestReadinessAndGenerations(t *testing.T) {
	backends(t, func(t *testing.T, p poller.Poller) {
		a, b := socketpair(t)
		evs := make([]poller.Event, 8)
		if err := p.Add(a, poller.In, 7); err != nil {
			t.Fatal(err)
		}
		if n, err := p.Wait(evs, wait(0)); err != nil || n != 0 {
			t.Fatalf("Wait on an idle socket = %d, %v; want 0, nil", n, err)
		}
		unix.Write(b, []byte("x"))
		n, err := p.Wait(evs, wait(time.Second))
		if err != nil || n != 1 || evs[0].Fd() != int32(a) || evs[0].Gen() != 7 || evs[0].Events()&poller.In == 0 {
			t.Fatalf("Wait after a write = %d %+v, %v; want fd %d gen 7 In", n, evs[:n], err, a)
		}
		if err := p.Modify(a, poller.Out, 8); err != nil {
			t.Fatal(err)
		}
		n, _ = p.Wait(evs, wait(time.Second))
		if n != 1 || evs[0].Events()&poller.Out == 0 || evs[0].Gen() != 8 {
			t.Fatalf("after Modify(Out): %+v; want Out with gen 8", evs[:n])
		}
		if err := p.Delete(a); err != nil {
			t.Fatal(err)
		}
		if n, _ := p.Wait(evs, wait(0)); n != 0 {
			t.Fatalf("after Delete: %d events; want 0", n)
		}
		if err := p.Delete(a); err != nil {
			t.Fatalf("second Delete: %v; want nil", err)
		}
	})
}

func TestTimeoutAndWake(t *testing.T) {
	backends(t, func(t *testing.T, p poller.Poller) {
		evs := make([]poller.Event, 8)
		start := time.Now()
		if n, err := p.Wait(evs, wait(20*time.Millisecond)); n != 0 || err != nil {
			t.Fatalf("Wait with nothing registered = %d, %v", n, err)
		}
		if el := time.Since(start); el < 20*time.Millisecond {
			t.Fatalf("Wait(20ms) returned after %v", el)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			p.Wake()
			p.Wake() // coalesces
		}()
		if n, err := p.Wait(evs, wait(-1)); n != 0 || err != nil {
			t.Fatalf("Wait woken = %d, %v; want 0, nil", n, err)
		}
		<-done
	})
}

// TestWakeAmongReports: a Wake reported in the same Wait as descriptors is
// not passed on as a report, and is drained: the next Wait does not see it.
func TestWakeAmongReports(t *testing.T) {
	backends(t, func(t *testing.T, p poller.Poller) {
		a, b := socketpair(t)
		c, d := socketpair(t)
		for i, fd := range []int{a, c} {
			if err := p.Add(fd, poller.In, uint32(i+1)); err != nil {
				t.Fatal(err)
			}
		}
		unix.Write(b, []byte("x"))
		unix.Write(d, []byte("x"))
		if err := p.Wake(); err != nil {
			t.Fatal(err)
		}
		evs := make([]poller.Event, 8)
		n, err := p.Wait(evs, wait(time.Second))
		if err != nil || n != 2 {
			t.Fatalf("Wait after a Wake and two writes = %d %+v, %v; want the two descriptors", n, evs[:n], err)
		}
		got := map[int32]uint32{}
		for _, e := range evs[:n] {
			got[e.Fd()] = e.Gen()
		}
		if got[int32(a)] != 1 || got[int32(c)] != 2 {
			t.Fatalf("reports %+v; want fd %d gen 1 and fd %d gen 2", evs[:n], a, c)
		}
		var buf [8]byte
		unix.Read(a, buf[:])
		unix.Read(c, buf[:])
		if n, err := p.Wait(evs, wait(0)); n != 0 || err != nil {
			t.Fatalf("Wait after reading both = %d %+v, %v; want 0, nil", n, evs[:n], err)
		}
	})
}

func TestNotPollableAndClosed(t *testing.T) {
	p, err := poller.New(poller.Default)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := p.Add(int(f.Fd()), poller.In, 1); !errors.Is(err, poller.ErrNotPollable) {
		t.Errorf("Add of a regular file: %v; want ErrNotPollable", err)
	}
	if err := p.Add(1<<20, poller.In, 1); !errors.Is(err, unix.EBADF) {
		t.Errorf("Add of a descriptor that is not open: %v; want EBADF", err)
	}
}

func TestPollReportsInvalid(t *testing.T) {
	p, err := poller.New(poller.Poll)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var fds [2]int
	if err := unix.Pipe(fds[:]); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[1])
	if err := p.Add(fds[0], poller.In, 3); err != nil {
		t.Fatal(err)
	}
	unix.Close(fds[0])
	evs := make([]poller.Event, 4)
	n, _ := p.Wait(evs, wait(0))
	if n != 1 || evs[0].Events()&poller.Invalid == 0 {
		t.Fatalf("closed descriptor under poll(2): %+v; want Invalid", evs[:n])
	}
}

func TestUnsupportedKind(t *testing.T) {
	if _, err := poller.New(poller.Kqueue); !errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("kqueue is supported here (%v)", err)
	}
}

// TestWakeNeverLost hammers Wake from another goroutine while the owner
// waits without a timeout: every Wait must return. A wake-up lost for good
// (the flag left set with nothing to drain) makes a Wait hang.
func TestWakeNeverLost(t *testing.T) {
	backends(t, func(t *testing.T, p poller.Poller) {
		evs := make([]poller.Event, 8)
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				default:
					p.Wake()
				}
			}
		}()
		defer func() { close(stop); <-done }()
		deadline := time.Now().Add(time.Second)
		for i := 0; time.Now().Before(deadline); i++ {
			start := time.Now()
			if _, err := p.Wait(evs, wait(2*time.Second)); err != nil {
				t.Fatal(err)
			}
			if el := time.Since(start); el >= 2*time.Second {
				t.Fatalf("Wait %d was not woken for %v while another goroutine kept calling Wake", i, el)
			}
		}
	})
}

// TestBusyThenIdle keeps a poller busy long enough for the epoll backend
// to leave Go's network poller (see register in epoll_linux.go), then makes
// it park, several times over: every park must still wake for the
// descriptor, for the timeout and for Wake, and the descriptor count stays
// the same throughout.
func TestBusyThenIdle(t *testing.T) {
	backends(t, func(t *testing.T, p poller.Poller) {
		a, b := socketpair(t)
		evs := make([]poller.Event, 8)
		if err := p.Add(a, poller.In, 1); err != nil {
			t.Fatal(err)
		}
		fds := openFDs(t)
		for round := range 3 {
			unix.Write(b, []byte("x"))
			for i := range 1500 { // level-triggered: ready every time
				if n, err := p.Wait(evs, wait(-1)); n != 1 || err != nil {
					t.Fatalf("round %d, busy wait %d = %d, %v; want 1 event", round, i, n, err)
				}
			}
			var buf [8]byte
			unix.Read(a, buf[:])
			if n, err := p.Wait(evs, wait(10*time.Millisecond)); n != 0 || err != nil {
				t.Fatalf("round %d: idle Wait(10ms) = %d, %v; want 0", round, n, err)
			}
			go unix.Write(b, []byte("y"))
			if n, err := p.Wait(evs, wait(-1)); n != 1 || err != nil || evs[0].Fd() != int32(a) {
				t.Fatalf("round %d: Wait for a write from another goroutine = %d %+v, %v", round, n, evs[:n], err)
			}
			unix.Read(a, buf[:])
			go p.Wake()
			if n, err := p.Wait(evs, wait(-1)); n != 0 || err != nil {
				t.Fatalf("round %d: Wait woken = %d, %v; want 0, nil", round, n, err)
			}
			if got := openFDs(t); got != fds {
				t.Fatalf("round %d: %d descriptors open; want %d", round, got, fds)
			}
		}
	})
}

// openFDs counts the process's open descriptors (0 where /proc is missing).
func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return len(ents)
}

// wait is a block hook that always waits d.
func wait(d time.Duration) func() time.Duration {
	return func() time.Duration { return d }
}

// TestWakeAfterClose wakes a closed poller after its descriptor numbers
// were reused: Wake must do nothing, not write into whatever file now has
// the number its wake descriptor had (a goroutine that saw the loop asleep
// can call Wake as the loop closes).
func TestWakeAfterClose(t *testing.T) {
	for _, k := range []poller.Kind{poller.Default, poller.Poll} {
		t.Run(k.String(), func(t *testing.T) {
			p, err := poller.New(k)
			if err != nil {
				t.Fatal(err)
			}
			p.Close()
			// Take the lowest free numbers, which include every one the
			// poller closed.
			var fds []int
			for range 6 {
				a, b := socketpair(t)
				fds = append(fds, a, b)
			}
			if err := p.Wake(); err != nil {
				t.Errorf("Wake after Close: %v; want nil", err)
			}
			for _, fd := range fds {
				pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
				if n, _ := unix.Poll(pfd, 0); n != 0 {
					t.Errorf("fd %d became readable after Wake on a closed poller", fd)
				}
			}
		})
	}
}

// TestPollMillis checks the conversion of a wait to poll(2)'s C int of
// milliseconds: rounded up, and capped rather than turned negative (which
// blocks for good) for waits beyond ~24.8 days.
func TestPollMillis(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want int
	}{
		{0, 0},
		{1, 1},
		{time.Millisecond, 1},
		{time.Millisecond + 1, 2},
		{math.MaxInt32 * time.Millisecond, math.MaxInt32},
		{math.MaxInt32*time.Millisecond + 1, math.MaxInt32},
		{50 * 24 * time.Hour, math.MaxInt32},
		{math.MaxInt64, math.MaxInt32},
	} {
		if got := poller.PollMillis(tc.d); got != tc.want {
			t.Errorf("PollMillis(%v) = %d; want %d", tc.d, got, tc.want)
		}
	}
}
