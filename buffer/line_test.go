package buffer_test

import (
	"strings"
	"testing"

	"github.com/eventide-go/eventide/buffer"
)

func TestReadLine(t *testing.T) {
	tests := []struct {
		style buffer.EOLStyle
		in    string
		lines []string // lines read before ok == false
		rest  string
	}{
		{buffer.EOLLF, "a\nb\r\nc", []string{"a", "b\r"}, "c"},
		{buffer.EOLLF, "\n\n", []string{"", ""}, ""},
		{buffer.EOLNUL, "a\x00b\nc\x00d", []string{"a", "b\nc"}, "d"},
		{buffer.EOLCRLFStrict, "a\r\nb\nc\rd\r\n", []string{"a", "b\nc\rd"}, ""},
		{buffer.EOLCRLFStrict, "bare\n", nil, "bare\n"},
		{buffer.EOLCRLFStrict, "cr at end\r", nil, "cr at end\r"},
		{buffer.EOLCRLF, "a\r\nb\nc", []string{"a", "b"}, "c"},
		{buffer.EOLCRLF, "a\rb\n", []string{"a\rb"}, ""},
		{buffer.EOLCRLF, "cr at end\r", nil, "cr at end\r"},
		{buffer.EOLCRLF, "\r\r\n", []string{"\r"}, ""},
		{buffer.EOLAny, "a\r\n\r\nb\rc\n", []string{"a", "b", "c"}, ""},
		{buffer.EOLAny, "cr at end\r", []string{"cr at end"}, ""},
		{buffer.EOLAny, "\n\rx", []string{""}, "x"},
		{buffer.EOLAny, "none", nil, "none"},
	}
	for _, tt := range tests {
		// Every split of the input into two chunks, and byte by byte.
		splits := [][]string{{tt.in}, strings.Split(tt.in, "")}
		for i := 1; i < len(tt.in); i++ {
			splits = append(splits, []string{tt.in[:i], tt.in[i:]})
		}
		for _, parts := range splits {
			b := chained(parts...)
			var got []string
			for {
				line, ok := b.ReadLine(tt.style)
				if !ok {
					break
				}
				got = append(got, string(line))
			}
			if strings.Join(got, "|") != strings.Join(tt.lines, "|") || len(got) != len(tt.lines) || contents(b) != tt.rest {
				t.Errorf("%v %q split %q: lines %q rest %q; want %q rest %q",
					tt.style, tt.in, parts, got, contents(b), tt.lines, tt.rest)
			}
		}
	}
}

func TestReadLineViewsAndCopies(t *testing.T) {
	// A long line spanning chunks is copied; it must be correct and
	// remain valid until the buffer changes.
	long := strings.Repeat("L", 10000)
	b := chained(long[:3000], long[3000:]+"\nx")
	line, ok := b.ReadLine(buffer.EOLLF)
	if !ok || string(line) != long {
		t.Fatalf("long line: ok %v len %d", ok, len(line))
	}
	// A line ending its chunk is copied to scratch, not left aliasing a
	// chunk that went back to the pool.
	b = chained("first\n", "second\n")
	line, _ = b.ReadLine(buffer.EOLLF)
	var other buffer.Buffer
	other.WriteString(strings.Repeat("#", 600)) // would reuse the freed chunk
	if string(line) != "first" {
		t.Fatalf("line = %q; want %q", line, "first")
	}
	if s, ok := b.ReadLineString(buffer.EOLLF); !ok || s != "second" {
		t.Fatalf("ReadLineString = %q, %v", s, ok)
	}
}

func TestSearchEOL(t *testing.T) {
	tests := []struct {
		style  buffer.EOLStyle
		in     []string
		start  int
		off    int
		eolLen int
	}{
		{buffer.EOLLF, []string{"ab", "c\n"}, 0, 3, 1},
		{buffer.EOLCRLF, []string{"ab\r", "\nx"}, 0, 2, 2},
		{buffer.EOLCRLF, []string{"a\rb", "\r"}, 0, -1, 0},
		{buffer.EOLCRLFStrict, []string{"a\n\r", "\n"}, 0, 2, 2},
		{buffer.EOLAny, []string{"a\r", "\n\r", "\nb"}, 0, 1, 4},
		{buffer.EOLAny, []string{"a\r", "\nb\n"}, 2, 2, 1},
		{buffer.EOLNUL, []string{"a", "b\x00"}, 0, 2, 1},
	}
	for _, tt := range tests {
		b := chained(tt.in...)
		start, _ := b.PosAt(tt.start)
		p, n := b.SearchEOL(&start, tt.style)
		if p.Offset != tt.off || n != tt.eolLen {
			t.Errorf("SearchEOL(%v, %q from %d) = %d, %d; want %d, %d", tt.style, tt.in, tt.start, p.Offset, n, tt.off, tt.eolLen)
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("unknown EOLStyle did not panic")
			}
		}()
		chained("x").SearchEOL(nil, buffer.EOLStyle(99))
	}()
}
