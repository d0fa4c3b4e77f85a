package ev_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/internal/evtest"
)

func TestPeriodicModes(t *testing.T) {
	start := time.Date(2026, 11, 25, 10, 20, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		make    func(l *ev.Loop, fn ev.PeriodicFunc) *ev.Periodic
		advance []time.Duration // clock steps; the loop runs after each
		want    []string        // wall-clock times of the callbacks
	}{
		{
			name: "absolute",
			make: func(l *ev.Loop, fn ev.PeriodicFunc) *ev.Periodic {
				return ev.NewPeriodic(l, start.Add(90*time.Second), 0, fn)
			},
			advance: []time.Duration{time.Minute, 29 * time.Second, time.Second, time.Hour},
			want:    []string{"10:21:30"},
		},
		{
			name: "hourly on the hour",
			make: func(l *ev.Loop, fn ev.PeriodicFunc) *ev.Periodic {
				return ev.NewPeriodic(l, time.Unix(0, 0), time.Hour, fn)
			},
			advance: []time.Duration{39 * time.Minute, time.Minute, 59 * time.Minute, time.Minute},
			want:    []string{"11:00:00", "12:00:00"},
		},
		{
			name: "offset: every hour at half past",
			make: func(l *ev.Loop, fn ev.PeriodicFunc) *ev.Periodic {
				return ev.NewPeriodic(l, time.Unix(30*60, 0), time.Hour, fn)
			},
			advance: []time.Duration{10 * time.Minute, time.Hour},
			want:    []string{"10:30:00", "11:30:00"},
		},
		{
			name: "reschedule function: next full minute + 5 s",
			make: func(l *ev.Loop, fn ev.PeriodicFunc) *ev.Periodic {
				return ev.NewPeriodicFunc(l, func(_ *ev.Periodic, now time.Time) time.Time {
					return now.Truncate(time.Minute).Add(time.Minute + 5*time.Second)
				}, fn)
			},
			advance: []time.Duration{65 * time.Second, 60 * time.Second},
			want:    []string{"10:21:05", "10:22:05"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ev.NewManualClock(start)
			l := newLoop(t, ev.WithClock(c))
			var got []string
			p := tc.make(l, func(p *ev.Periodic) { got = append(got, c.Now().UTC().Format("15:04:05")) })
			p.Start()
			defer p.Stop()
			for _, d := range tc.advance {
				c.Advance(d)
				l.Run(ev.RunNoWait)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("fired at %v; want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("fired at %v; want %v", got, tc.want)
				}
			}
		})
	}
}

// TestPeriodicAbsolutePast starts absolute periodics whose time passed long
// ago (some before 1678, where time.Time's UnixNano is undefined), on a
// manual clock and on the system's: each fires in the first
// iteration, which does not wait for it. A watchdog breaks the loop, and
// fails the test, if the iteration blocks.
func TestPeriodicAbsolutePast(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   func(now time.Time) time.Time
	}{
		{"an hour ago", func(now time.Time) time.Time { return now.Add(-time.Hour) }},
		{"a year ago", func(now time.Time) time.Time { return now.AddDate(-1, 0, 0) }},
		{"zero Time", func(time.Time) time.Time { return time.Time{} }},
		// Before 1678 UnixNano is undefined: these wrap into the future.
		{"year 1600", func(time.Time) time.Time { return time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"year 1000", func(time.Time) time.Time { return time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC) }},
	} {
		for _, manual := range []bool{true, false} {
			name := tc.name + "/system clock"
			if manual {
				name = tc.name + "/manual clock"
			}
			t.Run(name, func(t *testing.T) {
				var opts []ev.Option
				now := time.Now()
				if manual {
					now = time.Date(2026, 11, 25, 10, 20, 0, 0, time.UTC)
					opts = append(opts, ev.WithClock(ev.NewManualClock(now)))
				}
				l := newLoop(t, opts...)
				fired := 0
				p := ev.NewPeriodic(l, tc.at(now), 0, func(*ev.Periodic) { fired++ })
				p.Start()
				defer p.Stop()
				var blocked atomic.Bool
				done := make(chan struct{})
				go func() {
					select {
					case <-done:
					case <-time.After(evtest.Deadline):
						blocked.Store(true)
						l.Break(ev.BreakOne)
					}
				}()
				l.Run(ev.RunOnce)
				close(done)
				if blocked.Load() {
					t.Errorf("Run(RunOnce) waited for a periodic due %v ago", now.Sub(tc.at(now)))
				}
				if fired != 1 {
					t.Errorf("fired %d times in the first iteration; want 1 (At = %v)", fired, p.At())
				}
			})
		}
	}
}

func TestPeriodicWallClockJump(t *testing.T) {
	start := time.Date(2026, 11, 25, 10, 20, 0, 0, time.UTC)
	c := ev.NewManualClock(start)
	l := newLoop(t, ev.WithClock(c))
	var periodic, timer int
	p := ev.NewPeriodic(l, time.Unix(0, 0), time.Hour, func(*ev.Periodic) { periodic++ })
	p.Start()
	defer p.Stop()
	tm := ev.NewTimer(l, 30*time.Minute, 0, func(*ev.Timer) { timer++ })
	tm.Start()
	defer tm.Stop()

	// The system clock is set back a day: the periodic now waits for the
	// next hour after the new time, 11:00 of the day before.
	c.Set(start.Add(-24 * time.Hour))
	l.Run(ev.RunNoWait)
	if want := start.Add(-24*time.Hour + 40*time.Minute); !p.At().Equal(want) {
		t.Fatalf("after setting the clock back a day, At = %v; want %v", p.At().UTC(), want)
	}
	// Set forward three hours: due at once, fires once (not three times).
	c.Set(start.Add(3 * time.Hour))
	l.Run(ev.RunNoWait)
	l.Run(ev.RunNoWait)
	if periodic != 1 {
		t.Fatalf("after a 3 h jump forward the periodic fired %d times; want 1", periodic)
	}
	if want := start.Add(3*time.Hour + 40*time.Minute); !p.At().Equal(want) {
		t.Fatalf("At = %v; want %v", p.At().UTC(), want)
	}
	// The monotonic timer ignored both jumps.
	if timer != 0 || tm.Remaining() != 30*time.Minute {
		t.Fatalf("timer: fired %d, remaining %v; want 0, 30m (wall-clock jumps must not move timers)", timer, tm.Remaining())
	}
}

func TestPeriodicRealTime(t *testing.T) {
	l := newLoop(t)
	at := time.Now().Add(20 * time.Millisecond)
	var firedAt time.Time
	ev.NewPeriodic(l, at, 0, func(*ev.Periodic) { firedAt = time.Now() }).Start()
	l.Run(ev.RunDefault)
	if firedAt.Before(at) {
		t.Fatalf("periodic for %v fired early, at %v", at, firedAt)
	}
}

// TestPeriodicRescheduleNow checks what libev allows: a RescheduleFunc may
// return now itself (ev.c asserts only ev_at >= ev_rt_now), which makes the
// periodic due at once, once per iteration: one that always returns now
// fires at every iteration, and the loop does not wait. A time before now
// panics.
func TestPeriodicRescheduleNow(t *testing.T) {
	c := ev.NewManualClock(time.Unix(1000, 0))
	l := newLoop(t, ev.WithClock(c))
	n := 0
	var iters []uint64
	p := ev.NewPeriodicFunc(l, func(_ *ev.Periodic, now time.Time) time.Time { return now }, func(p *ev.Periodic) {
		iters = append(iters, l.Iteration())
		if n++; n == 3 {
			p.Stop()
		}
	})
	p.Start()
	if err := l.Run(ev.RunDefault); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(iters), "[1 2 3]"; got != want {
		t.Errorf("a periodic rescheduled to now fired at iterations %s; want %s (once per iteration)", got, want)
	}

	past := ev.NewPeriodicFunc(l, func(_ *ev.Periodic, now time.Time) time.Time { return now.Add(-1) }, func(*ev.Periodic) {})
	defer func() {
		if r, _ := recover().(string); r == "" {
			t.Fatal("a RescheduleFunc returning a time before now did not panic")
		}
	}()
	past.Start()
}
