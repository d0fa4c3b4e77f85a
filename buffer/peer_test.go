package buffer_test

// Peer tests: the behaviours libevent's own evbuffer regression suite
// (test/regress_buffer.c) checks, written anew against Buffer. Each test
// names the libevent test it mirrors. Where Buffer deliberately differs,
// the test says so and checks our behaviour.

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/eventide-go/eventide/buffer"
)

// libevent: test_evbuffer
func TestPeerBasics(t *testing.T) {
	var b, two buffer.Buffer
	b.Printf("%s/%d", "hello", 1)
	if got := contents(&b); got != "hello/1" {
		t.Fatalf("after Printf got %q; want %q", got, "hello/1")
	}
	b.AppendBuffer(&two) // an empty source is a no-op
	b.Drain(len("hello/"))
	if got := contents(&b); got != "1" {
		t.Fatalf("after Drain got %q; want %q", got, "1")
	}
	two.Printf("%s", "/hello")
	b.AppendBuffer(&two)
	if two.Len() != 0 || contents(&b) != "1/hello" {
		t.Fatalf("after AppendBuffer got %q, src %d bytes; want %q, 0", contents(&b), two.Len(), "1/hello")
	}
	zeros := make([]byte, 512)
	b.Write(zeros)
	p := b.Pullup(7 + 512)
	if p == nil || string(p[:7]) != "1/hello" || !bytes.Equal(p[7:], zeros) {
		t.Fatalf("Pullup(519) = %q...; want 1/hello and 512 zeros", p[:min(len(p), 7)])
	}
	b.Prepend([]byte("something"))
	b.Prepend([]byte("else"))
	if got := string(b.Pullup(4 + 9 + 7)); got != "elsesomething1/hello" {
		t.Fatalf("Pullup after two Prepends got %q; want %q", got, "elsesomething1/hello")
	}
	b.Drain(math.MaxInt)
	if b.Len() != 0 {
		t.Fatalf("Drain(MaxInt) left %d bytes", b.Len())
	}

	for range 3 {
		two.Write(zeros)
		b.AppendBuffer(&two)
	}
	if two.Len() != 0 || b.Len() != 3*512 {
		t.Fatalf("lengths %d, %d; want 0, 1536", two.Len(), b.Len())
	}
	if n := b.RemoveBuffer(&two, 512*5/2); n != 1280 || two.Len() != 1280 || b.Len() != 256 {
		t.Fatalf("RemoveBuffer moved %d, lengths %d/%d; want 1280, 1280/256", n, two.Len(), b.Len())
	}
	if !bytes.Equal(b.Pullup(-1), zeros[:256]) || !bytes.Equal(two.Pullup(-1), make([]byte, 1280)) {
		t.Fatal("Pullup did not preserve the contents")
	}

	// One-slice reserve and commit, three times over.
	for range 3 {
		v := b.Reserve(10000)
		if len(v) == 0 || len(v[0]) < 10000 {
			// Our Reserve may return several slices; fill them in order.
			total := 0
			for _, s := range v {
				total += len(s)
			}
			if total < 10000 {
				t.Fatalf("Reserve(10000) gave %d bytes", total)
			}
		}
		n := 0
		for _, s := range v {
			for i := range s {
				if n == 10000 {
					break
				}
				s[i] = byte(n)
				n++
			}
		}
		before := b.Len()
		b.Commit(10000)
		if b.Len() != before+10000 {
			t.Fatalf("Commit(10000) took Len from %d to %d", before, b.Len())
		}
		b.Drain(5000)
	}
	two.Reset()
	b.Reset()
}

// libevent: test_evbuffer_remove_buffer_with_empty (and _empty2, _empty3,
// _empty_front, add_buffer_with_empty): empty references in either buffer
// do not disturb moves.
func TestPeerRemoveBufferWithEmpty(t *testing.T) {
	two := []byte("ab")
	released := 0
	rel := func([]byte) { released++ }
	var src, dst buffer.Buffer
	src.AddReference(two, rel)
	src.AddReference(two, rel)
	dst.Write(two)
	dst.AddReference(nil, rel) // released at once
	if released != 1 {
		t.Fatalf("empty reference released %d times; want 1 at once", released)
	}
	if n := src.RemoveBuffer(&dst, 3); n != 3 {
		t.Fatalf("RemoveBuffer moved %d; want 3", n)
	}
	if contents(&src) != "b" || contents(&dst) != "ababa" {
		t.Fatalf("src %q dst %q; want %q %q", contents(&src), contents(&dst), "b", "ababa")
	}
	// The first reference has left src entirely (its bytes moved whole).
	dst.Reset()
	src.Reset()
	if released != 3 {
		t.Fatalf("released %d times; want 3", released)
	}

	// add_buffer_with_empty: appending an empty buffer, and appending to
	// a buffer ending in an empty reference.
	var a, e buffer.Buffer
	a.AddReference(nil, nil)
	e.WriteString("xyz")
	a.AppendBuffer(&e)
	a.AppendBuffer(&e)
	if contents(&a) != "xyz" {
		t.Fatalf("got %q; want xyz", contents(&a))
	}
	a.Reset()
}

// libevent: test_evbuffer_reserve2. Reserve hands out the tail chunk's
// free space first, and a later Reserve continues where the last Commit
// stopped.
//
// Deliberate difference: libevent's commit takes the iovecs back, each
// possibly shortened, so the caller can use part of the first and part of
// the second. Commit(n) takes the first n bytes of the reservation, in
// order: there is no gap to commit around.
func TestPeerReserve2(t *testing.T) {
	var b buffer.Buffer
	v := b.Reserve(1024)
	if b.Len() != 0 || len(v) == 0 || len(v[0]) < 1024 {
		t.Fatalf("Reserve(1024) on empty: %d slices, Len %d; want one of ≥1024", len(v), b.Len())
	}
	first := &v[0][0]
	free := len(v[0]) - 512
	copy(v[0], bytes.Repeat([]byte("X"), 512))
	b.Commit(512)

	v = b.Reserve(32)
	if len(v) != 1 || unsafe.Pointer(&v[0][0]) != unsafe.Add(unsafe.Pointer(first), 512) || len(v[0]) != free {
		t.Fatalf("second Reserve did not continue in the tail chunk")
	}
	copy(v[0], "YYYYYYYY")
	b.Commit(8)
	free -= 8

	v = b.Reserve(free + 64)
	if len(v) != 2 || len(v[0]) != free || len(v[1]) < 64 {
		t.Fatalf("split Reserve: %d slices; want the tail's %d free bytes and a new chunk", len(v), free)
	}
	v[0][0] = 'Z'
	b.Commit(1)
	free--

	v = b.Reserve(free + 64)
	if len(v) != 2 || len(v[0]) != free {
		t.Fatalf("second split Reserve: %d slices", len(v))
	}
	for i := range v[0] {
		v[0][i] = 'W'
	}
	copy(v[1], bytes.Repeat([]byte("x"), 60))
	b.Commit(free + 60)
	want := strings.Repeat("X", 512) + "YYYYYYYY" + "Z" + strings.Repeat("W", free) + strings.Repeat("x", 60)
	if got := contents(&b); got != want {
		t.Fatalf("contents differ: len %d; want %d", len(got), len(want))
	}
	if vecs := b.Peek(-1, nil); len(vecs) != 2 || len(vecs[1]) != 60 {
		t.Fatalf("Peek gave %d slices; want 2 (the tail chunk and 60 bytes in the next)", len(vecs))
	}
	b.Reset()
}

// libevent: test_evbuffer_reserve_many (and _many2, _many3), test_evbuffer_expand,
// test_evbuffer_expand_overflow, test_evbuffer_add1, test_evbuffer_add2,
// test_evbuffer_reference2.
func TestPeerReserveMany(t *testing.T) {
	for _, mode := range []string{"", "add", "fill"} {
		var b buffer.Buffer
		v := b.Reserve(128)
		if len(v) == 0 || len(v[0]) < 128 {
			t.Fatalf("%s: Reserve(128) gave %d slices", mode, len(v))
		}
		switch mode {
		case "add":
			v[0][0] = 'X'
			b.Commit(1)
		case "fill":
			for i := range v[0] {
				v[0][i] = 'X'
			}
			b.Commit(len(v[0]))
		}
		size := 0
		v = b.Reserve(1000)
		for _, s := range v {
			size += len(s)
		}
		v = b.Reserve(size + 128)
		total := 0
		for _, s := range v {
			total += len(s)
		}
		if total < size+128 {
			t.Fatalf("%s: Reserve(%d) gave %d bytes", mode, size+128, total)
		}
		// Filling everything reserved and committing it keeps every byte.
		for _, s := range v {
			for i := range s {
				s[i] = 'r'
			}
		}
		before := contents(&b)
		b.Commit(total)
		if got := contents(&b); got != before+strings.Repeat("r", total) {
			t.Fatalf("%s: Commit(%d) lost bytes: Len %d", mode, total, b.Len())
		}
		b.Reset()
	}

	// expand_overflow: an absurd request is capped, neither a panic nor
	// an allocation of that size.
	var b buffer.Buffer
	v := b.Reserve(math.MaxInt)
	total := 0
	for _, s := range v {
		total += len(s)
	}
	if total < 192<<10 || total > 1<<20 {
		t.Fatalf("Reserve(MaxInt) gave %d bytes; want the 192 KiB cap", total)
	}
	b.Commit(0)

	// add1/add2/reference2: data added after a Reserve that was not
	// committed lands right after the earlier data.
	for _, lead := range []int{1, 512 - 10, 4096 - 10} {
		b.Write(bytes.Repeat([]byte("P"), lead))
		b.Reserve(2048)
		b.WriteString("2")
		b.AddReference([]byte("3"), nil)
		b.Printf("4")
		p := b.Pullup(-1)
		if len(p) != lead+3 || string(p[lead-1:]) != "P234" {
			t.Fatalf("lead %d: got %d bytes ending %q; want %d ending P234", lead, len(p), p[max(0, len(p)-4):], lead+3)
		}
		b.Reset()
	}
}

// libevent: test_evbuffer_reference. Bytes read out of a reference go
// into another buffer's reservation; Prepend does not write into the
// referenced memory; the release runs once the last byte is gone.
func TestPeerReference(t *testing.T) {
	data := []byte("this is what we add as read-only memory.")
	orig := string(data)
	var src, dst buffer.Buffer
	calls := 0
	src.AddReference(data, func(p []byte) {
		calls++
		if string(p) != orig || &p[0] != &data[0] {
			t.Errorf("release got %q; want the original slice", p)
		}
	})
	v := dst.Reserve(len(data))
	space := v[0]
	if len(space) < len(data) {
		t.Skip("reservation split; the rest of the test assumes one slice")
	}
	if n, _ := src.Read(space[:10]); n != 10 {
		t.Fatalf("Read got %d; want 10", n)
	}
	src.Prepend([]byte("aaaaa"))
	if string(data) != orig {
		t.Fatalf("Prepend wrote into referenced memory: %q", data)
	}
	src.Drain(5)
	if n, _ := src.Read(space[10:len(data)]); n != len(data)-10 {
		t.Fatalf("Read got %d; want %d", n, len(data)-10)
	}
	dst.Commit(len(data))
	if calls != 1 {
		t.Fatalf("release called %d times; want 1", calls)
	}
	if got := string(dst.Pullup(len(data))); got != orig {
		t.Fatalf("dst holds %q; want %q", got, orig)
	}
	dst.Reset()
}

// libevent: test_evbuffer_add_reference
func TestPeerAddReference(t *testing.T) {
	chunk1 := []byte("If you have found the answer to such a problem")
	chunk2 := []byte("you ought to write it up for publication")
	var released []string
	rel := func(p []byte) { released = append(released, string(p)) }

	var b1 buffer.Buffer
	b1.AddReference(chunk1, rel)
	b1.WriteString(", ")
	b1.AddReference(chunk2, rel)
	if b1.Len() != len(chunk1)+len(chunk2)+2 {
		t.Fatalf("Len %d", b1.Len())
	}
	tmp := make([]byte, 16)
	if n, _ := b1.Read(tmp[:6]); n != 6 || string(tmp[:6]) != "If you" {
		t.Fatalf("Read got %q", tmp[:n])
	}
	if n, _ := b1.Read(tmp[:5]); n != 5 || string(tmp[:5]) != " have" {
		t.Fatalf("Read got %q", tmp[:n])
	}
	b1.Prepend([]byte("I have "))
	if string(chunk1[:6]) != "If you" {
		t.Fatalf("Prepend wrote into referenced memory")
	}
	b1.Drain(7)
	b1.Drain(len(chunk1) - 11 - 1)
	if len(released) != 0 {
		t.Fatalf("released %q with a byte left", released)
	}
	b1.Read(tmp[:1])
	if tmp[0] != 'm' || len(released) != 1 || released[0] != string(chunk1) {
		t.Fatalf("after the last byte (%q): released %q; want chunk1 once", tmp[0], released)
	}

	b1.Drain(6) // ", you "
	var b2 buffer.Buffer
	b2.WriteString("I ")
	b2.AppendBuffer(&b1)
	if len(released) != 1 {
		t.Fatalf("moving a reference released it")
	}
	b2.Read(tmp)
	if string(tmp) != "I ought to write" {
		t.Fatalf("Read got %q", tmp)
	}
	b2.Drain(b2.Len())
	if len(released) != 2 || released[1] != string(chunk2) {
		t.Fatalf("released %q; want chunk2 second", released)
	}

	b1.WriteString("You shake and shake the ")
	b1.AddReference([]byte("ketchup bottle"), rel)
	b1.WriteString(". Nothing comes and then a lot'll.")
	b1.Reset() // libevent: evbuffer_free
	if len(released) != 3 || released[2] != "ketchup bottle" {
		t.Fatalf("Reset released %q; want the third reference", released)
	}
}

// libevent: test_evbuffer_readln. Every EOL style on the same inputs as
// libevent's test, whole and split at every byte (CRLF across chunks).
func TestPeerReadLine(t *testing.T) {
	type step struct {
		add   string // appended before reading (may be "")
		lines []string
	}
	tests := []struct {
		name  string
		style buffer.EOLStyle
		steps []step
		rest  string
	}{
		{"any", buffer.EOLAny, []step{
			{"complex silly newline\r\n\n\r\n\n\rmore\x00\n", []string{"complex silly newline", "more\x00"}},
			{"\nno newline", []string{""}},
		}, "no newline"},
		{"crlf", buffer.EOLCRLF, []step{
			{"Line with\rin the middle\nLine with good crlf\r\n\nfinal\n",
				[]string{"Line with\rin the middle", "Line with good crlf", "", "final"}},
			{"x", nil},
		}, "x"},
		{"crlf-strict", buffer.EOLCRLFStrict, []step{
			{"x and a bad crlf\nand a good one\r\n\r\nMore\r", []string{"x and a bad crlf\nand a good one", ""}},
			{"\n", []string{"More"}},
			{"An internal CR\r is not an eol\r\nNor is a lack of one", []string{"An internal CR\r is not an eol"}},
			{"\r\n", []string{"Nor is a lack of one"}},
		}, ""},
		{"lf", buffer.EOLLF, []step{
			{"An\rand a nl\n\nText", []string{"An\rand a nl", ""}},
			{"\n", []string{"Text"}},
		}, ""},
		{"nul", buffer.EOLNUL, []step{
			{"NUL\n\x00\x00The all-zeros character which may serve\x00to accomplish time fill\x00and media fill",
				[]string{"NUL\n", "", "The all-zeros character which may serve", "to accomplish time fill"}},
		}, "and media fill"},
		{"crlf-strict across chunks", buffer.EOLCRLFStrict, []step{
			{" and a bad crlf\nand a good one\r", nil},
			{"\n\r", []string{" and a bad crlf\nand a good one"}},
			{"\nMore\r", []string{""}},
			{"\n", []string{"More"}},
		}, ""},
		{"lf memory", buffer.EOLLF, []step{
			{"one line\ntwo line\nblue line", []string{"one line", "two line"}},
		}, "blue line"},
	}
	for _, tt := range tests {
		var all string
		for _, s := range tt.steps {
			all += s.add
		}
		// Each step's bytes arrive as one chunk, or byte by byte.
		for _, bytewise := range []bool{false, true} {
			var b buffer.Buffer
			for i, s := range tt.steps {
				if bytewise {
					for j := range len(s.add) {
						var c buffer.Buffer
						c.WriteString(s.add[j : j+1])
						b.AppendBuffer(&c)
					}
				} else {
					var c buffer.Buffer
					c.WriteString(s.add)
					b.AppendBuffer(&c)
				}
				var got []string
				for {
					line, ok := b.ReadLineString(tt.style)
					if !ok {
						break
					}
					got = append(got, line)
				}
				if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", s.lines) {
					if tt.style == buffer.EOLAny && bytewise {
						// EOLAny depends on how bytes were split; see below.
						continue
					}
					t.Errorf("%s bytewise=%v step %d: lines %q; want %q", tt.name, bytewise, i, got, s.lines)
				}
			}
			if tt.style != buffer.EOLAny || !bytewise {
				if got := contents(&b); got != tt.rest {
					t.Errorf("%s bytewise=%v: rest %q; want %q", tt.name, bytewise, got, tt.rest)
				}
			}
		}
	}
}

// libevent: test_evbuffer_readln, EOL_ANY: a run of CR and LF is one
// terminator only as far as it has arrived. A lone CR at the end of the
// buffer already ends the line, so "a\r" then "\n" reads "a" then "" —
// the behaviour libevent has and doc.go warns about.
func TestPeerReadLineAnySplit(t *testing.T) {
	var b buffer.Buffer
	b.WriteString("a\r")
	if line, ok := b.ReadLineString(buffer.EOLAny); !ok || line != "a" {
		t.Fatalf("got %q, %v; want \"a\", true", line, ok)
	}
	b.WriteString("\nb\n")
	if line, ok := b.ReadLineString(buffer.EOLAny); !ok || line != "" {
		t.Fatalf("got %q, %v; want an empty line", line, ok)
	}
	if line, ok := b.ReadLineString(buffer.EOLAny); !ok || line != "b" {
		t.Fatalf("got %q, %v; want \"b\"", line, ok)
	}
	// EOLCRLF waits for the LF instead.
	b.WriteString("c\r")
	if _, ok := b.ReadLineString(buffer.EOLCRLF); ok {
		t.Fatal("EOLCRLF ended a line at a lone CR at the end")
	}
	b.WriteString("\n")
	if line, ok := b.ReadLineString(buffer.EOLCRLF); !ok || line != "c" {
		t.Fatalf("got %q, %v; want \"c\"", line, ok)
	}
}

// libevent: test_evbuffer_search_eol
func TestPeerSearchEOL(t *testing.T) {
	var b buffer.Buffer
	b.WriteString("string! \r\n\r\nx\n")
	check := func(name string, p buffer.Pos, n, wantPos, wantN int) {
		t.Helper()
		if p.Offset != wantPos || n != wantN {
			t.Fatalf("%s: got %d/%d; want %d/%d", name, p.Offset, n, wantPos, wantN)
		}
	}
	p1, n := b.SearchEOL(nil, buffer.EOLCRLF)
	check("crlf", p1, n, 8, 2)
	p2, n := b.SearchEOL(&p1, buffer.EOLCRLF)
	check("crlf from the match", p2, n, 8, 2)
	b.Advance(&p1, 1)
	p2, n = b.SearchEOL(&p1, buffer.EOLCRLF)
	check("crlf from the LF", p2, n, 9, 1)
	p2, n = b.SearchEOL(&p1, buffer.EOLCRLFStrict)
	check("strict from the LF", p2, n, 10, 2)
	p1, n = b.SearchEOL(nil, buffer.EOLLF)
	check("lf", p1, n, 9, 1)
	p2, n = b.SearchEOL(&p1, buffer.EOLLF)
	check("lf from the match", p2, n, 9, 1)
	b.Advance(&p1, 1)
	p2, n = b.SearchEOL(&p1, buffer.EOLLF)
	check("lf after the match", p2, n, 11, 1)
	end, ok := b.PosAt(b.Len())
	if !ok {
		t.Fatal("PosAt(Len) failed")
	}
	for _, style := range []buffer.EOLStyle{buffer.EOLAny, buffer.EOLCRLF, buffer.EOLCRLFStrict, buffer.EOLLF, buffer.EOLNUL} {
		p2, n = b.SearchEOL(&end, style)
		check(style.String()+" from the end", p2, n, -1, 0)
	}
}

// libevent: test_evbuffer_iterative. Many small Printfs keep every byte.
func TestPeerIterative(t *testing.T) {
	abc := strings.Repeat("abcdefghijklmnopqrstvuwxyz", 4)
	var b buffer.Buffer
	sum := 0
	for range 100 {
		for j := 1; j < len(abc); j++ {
			b.Printf("%*.*s", j, j, abc)
			sum += j
		}
	}
	if b.Len() != sum {
		t.Fatalf("Len %d; want %d", b.Len(), sum)
	}
	b.Reset()
}

// libevent: test_evbuffer_find. No match past the end of the data, and a
// match ending at the last byte is found.
func TestPeerFind(t *testing.T) {
	var b buffer.Buffer
	b.WriteString("1234567890\r\n")
	b.Drain(12)
	b.WriteString("1234567890\r")
	if p := b.Search([]byte("\r\n"), nil); p.Offset != -1 {
		t.Fatalf("found \\r\\n at %d in data without one", p.Offset)
	}
	b.Drain(b.Len())
	b.WriteString(strings.Repeat("a", 255) + "x")
	if p := b.Search([]byte("xy"), nil); p.Offset != -1 {
		t.Fatalf("found \"xy\" at %d", p.Offset)
	}
	if p := b.Search([]byte("ax"), nil); p.Offset != 254 {
		t.Fatalf("\"ax\" at %d; want 254", p.Offset)
	}
	b.Reset()
}

// libevent: test_evbuffer_ptr_set
func TestPeerPtrSet(t *testing.T) {
	var b buffer.Buffer
	if p, ok := b.PosAt(0); !ok || p.Offset != 0 {
		t.Fatalf("PosAt(0) on empty = %d, %v; want 0, true", p.Offset, ok)
	}
	p, _ := b.PosAt(0)
	if b.Advance(&p, 1) || p.Offset != 0 {
		t.Fatalf("Advance past the end of an empty buffer succeeded (%d)", p.Offset)
	}
	if _, ok := b.PosAt(1); ok {
		t.Fatal("PosAt(1) on empty succeeded")
	}
	for _, n := range []int{5000, 4000, 3000} {
		v := b.Reserve(n)
		k := 0
		for _, s := range v {
			for i := range s {
				if k < n {
					s[i] = byte(n / 1000)
					k++
				}
			}
		}
		b.Commit(n)
	}
	if b.Len() != 12000 {
		t.Fatalf("Len %d", b.Len())
	}
	if _, ok := b.PosAt(13000); ok {
		t.Fatal("PosAt(13000) succeeded")
	}
	p, _ = b.PosAt(0)
	if b.Advance(&p, 13000) {
		t.Fatal("Advance(13000) succeeded")
	}
	for _, want := range []int{10000, 11000, 12000} {
		step := 1000
		if want == 10000 {
			step = 10000
		}
		if !b.Advance(&p, step) || p.Offset != want {
			t.Fatalf("Advance(%d) to %d; want %d", step, p.Offset, want)
		}
	}
	// Deliberate difference: a failed evbuffer_ptr_set leaves pos -1;
	// Advance leaves p unchanged, so it stays usable.
	if b.Advance(&p, 1000) || p.Offset != 12000 {
		t.Fatalf("Advance past the end: %d; want false and p unchanged", p.Offset)
	}
	if got := b.CopyOutFrom(mustPos(t, &b, 4999), make([]byte, 2)); got != 2 {
		t.Fatalf("CopyOutFrom across chunks copied %d", got)
	}
	b.Reset()
}

func mustPos(t *testing.T, b *buffer.Buffer, off int) buffer.Pos {
	t.Helper()
	p, ok := b.PosAt(off)
	if !ok {
		t.Fatalf("PosAt(%d) failed", off)
	}
	return p
}

// libevent: test_evbuffer_search
func TestPeerSearch(t *testing.T) {
	var b buffer.Buffer
	x := []byte("x")
	zero := mustPos(t, &b, 0)
	if p := b.Search(x, nil); p.Offset != -1 {
		t.Fatalf("Search in empty = %d", p.Offset)
	}
	if p := b.Search(x, &zero); p.Offset != -1 {
		t.Fatalf("Search from 0 in empty = %d", p.Offset)
	}
	if p := b.SearchRange(x, &zero, &zero); p.Offset != -1 {
		t.Fatalf("SearchRange(0,0) in empty = %d", p.Offset)
	}
	if p := b.SearchRange(x, &zero, nil); p.Offset != -1 {
		t.Fatalf("SearchRange(0,nil) in empty = %d", p.Offset)
	}

	b2 := chained("hello", "foo", "cat", "attack")
	tests := []struct {
		what       string
		start, end int // -1: nil
		want       int
	}{
		{"attack", -1, -1, 11},
		{"attacker", -1, -1, -1},
		{"oc", -1, -1, 7},
		{"cat", 7, -1, 8},
		{"tacking", 8, -1, -1},
		{"foo", 5, -1, 5},
		{"tat", 7, -1, 10},
		{"foo", -1, 12, 5},
		{"foocata", -1, 12, 5},
		{"foocatat", -1, 12, -1},
		{"ack", -1, 12, -1},
		{"attack", -1, 17, 11},
		{"attack", 11, 17, 11},
		{"attack", 17, 17, -1},
		{"attack", 17, -1, -1},
	}
	for _, tt := range tests {
		var start, end *buffer.Pos
		if tt.start >= 0 {
			p := mustPos(t, b2, tt.start)
			start = &p
		}
		if tt.end >= 0 {
			p := mustPos(t, b2, tt.end)
			end = &p
		}
		if got := b2.SearchRange([]byte(tt.what), start, end); got.Offset != tt.want {
			t.Errorf("SearchRange(%q, %d, %d) = %d; want %d", tt.what, tt.start, tt.end, got.Offset, tt.want)
		}
		if end == nil {
			if got := b2.Search([]byte(tt.what), start); got.Offset != tt.want {
				t.Errorf("Search(%q, %d) = %d; want %d", tt.what, tt.start, got.Offset, tt.want)
			}
		}
	}
	// A continued search from the previous result's Pos (libevent passes
	// the returned evbuffer_ptr back in).
	p := b2.Search([]byte("oc"), nil)
	p = b2.Search([]byte("cat"), &p)
	if p.Offset != 8 {
		t.Fatalf("continued Search = %d; want 8", p.Offset)
	}
	b2.Reset()
}

// libevent: test_evbuffer_callbacks. Two callbacks log every length
// change as "old->new; ".
//
// Deliberate difference: libevent can disable a callback
// (evbuffer_cb_clear_flags) so that changes made meanwhile are never
// reported. Callback.Suspend instead adds them up and Resume reports the
// sum in one call (libevent's evbuffer_cb_suspend, which its test leaves
// disabled). The obsolete evbuffer_setcb has no equivalent.
func TestPeerCallbacks(t *testing.T) {
	var b buffer.Buffer
	var out1, out2 strings.Builder
	logTo := func(w *strings.Builder) buffer.ChangeFunc {
		return func(_ *buffer.Buffer, c buffer.Change) {
			fmt.Fprintf(w, "%d->%d; ", c.OrigLen, c.OrigLen+c.Added-c.Deleted)
		}
	}
	cb1 := b.AddCallback(logTo(&out1))
	cb2 := b.AddCallback(logTo(&out2))
	b.Printf("The %d magic words are spotty pudding", 2) // 0->36
	cb2.Suspend()
	b.Drain(10)                            // 36->26
	b.Prepend([]byte("Hello"))             // 26->31
	cb2.Resume()                           // cb2: 36->31 in one call
	b.AddReference([]byte("Goodbye"), nil) // 31->38
	cb1.Remove()
	b.Drain(b.Len())   // 38->0
	b.WriteString("X") // 0->1
	cb2.Remove()
	b.WriteString("Y") // nobody
	if got, want := out1.String(), "0->36; 36->26; 26->31; 31->38; "; got != want {
		t.Errorf("cb1 logged %q; want %q", got, want)
	}
	if got, want := out2.String(), "0->36; 36->31; 31->38; 38->0; 0->1; "; got != want {
		t.Errorf("cb2 logged %q; want %q", got, want)
	}

	// A callback that drains what was added leaves the buffer empty.
	b.Reset()
	b.AddCallback(func(b *buffer.Buffer, c buffer.Change) {
		if c.Added > c.Deleted {
			b.Drain(b.Len())
		}
	})
	b.Printf("This should get drained right away.")
	if b.Len() != 0 {
		t.Fatalf("self-draining callback left %d bytes", b.Len())
	}
}

// libevent: test_evbuffer_prepend (cases 0 to 5)
func TestPeerPrepend(t *testing.T) {
	var b1, b2 buffer.Buffer
	b1.Prepend([]byte("This string has 29 characters")) // empty buffer
	b1.Prepend([]byte("Short."))                        // new chunk
	b1.Drain(6 + 11)
	b1.Prepend([]byte("it")) // into the head chunk's free space
	if got := string(b1.Peek(6, nil)[0]); got != "it has" {
		t.Fatalf("head chunk begins %q; want \"it has\" in one slice", got)
	}
	b1.Prepend([]byte("It is no longer true to say ")) // split
	tmp := make([]byte, 127)
	n, _ := b1.Read(tmp)
	if got := string(tmp[:n]); got != "It is no longer true to say it has 29 characters" {
		t.Fatalf("got %q", got)
	}
	b1.Printf("Here is string %d. ", 999)
	b2.PrependBuffer(&b1) // into an empty buffer
	b1.Printf("Here is string %d. ", 1000)
	b2.PrependBuffer(&b1) // into a nonempty one
	n, _ = b2.Read(tmp)
	if got := string(tmp[:n]); got != "Here is string 1000. Here is string 999. " || b1.Len() != 0 {
		t.Fatalf("got %q (src %d bytes)", got, b1.Len())
	}

	// empty_reference_prepend(_buffer): an empty reference at the front
	// does not break prepending.
	var b3 buffer.Buffer
	b3.AddReference(nil, nil)
	b3.Prepend([]byte("foo"))
	var b4 buffer.Buffer
	b4.WriteString("bar")
	b4.PrependBuffer(&b3)
	if got := contents(&b4); got != "foobar" {
		t.Fatalf("got %q; want foobar", got)
	}
	b4.Reset()
}

// libevent: test_evbuffer_peek, test_evbuffer_peek_first_gt.
//
// Deliberate differences: evbuffer_peek returns whole chunks, "more than
// we asked for", and can start at an evbuffer_ptr; Peek returns exactly n
// bytes from the front (the last slice cut short), and a view from a Pos
// is CopyOutFrom's job. Peek has no vector limit: it appends to vecs.
func TestPeerPeek(t *testing.T) {
	var b, tmp buffer.Buffer
	for i := range 16 {
		tmp.Printf("Contents of chunk [%d]\n", i)
		b.AppendBuffer(&tmp)
	}
	chunk := func(i int) string { return fmt.Sprintf("Contents of chunk [%d]\n", i) }
	all := b.Peek(-1, nil)
	if len(all) != 16 || string(all[0]) != chunk(0) || string(all[3]) != chunk(3) || string(all[15]) != chunk(15) {
		t.Fatalf("Peek(-1) = %d slices; want the 16 chunks", len(all))
	}
	if v := b.Peek(40, nil); len(v) != 2 || string(v[0]) != chunk(0) || string(v[1]) != chunk(1)[:40-22] {
		t.Fatalf("Peek(40) = %q; want chunk 0 and 18 bytes of chunk 1", v)
	}
	if v := b.Peek(100, nil); len(v) != 5 {
		t.Fatalf("Peek(100) = %d slices; want 5", len(v))
	}
	if v := b.Peek(65536, nil); len(v) != 16 {
		t.Fatalf("Peek(65536) = %d slices; want 16", len(v))
	}
	if v := tmp.Peek(-1, nil); len(v) != 0 {
		t.Fatalf("Peek on empty = %d slices", len(v))
	}
	if v := tmp.Peek(50, nil); len(v) != 0 {
		t.Fatalf("Peek(50) on empty = %d slices", len(v))
	}
	// From offset 30, 50 bytes: copy them out instead.
	got := make([]byte, 50)
	if n := b.CopyOutFrom(mustPos(t, &b, 30), got); n != 50 || string(got[:14]) != " of chunk [1]\n" {
		t.Fatalf("CopyOutFrom(30) = %d %q", n, got[:14])
	}
	if n := b.CopyOutFrom(mustPos(t, &b, b.Len()), got); n != 0 {
		t.Fatalf("CopyOutFrom(Len) = %d; want 0", n)
	}
	b.Reset()
}

// libevent: test_evbuffer_freeze (freeze_start, freeze_end). Every
// operation on the frozen end is refused and changes nothing; operations
// on the other end work.
func TestPeerFreeze(t *testing.T) {
	const poem = "I've known the wind by water banks to shake\n" +
		"The late leaves down, which frozen where they fell\n" +
		"And held in ice as dancers in a spell\n" +
		"Fluttered all winter long into a lake..."
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	if err := os.WriteFile(name, []byte("file_freeze_test_file"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fds := nonblockingSocketpair(t)

	for _, front := range []bool{true, false} {
		var b buffer.Buffer
		b.WriteString(poem)
		b.Freeze(front)
		// okBack: the back end's operations succeed only when the front
		// is frozen; okFront the reverse.
		okBack, okFront := front, !front
		check := func(name string, ok bool, wantOK bool) {
			t.Helper()
			if ok != wantOK {
				t.Errorf("front frozen=%v: %s succeeded=%v; want %v", front, name, ok, wantOK)
			}
		}
		length := b.Len()
		_, err := b.Write(nil)
		check("Write(empty)", err == nil, okBack)
		check("Reserve", b.Reserve(10) != nil, okBack)
		if okBack {
			v := b.Reserve(10)
			copy(v[0], "XXXXXXXXXX")
			b.Commit(10)
		}
		check("AddReference", b.AddReference([]byte("I've "), nil) == nil, okBack)
		_, err = b.Printf("Hello %s", "world")
		check("Printf", err == nil, okBack)
		var tmp buffer.Buffer
		tmp.WriteString("xyz")
		check("AppendBuffer", b.AppendBuffer(&tmp) == nil, okBack)
		check("AddFile", b.AddFile(f, 0, 21) == nil, okBack)
		if _, err := unix.Write(fds[0], []byte("xyz")); err != nil {
			t.Fatal(err)
		}
		_, err = b.ReadFd(fds[1], 0)
		check("ReadFd", err == nil, okBack)
		if !okBack {
			if b.Len() != length {
				t.Errorf("frozen back: Len %d; want %d", b.Len(), length)
			}
			var sink [8]byte
			unix.Read(fds[1], sink[:]) // what ReadFd refused
		}
		for _, e := range []error{err} {
			if !okBack && !errors.Is(e, buffer.ErrFrozen) {
				t.Errorf("ReadFd on a frozen back: %v; want ErrFrozen", e)
			}
		}

		length = b.Len()
		_, err = b.Read(make([]byte, 1))
		check("Read", err == nil, okFront)
		check("Drain", b.Drain(3) == nil, okFront)
		check("Prepend", b.Prepend([]byte("dummy")) == nil, okFront)
		_, ok := b.ReadLine(buffer.EOLLF)
		check("ReadLine", ok, okFront)
		var dst buffer.Buffer
		check("RemoveBuffer", b.RemoveBuffer(&dst, 3) == 3, okFront)
		tmp.WriteString("xyz")
		check("PrependBuffer", b.PrependBuffer(&tmp) == nil, okFront)
		_, err = b.WriteFd(fds[0], 0)
		check("WriteFd", err == nil, okFront)
		if front && b.Len() != length {
			t.Errorf("frozen front: Len %d; want %d", b.Len(), length)
		}
		// Drain what WriteFd sent.
		var sink [4096]byte
		for {
			if _, err := unix.Read(fds[1], sink[:]); err != nil {
				break
			}
		}
		b.Reset()
		tmp.Reset()
		dst.Reset()
	}
}

// libevent: test_evbuffer_copyout
func TestPeerCopyOut(t *testing.T) {
	const s = "Still they skirmish to and fro, men my messmates on the snow " +
		"When we headed off the aurochs turn for turn; " +
		"When the rich Allobrogenses never kept amanuenses, " +
		"And our only plots were piled in lakes at Berne."
	if len(s) != 206 {
		t.Fatalf("len %d", len(s))
	}
	var b buffer.Buffer
	b.AddReference([]byte(s[:80]), nil)
	b.AddReference([]byte(s[80:160]), nil)
	b.WriteString(s[160:])
	tmp := make([]byte, 1024)
	for _, n := range []int{10, 100, 230} {
		want := min(n, 206)
		if got := b.CopyOut(tmp[:n]); got != want || string(tmp[:got]) != s[:want] {
			t.Errorf("CopyOut(%d) = %d %q", n, got, tmp[:got])
		}
	}
	p := mustPos(t, &b, 15)
	for _, n := range []int{10, 65, 90, 160, 999} {
		want := min(n, 206-15)
		if got := b.CopyOutFrom(p, tmp[:n]); got != want || string(tmp[:got]) != s[15:15+want] {
			t.Errorf("CopyOutFrom(15, %d) = %d %q", n, got, tmp[:got])
		}
	}
	if b.Len() != 206 {
		t.Fatalf("CopyOut removed bytes: Len %d", b.Len())
	}
	b.Reset()
}

// libevent: test_evbuffer_pullup_with_empty
func TestPeerPullupWithEmpty(t *testing.T) {
	var b buffer.Buffer
	b.WriteString("foo")
	b.AddReference(nil, nil)
	if got := string(b.Pullup(-1)); b.Len() != 3 || got != "foo" {
		t.Fatalf("Pullup = %q, Len %d; want foo, 3", got, b.Len())
	}
	b.Reset()
	b.AddReference(nil, nil)
	if p := b.Pullup(-1); b.Len() != 0 || len(p) != 0 {
		t.Fatalf("Pullup of an empty buffer = %q", p)
	}
	if p := b.Pullup(1); p != nil {
		t.Fatalf("Pullup(1) of an empty buffer = %q; want nil", p)
	}
}

// libevent: test_evbuffer_add_file (add_file, add_file_nosegment,
// add_big_file, and the offset variants). A file segment written to a
// socket with WriteFd (sendfile where there is one) arrives whole; the
// Buffer reading it back with ReadFd holds the same bytes.
//
// Deliberate difference: evbuffer_add_file takes a length of -1 for "to
// the end of the file" and closes the descriptor when done; AddFile wants
// the length and never closes the file.
func TestPeerAddFile(t *testing.T) {
	big := make([]byte, 512<<10)
	x := uint32(1)
	for i := range big {
		x = x*1664525 + 1013904223
		big[i] = byte(x >> 24)
	}
	small := []byte("here is a relatively small string.")
	tests := []struct {
		name        string
		data        []byte
		off, length int
	}{
		{"small", small, 0, len(small)},
		{"small offset", small, len(small)/4 + 1, len(small)/2 - 1},
		{"big", big, 0, len(big)},
		{"big offset", big, len(big)/4 + 1, len(big)/2 - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(name, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			fds := nonblockingSocketpair(t)

			var src, dst buffer.Buffer
			if err := src.AddFile(f, int64(tt.off), int64(tt.length)); err != nil {
				t.Fatal(err)
			}
			written := 0
			for src.Len() > 0 || dst.Len() < tt.length {
				if src.Len() > 0 {
					n, err := src.WriteFd(fds[0], 0)
					if err != nil && !errors.Is(err, syscall.EAGAIN) {
						t.Fatalf("WriteFd: %v", err)
					}
					written += n
				}
				if _, err := dst.ReadFd(fds[1], 0); err != nil && !errors.Is(err, syscall.EAGAIN) {
					t.Fatalf("ReadFd: %v", err)
				}
			}
			if written != tt.length || dst.Len() != tt.length {
				t.Fatalf("wrote %d, read %d; want %d", written, dst.Len(), tt.length)
			}
			if !bytes.Equal(dst.Pullup(-1), tt.data[tt.off:tt.off+tt.length]) {
				t.Fatal("data from the file differs")
			}
			dst.Reset()
		})
	}
}

// nonblockingSocketpair returns a non-blocking Unix socketpair, closed when
// the test ends.
func nonblockingSocketpair(t *testing.T) [2]int {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	for _, fd := range fds {
		if err := unix.SetNonblock(fd, true); err != nil {
			t.Fatal(err)
		}
	}
	return fds
}
