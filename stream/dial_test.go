package stream_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

// freePort returns a 127.0.0.1 address nothing listens on.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestDialRefused(t *testing.T) {
	l := newLoop(t)
	c, err := stream.Dial(l, "tcp", freePort(t), time.Second)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	var what stream.What
	var gotErr error
	c.SetCallbacks(nil, nil, func(_ *stream.Conn, w stream.What, err error) { what, gotErr = w, err })
	runUntil(t, l, func() bool { return what != 0 })
	if what != stream.Writing|stream.Error || !errors.Is(gotErr, syscall.ECONNREFUSED) {
		t.Fatalf("event %v, %v; want writing|error, connection refused", what, gotErr)
	}
	var op *net.OpError
	if !errors.As(gotErr, &op) || op.Op != "dial" {
		t.Errorf("error %T %v; want a *net.OpError for dial", gotErr, gotErr)
	}
	if !c.Closed() {
		t.Error("connection open after an error event")
	}
}

// stuckListener returns a listener with a backlog of one that never
// accepts: once its queue is full, Linux drops further SYNs, and connects
// to it stay in progress. It is closed at the end of the test.
func stuckListener(t *testing.T, l *ev.Loop) *stream.Listener {
	t.Helper()
	ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{Backlog: 1}, func(*stream.Listener, *stream.Conn) {})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ln.Disable()
	return ln
}

// TestDialTimeout fills the accept queue of a listener that never accepts:
// Linux then drops further SYNs, so the next connects stay in progress
// and their timeout fires.
func TestDialTimeout(t *testing.T) {
	l := newLoop(t)
	ln := stuckListener(t, l)
	var timeouts, done int
	var conns []*stream.Conn
	for range 8 {
		c, err := stream.Dial(l, "tcp", ln.Addr().String(), 100*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		c.SetCallbacks(nil, nil, func(_ *stream.Conn, w stream.What, err error) {
			done++
			if w == stream.Writing|stream.Timeout|stream.Error {
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Errorf("timeout error %v; want os.ErrDeadlineExceeded", err)
				}
				timeouts++
			}
		})
	}
	closeAtEnd(t, conns...)
	runUntil(t, l, func() bool { return done == len(conns) })
	if timeouts == 0 {
		t.Fatalf("no dial timed out; want the ones past the full backlog to")
	}
}

func TestDialBadAddress(t *testing.T) {
	l := newLoop(t)
	for _, tc := range []struct{ network, address string }{
		{"tcp", "no-port"},
		{"tcp", "127.0.0.1:99999"},
		{"udp", "127.0.0.1:1"},
		{"tcp4", "[::1]:80"},
		{"unix", ""},
	} {
		c, err := stream.Dial(l, tc.network, tc.address, 0)
		if err == nil || c != nil {
			t.Errorf("Dial(%q, %q) = %v, %v; want an error", tc.network, tc.address, c, err)
		}
	}
}

func TestDialUnix(t *testing.T) {
	l := newLoop(t)
	path := filepath.Join(t.TempDir(), "s")
	var server *stream.Conn
	ln, err := stream.Listen(l, "unix", path, stream.ListenConfig{}, func(_ *stream.Listener, c *stream.Conn) {
		server = c
		echo(c)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := stream.Dial(l, "unix", path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, c)
	var got []byte
	var events []stream.What
	collect(c, &got, &events)
	c.WriteString("ping") // queued until connected
	runUntil(t, l, func() bool { return len(got) == 4 })
	if string(got) != "ping" || len(events) != 1 || events[0] != stream.Connected {
		t.Fatalf("got %q, events %v; want %q, [connected]", got, events, "ping")
	}
	closeAtEnd(t, server)
	// A path nobody listens on fails through the event callback.
	c2, err := stream.Dial(l, "unix", path+"-none", 0)
	if err != nil {
		t.Fatal(err)
	}
	var what stream.What
	c2.SetCallbacks(nil, nil, func(_ *stream.Conn, w stream.What, err error) { what = w })
	runUntil(t, l, func() bool { return what != 0 })
	if what&stream.Error == 0 {
		t.Fatalf("event %v; want an error", what)
	}
}

// fakeDNS is a DNS server on UDP 127.0.0.1:0 that answers A and AAAA
// questions from a table, NXDOMAIN for names not in it, or nothing at all
// when silent. It speaks just enough DNS (RFC 1035 section 4) for the Go
// resolver: one question, uncompressed in the query, answers pointing
// back to it.
type fakeDNS struct {
	pc      net.PacketConn
	hosts   map[string][]netip.Addr // "name.": its addresses
	silent  bool
	queries atomic.Int32
	wg      sync.WaitGroup
}

// newFakeDNS starts a server, stopped when the test ends, once every
// goroutine started since (lookups, the resolver's) has ended. hosts maps
// names (without the final dot) to their addresses; a name also matches
// queries for it with a search domain appended.
func newFakeDNS(t testing.TB, hosts map[string][]netip.Addr, silent bool) *fakeDNS {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	running := goleak.IgnoreCurrent()
	s := &fakeDNS{pc: pc, hosts: make(map[string][]netip.Addr), silent: silent}
	for name, ips := range hosts {
		s.hosts[strings.ToLower(name)+"."] = ips
	}
	s.wg.Add(1)
	go s.serve()
	// At the end, wait for the lookups' goroutines (and the resolver's
	// sockets they close) before the loop's descriptor check.
	t.Cleanup(func() {
		pc.Close()
		s.wg.Wait()
		goleak.VerifyNone(t, running)
	})
	return s
}

func (s *fakeDNS) serve() {
	defer s.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, from, err := s.pc.ReadFrom(buf)
		if err != nil {
			return
		}
		s.queries.Add(1)
		if s.silent {
			continue
		}
		if resp := s.answer(buf[:n]); resp != nil {
			s.pc.WriteTo(resp, from)
		}
	}
}

// answer returns the response to query q, or nil if q is not a query it
// understands.
func (s *fakeDNS) answer(q []byte) []byte {
	const (
		typeA    = 1
		typeAAAA = 28
	)
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:]) != 1 {
		return nil
	}
	var name strings.Builder
	off := 12
	for {
		if off >= len(q) {
			return nil
		}
		n := int(q[off])
		off++
		if n == 0 {
			break
		}
		if n > 63 || off+n > len(q) {
			return nil
		}
		name.WriteString(strings.ToLower(string(q[off : off+n])))
		name.WriteByte('.')
		off += n
	}
	if off+4 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[off:])
	question := q[12 : off+4]
	var ips []netip.Addr
	found := false
	for h, addrs := range s.hosts {
		if strings.HasPrefix(name.String(), h) {
			ips, found = addrs, true
		}
	}
	var answers []byte
	count := 0
	for _, ip := range ips {
		var rdata []byte
		switch {
		case qtype == typeA && ip.Is4():
			a := ip.As4()
			rdata = a[:]
		case qtype == typeAAAA && ip.Is6():
			a := ip.As16()
			rdata = a[:]
		default:
			continue
		}
		count++
		answers = append(answers, 0xc0, 12) // the name: a pointer to the question's
		answers = binary.BigEndian.AppendUint16(answers, qtype)
		answers = binary.BigEndian.AppendUint16(answers, 1)  // class IN
		answers = binary.BigEndian.AppendUint32(answers, 60) // TTL
		answers = binary.BigEndian.AppendUint16(answers, uint16(len(rdata)))
		answers = append(answers, rdata...)
	}
	rcode := byte(0)
	if !found {
		rcode = 3 // NXDOMAIN
	}
	resp := []byte{q[0], q[1], 0x84 | q[2]&0x01, 0x80 | rcode} // QR, AA, RD copied; RA
	resp = binary.BigEndian.AppendUint16(resp, 1)
	resp = binary.BigEndian.AppendUint16(resp, uint16(count))
	resp = append(resp, 0, 0, 0, 0)
	resp = append(resp, question...)
	return append(resp, answers...)
}

// resolver returns a Go resolver that asks only this server.
func (s *fakeDNS) resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, "udp", s.pc.LocalAddr().String())
		if err != nil {
			return nil, err
		}
		// The Go resolver waits for a reply until its own deadline
		// even once the lookup was cancelled; closing the socket
		// then ends its goroutines at once.
		context.AfterFunc(ctx, func() { c.Close() })
		return c, nil
	}}
}

// dialEvents records a connection's events.
type dialEvents struct {
	what []stream.What
	errs []error
}

func (e *dialEvents) record(_ *stream.Conn, what stream.What, err error) {
	e.what = append(e.what, what)
	e.errs = append(e.errs, err)
}

// listenEcho starts an echo server on 127.0.0.1:0, closed when the test
// ends, and returns its port.
func listenEcho(t *testing.T, l *ev.Loop) (port int) {
	t.Helper()
	ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{}, func(_ *stream.Listener, c *stream.Conn) {
		closeAtEnd(t, c)
		echo(c)
	})
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t)
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

func TestDialName(t *testing.T) {
	l := newLoop(t)
	port := listenEcho(t, l)
	dns := newFakeDNS(t, map[string][]netip.Addr{"echo.eventide.test": {netip.MustParseAddr("127.0.0.1")}}, false)
	c, err := stream.DialWith(l, "tcp", fmt.Sprintf("echo.eventide.test:%d", port),
		stream.DialConfig{Timeout: 10 * time.Second, Resolver: dns.resolver()})
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, c)
	// Resolving: no socket yet.
	if fd, la, ra := c.Fd(), c.LocalAddr(), c.RemoteAddr(); fd != -1 || la != nil || ra != nil {
		t.Errorf("while resolving: Fd %d, LocalAddr %v, RemoteAddr %v; want -1, nil, nil", fd, la, ra)
	}
	if err := c.SetNoDelay(true); err == nil {
		t.Error("SetNoDelay while resolving: no error; want one")
	}
	var got []byte
	var events []stream.What
	c.Enable(stream.Read)
	c.SetCallbacks(func(c *stream.Conn) {
		in := c.Input()
		n := len(got)
		got = append(got, make([]byte, in.Len())...)
		in.Read(got[n:])
	}, nil, func(c *stream.Conn, what stream.What, err error) {
		events = append(events, what)
		if what == stream.Connected {
			c.WriteString("ping")
		}
	})
	runUntil(t, l, func() bool { return len(got) == 4 || len(events) > 1 })
	if string(got) != "ping" || len(events) != 1 || events[0] != stream.Connected {
		t.Fatalf("got %q, events %v; want %q, [connected]", got, events, "ping")
	}
	want := fmt.Sprintf("127.0.0.1:%d", port)
	if ra := c.RemoteAddr(); ra == nil || ra.String() != want {
		t.Errorf("RemoteAddr %v; want %s", ra, want)
	}
	if c.Fd() < 0 {
		t.Errorf("Fd %d once connected; want a descriptor", c.Fd())
	}
}

func TestDialNameNotFound(t *testing.T) {
	dns := newFakeDNS(t, nil, false)
	for _, deferred := range []bool{false, true} {
		t.Run(fmt.Sprintf("deferred=%v", deferred), func(t *testing.T) {
			l := newLoop(t)
			c, err := stream.DialWith(l, "tcp", "missing.eventide.test:80", stream.DialConfig{Resolver: dns.resolver()})
			if err != nil {
				t.Fatal(err)
			}
			c.SetDeferCallbacks(deferred)
			var ev dialEvents
			c.SetCallbacks(nil, nil, ev.record)
			runUntil(t, l, func() bool { return len(ev.what) > 0 })
			if len(ev.what) != 1 || ev.what[0] != stream.Writing|stream.Error {
				t.Fatalf("events %v; want [writing|error]", ev.what)
			}
			var op *net.OpError
			if !errors.As(ev.errs[0], &op) || op.Op != "dial" {
				t.Errorf("error %T %v; want a *net.OpError for dial", ev.errs[0], ev.errs[0])
			}
			var dnsErr *net.DNSError
			if !errors.As(ev.errs[0], &dnsErr) || !dnsErr.IsNotFound {
				t.Errorf("error %v; want a *net.DNSError, not found", ev.errs[0])
			}
			if !c.Closed() {
				t.Error("connection open after the error event")
			}
		})
	}
}

// TestDialNameTimeout dials through a DNS server that never answers, and
// meanwhile has the loop echo on another connection: a lookup must not
// hold the loop.
func TestDialNameTimeout(t *testing.T) {
	l := newLoop(t)
	dns := newFakeDNS(t, nil, true)
	start := time.Now()
	const timeout = 200 * time.Millisecond
	c, err := stream.DialWith(l, "tcp", "hang.eventide.test:80", stream.DialConfig{Timeout: timeout, Resolver: dns.resolver()})
	if err != nil {
		t.Fatal(err)
	}
	var dial dialEvents
	c.SetCallbacks(nil, nil, dial.record)

	a, b := connPair(t, l)
	echo(b)
	var got []byte
	collect(a, &got, nil)
	runUntil(t, l, func() bool { return dns.queries.Load() > 0 })
	a.WriteString("ping")
	runUntil(t, l, func() bool { return len(got) == 4 })
	if len(dial.what) != 0 {
		t.Fatalf("dial ended (%v) before the loop served the other connection; want it pending", dial.what)
	}

	runUntil(t, l, func() bool { return len(dial.what) > 0 })
	elapsed := time.Since(start)
	if len(dial.what) != 1 || dial.what[0] != stream.Writing|stream.Timeout|stream.Error || !errors.Is(dial.errs[0], os.ErrDeadlineExceeded) {
		t.Fatalf("events %v, %v; want [writing|timeout|error], os.ErrDeadlineExceeded", dial.what, dial.errs)
	}
	if elapsed < timeout || elapsed > 4*time.Second {
		t.Errorf("timed out after %v; want about %v", elapsed, timeout)
	}
	if !c.Closed() {
		t.Error("connection open after the timeout event")
	}
}

// TestDialCloseWhileResolving closes a connection whose lookup hangs: no
// callback, no goroutine, no descriptor, no reference on the loop left.
func TestDialCloseWhileResolving(t *testing.T) {
	l := newLoop(t)
	dns := newFakeDNS(t, nil, true)
	running := goleak.IgnoreCurrent()
	fds, refs := openFDs(t), l.ActiveCount()
	c, err := stream.DialWith(l, "tcp", "hang.eventide.test:80", stream.DialConfig{Resolver: dns.resolver()})
	if err != nil {
		t.Fatal(err)
	}
	var dial dialEvents
	c.SetCallbacks(nil, nil, dial.record)
	c.WriteString("dropped")
	runUntil(t, l, func() bool { return dns.queries.Load() > 0 })
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// The lookup goroutine ends, having posted its result to the loop;
	// a function posted after it runs after it.
	goleak.VerifyNone(t, running)
	marker := false
	l.Post(func() { marker = true })
	runUntil(t, l, func() bool { return marker })
	if len(dial.what) != 0 {
		t.Errorf("events %v after Close; want none", dial.what)
	}
	if got := openFDs(t); got != fds {
		t.Errorf("open descriptors: %d before Dial, %d after Close", fds, got)
	}
	if got := l.ActiveCount(); got != refs {
		t.Errorf("loop references: %d before Dial, %d after Close", refs, got)
	}
}

// TestDialLoopClosedWhileResolving closes the loop under a hanging
// lookup: the lookup is cancelled, and closing the connection afterwards
// is harmless.
func TestDialLoopClosedWhileResolving(t *testing.T) {
	dns := newFakeDNS(t, nil, true)
	running := goleak.IgnoreCurrent()
	l, err := ev.NewLoop()
	if err != nil {
		t.Fatal(err)
	}
	c, err := stream.DialWith(l, "tcp", "hang.eventide.test:80", stream.DialConfig{Resolver: dns.resolver()})
	if err != nil {
		t.Fatal(err)
	}
	runUntil(t, l, func() bool { return dns.queries.Load() > 0 })
	if err := l.Close(); err != nil {
		t.Fatalf("loop Close: %v", err)
	}
	goleak.VerifyNone(t, running)
	c.Close()
}

// TestDialNameAddresses dials names with several addresses: the first
// refuses (nothing listens on 127.0.0.2), so the next is tried.
func TestDialNameAddresses(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("127.0.0.2 is a loopback address on Linux only")
	}
	l := newLoop(t)
	port := listenEcho(t, l)
	free := freePort(t)
	_, freePortStr, _ := net.SplitHostPort(free)
	ip := netip.MustParseAddr
	dns := newFakeDNS(t, map[string][]netip.Addr{
		"second.eventide.test": {ip("127.0.0.2"), ip("127.0.0.1")},
		"none.eventide.test":   {ip("127.0.0.2"), ip("127.0.0.3"), ip("127.0.0.1")},
	}, false)
	for _, tc := range []struct {
		name, address string
		want          stream.What
		wantRemote    string // connected: the peer; refused: the address in the error
	}{
		{"second", fmt.Sprintf("second.eventide.test:%d", port), stream.Connected, fmt.Sprintf("127.0.0.1:%d", port)},
		{"none", "none.eventide.test:" + freePortStr, stream.Writing | stream.Error, "127.0.0.2:" + freePortStr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := stream.DialWith(l, "tcp4", tc.address, stream.DialConfig{Timeout: 10 * time.Second, Resolver: dns.resolver()})
			if err != nil {
				t.Fatal(err)
			}
			closeAtEnd(t, c)
			var ev dialEvents
			c.SetCallbacks(nil, nil, ev.record)
			runUntil(t, l, func() bool { return len(ev.what) > 0 })
			if ev.what[0] != tc.want {
				t.Fatalf("event %v, %v; want %v", ev.what[0], ev.errs[0], tc.want)
			}
			if tc.want == stream.Connected {
				if ra := c.RemoteAddr(); ra == nil || ra.String() != tc.wantRemote {
					t.Errorf("RemoteAddr %v; want %s", ra, tc.wantRemote)
				}
				return
			}
			var op *net.OpError
			if !errors.As(ev.errs[0], &op) || op.Addr == nil || op.Addr.String() != tc.wantRemote || !errors.Is(op, syscall.ECONNREFUSED) {
				t.Errorf("error %v; want connection refused by %s, the first address", ev.errs[0], tc.wantRemote)
			}
		})
	}
}

// TestDialQueuedWhileResolving writes, and closes, while the name is
// being looked up: the bytes arrive once connected.
func TestDialQueuedWhileResolving(t *testing.T) {
	for _, tc := range []struct {
		name      string
		then      func(c *stream.Conn)
		wantEOF   bool // the server reads EOF after the bytes
		wantClose bool // the client ends closed
	}{
		{"write", func(*stream.Conn) {}, false, false},
		{"CloseWrite", func(c *stream.Conn) { c.CloseWrite() }, true, false},
		{"CloseAfterFlush", func(c *stream.Conn) { c.CloseAfterFlush() }, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLoop(t)
			var server *stream.Conn
			var got []byte
			var serverEvents []stream.What
			ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{}, func(_ *stream.Listener, c *stream.Conn) {
				server = c
				collect(c, &got, &serverEvents)
			})
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			dns := newFakeDNS(t, map[string][]netip.Addr{"sink.eventide.test": {netip.MustParseAddr("127.0.0.1")}}, false)
			c, err := stream.DialWith(l, "tcp", fmt.Sprintf("sink.eventide.test:%d", ln.Addr().(*net.TCPAddr).Port),
				stream.DialConfig{Resolver: dns.resolver()})
			if err != nil {
				t.Fatal(err)
			}
			closeAtEnd(t, c)
			var client dialEvents
			c.SetCallbacks(nil, nil, client.record)
			const data = "queued while resolving"
			if n, err := c.WriteString(data[:6]); n != 6 || err != nil {
				t.Fatalf("WriteString = %d, %v; want 6, nil", n, err)
			}
			c.Output().WriteString(data[6:])
			tc.then(c)
			runUntil(t, l, func() bool {
				return len(got) == len(data) && (!tc.wantEOF || len(serverEvents) > 0)
			})
			closeAtEnd(t, server)
			if string(got) != data {
				t.Errorf("server got %q; want %q", got, data)
			}
			if tc.wantEOF && (len(serverEvents) != 1 || serverEvents[0] != stream.Reading|stream.EOF) {
				t.Errorf("server events %v; want [reading|eof]", serverEvents)
			}
			if c.Closed() != tc.wantClose {
				t.Errorf("client Closed() = %v; want %v", c.Closed(), tc.wantClose)
			}
			if tc.wantClose && len(client.what) != 0 {
				t.Errorf("client events %v after CloseAfterFlush; want none", client.what)
			}
		})
	}
}

func TestDialNegativeTimeoutPanics(t *testing.T) {
	l := newLoop(t)
	defer func() {
		if r := recover(); r == nil {
			t.Error("DialWith with a negative timeout did not panic")
		}
	}()
	stream.DialWith(l, "tcp", "127.0.0.1:1", stream.DialConfig{Timeout: -1})
}

// Dialing a host name: the lookup runs on a goroutine while the loop goes
// on, and a failed lookup is an Error event wrapping a *net.DNSError.
func ExampleDialWith() {
	l, _ := ev.NewLoop()
	defer l.Close()
	offline := &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("offline")
	}}
	c, err := stream.DialWith(l, "tcp", "db.eventide.test:5432", stream.DialConfig{Timeout: 5 * time.Second, Resolver: offline})
	if err != nil {
		fmt.Println(err)
		return
	}
	c.SetCallbacks(nil, nil, func(c *stream.Conn, what stream.What, err error) {
		var dnsErr *net.DNSError
		fmt.Println("event:", what, "DNS error:", errors.As(err, &dnsErr))
	})
	l.Run(ev.RunDefault)
	// Output:
	// event: writing|error DNS error: true
}

// BenchmarkDial dials a listener on the loop until Connected, then closes
// both ends: by IP literal, and by a name the fake DNS server resolves
// (a goroutine, two UDP queries and a Post per dial).
func BenchmarkDial(b *testing.B) {
	dns := newFakeDNS(b, map[string][]netip.Addr{"bench.eventide.test": {netip.MustParseAddr("127.0.0.1")}}, false)
	for _, host := range []string{"127.0.0.1", "bench.eventide.test"} {
		b.Run(host, func(b *testing.B) {
			l := newLoop(b)
			var server *stream.Conn
			ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{}, func(_ *stream.Listener, c *stream.Conn) { server = c })
			if err != nil {
				b.Fatal(err)
			}
			defer ln.Close()
			address := fmt.Sprintf("%s:%d", host, ln.Addr().(*net.TCPAddr).Port)
			cfg := stream.DialConfig{Timeout: 10 * time.Second, Resolver: dns.resolver()}
			b.ReportAllocs()
			for b.Loop() {
				c, err := stream.DialWith(l, "tcp", address, cfg)
				if err != nil {
					b.Fatal(err)
				}
				var what stream.What
				c.SetCallbacks(nil, nil, func(_ *stream.Conn, w stream.What, _ error) { what = w })
				server = nil
				runUntil(b, l, func() bool { return what != 0 && server != nil })
				if what != stream.Connected {
					b.Fatalf("event %v; want connected", what)
				}
				c.Close()
				server.Close()
			}
		})
	}
}

// TestDialCloseBeforeConnected half-closes or closes-after-flush a
// connection still connecting with nothing queued: once connected it must
// shut down its side (the server reads EOF) and, for CloseAfterFlush, end
// closed, with no event after the close.
func TestDialCloseBeforeConnected(t *testing.T) {
	for _, tc := range []struct {
		name      string
		then      func(c *stream.Conn)
		wantClose bool
	}{
		{"CloseWrite", func(c *stream.Conn) { c.CloseWrite() }, false},
		{"CloseAfterFlush", func(c *stream.Conn) { c.CloseAfterFlush() }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLoop(t)
			var server *stream.Conn
			var got []byte
			var serverEvents []stream.What
			ln, err := stream.Listen(l, "tcp", "127.0.0.1:0", stream.ListenConfig{}, func(_ *stream.Listener, c *stream.Conn) {
				server = c
				collect(c, &got, &serverEvents)
			})
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			c, err := stream.Dial(l, "tcp", ln.Addr().String(), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			closeAtEnd(t, c)
			var client dialEvents
			c.SetCallbacks(nil, nil, client.record)
			tc.then(c)
			runUntil(t, l, func() bool { return len(serverEvents) > 0 })
			closeAtEnd(t, server)
			if len(got) != 0 || len(serverEvents) != 1 || serverEvents[0] != stream.Reading|stream.EOF {
				t.Errorf("server got %q, events %v; want nothing, then [reading|eof]", got, serverEvents)
			}
			if c.Closed() != tc.wantClose {
				t.Errorf("client Closed() = %v; want %v", c.Closed(), tc.wantClose)
			}
			for _, w := range client.what {
				if w != stream.Connected {
					t.Errorf("client event %v; want at most Connected", w)
				}
			}
			if tc.wantClose && len(client.what) != 0 {
				t.Errorf("client events %v after CloseAfterFlush; want none", client.what)
			}
		})
	}
}

// TestDialUnixBacklogFull dials a Unix socket whose listener never accepts:
// once its backlog is full, Linux fails a non-blocking connect with EAGAIN,
// which is a failure, not a connect in progress — no connection may be
// reported Connected without being connected.
func TestDialUnixBacklogFull(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("EAGAIN from a full Unix backlog is Linux's behaviour")
	}
	l := newLoop(t)
	path := filepath.Join(t.TempDir(), "s")
	lfd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(lfd)
	if err := syscall.Bind(lfd, &syscall.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(lfd, 0); err != nil {
		t.Fatal(err)
	}
	type result struct {
		c    *stream.Conn
		what stream.What
		err  error
	}
	results := make([]*result, 5)
	for i := range results {
		c, err := stream.Dial(l, "unix", path, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		closeAtEnd(t, c)
		r := &result{c: c}
		results[i] = r
		c.SetCallbacks(nil, nil, func(_ *stream.Conn, w stream.What, err error) {
			if r.what == 0 {
				r.what, r.err = w, err
			}
		})
	}
	runUntil(t, l, func() bool {
		for _, r := range results {
			if r.what == 0 {
				return false
			}
		}
		return true
	})
	refused := 0
	for i, r := range results {
		switch {
		case r.what == stream.Connected:
			if r.c.RemoteAddr() == nil {
				t.Errorf("dial %d: Connected, but the socket has no peer", i)
			}
		case r.what&stream.Error != 0 && errors.Is(r.err, syscall.EAGAIN):
			refused++
		default:
			t.Errorf("dial %d: event %v, %v; want Connected or an EAGAIN error", i, r.what, r.err)
		}
	}
	if refused == 0 {
		t.Errorf("no dial failed against a full backlog of a listener that never accepts")
	}
}

// TestWriteTimeoutWhileConnecting sets a write timeout on dials that stay
// connecting (the listener's backlog is full): the timeout applies to the
// connect, as libevent's does, and is reported once; writing is then
// disabled and no further timeout comes, however long the connect lasts.
func TestWriteTimeoutWhileConnecting(t *testing.T) {
	l := newLoop(t)
	ln := stuckListener(t, l)
	const timeout = 20 * time.Millisecond
	timeouts := map[*stream.Conn]int{}
	var conns []*stream.Conn
	for range 8 {
		c, err := stream.Dial(l, "tcp", ln.Addr().String(), 0)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		c.SetTimeouts(0, timeout)
		c.SetCallbacks(nil, nil, func(c *stream.Conn, w stream.What, err error) {
			if w == stream.Writing|stream.Timeout {
				timeouts[c]++
			}
		})
	}
	closeAtEnd(t, conns...)
	runUntil(t, l, func() bool { return len(timeouts) > 0 })
	// Ten timeouts more: a timer that kept running would fire again.
	waited := false
	wait := ev.NewTimer(l, 10*timeout, 0, func(*ev.Timer) { waited = true })
	wait.Start()
	runUntil(t, l, func() bool { return waited })
	for c, n := range timeouts {
		if n != 1 {
			t.Errorf("%v: %d write timeouts while connecting; want 1", c, n)
		}
		if c.Enabled()&stream.Write != 0 {
			t.Errorf("%v: writing enabled after a write timeout", c)
		}
	}
}
