package ev_test

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/ev"
)

// BenchmarkTimerStartStop is one start and one stop among 100,000 active
// timers (libev's "timer churn").
func BenchmarkTimerStartStop(b *testing.B) {
	b.ReportAllocs()
	l := newLoop(b)
	bg := make([]ev.Timer, 100_000)
	r := rand.New(rand.NewPCG(1, 1))
	for i := range bg {
		bg[i].Init(l, time.Duration(r.Int64N(int64(time.Hour))), 0, func(*ev.Timer) {})
		bg[i].Start()
	}
	var t ev.Timer
	t.Init(l, 30*time.Minute, 0, func(*ev.Timer) {})
	for b.Loop() {
		t.Start()
		t.Stop()
	}
	for i := range bg {
		bg[i].Stop()
	}
}

// BenchmarkTimerFire starts b.N timers with distinct deadlines and runs the
// loop until they all fired (on a manual clock: no real waiting).
func BenchmarkTimerFire(b *testing.B) {
	b.ReportAllocs()
	c := ev.NewManualClock(time.Unix(0, 0))
	l := newLoop(b, ev.WithClock(c))
	timers := make([]ev.Timer, b.N)
	fired := 0
	for i := range timers {
		timers[i].Init(l, time.Duration(i*7919%1_000_000)*time.Microsecond, 0, func(*ev.Timer) { fired++ })
	}
	b.ResetTimer()
	for i := range timers {
		timers[i].Start()
	}
	c.Advance(time.Second)
	l.Run(ev.RunDefault)
	if fired != b.N {
		b.Fatalf("fired %d of %d", fired, b.N)
	}
}

// BenchmarkPingPong bounces one byte between two IO watchers on a
// socketpair: one round trip per op.
func BenchmarkPingPong(b *testing.B) {
	for _, be := range backends {
		b.Run(be.String(), func(b *testing.B) {
			b.ReportAllocs()
			l := newLoop(b, ev.WithBackend(be))
			x, y := socketpair(b)
			var buf [1]byte
			left := b.N
			wx := ev.NewIO(l, x, ev.Read, func(w *ev.IO, _ ev.Events) {
				unix.Read(x, buf[:])
				if left--; left <= 0 {
					w.Stop()
					return
				}
				unix.Write(x, buf[:])
			})
			wy := ev.NewIO(l, y, ev.Read, func(w *ev.IO, _ ev.Events) {
				unix.Read(y, buf[:])
				unix.Write(y, buf[:])
			})
			wx.Start()
			wy.Start()
			b.ResetTimer()
			unix.Write(x, buf[:])
			for wx.Active() {
				l.Run(ev.RunOnce)
			}
			wy.Stop()
		})
	}
}

// BenchmarkPost measures Post from another goroutine to a running loop.
func BenchmarkPost(b *testing.B) {
	b.ReportAllocs()
	l := newLoop(b)
	done := make(chan struct{})
	n := 0
	fn := func() {
		if n++; n == b.N {
			close(done)
		}
	}
	keep := ev.NewAsync(l, func(a *ev.Async) { a.Stop() })
	keep.Start()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); l.Run(ev.RunDefault) }()
	b.ResetTimer()
	for range b.N {
		l.Post(fn)
	}
	<-done
	b.StopTimer()
	keep.Send()
	wg.Wait()
}

// BenchmarkAsyncWake measures a Send to a blocked loop until its callback
// runs and answers: one wake-up round trip per op.
func BenchmarkAsyncWake(b *testing.B) {
	b.ReportAllocs()
	l := newLoop(b)
	ack := make(chan struct{})
	stop := false
	a := ev.NewAsync(l, func(a *ev.Async) {
		if stop {
			a.Stop()
			return
		}
		ack <- struct{}{}
	})
	a.Start()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); l.Run(ev.RunDefault) }()
	b.ResetTimer()
	for range b.N {
		a.Send()
		<-ack
	}
	b.StopTimer()
	l.Post(func() { stop = true; a.Send() })
	wg.Wait()
}

// BenchmarkTimerStartStopInCallback starts and stops timers from a callback,
// as bench/cmd/loopbench -test churn does: no clock read per start.
func BenchmarkTimerStartStopInCallback(b *testing.B) {
	b.ReportAllocs()
	l := newLoop(b)
	bg := make([]ev.Timer, 100_000)
	for i := range bg {
		bg[i].Init(l, 10*time.Second+time.Duration(int64(i*7+3)*618033%1000000+1)*time.Microsecond, 0, func(*ev.Timer) {})
		bg[i].Start()
	}
	slots := make([]ev.Timer, 1024)
	for i := range slots {
		slots[i].Init(l, 0, 0, func(*ev.Timer) {})
	}
	kick := ev.NewTimer(l, 0, 0, func(*ev.Timer) {
		i := 0
		for b.Loop() {
			t := &slots[i&1023]
			t.Set(10*time.Second+time.Duration(int64(i)*618033%1000000+1)*time.Microsecond, 0)
			t.Start()
			t.Stop()
			i++
		}
		l.Break(ev.BreakAll)
	})
	kick.Start()
	l.Run(ev.RunDefault)
	for i := range bg {
		bg[i].Stop()
	}
}
