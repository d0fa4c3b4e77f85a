package stream_test

import (
	"testing"
	"time"

	"github.com/eventide-go/eventide/stream"
)

// measureRate sends through a limited connection for about d and returns
// the bytes per second the reader saw.
func measureRate(t *testing.T, limit func(t *testing.T, a, b *stream.Conn), d time.Duration) float64 {
	l := newLoop(t)
	a, b := connPair(t, l)
	limit(t, a, b)
	var got []byte
	collect(b, &got, nil)
	// More than the run can move, queued at once: the limit alone paces it.
	a.Write(pattern(2 << 20))
	var start time.Time
	// Let the initial burst pass before measuring.
	runUntil(t, l, func() bool { return len(got) > 0 })
	start = time.Now()
	base := len(got)
	runUntil(t, l, func() bool { return time.Since(start) >= d })
	return float64(len(got)-base) / time.Since(start).Seconds()
}

func TestRateLimit(t *testing.T) {
	const rate = 400 << 10
	for _, tc := range []struct {
		name  string
		limit func(t *testing.T, a, b *stream.Conn)
	}{
		{"write", func(_ *testing.T, a, _ *stream.Conn) { a.SetRateLimit(stream.RateLimit{WriteRate: rate}) }},
		{"read", func(_ *testing.T, _, b *stream.Conn) {
			b.SetRateLimit(stream.RateLimit{ReadRate: rate, Tick: 20 * time.Millisecond})
		}},
		{"read50", func(_ *testing.T, _, b *stream.Conn) { b.SetRateLimit(stream.RateLimit{ReadRate: rate}) }},
		{"group", func(t *testing.T, a, _ *stream.Conn) {
			g := stream.NewGroup(a.Loop(), stream.RateLimit{WriteRate: rate})
			g.Add(a)
			t.Cleanup(g.Close)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := measureRate(t, tc.limit, 600*time.Millisecond)
			// Above the rate is the limiter's fault. Below it can be the
			// machine's: a refill tick that fires late (a loaded CI
			// machine, the race detector) grants no more than one tick's
			// tokens, so a starved loop moves less; a limiter that lost
			// half its refills would still fail.
			if got < rate*0.5 || got > rate*1.3 {
				t.Fatalf("%.0f bytes/s; want %d, -50%% / +30%%", got, rate)
			}
		})
	}
}

// TestRateLimitOnClosedConn sets a rate limit on a closed connection and
// adds it to a group: nothing may be left behind, neither a refill timer
// ticking for a connection that is gone nor a group member.
func TestRateLimitOnClosedConn(t *testing.T) {
	tests := []struct {
		name string
		set  func(c *stream.Conn, g *stream.Group)
	}{
		{"SetRateLimit", func(c *stream.Conn, _ *stream.Group) {
			c.SetRateLimit(stream.RateLimit{ReadRate: 100, WriteRate: 100})
		}},
		{"Group.Add", func(c *stream.Conn, g *stream.Group) { g.Add(c) }},
		{"SetRateLimit then Group.Add", func(c *stream.Conn, g *stream.Group) {
			c.SetRateLimit(stream.RateLimit{ReadRate: 100})
			g.Add(c)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLoop(t)
			c, _ := connPair(t, l)
			g := stream.NewGroup(l, stream.RateLimit{ReadRate: 100})
			defer g.Close()
			c.Close()
			before := l.Stats().Active
			tt.set(c, g)
			if got := l.Stats().Active; got != before {
				t.Errorf("active watchers: %d before, %d after; want no timer for a closed connection", before, got)
			}
			if got := g.Len(); got != 0 {
				t.Errorf("group members: %d; want 0", got)
			}
		})
	}
}

// TestFlushRespectsRateLimit: Flush writes no more than the tokens the
// connection and its group have, as the loop's own writes do; it must
// not put the buckets in debt (which would stall the connection, and
// every member of its group, for as long as the debt takes to repay).
func TestFlushRespectsRateLimit(t *testing.T) {
	const burst, queued = 100, 1000
	cfg := stream.RateLimit{WriteRate: 1, WriteBurst: burst, Tick: time.Hour} // no refill during the test
	for _, tc := range []struct {
		name  string
		limit func(t *testing.T, c *stream.Conn)
	}{
		{"own", func(_ *testing.T, c *stream.Conn) { c.SetRateLimit(cfg) }},
		{"group", func(t *testing.T, c *stream.Conn) {
			g := stream.NewGroup(c.Loop(), cfg)
			g.Add(c)
			t.Cleanup(g.Close)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLoop(t)
			a, _ := connPair(t, l)
			tc.limit(t, a)
			a.Write(pattern(queued))
			for i, want := range []int{queued - burst, queued - burst} {
				if err := a.Flush(); err != nil {
					t.Fatalf("Flush %d: %v", i, err)
				}
				if got := a.OutputLen(); got != want {
					t.Errorf("after Flush %d: %d bytes queued; want %d (the burst of %d written)", i, got, want, burst)
				}
			}
		})
	}
}

// TestGroupCloseReleasesMembers empties a group's write bucket with a
// member that has more to send, then closes the group before its refill:
// the member, now unlimited, must send the rest (a closed group's timer
// never ticks again, so nothing else would wake it).
func TestGroupCloseReleasesMembers(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	// 51 bytes a tick: the closed group's timer never ticks again, so
	// only Close itself can release the member.
	g := stream.NewGroup(l, stream.RateLimit{WriteRate: 1 << 10})
	g.Add(a)
	var got []byte
	collect(b, &got, nil)
	const n = 64 << 10
	a.Write(pattern(n))
	runUntil(t, l, func() bool { return len(got) > 0 })
	if len(got) >= n {
		t.Fatalf("the group let all %d bytes through at once", len(got))
	}
	g.Close()
	runUntil(t, l, func() bool { return len(got) == n })
}

// TestGroupAddAfterClose checks that adding to a closed group, whose
// refill timer is stopped for good, is refused as a usage error rather
// than leaving the connection to stall once the group's tokens run out.
func TestGroupAddAfterClose(t *testing.T) {
	l := newLoop(t)
	a, _ := connPair(t, l)
	g := stream.NewGroup(l, stream.RateLimit{WriteRate: 1 << 10})
	g.Close()
	defer func() {
		if r := recover(); r == nil {
			t.Errorf("Group.Add after Close did not panic")
		}
	}()
	g.Add(a)
}
