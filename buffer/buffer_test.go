package buffer_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/buffer"
)

// chained returns a buffer holding the parts, each in its own chunk
// (AppendBuffer moves chunks without merging them).
func chained(parts ...string) *buffer.Buffer {
	b := new(buffer.Buffer)
	for _, p := range parts {
		var c buffer.Buffer
		c.WriteString(p)
		b.AppendBuffer(&c)
	}
	return b
}

func contents(b *buffer.Buffer) string {
	p := make([]byte, b.Len())
	b.CopyOut(p)
	return string(p)
}

func mustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatalf("%s did not panic", name)
		}
		if s, ok := r.(string); !ok || !strings.HasPrefix(s, "buffer: ") {
			t.Fatalf("%s panicked with %v; want a \"buffer: \" message", name, r)
		}
	}()
	f()
}

func TestWriteRead(t *testing.T) {
	big := strings.Repeat("0123456789", 20000) // 200 KB: several chunks
	tests := []struct {
		name  string
		write []string
		read  int
		want  string
	}{
		{name: "empty", read: 10, want: ""},
		{name: "one", write: []string{"hello"}, read: 10, want: "hello"},
		{name: "partial", write: []string{"hello"}, read: 3, want: "hel"},
		{name: "many", write: []string{"a", "b", "c"}, read: 3, want: "abc"},
		{name: "big", write: []string{big}, read: len(big), want: big},
		{name: "big partial", write: []string{big}, read: 70000, want: big[:70000]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b buffer.Buffer
			for _, w := range tt.write {
				if n, err := b.WriteString(w); n != len(w) || err != nil {
					t.Fatalf("WriteString = %d, %v", n, err)
				}
			}
			p := make([]byte, tt.read)
			n, err := b.Read(p)
			if got := string(p[:n]); got != tt.want {
				t.Fatalf("Read got %q (%d); want %q", got[:min(len(got), 20)], n, tt.want[:min(len(tt.want), 20)])
			}
			if tt.want == "" && err != io.EOF {
				t.Fatalf("Read of empty buffer: err = %v; want io.EOF", err)
			}
			total := 0
			for _, w := range tt.write {
				total += len(w)
			}
			if got, want := b.Len(), total-n; got != want {
				t.Fatalf("Len() = %d; want %d", got, want)
			}
		})
	}
}

func TestByteOps(t *testing.T) {
	var b buffer.Buffer
	for i := range 1000 {
		b.WriteByte(byte(i))
	}
	for i := range 1000 {
		c, err := b.ReadByte()
		if err != nil || c != byte(i) {
			t.Fatalf("ReadByte #%d = %d, %v; want %d", i, c, err, byte(i))
		}
	}
	if _, err := b.ReadByte(); err != io.EOF {
		t.Fatalf("ReadByte of empty buffer: err = %v; want io.EOF", err)
	}
}

func TestPrintf(t *testing.T) {
	var b buffer.Buffer
	long := strings.Repeat("x", 1000)
	b.Printf("%d %s|", 42, "abc")
	b.Printf("%s|", long)
	b.Printf("")
	if got, want := contents(&b), "42 abc|"+long+"|"; got != want {
		t.Fatalf("got %q; want %q", got, want)
	}
}

func TestPrepend(t *testing.T) {
	tests := []struct {
		name    string
		initial []string
		prepend []string
		want    string
	}{
		{"empty", nil, []string{"x"}, "x"},
		{"one", []string{"world"}, []string{"hello "}, "hello world"},
		{"repeated", []string{"c"}, []string{"b", "a"}, "abc"},
		{"big", []string{"tail"}, []string{strings.Repeat("p", 100000)}, strings.Repeat("p", 100000) + "tail"},
		{"after drain", []string{"xxxxworld"}, []string{"hello "}, "hello xxxxworld"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := chained(tt.initial...)
			for _, p := range tt.prepend {
				if err := b.Prepend([]byte(p)); err != nil {
					t.Fatal(err)
				}
			}
			if got := contents(b); got != tt.want {
				t.Fatalf("got %.30q; want %.30q", got, tt.want)
			}
			b.WriteString("!")
			if got := contents(b); got != tt.want+"!" {
				t.Fatalf("after Write: got %.30q", got)
			}
		})
	}
	// Prepend into the room a Drain left before the data.
	var b buffer.Buffer
	b.WriteString("0123456789")
	b.Drain(4)
	b.Prepend([]byte("ab"))
	if got := contents(&b); got != "ab456789" {
		t.Fatalf("got %q; want %q", got, "ab456789")
	}
}

func TestDrain(t *testing.T) {
	tests := []struct {
		parts []string
		n     int
		want  string
	}{
		{[]string{"abc", "def"}, 0, "abcdef"},
		{[]string{"abc", "def"}, 2, "cdef"},
		{[]string{"abc", "def"}, 3, "def"},
		{[]string{"abc", "def"}, 4, "ef"},
		{[]string{"abc", "def"}, 6, ""},
		{[]string{"abc", "def"}, 100, ""},
	}
	for _, tt := range tests {
		b := chained(tt.parts...)
		if err := b.Drain(tt.n); err != nil {
			t.Fatal(err)
		}
		if got := contents(b); got != tt.want {
			t.Errorf("Drain(%d) of %q: got %q; want %q", tt.n, tt.parts, got, tt.want)
		}
	}
	mustPanic(t, "Drain(-1)", func() { new(buffer.Buffer).Drain(-1) })
}

func TestCopyOutFrom(t *testing.T) {
	b := chained("abc", "def", "ghi")
	for off := 0; off <= 9; off++ {
		pos, ok := b.PosAt(off)
		if !ok {
			t.Fatalf("PosAt(%d) not ok", off)
		}
		p := make([]byte, 4)
		n := b.CopyOutFrom(pos, p)
		want := "abcdefghi"[off:min(off+4, 9)]
		if got := string(p[:n]); got != want {
			t.Errorf("CopyOutFrom(%d) = %q; want %q", off, got, want)
		}
	}
	if b.Len() != 9 {
		t.Fatalf("CopyOutFrom changed Len to %d", b.Len())
	}
	if _, ok := b.PosAt(10); ok {
		t.Fatalf("PosAt(10) of 9 bytes: ok")
	}
}

func TestAppendPrependBuffer(t *testing.T) {
	a, src := chained("ab", "cd"), chained("12", "34")
	a.AppendBuffer(src)
	if got, want := contents(a), "abcd1234"; got != want || src.Len() != 0 {
		t.Fatalf("AppendBuffer: got %q, src.Len %d; want %q, 0", got, src.Len(), want)
	}
	src = chained("xy")
	a.PrependBuffer(src)
	if got, want := contents(a), "xyabcd1234"; got != want || src.Len() != 0 {
		t.Fatalf("PrependBuffer: got %q; want %q", got, want)
	}
	mustPanic(t, "AppendBuffer(self)", func() { a.AppendBuffer(a) })
	mustPanic(t, "PrependBuffer(self)", func() { a.PrependBuffer(a) })
	// Appending after a moved chunk continues into its free space.
	a.WriteString("!")
	if got, want := contents(a), "xyabcd1234!"; got != want {
		t.Fatalf("got %q; want %q", got, want)
	}
}

func TestRemoveBuffer(t *testing.T) {
	tests := []struct {
		parts    []string
		n        int
		want     int
		src, dst string
	}{
		{[]string{"abc", "def"}, 0, 0, "abcdef", ""},
		{[]string{"abc", "def"}, 2, 2, "cdef", "ab"},
		{[]string{"abc", "def"}, 3, 3, "def", "abc"},
		{[]string{"abc", "def"}, 5, 5, "f", "abcde"},
		{[]string{"abc", "def"}, 9, 6, "", "abcdef"},
	}
	for _, tt := range tests {
		b := chained(tt.parts...)
		dst := chained(">")
		got := b.RemoveBuffer(dst, tt.n)
		if got != tt.want || contents(b) != tt.src || contents(dst) != ">"+tt.dst {
			t.Errorf("RemoveBuffer(%d) = %d, src %q, dst %q; want %d, %q, %q",
				tt.n, got, contents(b), contents(dst), tt.want, tt.src, ">"+tt.dst)
		}
	}
	b := chained("x")
	mustPanic(t, "RemoveBuffer(-1)", func() { b.RemoveBuffer(new(buffer.Buffer), -1) })
	mustPanic(t, "RemoveBuffer(self)", func() { b.RemoveBuffer(b, 1) })
}

func TestFreeze(t *testing.T) {
	var b buffer.Buffer
	b.WriteString("line\nmore")
	other := chained("o")

	b.Freeze(true)
	if !b.Frozen(true) || b.Frozen(false) {
		t.Errorf("after Freeze(true): Frozen(true), Frozen(false) = %v, %v; want true, false", b.Frozen(true), b.Frozen(false))
	}
	p := make([]byte, 2)
	checks := []struct {
		name string
		err  error
	}{
		{"Read", func() error { _, err := b.Read(p); return err }()},
		{"ReadByte", func() error { _, err := b.ReadByte(); return err }()},
		{"Drain", b.Drain(1)},
		{"Prepend", b.Prepend([]byte("x"))},
		{"PrependBuffer", b.PrependBuffer(other)},
		{"WriteTo", func() error { _, err := b.WriteTo(io.Discard); return err }()},
		{"AppendBuffer from", other.AppendBuffer(&b)},
	}
	for _, c := range checks {
		if !errors.Is(c.err, buffer.ErrFrozen) {
			t.Errorf("%s with frozen front: err = %v; want ErrFrozen", c.name, c.err)
		}
	}
	if _, ok := b.ReadLine(buffer.EOLLF); ok {
		t.Errorf("ReadLine with frozen front: ok")
	}
	if n := b.RemoveBuffer(other, 1); n != 0 {
		t.Errorf("RemoveBuffer with frozen front = %d; want 0", n)
	}
	if _, err := b.WriteString("+"); err != nil {
		t.Errorf("Write with frozen front: %v", err)
	}
	b.Unfreeze(true)

	b.Freeze(false)
	if b.Frozen(true) || !b.Frozen(false) {
		t.Errorf("after Freeze(false): Frozen(true), Frozen(false) = %v, %v; want false, true", b.Frozen(true), b.Frozen(false))
	}
	released := false
	checks = []struct {
		name string
		err  error
	}{
		{"Write", func() error { _, err := b.Write(p); return err }()},
		{"WriteString", func() error { _, err := b.WriteString("x"); return err }()},
		{"WriteByte", b.WriteByte('x')},
		{"Printf", func() error { _, err := b.Printf("x"); return err }()},
		{"AppendBuffer", b.AppendBuffer(other)},
		{"AddReference", b.AddReference([]byte("r"), func([]byte) { released = true })},
		{"ReadFrom", func() error { _, err := b.ReadFrom(strings.NewReader("x")); return err }()},
	}
	for _, c := range checks {
		if !errors.Is(c.err, buffer.ErrFrozen) {
			t.Errorf("%s with frozen back: err = %v; want ErrFrozen", c.name, c.err)
		}
	}
	if released {
		t.Errorf("refused AddReference called release")
	}
	if v := b.Reserve(10); v != nil {
		t.Errorf("Reserve with frozen back = %d slices; want nil", len(v))
	}
	if line, ok := b.ReadLine(buffer.EOLLF); !ok || string(line) != "line" {
		t.Errorf("ReadLine with frozen back = %q, %v", line, ok)
	}
	b.Unfreeze(false)
	if got, want := contents(&b), "more+"; got != want {
		t.Fatalf("contents %q; want %q", got, want)
	}
}

func TestEmptyAfterTrafficHoldsNoChunks(t *testing.T) {
	var b buffer.Buffer
	p := make([]byte, 100)
	for i := range 1000 {
		b.Write(bytes.Repeat([]byte{'x'}, i%300))
		b.WriteString("line\r\n")
		b.Prepend([]byte("p"))
		b.ReadLine(buffer.EOLCRLF)
		b.Read(p)
		b.Pullup(-1)
		if i%7 == 0 {
			b.Reserve(3000)
			b.Commit(10)
		}
		b.Drain(b.Len())
		if n := buffer.ChunkCount(&b); n != 0 {
			t.Fatalf("round %d: empty buffer holds %d chunks", i, n)
		}
	}
}

func TestIdleBufferSize(t *testing.T) {
	// An idle Buffer is its struct alone; keep it small for servers with
	// many idle connections.
	if buffer.SizeofBuffer > 256 {
		t.Fatalf("sizeof(Buffer) = %d; want <= 256", buffer.SizeofBuffer)
	}
	t.Logf("sizeof(Buffer) = %d", buffer.SizeofBuffer)
}
