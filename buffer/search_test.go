package buffer_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/buffer"
)

func TestSearch(t *testing.T) {
	tests := []struct {
		parts []string
		what  string
		start int
		want  int
	}{
		{[]string{"hello world"}, "world", 0, 6},
		{[]string{"hel", "lo wo", "rld"}, "lo world", 0, 3},
		{[]string{"a", "b", "c", "d"}, "bcd", 0, 1},
		{[]string{"aab", "aab"}, "aba", 0, 1},
		{[]string{"xx", "abab", "abc"}, "ababc", 0, 4},
		{[]string{"ab", "ab", "ab"}, "ab", 1, 2},
		{[]string{"ab", "ab", "ab"}, "ab", 5, -1},
		{[]string{"abc"}, "", 2, 2},
		{[]string{"abc"}, "abcd", 0, -1},
		{[]string{"ab", "c"}, "bd", 0, -1},
	}
	for _, tt := range tests {
		b := chained(tt.parts...)
		start, _ := b.PosAt(tt.start)
		if got := b.Search([]byte(tt.what), &start); got.Offset != tt.want {
			t.Errorf("Search(%q in %q from %d) = %d; want %d", tt.what, tt.parts, tt.start, got.Offset, tt.want)
		}
	}
}

func TestSearchRange(t *testing.T) {
	b := chained("abc", "abc", "abc")
	tests := []struct {
		what       string
		start, end int
		want       int
	}{
		{"abc", 1, 9, 3},
		{"abc", 1, 6, 3},
		{"abc", 1, 5, -1},
		{"ca", 0, 4, 2},
		{"ca", 0, 3, -1},
	}
	for _, tt := range tests {
		start, _ := b.PosAt(tt.start)
		end, _ := b.PosAt(tt.end)
		if got := b.SearchRange([]byte(tt.what), &start, &end); got.Offset != tt.want {
			t.Errorf("SearchRange(%q, %d, %d) = %d; want %d", tt.what, tt.start, tt.end, got.Offset, tt.want)
		}
	}
}

// TestSearchAll walks all matches with a continued Pos, across chunks.
func TestSearchAll(t *testing.T) {
	var b buffer.Buffer
	var model []byte
	for i := range 3000 {
		s := strings.Repeat("x", i%97) + "needle"
		b.WriteString(s)
		model = append(model, s...)
	}
	var got []int
	p := buffer.Pos{}
	for {
		p = b.Search([]byte("needle"), &p)
		if p.Offset < 0 {
			break
		}
		got = append(got, p.Offset)
		if !b.Advance(&p, 1) {
			break
		}
	}
	var want []int
	for off := 0; ; {
		i := bytes.Index(model[off:], []byte("needle"))
		if i < 0 {
			break
		}
		want = append(want, off+i)
		off += i + 1
	}
	if len(got) != len(want) {
		t.Fatalf("found %d matches; want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("match %d at %d; want %d", i, got[i], want[i])
		}
	}
}

func TestPosAfterChange(t *testing.T) {
	b := chained("abc", "def")
	p, _ := b.PosAt(4)
	b.Drain(2) // the cursor is stale; Offset 4 now means "f"
	out := make([]byte, 2)
	if n := b.CopyOutFrom(p, out); string(out[:n]) != "" {
		t.Fatalf("CopyOutFrom(stale 4 of 4 bytes) = %q; want empty", out[:n])
	}
	p, _ = b.PosAt(3)
	b.Prepend([]byte("XY"))
	if n := b.CopyOutFrom(p, out); string(out[:n]) != "de" {
		t.Fatalf("CopyOutFrom after Prepend = %q; want %q", out[:n], "de")
	}
	end, _ := b.PosAt(b.Len())
	b.WriteString("ghi")
	if n := b.CopyOutFrom(end, out); string(out[:n]) != "gh" {
		t.Fatalf("CopyOutFrom(old end) after Write = %q; want %q", out[:n], "gh")
	}
	if b.Advance(&end, 4) {
		t.Fatalf("Advance past the end: ok")
	}
	if !b.Advance(&end, 3) || end.Offset != b.Len() {
		t.Fatalf("Advance to the end: Offset %d; want %d", end.Offset, b.Len())
	}
}
