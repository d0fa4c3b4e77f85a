package buffer_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/eventide-go/eventide/buffer"
)

// modelLine is an independent statement of the EOL styles over a flat
// slice: it returns the line length and terminator length, or -1.
func modelLine(m []byte, style buffer.EOLStyle) (int, int) {
	switch style {
	case buffer.EOLLF:
		return bytes.IndexByte(m, '\n'), 1
	case buffer.EOLNUL:
		return bytes.IndexByte(m, 0), 1
	case buffer.EOLCRLFStrict:
		return bytes.Index(m, []byte("\r\n")), 2
	case buffer.EOLCRLF:
		i := bytes.IndexByte(m, '\n')
		if i > 0 && m[i-1] == '\r' {
			return i - 1, 2
		}
		return i, 1
	case buffer.EOLAny:
		i := bytes.IndexAny(m, "\r\n")
		if i < 0 {
			return -1, 0
		}
		j := i
		for j < len(m) && (m[j] == '\r' || m[j] == '\n') {
			j++
		}
		return i, j - i
	}
	panic("unknown style")
}

// gen produces test bytes rich in CR, LF and NUL.
type gen struct{ n uint32 }

func (g *gen) bytes(k int) []byte {
	const alphabet = "abc\r\n\x00xyz\r\n-"
	p := make([]byte, k)
	for i := range p {
		g.n = g.n*1103515245 + 12345
		p[i] = alphabet[int(g.n>>16)%len(alphabet)]
	}
	return p
}

// sizes maps a fuzz byte to a length, favouring chunk boundaries.
var sizes = []int{0, 1, 2, 3, 7, 100, 511, 512, 513, 4095, 4096, 4097, 16384, 65535, 65536, 65537, 70000}

func size(x byte) int {
	if int(x) < len(sizes) {
		return sizes[x]
	}
	return int(x) * 13
}

// maxModel bounds what FuzzBufferModel keeps in each Buffer: a few of
// the largest chunks (64 KiB) and of the largest sizes (70000), small
// enough that an input's cost stays low. The check after every step
// copies and compares the whole Buffer, so an input's cost grows with
// steps × maxModel: at 512 KiB, with other unbounded and a fresh copy
// allocated per step, inputs that write a lot took 0.13 s each, and the
// fuzzer's minimisation of one of them (thousands of runs) showed as 0
// execs/sec for 30 s and more.
const maxModel = 256 << 10

func FuzzBufferModel(f *testing.F) {
	f.Add([]byte{0, 10, 4, 0, 2, 3})
	f.Add([]byte{0, 16, 1, 9, 5, 16, 2, 15, 4, 1, 4, 2, 4, 3})
	f.Add([]byte{8, 13, 14, 11, 7, 5, 12, 3, 0, 200, 4, 4, 4, 0, 6, 9})
	f.Add([]byte{11, 100, 0, 7, 9, 6, 3, 14, 10, 1, 13, 2, 15, 8, 12, 5})
	f.Add([]byte{0, 16, 0, 16, 4, 1, 4, 1, 4, 1, 4, 1, 4, 1, 4, 1, 4, 1, 4, 1})
	f.Add(bytes.Repeat([]byte{1, 3, 4, 2}, 20))
	fileData := (&gen{n: 7}).bytes(200000)
	name := filepath.Join(f.TempDir(), "data")
	if err := os.WriteFile(name, fileData, 0o600); err != nil {
		f.Fatal(err)
	}
	file, err := os.Open(name)
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	f.Add([]byte{17, 15, 4, 0, 17, 200, 12, 9, 3, 19, 100, 1, 5, 255, 18, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var (
			b, other buffer.Buffer
			m, om    []byte
			g        gen
			released int
			refs     int
		)
		next := func() byte {
			if len(ops) == 0 {
				return 0
			}
			x := ops[0]
			ops = ops[1:]
			return x
		}
		var scratch []byte // CopyOut's destination for the check after every step
		for step := 0; len(ops) > 0 && step < 200; step++ {
			op := next() % 20
			if len(m) > maxModel {
				op = 16 // keep each input fast: Reset
			}
			if len(om) > maxModel {
				// other only grows (RemoveBuffer), and its check gathers
				// all of it: start it again.
				other.Reset()
				om = nil
			}
			arg := next()
			var desc string
			switch op {
			case 0:
				p := g.bytes(size(arg))
				b.Write(p)
				m = append(m, p...)
				desc = fmt.Sprintf("Write(%d)", len(p))
			case 1:
				p := g.bytes(size(arg))
				b.Prepend(p)
				m = append(append([]byte{}, p...), m...)
				desc = fmt.Sprintf("Prepend(%d)", len(p))
			case 2:
				p := make([]byte, size(arg))
				n, _ := b.Read(p)
				want := min(len(p), len(m))
				if n != want || !bytes.Equal(p[:n], m[:n]) {
					t.Fatalf("Read(%d) = %d; want %d", len(p), n, want)
				}
				m = m[n:]
				desc = "Read"
			case 3:
				n := size(arg)
				b.Drain(n)
				m = m[min(n, len(m)):]
				desc = fmt.Sprintf("Drain(%d)", n)
			case 4:
				style := buffer.EOLStyle(arg % 5)
				line, ok := b.ReadLine(style)
				i, eol := modelLine(m, style)
				if ok != (i >= 0) {
					t.Fatalf("ReadLine(%v) ok = %v; want %v", style, ok, i >= 0)
				}
				if ok {
					if !bytes.Equal(line, m[:i]) {
						t.Fatalf("ReadLine(%v) = %q; want %q", style, line, m[:i])
					}
					m = m[i+eol:]
				}
				desc = "ReadLine"
			case 5:
				n := size(arg)
				if arg == 255 {
					n = -1
				}
				got := b.Pullup(n)
				switch {
				case n > len(m):
					if got != nil {
						t.Fatalf("Pullup(%d) of %d bytes = non-nil", n, len(m))
					}
				case n < 0:
					if !bytes.Equal(got, m) {
						t.Fatalf("Pullup(-1) differs")
					}
				default:
					if !bytes.Equal(got, m[:n]) {
						t.Fatalf("Pullup(%d) differs", n)
					}
				}
				desc = "Pullup"
			case 6:
				p := make([]byte, size(arg))
				n := b.CopyOut(p)
				if want := min(len(p), len(m)); n != want || !bytes.Equal(p[:n], m[:n]) {
					t.Fatalf("CopyOut = %d; want %d", n, want)
				}
				desc = "CopyOut"
			case 7:
				p := g.bytes(size(arg))
				var src buffer.Buffer
				src.Write(p)
				b.AppendBuffer(&src)
				if src.Len() != 0 {
					t.Fatalf("src.Len() = %d after AppendBuffer", src.Len())
				}
				m = append(m, p...)
				desc = "AppendBuffer"
			case 8:
				n := size(arg)
				vecs := b.Reserve(n)
				total := 0
				for _, v := range vecs {
					total += len(v)
				}
				if total < min(n, 192<<10) {
					t.Fatalf("Reserve(%d) gave %d bytes", n, total)
				}
				c := int(next()) * total / 255
				p := g.bytes(c)
				rest := p
				for _, v := range vecs {
					rest = rest[copy(v, rest):]
				}
				b.Commit(c)
				m = append(m, p...)
				desc = fmt.Sprintf("Reserve(%d)+Commit(%d)", n, c)
			case 9:
				n := size(arg)
				got := b.RemoveBuffer(&other, n)
				want := min(n, len(m))
				if got != want {
					t.Fatalf("RemoveBuffer(%d) = %d; want %d", n, got, want)
				}
				om = append(om, m[:got]...)
				m = m[got:]
				if !bytes.Equal(other.Pullup(-1), om) {
					t.Fatalf("RemoveBuffer destination differs")
				}
				desc = "RemoveBuffer"
			case 10:
				c, err := b.ReadByte()
				if len(m) == 0 {
					if err == nil {
						t.Fatalf("ReadByte of empty buffer: nil error")
					}
				} else {
					if c != m[0] {
						t.Fatalf("ReadByte = %q; want %q", c, m[0])
					}
					m = m[1:]
				}
				b.WriteByte(arg)
				m = append(m, arg)
				desc = "ReadByte+WriteByte"
			case 11:
				p := g.bytes(size(arg))
				refs++
				b.AddReference(p, func([]byte) { released++ })
				m = append(m, p...)
				desc = "AddReference"
			case 12:
				if len(m) == 0 {
					continue
				}
				at := int(arg) * len(m) / 256
				k := min(int(next())%9+1, len(m)-at)
				what := append([]byte{}, m[at:at+k]...)
				got := b.Search(what, nil)
				if want := bytes.Index(m, what); got.Offset != want {
					t.Fatalf("Search(%q) = %d; want %d", what, got.Offset, want)
				}
				desc = "Search"
			case 13:
				n, _ := b.Printf("%d:%s,", int(arg), "x\r\n")
				s := fmt.Sprintf("%d:%s,", int(arg), "x\r\n")
				if n != len(s) {
					t.Fatalf("Printf = %d; want %d", n, len(s))
				}
				m = append(m, s...)
				desc = "Printf"
			case 14:
				p := g.bytes(size(arg))
				var src buffer.Buffer
				src.Write(p)
				b.PrependBuffer(&src)
				m = append(append([]byte{}, p...), m...)
				desc = "PrependBuffer"
			case 15:
				n := size(arg)
				var got []byte
				for _, v := range b.Peek(n, nil) {
					got = append(got, v...)
				}
				if want := m[:min(n, len(m))]; !bytes.Equal(got, want) {
					t.Fatalf("Peek(%d) = %d bytes; want %d", n, len(got), len(want))
				}
				desc = "Peek"
			case 16:
				b.Reset()
				m = nil
				desc = "Reset"
			case 17:
				off := int(next()) * 700
				n := min(size(arg), len(fileData)-off)
				if err := b.AddFile(file, int64(off), int64(n)); err != nil {
					t.Fatal(err)
				}
				m = append(m, fileData[off:off+n]...)
				desc = fmt.Sprintf("AddFile(%d, %d)", off, n)
			case 18:
				var out bytes.Buffer
				n, err := b.WriteTo(&out)
				if err != nil || n != int64(len(m)) || !bytes.Equal(out.Bytes(), m) {
					t.Fatalf("WriteTo = %d, %v; want %d", n, err, len(m))
				}
				m = nil
				desc = "WriteTo"
			case 19:
				style := buffer.EOLStyle(arg % 5)
				at := int(next()) * len(m) / 256
				start, ok := b.PosAt(at)
				if !ok {
					t.Fatalf("PosAt(%d) of %d bytes: not ok", at, len(m))
				}
				p, eol := b.SearchEOL(&start, style)
				i, weol := modelLine(m[at:], style)
				if i >= 0 {
					i += at
				} else {
					weol = 0
				}
				if p.Offset != i || eol != weol {
					t.Fatalf("SearchEOL(%v from %d) = %d, %d; want %d, %d", style, at, p.Offset, eol, i, weol)
				}
				desc = "SearchEOL"
			}
			if b.Len() != len(m) {
				t.Fatalf("after %s: Len() = %d; want %d", desc, b.Len(), len(m))
			}
			if cap(scratch) < len(m) {
				scratch = make([]byte, len(m))
			}
			p := scratch[:len(m)]
			if n := b.CopyOut(p); n != len(m) || !bytes.Equal(p, m) {
				t.Fatalf("after %s: contents differ", desc)
			}
		}
		b.Reset()
		other.Reset()
		if released != refs {
			t.Fatalf("released %d references; want %d", released, refs)
		}
		if n := buffer.ChunkCount(&b); n != 0 {
			t.Fatalf("empty buffer holds %d chunks", n)
		}
	})
}
