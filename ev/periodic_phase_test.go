package ev_test

import (
	"math/big"
	"testing"
	"time"

	"github.com/eventide-go/eventide/ev"
)

// bigNanos is t in nanoseconds since 1970 as a big.Int, defined for every
// time.Time (UnixNano is not outside 1678–2262).
func bigNanos(t time.Time) *big.Int {
	n := big.NewInt(t.Unix())
	n.Mul(n, big.NewInt(1e9))
	return n.Add(n, big.NewInt(int64(t.Nanosecond())))
}

// TestPeriodicPhaseFarFromNow checks that a repeating Periodic fires on
// ref + k·interval whatever ref is: the zero Time (year 1, a natural
// "align on whole intervals"), a time centuries ago or ahead, and a recent
// one. Computed from UnixNano, a ref outside 1678–2262 wrapped and gave
// the wrong phase (the zero Time with an hour's interval fired at 08:43:41
// rather than on the hour).
func TestPeriodicPhaseFarFromNow(t *testing.T) {
	l := newLoop(t)
	now := l.Now()
	tests := []struct {
		name     string
		ref      time.Time
		interval time.Duration
	}{
		{"zero Time, hourly", time.Time{}, time.Hour},
		{"year 1500, odd interval", time.Date(1500, 3, 1, 12, 0, 0, 7, time.UTC), 7*time.Second + 3},
		{"year 3000, daily", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 24 * time.Hour},
		{"recent", now.Add(-10500 * time.Millisecond), 3 * time.Second},
		{"just ahead", now.Add(time.Second), time.Minute},
		{"huge interval", time.Time{}, time.Duration(1<<63 - 1)},
	}
	for _, tt := range tests {
		p := ev.NewPeriodic(l, tt.ref, tt.interval, func(*ev.Periodic) {})
		p.Start()
		at := p.At()
		p.Stop()
		if tt.interval == 1<<63-1 {
			// 292 years from year 1 is long past; the next multiple after
			// now is 292-year steps from year 1: any of them is after now.
			if !at.After(now) {
				t.Errorf("%s: fires at %v; want after %v", tt.name, at, now)
			}
			continue
		}
		if !at.After(now) || at.Sub(now) > tt.interval {
			t.Errorf("%s: fires at %v; want in (%v, %v]", tt.name, at, now, now.Add(tt.interval))
		}
		diff := new(big.Int).Sub(bigNanos(at), bigNanos(tt.ref))
		if r := new(big.Int).Mod(diff, big.NewInt(int64(tt.interval))); r.Sign() != 0 {
			t.Errorf("%s: fires at %v, %v ns off the ref's phase; want 0", tt.name, at, r)
		}
	}
}
