package buffer_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/eventide-go/eventide/buffer"
)

func TestAddReferenceReleasedOnce(t *testing.T) {
	tests := []struct {
		name    string
		consume func(b *buffer.Buffer)
	}{
		{"Read", func(b *buffer.Buffer) { io.ReadAll(b) }},
		{"Drain in steps", func(b *buffer.Buffer) {
			for b.Len() > 0 {
				b.Drain(3)
			}
		}},
		{"ReadLine", func(b *buffer.Buffer) {
			for {
				if _, ok := b.ReadLine(buffer.EOLLF); !ok {
					break
				}
			}
			b.Drain(b.Len())
		}},
		{"Pullup then Drain", func(b *buffer.Buffer) { b.Pullup(-1); b.Drain(b.Len()) }},
		{"WriteTo", func(b *buffer.Buffer) { b.WriteTo(io.Discard) }},
		{"RemoveBuffer partial", func(b *buffer.Buffer) {
			var dst buffer.Buffer
			b.RemoveBuffer(&dst, 5)
			b.RemoveBuffer(&dst, b.Len())
			dst.Reset()
		}},
		{"AppendBuffer then Reset", func(b *buffer.Buffer) {
			var dst buffer.Buffer
			dst.AppendBuffer(b)
			dst.Reset()
		}},
		{"Reset", func(b *buffer.Buffer) { b.Reset() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b buffer.Buffer
			data := []byte("ref one\nref two\n")
			calls := 0
			var got []byte
			b.WriteString("pre ")
			b.AddReference(data, func(p []byte) { calls++; got = p })
			b.WriteString(" post\n")
			if calls != 0 {
				t.Fatalf("released before use")
			}
			tt.consume(&b)
			if calls != 1 {
				t.Fatalf("release called %d times; want 1", calls)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("release got %q; want the original slice", got)
			}
			b.Reset()
			if calls != 1 {
				t.Fatalf("release called again by Reset")
			}
		})
	}
	var b buffer.Buffer
	calls := 0
	b.AddReference(nil, func([]byte) { calls++ })
	if calls != 1 || b.Len() != 0 {
		t.Fatalf("empty reference: calls %d, Len %d; want 1, 0", calls, b.Len())
	}
}

func TestAddReferenceSpare(t *testing.T) {
	// A Buffer lent memory over and over (stream's read path) keeps the
	// struct of a reference it consumed for the next AddReference; a
	// reference that reached it from another Buffer does not give it one.
	tests := []struct {
		name      string
		consume   func(t *testing.T, b *buffer.Buffer)
		wantSpare bool
	}{
		{"Drain", func(t *testing.T, b *buffer.Buffer) { b.Drain(b.Len()) }, true},
		{"Read", func(t *testing.T, b *buffer.Buffer) { io.ReadAll(b) }, true},
		{"moved out", func(t *testing.T, b *buffer.Buffer) {
			var dst buffer.Buffer
			dst.AppendBuffer(b)
			dst.Drain(dst.Len())
			if buffer.HasSpare(&dst) {
				t.Errorf("a Buffer that consumed a moved-in reference keeps a spare")
			}
		}, false},
		{"Reset", func(t *testing.T, b *buffer.Buffer) { b.Reset() }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b buffer.Buffer
			released := 0
			for i := range 3 {
				data := []byte{'a' + byte(i), 'b' + byte(i)}
				b.AddReference(data, func([]byte) { released++ })
				if got, want := contents(&b), string(data); got != want {
					t.Fatalf("round %d: contents %q; want %q", i, got, want)
				}
				tt.consume(t, &b)
				if got, want := released, i+1; got != want {
					t.Fatalf("round %d: %d releases; want %d", i, got, want)
				}
				if got := buffer.HasSpare(&b); got != tt.wantSpare {
					t.Fatalf("round %d: spare %v; want %v", i, got, tt.wantSpare)
				}
			}
		})
	}
}

func TestAddReferenceFromRelease(t *testing.T) {
	// The release function may lend b the next piece at once: the spare
	// is ready by then, and the new reference is not lost or released
	// early.
	var b buffer.Buffer
	pieces := [][]byte{[]byte("one "), []byte("two "), []byte("three")}
	var got []string
	next := 0
	var release func([]byte)
	release = func(p []byte) {
		got = append(got, string(p))
		if next < len(pieces) {
			b.AddReference(pieces[next], release)
			next++
		}
	}
	b.AddReference(pieces[0], release)
	next = 1
	var out []byte
	p := make([]byte, 2)
	for b.Len() > 0 {
		n, _ := b.Read(p)
		out = append(out, p[:n]...)
	}
	if want := "one two three"; string(out) != want {
		t.Errorf("read %q; want %q", out, want)
	}
	if want := []string{"one ", "two ", "three"}; !slices.Equal(got, want) {
		t.Errorf("released %q; want %q", got, want)
	}
}

// TestAddReferenceFromReleaseMidOperation: a release function that lends
// the same Buffer its next piece runs in the middle of the operation that
// consumed the reference; the operation must count the new piece in, not
// overwrite Len with what it computed before.
func TestAddReferenceFromReleaseMidOperation(t *testing.T) {
	tests := []struct {
		name     string
		refFirst bool                          // the reference precedes the memory bytes
		consume  func(b *buffer.Buffer) string // returns the bytes it removed
	}{
		{"Read", false, func(b *buffer.Buffer) string {
			p := make([]byte, 8)
			n, _ := b.Read(p)
			return string(p[:n])
		}},
		{"Drain", false, func(b *buffer.Buffer) string { b.Drain(8); return "mem:ref:" }},
		{"ReadLine", false, func(b *buffer.Buffer) string {
			line, _ := b.ReadLineString(buffer.EOLLF)
			return line + "\n"
		}},
		{"Pullup in place", false, func(b *buffer.Buffer) string { b.Pullup(13); return "" }},
		{"Pullup into a new chunk", true, func(b *buffer.Buffer) string { b.Pullup(13); return "" }},
		{"Pullup all", true, func(b *buffer.Buffer) string { b.Pullup(-1); return "" }},
		{"WriteTo", false, func(b *buffer.Buffer) string {
			var out bytes.Buffer
			b.WriteTo(&out)
			return out.String()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b buffer.Buffer
			lent := 0
			release := func([]byte) {
				if lent++; lent == 1 {
					b.AddReference([]byte("lent"), nil)
				}
			}
			want := "mem:ref:\ntail"
			if tt.refFirst {
				b.AddReference([]byte("ref:"), release)
				b.WriteString("mem:")
				want = "ref:mem:\ntail"
			} else {
				b.WriteString("mem:")
				b.AddReference([]byte("ref:"), release)
			}
			b.WriteString("\ntail")
			removed := tt.consume(&b)
			if lent != 1 {
				t.Fatalf("release called %d times; want 1", lent)
			}
			n := b.Len()
			rest, _ := io.ReadAll(&b)
			if len(rest) != n {
				t.Errorf("Len() = %d; the buffer holds %d bytes (%q)", n, len(rest), rest)
			}
			if got := removed + string(rest); got != want+"lent" {
				t.Errorf("removed %q, then %q remained; want %q in all", removed, rest, want+"lent")
			}
		})
	}
}

// tempFile returns an open file holding data.
func tempFile(t testing.TB, data []byte) *os.File {
	t.Helper()
	name := filepath.Join(t.TempDir(), "segment")
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func pattern(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte('a' + (i*7+i/251)%26)
	}
	return p
}

func TestAddFileInMemory(t *testing.T) {
	data := pattern(200000)
	data[150000] = '\n'
	f := tempFile(t, data)
	const off, length = 1000, 180000
	seg := data[off : off+length]

	newBuf := func() *buffer.Buffer {
		b := chained("<")
		if err := b.AddFile(f, off, length); err != nil {
			t.Fatal(err)
		}
		b.WriteString(">")
		return b
	}
	want := append(append([]byte("<"), seg...), '>')

	b := newBuf()
	if b.Len() != len(want) {
		t.Fatalf("Len() = %d; want %d", b.Len(), len(want))
	}
	got := make([]byte, b.Len())
	if n := b.CopyOut(got); n != len(want) || !bytes.Equal(got, want) {
		t.Fatalf("CopyOut of file segment differs (n=%d)", n)
	}
	needle := seg[100000:100016]
	if p, w := b.Search(needle, nil), bytes.Index(want, needle); p.Offset != w {
		t.Fatalf("Search in file segment = %d; want %d", p.Offset, w)
	}
	line, ok := b.ReadLine(buffer.EOLLF)
	if !ok || !bytes.Equal(line, want[:150000-off+1]) {
		t.Fatalf("ReadLine through file segment: ok %v len %d", ok, len(line))
	}

	b = newBuf()
	if all, _ := io.ReadAll(b); !bytes.Equal(all, want) {
		t.Fatalf("Read of file segment differs")
	}
	b = newBuf()
	if p := b.Pullup(-1); !bytes.Equal(p, want) {
		t.Fatalf("Pullup of file segment differs")
	}
	b = newBuf()
	b.Drain(100) // draining does not need the bytes
	var out bytes.Buffer
	if _, err := b.WriteTo(&out); err != nil || !bytes.Equal(out.Bytes(), want[100:]) {
		t.Fatalf("WriteTo(bytes.Buffer) after Drain: err %v, equal %v", err, bytes.Equal(out.Bytes(), want[100:]))
	}
	b = newBuf()
	var dst buffer.Buffer
	b.RemoveBuffer(&dst, 50000)
	b.RemoveBuffer(&dst, b.Len())
	if got := dst.Pullup(-1); !bytes.Equal(got, want) {
		t.Fatalf("RemoveBuffer of file segment differs")
	}
}

func TestAddFileErrors(t *testing.T) {
	f := tempFile(t, []byte("short"))
	var b buffer.Buffer
	if err := b.AddFile(f, 0, 100); err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 10)
	if n := b.CopyOut(p); n != 0 || b.Err() == nil {
		t.Fatalf("CopyOut past end of file: n %d, Err %v; want 0 and an error", n, b.Err())
	}
	if _, err := b.Read(p); err == nil {
		t.Fatalf("Read past end of file: nil error")
	}
	b.Reset()
	if b.Err() != nil {
		t.Fatalf("Err after Reset = %v", b.Err())
	}
	mustPanic(t, "AddFile(nil)", func() { b.AddFile(nil, 0, 1) })
	mustPanic(t, "AddFile(-1)", func() { b.AddFile(f, -1, 1) })
	b.AddFile(f, 0, 1<<62)
	if err := b.AddFile(f, 0, 1<<62); !errors.Is(err, bytes.ErrTooLarge) {
		t.Fatalf("AddFile overflowing Len: err = %v; want bytes.ErrTooLarge", err)
	}
}

func TestWriteToFile(t *testing.T) {
	data := pattern(100000)
	f := tempFile(t, data)
	out, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	b := buffer.New()
	b.WriteString("[")
	b.AddFile(f, 10, 50000)
	b.WriteString("]")
	if n, err := b.WriteTo(out); err != nil || n != 50002 {
		t.Fatalf("WriteTo(file) = %d, %v; want 50002, nil", n, err)
	}
	got, err := os.ReadFile(out.Name())
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte("["), data[10:50010]...), ']')
	if !bytes.Equal(got, want) {
		t.Fatalf("file written by WriteTo differs")
	}
}

func TestEOLStyleString(t *testing.T) {
	for style, want := range map[buffer.EOLStyle]string{
		buffer.EOLAny: "EOLAny", buffer.EOLCRLF: "EOLCRLF", buffer.EOLCRLFStrict: "EOLCRLFStrict",
		buffer.EOLLF: "EOLLF", buffer.EOLNUL: "EOLNUL", 42: "EOLStyle(?)",
	} {
		if got := style.String(); got != want {
			t.Errorf("String() = %q; want %q", got, want)
		}
	}
}

// TestReferencesModel moves references between two Buffers at random and
// checks, after every operation, both Buffers against a model and every
// reference's release count. A release fills the memory with '#', so a
// Buffer that still shows released memory (a release too early, or a
// reference struct reused while still linked) shows '#', which the test
// bytes never contain. Some releases lend a Buffer the next piece at
// once, from inside the operation that consumed the reference.
func TestReferencesModel(t *testing.T) {
	for seed := range uint32(40) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { referencesModel(t, seed) })
	}
}

func referencesModel(t *testing.T, seed uint32) {
	var (
		bs       [2]buffer.Buffer
		ms       [2][]byte
		g        = gen{n: seed}
		rnd      = gen{n: seed*7919 + 1}
		released []int    // per reference: release calls
		lentNow  [][2]int // (buffer, reference) lent by a release during the operation
		refData  = map[int][]byte{}
	)
	roll := func(n int) int {
		rnd.n = rnd.n*1103515245 + 12345
		return int(rnd.n>>16) % n
	}
	// addRef lends bs[i] k new bytes; model says whether to add them to
	// the model now (a release adds them after the operation instead).
	var addRef func(i, k int, lend, model bool)
	addRef = func(i, k int, lend, model bool) {
		id := len(released)
		released = append(released, 0)
		p := g.bytes(k)
		refData[id] = bytes.Clone(p) // p is poisoned when released
		to := roll(2)
		bs[i].AddReference(p, func(q []byte) {
			released[id]++
			for j := range q {
				q[j] = '#'
			}
			if lend && len(p) > 0 {
				lentNow = append(lentNow, [2]int{to, len(released)})
				addRef(to, 1+roll(600), false, false)
			}
		})
		if model {
			ms[i] = append(ms[i], p...)
		}
	}
	// flushLent adds to the model the pieces releases lent, at the ends
	// of their Buffers, where AddReference put them.
	flushLent := func() {
		for _, l := range lentNow {
			ms[l[0]] = append(ms[l[0]], refData[l[1]]...)
		}
		lentNow = lentNow[:0]
	}
	sizes := []int{1, 2, 5, 100, 511, 513, 4096, 5000}
	for step := range 300 {
		i := roll(2)
		j := 1 - i
		k := sizes[roll(len(sizes))]
		var desc string
		switch op := roll(12); op {
		case 0, 1:
			addRef(i, k, roll(3) == 0, true)
			desc = "AddReference"
		case 2:
			p := g.bytes(k)
			bs[i].Write(p)
			ms[i] = append(ms[i], p...)
			desc = "Write"
		case 3:
			p := make([]byte, k)
			n, _ := bs[i].Read(p)
			if want := min(k, len(ms[i])); n != want || !bytes.Equal(p[:n], ms[i][:n]) {
				t.Fatalf("step %d: Read(%d) = %d bytes; want %d bytes, the model's", step, k, n, want)
			}
			ms[i] = ms[i][n:]
			desc = "Read"
		case 4:
			bs[i].Drain(k)
			ms[i] = ms[i][min(k, len(ms[i])):]
			desc = "Drain"
		case 5:
			if got := bs[i].Pullup(k); k <= len(ms[i]) && !bytes.Equal(got, ms[i][:k]) {
				t.Fatalf("step %d: Pullup(%d) differs from the model", step, k)
			}
			desc = "Pullup"
		case 6:
			bs[i].AppendBuffer(&bs[j])
			ms[i], ms[j] = append(ms[i], ms[j]...), nil
			desc = "AppendBuffer"
		case 7:
			bs[i].PrependBuffer(&bs[j])
			ms[i], ms[j] = append(append([]byte{}, ms[j]...), ms[i]...), nil
			desc = "PrependBuffer"
		case 8:
			n := bs[i].RemoveBuffer(&bs[j], k)
			ms[j] = append(ms[j], ms[i][:n]...)
			ms[i] = ms[i][n:]
			desc = "RemoveBuffer"
		case 9:
			bs[i].Reset()
			ms[i] = nil
			desc = "Reset"
		case 10:
			var out bytes.Buffer
			n, _ := bs[i].WriteTo(&limitedWriter{&out, k})
			flushLent() // WriteTo goes on with what a release lent meanwhile
			if int(n) != out.Len() || !bytes.Equal(out.Bytes(), ms[i][:n]) {
				t.Fatalf("step %d: WriteTo wrote %d bytes that differ from the model's", step, n)
			}
			ms[i] = ms[i][n:]
			desc = "WriteTo"
		case 11:
			p := g.bytes(1 + k%64)
			bs[i].Prepend(p)
			ms[i] = append(append([]byte{}, p...), ms[i]...)
			desc = "Prepend"
		}
		flushLent()
		for x := range bs {
			if bs[x].Len() != len(ms[x]) {
				t.Fatalf("step %d, after %s: buffer %d Len() = %d; want %d", step, desc, x, bs[x].Len(), len(ms[x]))
			}
			if got := contents(&bs[x]); got != string(ms[x]) {
				t.Fatalf("step %d, after %s: buffer %d differs from the model (released memory shows as '#')", step, desc, x)
			}
		}
		for id, n := range released {
			if n > 1 {
				t.Fatalf("step %d, after %s: reference %d released %d times", step, desc, id, n)
			}
		}
	}
	for len(ms[0])+len(ms[1]) > 0 {
		for x := range bs {
			bs[x].Reset()
			ms[x] = nil
		}
		flushLent()
	}
	for id, n := range released {
		if n != 1 {
			t.Errorf("reference %d released %d times; want 1", id, n)
		}
	}
}

// limitedWriter takes at most n bytes, then fails with io.ErrShortWrite.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if len(p) > l.n {
		k, _ := l.w.Write(p[:l.n])
		l.n = 0
		return k, io.ErrShortWrite
	}
	l.n -= len(p)
	return l.w.Write(p)
}

// TestFileSegmentFromPos starts reads and searches at positions deep in a
// file segment that has not been read yet, beyond the first 64 KiB that
// one read brings in, and at its end.
func TestFileSegmentFromPos(t *testing.T) {
	const size = 200000
	data := pattern(size)
	data[150000] = '\n'
	data[160000], data[160001] = '\r', '\n'
	needle := []byte("NEEDLE, not in the pattern")
	copy(data[170000:], needle)
	f := tempFile(t, data)
	tests := []struct {
		name string
		at   int // offset of the start Pos
		op   func(b *buffer.Buffer, p buffer.Pos) int
		want int
	}{
		{"CopyOutFrom", 100000, func(b *buffer.Buffer, p buffer.Pos) int {
			out := make([]byte, 10)
			if n := b.CopyOutFrom(p, out); n != len(out) || !bytes.Equal(out, data[100000:100010]) {
				return -2
			}
			return 0
		}, 0},
		{"CopyOutFrom at the end", size, func(b *buffer.Buffer, p buffer.Pos) int {
			return b.CopyOutFrom(p, make([]byte, 10))
		}, 0},
		{"Search", 100000, func(b *buffer.Buffer, p buffer.Pos) int { return b.Search(needle, &p).Offset }, 170000},
		{"SearchRange", 100000, func(b *buffer.Buffer, p buffer.Pos) int {
			end, _ := b.PosAt(170000 + len(needle) - 1)
			return b.SearchRange(needle, &p, &end).Offset
		}, -1},
		{"Search empty at the end", size, func(b *buffer.Buffer, p buffer.Pos) int { return b.Search(nil, &p).Offset }, size},
		{"SearchEOL LF", 100000, func(b *buffer.Buffer, p buffer.Pos) int {
			q, _ := b.SearchEOL(&p, buffer.EOLLF)
			return q.Offset
		}, 150000},
		{"SearchEOL CRLF strict", 100000, func(b *buffer.Buffer, p buffer.Pos) int {
			q, _ := b.SearchEOL(&p, buffer.EOLCRLFStrict)
			return q.Offset
		}, 160000},
		{"SearchEOL any", 155000, func(b *buffer.Buffer, p buffer.Pos) int {
			q, n := b.SearchEOL(&p, buffer.EOLAny)
			return q.Offset + n
		}, 160002},
		{"SearchEOL CRLF at the end", size, func(b *buffer.Buffer, p buffer.Pos) int {
			q, _ := b.SearchEOL(&p, buffer.EOLCRLF)
			return q.Offset
		}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b buffer.Buffer
			if err := b.AddFile(f, 0, size); err != nil {
				t.Fatal(err)
			}
			p, ok := b.PosAt(tt.at)
			if !ok {
				t.Fatalf("PosAt(%d) failed", tt.at)
			}
			if got := tt.op(&b, p); got != tt.want {
				t.Errorf("got %d; want %d", got, tt.want)
			}
			if got := contents(&b); got != string(data) {
				t.Errorf("contents differ from the file afterwards")
			}
			if err := b.Err(); err != nil {
				t.Errorf("Err() = %v", err)
			}
		})
	}
}

// TestReleaseSeesConsumedBuffer: a release function may look at the
// Buffer that consumed its reference; it runs once the operation has
// finished with the chain, so Len and the contents agree with each other
// and with what the operation leaves.
func TestReleaseSeesConsumedBuffer(t *testing.T) {
	tests := []struct {
		name    string
		consume func(b *buffer.Buffer)
		want    string // contents of b seen by the release and afterwards
	}{
		{"Drain", func(b *buffer.Buffer) { b.Drain(3) }, "def\n"},
		{"Read", func(b *buffer.Buffer) { b.Read(make([]byte, 4)) }, "ef\n"},
		{"ReadLine", func(b *buffer.Buffer) { b.ReadLine(buffer.EOLLF) }, ""},
		{"Pullup", func(b *buffer.Buffer) { b.Pullup(3) }, "abcdef\n"},
		{"Pullup all", func(b *buffer.Buffer) { b.Pullup(-1) }, "abcdef\n"},
		{"Reset", func(b *buffer.Buffer) { b.Reset() }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b buffer.Buffer
			var seenLen int
			var seen string
			b.AddReference([]byte("ab"), func([]byte) {
				seenLen, seen = b.Len(), contents(&b)
			})
			b.WriteString("cdef\n")
			tt.consume(&b)
			if seenLen != len(tt.want) || seen != tt.want {
				t.Errorf("release saw Len %d, contents %q; want %d, %q", seenLen, seen, len(tt.want), tt.want)
			}
			if got := contents(&b); got != tt.want {
				t.Errorf("contents %q afterwards; want %q", got, tt.want)
			}
		})
	}
}

// TestReleaseOfLoneReference drains a Buffer whose only content is one
// reference of its own, over and over (a connection's read buffer): the
// release runs once per reference, after the Buffer is empty, and a
// release that lends the next reference at once sees it kept.
func TestReleaseOfLoneReference(t *testing.T) {
	var b buffer.Buffer
	released := 0
	release := func([]byte) {
		released++
		if b.Len() != 0 {
			t.Errorf("release %d saw %d bytes; want an empty Buffer", released, b.Len())
		}
		if released == 3 {
			if err := b.AddReference([]byte("next"), nil); err != nil {
				t.Error(err)
			}
		}
	}
	for i := range 3 {
		if err := b.AddReference([]byte("ab"), release); err != nil {
			t.Fatal(err)
		}
		if err := b.Drain(2); err != nil {
			t.Fatal(err)
		}
		if released != i+1 {
			t.Fatalf("after drain %d: %d releases; want %d", i+1, released, i+1)
		}
	}
	got := make([]byte, 8)
	n := b.CopyOut(got)
	if string(got[:n]) != "next" {
		t.Fatalf("after the last release: got %q; want %q", got[:n], "next")
	}
}
