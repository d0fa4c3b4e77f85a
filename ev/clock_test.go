package ev_test

import (
	"testing"
	"time"

	"github.com/eventide-go/eventide/ev"
)

// TestNowFollowsSystemClock checks the loop's cached time against the
// system's, across the wall-clock re-reads the loop makes only every half
// second (between them it derives the wall clock from the monotonic one).
func TestNowFollowsSystemClock(t *testing.T) {
	l := newLoop(t)
	var prev time.Time
	checks := 0
	check := func(before, after time.Time) {
		t.Helper()
		checks++
		n := l.Now()
		if n == n.Round(0) {
			t.Fatalf("Now() = %v has no monotonic reading", n)
		}
		if n.Before(before) || n.After(after) {
			t.Fatalf("Now() = %v; want between %v and %v", n, before, after)
		}
		// The wall-clock parts as well, should the monotonic ones hide a gap.
		if w := n.UnixNano(); w < before.UnixNano() || w > after.UnixNano() {
			t.Fatalf("Now().UnixNano() = %d; want between %d and %d", w, before.UnixNano(), after.UnixNano())
		}
		if n.Before(prev) {
			t.Fatalf("Now() went back from %v to %v", prev, n)
		}
		prev = n
	}

	before := time.Now()
	l.UpdateNow()
	check(before, time.Now())

	// A repeating timer for 0.7 s: every iteration's time lies between the
	// previous callback's end and this callback's start.
	start := time.Now()
	last := start
	tm := ev.NewTimer(l, 10*time.Millisecond, 10*time.Millisecond, func(tm *ev.Timer) {
		now := time.Now()
		check(last, now)
		if now.Sub(start) > 700*time.Millisecond {
			tm.Stop()
		}
		last = time.Now()
	})
	tm.Start()
	if err := l.Run(ev.RunDefault); err != nil {
		t.Fatal(err)
	}
	if checks < 10 {
		t.Fatalf("%d checks; want at least 10", checks)
	}
}
