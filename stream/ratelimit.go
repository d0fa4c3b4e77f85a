package stream

import (
	"math"
	"math/bits"
	"time"

	"github.com/eventide-go/eventide/ev"
)

// RateLimit configures token buckets (libevent's ev_token_bucket_cfg):
// each direction may move Rate bytes per second on average, and at most
// Burst at once. Tokens are added every Tick by a loop timer.
type RateLimit struct {
	ReadRate   int           // bytes per second; 0: reading is not limited
	ReadBurst  int           // bucket size; 0: ReadRate × Tick
	WriteRate  int           // bytes per second; 0: writing is not limited
	WriteBurst int           // bucket size; 0: WriteRate × Tick
	Tick       time.Duration // refill period; 0: 50 ms
}

// defaultTick is RateLimit's default refill period: short enough for a
// smooth rate, long enough that the timer costs nothing measurable.
const defaultTick = 50 * time.Millisecond

// unlimited is the allowance of a direction without a limit.
const unlimited = math.MaxInt32

// bucket is one direction's token bucket.
type bucket struct {
	rate   int // tokens added per tick; 0 = unlimited
	burst  int
	tokens int
}

func (b *bucket) init(perSecond, burst int, tick time.Duration) {
	if perSecond < 0 || burst < 0 {
		panic("stream: negative rate limit")
	}
	if perSecond == 0 {
		*b = bucket{}
		return
	}
	// perSecond × tick in 128 bits: a huge rate (math.MaxInt for "as fast
	// as it goes") must not wrap to a tiny or negative one.
	hi, lo := bits.Mul64(uint64(perSecond), uint64(tick))
	b.rate = math.MaxInt
	if hi < uint64(time.Second) {
		if q, _ := bits.Div64(hi, lo, uint64(time.Second)); q < math.MaxInt {
			b.rate = max(1, int(q))
		}
	}
	b.burst = burst
	if b.burst == 0 {
		b.burst = b.rate
	}
	b.tokens = b.burst
}

func (b *bucket) allowance() int {
	if b.rate == 0 {
		return unlimited
	}
	return b.tokens
}

func (b *bucket) spend(n int) {
	if b.rate != 0 {
		b.tokens -= n
	}
}

// refill adds a tick's tokens; it reports whether the bucket went from
// empty to usable.
func (b *bucket) refill() bool {
	if b.rate == 0 {
		return false
	}
	was := b.tokens
	if b.tokens > b.burst-b.rate { // b.tokens+b.rate > b.burst, without overflow
		b.tokens = b.burst
	} else {
		b.tokens += b.rate
	}
	return was <= 0 && b.tokens > 0
}

// buckets is a read bucket, a write bucket and the timer that refills them.
type buckets struct {
	read, write bucket
	tick        *ev.Timer
}

func (bs *buckets) init(l *ev.Loop, cfg RateLimit, fn ev.TimerFunc) {
	if cfg.Tick < 0 {
		panic("stream: negative rate limit tick")
	}
	tick := cfg.Tick
	if tick == 0 {
		tick = defaultTick
	}
	bs.read.init(cfg.ReadRate, cfg.ReadBurst, tick)
	bs.write.init(cfg.WriteRate, cfg.WriteBurst, tick)
	if bs.tick != nil {
		bs.tick.Stop()
	}
	bs.tick = ev.NewTimer(l, tick, tick, fn)
	if bs.read.rate != 0 || bs.write.rate != 0 {
		bs.tick.Start()
		l.Unref() // a rate limit alone does not keep the loop running
	}
}

func (bs *buckets) stop(l *ev.Loop) {
	if bs.tick != nil && bs.tick.Active() {
		l.Ref()
		bs.tick.Stop()
	}
}

// connRate is a connection's rate-limit state: its own buckets and its
// group's.
type connRate struct {
	c     *Conn
	own   buckets
	group *Group
}

func (r *connRate) readAllowance() int {
	a := r.own.read.allowance()
	if r.group != nil {
		a = min(a, r.group.b.read.allowance())
	}
	return a
}

func (r *connRate) writeAllowance() int {
	a := r.own.write.allowance()
	if r.group != nil {
		a = min(a, r.group.b.write.allowance())
	}
	return a
}

func (r *connRate) spendRead(n int) {
	r.own.read.spend(n)
	if r.group != nil {
		r.group.b.read.spend(n)
	}
}

func (r *connRate) spendWrite(n int) {
	r.own.write.spend(n)
	if r.group != nil {
		r.group.b.write.spend(n)
	}
}

// detach stops the connection's timer and leaves its group.
func (r *connRate) detach() {
	if r.group != nil {
		r.group.remove(r)
	}
	r.own.stop(r.own.tick.Loop())
}

// SetRateLimit limits the connection's reading and writing to cfg's rates
// (libevent's bufferevent_set_rate_limit); a zero RateLimit removes the
// limit (group membership stays). A limited connection reads and writes
// at most its tokens at a time, so writes are queued for the loop, which
// writes as tokens come, rather than made at the end of the pass.
// On a closed connection it does nothing: Close stopped its refill timer
// for good.
func (c *Conn) SetRateLimit(cfg RateLimit) {
	if c.flags&fClosed != 0 {
		return
	}
	x := c.extras()
	r := x.rate
	if r == nil {
		r = &connRate{c: c}
		x.rate = r
	} else {
		r.own.stop(c.Loop())
	}
	r.own.init(c.Loop(), cfg, x.refilled)
	if c.flags&fClosed == 0 {
		c.arm()
	}
}

// refilled is a connection's tick: tokens came, so it may read and write
// again.
func (x *extras) refilled(*ev.Timer) {
	r := x.rate
	rd := r.own.read.refill()
	wr := r.own.write.refill()
	if (rd || wr) && x.c.flags&fClosed == 0 {
		x.c.arm()
	}
}

// Group is a rate limit shared by several connections (libevent's
// bufferevent_rate_limit_group): together they move at most the group's
// rate, each also within its own limit, if any. Loop-only, like the
// connections.
type Group struct {
	b       buckets
	members []*connRate
	closed  bool
}

// NewGroup returns a group limited by cfg, on loop l.
func NewGroup(l *ev.Loop, cfg RateLimit) *Group {
	g := &Group{}
	g.b.init(l, cfg, g.refilled)
	return g
}

// Add makes c a member of g, leaving any group it was in. A closed c is
// not added (Close made it leave its group). It panics if g is closed.
func (g *Group) Add(c *Conn) {
	if g.closed {
		panic("stream: Group.Add after Group.Close")
	}
	if c.flags&fClosed != 0 {
		return
	}
	x := c.extras()
	if x.rate == nil {
		x.rate = &connRate{c: c}
		x.rate.own.init(c.Loop(), RateLimit{}, x.refilled)
	}
	if x.rate.group != nil {
		x.rate.group.remove(x.rate)
	}
	x.rate.group = g
	g.members = append(g.members, x.rate)
}

// Remove takes c out of g.
func (g *Group) Remove(c *Conn) {
	if c.x != nil && c.x.rate != nil && c.x.rate.group == g {
		g.remove(c.x.rate)
		if c.flags&fClosed == 0 {
			c.arm()
		}
	}
}

func (g *Group) remove(r *connRate) {
	for i, m := range g.members {
		if m == r {
			g.members = append(g.members[:i], g.members[i+1:]...)
			break
		}
	}
	r.group = nil
}

// Len returns the number of connections in g.
func (g *Group) Len() int { return len(g.members) }

// Close stops g's timer; its members leave it and keep only their own
// limits, and one that was waiting for the group's tokens goes on at once.
// g cannot be used again.
func (g *Group) Close() {
	g.closed = true
	for len(g.members) > 0 {
		g.Remove(g.members[len(g.members)-1].c)
	}
	g.b.stop(g.b.tick.Loop())
}

func (g *Group) refilled(*ev.Timer) {
	rd := g.b.read.refill()
	wr := g.b.write.refill()
	if !rd && !wr {
		return
	}
	for _, r := range g.members {
		if c := r.c; c.flags&fClosed == 0 {
			c.arm()
		}
	}
}
