package buffer_test

import (
	"strings"
	"testing"

	"github.com/eventide-go/eventide/buffer"
)

func TestPullup(t *testing.T) {
	big := strings.Repeat("z", 100000)
	tests := []struct {
		name  string
		parts []string
		n     int
		want  string
		isNil bool
	}{
		{name: "zero", parts: []string{"ab"}, n: 0, want: ""},
		{name: "in head", parts: []string{"abc", "def"}, n: 2, want: "ab"},
		{name: "span", parts: []string{"abc", "def", "ghi"}, n: 5, want: "abcde"},
		{name: "all", parts: []string{"abc", "def", "ghi"}, n: -1, want: "abcdefghi"},
		{name: "too many", parts: []string{"abc"}, n: 4, isNil: true},
		{name: "huge", parts: []string{"a", big}, n: -1, want: "a" + big},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := chained(tt.parts...)
			before := contents(b)
			got := b.Pullup(tt.n)
			if tt.isNil {
				if got != nil {
					t.Fatalf("Pullup(%d) = %q; want nil", tt.n, got)
				}
				return
			}
			if got == nil || string(got) != tt.want {
				t.Fatalf("Pullup(%d) = %.20q; want %.20q", tt.n, got, tt.want)
			}
			if after := contents(b); after != before {
				t.Fatalf("Pullup changed the contents")
			}
		})
	}
}

func TestContiguousSpace(t *testing.T) {
	for _, tt := range []struct {
		parts []string
		want  int
	}{
		{nil, 0}, {[]string{"abc"}, 3}, {[]string{"abc", "defg"}, 3}, {[]string{"", "defg"}, 4},
	} {
		b := chained(tt.parts...)
		if got := b.ContiguousSpace(); got != tt.want {
			t.Errorf("%q: ContiguousSpace() = %d; want %d", tt.parts, got, tt.want)
		}
		if p := b.Pullup(tt.want); tt.want > 0 && &p[0] != &b.Pullup(tt.want)[0] {
			t.Errorf("%q: Pullup(ContiguousSpace()) copied", tt.parts)
		}
	}
	// A file segment's bytes are not in memory.
	f := tempFile(t, []byte("0123456789"))
	var b buffer.Buffer
	if err := b.AddFile(f, 0, 10); err != nil {
		t.Fatal(err)
	}
	if got := b.ContiguousSpace(); got != 0 {
		t.Errorf("file segment: ContiguousSpace() = %d; want 0", got)
	}
}

// TestFront: Front is Pullup(ContiguousSpace()) without a copy, for
// memory chunks, references, a partly drained head, and nil for an empty
// Buffer or one that starts with a file segment.
func TestFront(t *testing.T) {
	f := tempFile(t, []byte("0123456789"))
	lent := []byte("lent bytes")
	tests := []struct {
		name  string
		setup func(b *buffer.Buffer)
		want  string
	}{
		{"empty", func(b *buffer.Buffer) {}, ""},
		{"one chunk", func(b *buffer.Buffer) { b.WriteString("abc") }, "abc"},
		{"several chunks", func(b *buffer.Buffer) { *b = *chained("abc", "defg") }, "abc"},
		{"drained head", func(b *buffer.Buffer) { *b = *chained("abc", "defg"); b.Drain(1) }, "bc"},
		{"reference", func(b *buffer.Buffer) { b.AddReference(lent, nil); b.WriteString("!") }, "lent bytes"},
		{"file segment first", func(b *buffer.Buffer) { b.AddFile(f, 0, 10) }, ""},
		{"after a file segment", func(b *buffer.Buffer) { b.AddFile(f, 0, 10); b.WriteString("x"); b.Drain(10) }, "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b buffer.Buffer
			tt.setup(&b)
			got := b.Front()
			if string(got) != tt.want {
				t.Fatalf("Front() = %q; want %q", got, tt.want)
			}
			if len(got) != b.ContiguousSpace() {
				t.Fatalf("len(Front()) = %d; ContiguousSpace() = %d", len(got), b.ContiguousSpace())
			}
			if tt.want == "" {
				if got != nil {
					t.Fatalf("Front() = %q (non-nil); want nil", got)
				}
				return
			}
			if p := b.Pullup(len(got)); &p[0] != &got[0] {
				t.Fatalf("Front() is not where Pullup(ContiguousSpace()) is: it copied")
			}
			if cap(got) != len(got) {
				t.Fatalf("cap(Front()) = %d; want %d (the view must not reach past its bytes)", cap(got), len(got))
			}
		})
	}
}

func TestPeek(t *testing.T) {
	b := chained("abc", "def", "ghi")
	tests := []struct {
		n    int
		want []string
	}{
		{0, nil},
		{2, []string{"ab"}},
		{3, []string{"abc"}},
		{4, []string{"abc", "d"}},
		{-1, []string{"abc", "def", "ghi"}},
		{100, []string{"abc", "def", "ghi"}},
	}
	for _, tt := range tests {
		var got []string
		for _, v := range b.Peek(tt.n, nil) {
			got = append(got, string(v))
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Peek(%d) = %q; want %q", tt.n, got, tt.want)
		}
	}
}

// TestViewsDoNotReachData: a view's capacity ends with its length, so
// that appending to it (append(line, '\n')) makes a copy instead of
// overwriting the bytes b still holds after it.
func TestViewsDoNotReachData(t *testing.T) {
	tests := []struct {
		name string
		view func(b *buffer.Buffer) []byte
		want string // contents of b after the view was taken
	}{
		{"ReadLine", func(b *buffer.Buffer) []byte { l, _ := b.ReadLine(buffer.EOLLF); return l }, "def\nghi\n"},
		{"Pullup", func(b *buffer.Buffer) []byte { return b.Pullup(2) }, "abc\ndef\nghi\n"},
		{"Pullup across chunks", func(b *buffer.Buffer) []byte {
			b.Prepend([]byte("<"))
			return b.Pullup(3)
		}, "<abc\ndef\nghi\n"},
		{"Peek", func(b *buffer.Buffer) []byte { return b.Peek(2, nil)[0] }, "abc\ndef\nghi\n"},
		{"Front", func(b *buffer.Buffer) []byte { b.Drain(1); return b.Front() }, "bc\ndef\nghi\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b buffer.Buffer
			b.WriteString("abc\ndef\nghi\n")
			v := tt.view(&b)
			_ = append(v, "XXXXXXXX"...)
			if got := contents(&b); got != tt.want {
				t.Errorf("after appending to the view: contents %q; want %q", got, tt.want)
			}
		})
	}
}

// TestPeekMemory: the slices of the first n bytes held in memory, without
// copying, stopping before a file segment (left unread) and when vecs is
// full.
func TestPeekMemory(t *testing.T) {
	f := tempFile(t, []byte("0123456789"))
	tests := []struct {
		name  string
		setup func(b *buffer.Buffer)
		n     int
		cap   int
		want  []string
	}{
		{"empty", func(b *buffer.Buffer) {}, -1, 4, nil},
		{"all", func(b *buffer.Buffer) { *b = *chained("abc", "defg") }, -1, 4, []string{"abc", "defg"}},
		{"first n", func(b *buffer.Buffer) { *b = *chained("abc", "defg") }, 5, 4, []string{"abc", "de"}},
		{"n past the end", func(b *buffer.Buffer) { *b = *chained("abc") }, 10, 4, []string{"abc"}},
		{"vecs full", func(b *buffer.Buffer) { *b = *chained("ab", "cd", "ef") }, -1, 2, []string{"ab", "cd"}},
		{"up to a file segment", func(b *buffer.Buffer) { b.WriteString("ab"); b.AddFile(f, 0, 10); b.WriteString("z") }, -1, 4, []string{"ab"}},
		{"a file segment first", func(b *buffer.Buffer) { b.AddFile(f, 0, 10); b.WriteString("z") }, -1, 4, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b buffer.Buffer
			tt.setup(&b)
			n := b.Len()
			vecs := b.PeekMemory(tt.n, make([][]byte, 0, tt.cap))
			var got []string
			for _, v := range vecs {
				got = append(got, string(v))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("PeekMemory = %q; want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("PeekMemory = %q; want %q", got, tt.want)
				}
			}
			if b.Len() != n {
				t.Fatalf("Len %d after PeekMemory; want %d (nothing removed)", b.Len(), n)
			}
			if tt.name == "a file segment first" && b.Front() != nil {
				t.Fatal("PeekMemory read the file segment into memory")
			}
			if len(vecs) > 0 {
				if p := b.Pullup(len(vecs[0])); &p[0] != &vecs[0][0] {
					t.Fatal("PeekMemory copied the first slice")
				}
			}
		})
	}
}
