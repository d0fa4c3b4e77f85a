package stream_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/stream"
)

// bothWays runs f with the deferred writes made through io_uring (where
// the system has it) and without.
func bothWays(t *testing.T, f func(t *testing.T, l *ev.Loop)) {
	for _, mode := range []string{"ring", "plain"} {
		t.Run(mode, func(t *testing.T) {
			restore := stream.SetRingOff(mode == "plain")
			defer restore()
			l := newLoop(t)
			f(t, l)
			if mode == "ring" && !l.Closed() && !stream.RingActive(l) {
				t.Log("no io_uring on this system (or not allowed): the plain path ran twice")
			}
			if mode == "plain" && stream.RingActive(l) {
				t.Error("a ring was set up with io_uring off")
			}
		})
	}
}

// rawSocketpair returns a socketpair's two descriptors, the second
// non-blocking, both closed at the end of the test unless the test closes
// them (the first is for a Conn, which takes it over).
func rawSocketpair(t *testing.T) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.SetNonblock(fds[1], true); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[1]) })
	return fds[0], fds[1]
}

// sockConn returns a Conn over one end of a socketpair and the other
// (non-blocking) end.
func sockConn(t *testing.T, l *ev.Loop) (*stream.Conn, int) {
	t.Helper()
	fd, peer := rawSocketpair(t)
	c, err := stream.NewConn(l, fd)
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, c)
	return c, peer
}

// readAll reads what fd has now (non-blocking) and appends it to *got.
func readAll(fd int, got *[]byte) {
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(fd, buf)
		if n <= 0 || err != nil {
			return
		}
		*got = append(*got, buf[:n]...)
	}
}

// TestDeferredWritesBatch: writes made on many connections in one pass go
// out at its end, together, byte for byte: outputs in one piece and in
// several (moved Buffers, references), one with a file segment in front,
// one on a pipe (no socket), and more connections than one ring batch
// takes. Nothing reaches a peer before the pass ends.
func TestDeferredWritesBatch(t *testing.T) {
	bothWays(t, func(t *testing.T, l *ev.Loop) {
		const n = 300 // more than a ring batch (256)
		conns := make([]*stream.Conn, n)
		peers := make([]int, n)
		want := make([][]byte, n)
		file := filepath.Join(t.TempDir(), "segment")
		if err := os.WriteFile(file, []byte("from a file;"), 0o600); err != nil {
			t.Fatal(err)
		}
		for i := range conns {
			c, peer := sockConn(t, l)
			conns[i], peers[i] = c, peer
		}
		// A pipe's write end as connection 0: written with write(2).
		var p [2]int
		if err := unix.Pipe(p[:]); err != nil {
			t.Fatal(err)
		}
		conns[0].Close() // replaced by the pipe (its peer closes at the end)
		pc, err := stream.NewConn(l, p[1])
		if err != nil {
			t.Fatal(err)
		}
		closeAtEnd(t, pc)
		unix.SetNonblock(p[0], true)
		t.Cleanup(func() { unix.Close(p[0]) })
		conns[0], peers[0] = pc, p[0]

		for i, c := range conns {
			msg := fmt.Appendf(nil, "message %d;", i)
			switch i % 4 {
			case 0: // one Write
				c.Write(msg)
				want[i] = msg
			case 1: // several writes: one piece
				c.Write(msg)
				c.WriteString("more;")
				want[i] = append(msg, "more;"...)
			case 2: // a Buffer of several chunks, one a reference
				var b buffer.Buffer
				b.Write(msg)
				b.AddReference([]byte("lent;"), nil)
				b.Write(bytes.Repeat([]byte{'x'}, 5000))
				want[i] = append(append(msg, "lent;"...), bytes.Repeat([]byte{'x'}, 5000)...)
				if err := c.WriteBuffer(&b); err != nil {
					t.Fatal(err)
				}
			case 3: // a file segment first
				var b buffer.Buffer
				f, err := os.Open(file)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { f.Close() }) // the caller's to close
				if err := b.AddFile(f, 0, 12); err != nil {
					t.Fatal(err)
				}
				b.Write(msg)
				want[i] = append([]byte("from a file;"), msg...)
				if err := c.WriteBuffer(&b); err != nil {
					t.Fatal(err)
				}
			}
		}
		var early []byte
		readAll(peers[1], &early)
		if len(early) != 0 {
			t.Fatalf("a peer read %q before the pass ended", early)
		}
		got := make([][]byte, n)
		runUntil(t, l, func() bool {
			for i := range peers {
				readAll(peers[i], &got[i])
			}
			for i := range got {
				if len(got[i]) < len(want[i]) {
					return false
				}
			}
			return true
		})
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Errorf("connection %d: peer read %d bytes %.40q; want %d bytes %.40q", i, len(got[i]), got[i], len(want[i]), want[i])
			}
			if q := conns[i].OutputLen(); q != 0 {
				t.Errorf("connection %d: %d bytes still queued", i, q)
			}
		}
	})
}

// TestDeferredWritesPartial: in a batch, a connection whose peer does not
// read takes what the socket holds, queues the rest and writes it as the
// peer reads; its write callback runs once everything is written. The
// others of the batch are not held up.
func TestDeferredWritesPartial(t *testing.T) {
	bothWays(t, func(t *testing.T, l *ev.Loop) {
		big, bigPeer := sockConn(t, l)
		drained := 0
		big.SetCallbacks(nil, func(*stream.Conn) { drained++ }, nil)
		a, b := connPair(t, l)
		var got []byte
		collect(b, &got, nil)
		want := pattern(8 << 20)
		big.Write(want)
		a.WriteString("small")
		runUntil(t, l, func() bool { return len(got) == 5 })
		if q := big.OutputLen(); q == 0 || q == len(want) {
			t.Fatalf("%d of %d bytes queued after the batch; want some written, some queued", q, len(want))
		}
		if drained != 0 {
			t.Fatalf("write callback ran %d times with output queued", drained)
		}
		var peerGot []byte
		runUntil(t, l, func() bool {
			readAll(bigPeer, &peerGot)
			return len(peerGot) >= len(want) && drained > 0
		})
		if !bytes.Equal(peerGot, want) {
			t.Fatalf("peer read %d bytes that differ from the %d written", len(peerGot), len(want))
		}
		if drained != 1 {
			t.Errorf("write callback ran %d times; want once, when the output drained", drained)
		}
	})
}

// TestDeferredWritesErrors: a batch with a connection whose peer is gone
// gives that connection one Error event (Writing, EPIPE or ECONNRESET)
// and closes it; the others of the batch are written.
func TestDeferredWritesErrors(t *testing.T) {
	bothWays(t, func(t *testing.T, l *ev.Loop) {
		dead, deadPeer := sockConn(t, l)
		var whats []stream.What
		var errs []error
		dead.SetCallbacks(nil, nil, func(_ *stream.Conn, what stream.What, err error) {
			whats, errs = append(whats, what), append(errs, err)
		})
		unix.Close(deadPeer)
		a, b := connPair(t, l)
		var got []byte
		collect(b, &got, nil)
		if _, err := dead.WriteString("into the void"); err != nil {
			t.Fatalf("Write: %v (the error comes from the end of the pass)", err)
		}
		a.WriteString("alive")
		runUntil(t, l, func() bool { return len(got) == 5 && len(whats) > 0 })
		if len(whats) != 1 || whats[0] != stream.Writing|stream.Error {
			t.Fatalf("events %v; want one Writing|Error", whats)
		}
		if !errors.Is(errs[0], syscall.EPIPE) && !errors.Is(errs[0], syscall.ECONNRESET) {
			t.Errorf("error %v; want EPIPE or ECONNRESET", errs[0])
		}
		if !dead.Closed() {
			t.Error("connection open after its Error event")
		}
		if string(got) != "alive" {
			t.Errorf("the other connection's peer read %q", got)
		}
	})
}

// TestDeferredWritesInOnePass: what one pass's callbacks do to a
// connection after writing to it is honoured as it was when writes were
// made at once: Close sends what was written first, then closes; Cork and
// Disable(Write) let what was written before them go and hold what comes
// after, until Uncork and Enable; CloseAfterFlush sends it, then closes;
// a descriptor number reused within the pass gets its own connection's
// bytes only.
func TestDeferredWritesInOnePass(t *testing.T) {
	bothWays(t, func(t *testing.T, l *ev.Loop) {
		mk := func() (*stream.Conn, int) { return sockConn(t, l) }
		closing, closingPeer := mk()
		disabled, disabledPeer := mk()
		corked, corkedPeer := mk()
		after, afterPeer := mk()
		closing.WriteString("last words")
		closing.Close()
		reused, reusedPeer := mk() // may take closing's descriptor number
		reused.WriteString("new owner")
		disabled.WriteString("sent;")
		disabled.Disable(stream.Write)
		disabled.WriteString("held")
		corked.WriteString("sent;")
		corked.Cork()
		corked.WriteString("corked")
		after.WriteString("then close")
		after.CloseAfterFlush()

		l.Run(ev.RunNoWait)
		var got [5][]byte
		readAll(closingPeer, &got[0])
		readAll(disabledPeer, &got[1])
		readAll(corkedPeer, &got[2])
		readAll(afterPeer, &got[3])
		readAll(reusedPeer, &got[4])
		for i, want := range []string{"last words", "sent;", "sent;", "then close", "new owner"} {
			if string(got[i]) != want {
				t.Errorf("peer %d read %q; want %q", i, got[i], want)
			}
		}
		if !after.Closed() {
			t.Error("CloseAfterFlush: open after its output was written")
		}
		if disabled.OutputLen() != 4 || corked.OutputLen() != 6 {
			t.Errorf("queued: %d and %d bytes; want 4 and 6", disabled.OutputLen(), corked.OutputLen())
		}
		disabled.Enable(stream.Write)
		corked.Uncork()
		runUntil(t, l, func() bool {
			readAll(disabledPeer, &got[1])
			readAll(corkedPeer, &got[2])
			return len(got[1]) == 9 && len(got[2]) == 11
		})
		if string(got[1]) != "sent;held" || string(got[2]) != "sent;corked" {
			t.Errorf("after Enable and Uncork: %q and %q", got[1], got[2])
		}
	})
}

// TestDeferredWritesChain: write callbacks that write again (to their own
// connection and to others) are written in further rounds of the same
// flush or the next passes, until the chain ends; nothing is lost and the
// loop does not wait in between.
func TestDeferredWritesChain(t *testing.T) {
	bothWays(t, func(t *testing.T, l *ev.Loop) {
		const conns, rounds = 4, 50
		var peers [conns]int
		var cs [conns]*stream.Conn
		left := rounds
		for i := range cs {
			c, peer := sockConn(t, l)
			cs[i], peers[i] = c, peer
		}
		for i, c := range cs {
			next := cs[(i+1)%conns]
			c.SetCallbacks(nil, func(c *stream.Conn) {
				if left > 0 {
					left--
					c.WriteString("a")
					next.WriteString("b")
				}
			}, nil)
		}
		for _, c := range cs {
			c.WriteString("start")
		}
		var got [conns][]byte
		total := func() int {
			n := 0
			for i := range peers {
				readAll(peers[i], &got[i])
				n += len(got[i])
			}
			return n
		}
		want := conns*len("start") + 2*rounds
		runUntil(t, l, func() bool { return total() >= want })
		if n := total(); n != want || left != 0 {
			t.Errorf("peers read %d bytes, %d rounds left; want %d, 0", n, left, want)
		}
	})
}

// TestDeferredWritesLoopClosed: a write callback that closes the loop
// during the end-of-pass writes ends them: no callback runs after, the
// writes not yet made are made when the loop closes (as writes made at
// once would have been), and the loop closes without leaks (newLoop
// checks).
func TestDeferredWritesLoopClosed(t *testing.T) {
	bothWays(t, func(t *testing.T, l *ev.Loop) {
		calls := 0
		var peers []int
		for range 3 {
			c, peer := sockConn(t, l)
			peers = append(peers, peer)
			c.SetCallbacks(nil, func(c *stream.Conn) {
				calls++
				c.Loop().Close()
			}, nil)
			c.WriteString("x")
		}
		if err := l.Run(ev.RunDefault); err != nil {
			t.Fatal(err)
		}
		if calls != 1 {
			t.Errorf("%d write callbacks ran; want 1 (the one that closed the loop)", calls)
		}
		for i, p := range peers {
			var got []byte
			readAll(p, &got)
			if string(got) != "x" {
				t.Errorf("peer %d read %q; want the write made before the loop closed", i, got)
			}
		}
	})
}

// TestArenaKeepsMovedReads: a read callback that moves its input to a
// Buffer of its own keeps those bytes intact across passes, past what the
// loop's read arena holds (reads then land in the connection's own
// Buffer until the arena is given back), and gives them back when it is
// done with them.
func TestArenaKeepsMovedReads(t *testing.T) {
	l := newLoop(t)
	a, b := connPair(t, l)
	var kept buffer.Buffer
	b.SetCallbacks(func(c *stream.Conn) { kept.AppendBuffer(c.Input()) }, nil, nil)
	b.Enable(stream.Read)
	want := pattern(1 << 20) // four times the arena
	for off := 0; off < len(want); off += 3000 {
		a.Write(want[off:min(off+3000, len(want))])
		l.Run(ev.RunNoWait)
	}
	runUntil(t, l, func() bool { return kept.Len() == len(want) })
	if got := kept.Pullup(-1); !bytes.Equal(got, want) {
		t.Fatal("the bytes kept differ from the bytes written")
	}
	kept.Reset()
	// The arena, given back, serves an echo again.
	echo(b)
	var got []byte
	collect(a, &got, nil)
	a.WriteString("again")
	runUntil(t, l, func() bool { return len(got) == 5 })
	if string(got) != "again" {
		t.Fatalf("echo after the arena was given back: %q", got)
	}
}

// TestDeferredWritesNestedRun: a write callback that runs the loop
// (nested Run) while the end-of-pass writes are being finished gets the
// writes it made written by the nested pass, and the outer batch's other
// connections are finished with their own results, not the nested one's
// (one of which is a failed send).
func TestDeferredWritesNestedRun(t *testing.T) {
	bothWays(t, func(t *testing.T, l *ev.Loop) {
		const n, dead = 6, 4
		var cs [n]*stream.Conn
		var peers [n]int
		whats := map[int][]stream.What{}
		for i := range cs {
			c, peer := sockConn(t, l)
			cs[i], peers[i] = c, peer
			c.SetCallbacks(nil, nil, func(_ *stream.Conn, what stream.What, err error) {
				whats[i] = append(whats[i], what)
			})
		}
		unix.Shutdown(peers[dead], unix.SHUT_RD) // its sends fail: EPIPE
		nested := false
		cs[0].SetCallbacks(nil, func(c *stream.Conn) {
			if nested {
				return
			}
			nested = true
			for _, o := range cs[3:] {
				o.WriteString("nested;")
			}
			c.Loop().Run(ev.RunNoWait)
		}, nil)
		for _, c := range cs[:3] {
			c.WriteString("outer;")
		}
		var got [n][]byte
		runUntil(t, l, func() bool {
			done := true
			for i := range peers {
				readAll(peers[i], &got[i])
				done = done && (len(got[i]) > 0 || i == dead)
			}
			return done && len(whats[dead]) > 0
		})
		for i := range got {
			want := "outer;"
			if i >= 3 {
				want = "nested;"
			}
			if i == dead {
				want = ""
			}
			if string(got[i]) != want {
				t.Errorf("peer %d read %q; want %q", i, got[i], want)
			}
		}
		for i, w := range whats {
			if i != dead || len(w) != 1 || w[0] != stream.Writing|stream.Error {
				t.Errorf("connection %d: events %v; want none but one Writing|Error on %d", i, w, dead)
			}
		}
	})
}

// TestDeferredWritesPrepareBreak: a prepare callback that writes and
// breaks the loop (which then skips its poll) still has its write made.
func TestDeferredWritesPrepareBreak(t *testing.T) {
	l := newLoop(t)
	c, peer := sockConn(t, l)
	p := ev.NewPrepare(l, func(w *ev.Prepare) {
		c.WriteString("from prepare")
		w.Stop()
		l.Break(ev.BreakOne)
	})
	p.Start()
	if err := l.Run(ev.RunDefault); err != nil {
		t.Fatal(err)
	}
	var got []byte
	readAll(peer, &got)
	if string(got) != "from prepare" {
		t.Fatalf("peer read %q after Run returned; want %q", got, "from prepare")
	}
}
