//go:build !race

package buffer_test

import (
	"testing"

	"github.com/eventide-go/eventide/buffer"
)

func TestAllocs(t *testing.T) {
	msg := []byte("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
	p := make([]byte, 4096)
	r, w := socketpair(t)
	var fdSrc, fdDst buffer.Buffer
	var lines, b, src buffer.Buffer
	var changes int
	lines.AddCallback(func(*buffer.Buffer, buffer.Change) { changes++ })
	tests := []struct {
		name string
		f    func()
	}{
		{"Write+Read", func() {
			b.Write(msg)
			b.Read(p)
		}},
		{"big Write+Read", func() {
			b.Write(p)
			b.Write(p)
			b.Read(p)
			b.Read(p)
		}},
		{"ReadLine", func() {
			lines.Write(msg)
			for {
				if _, ok := lines.ReadLine(buffer.EOLCRLF); !ok {
					break
				}
			}
			lines.Write(msg[:10])
			lines.Write(msg[10:]) // a line spanning two chunks
			for {
				if _, ok := lines.ReadLine(buffer.EOLCRLFStrict); !ok {
					break
				}
			}
		}},
		{"Printf", func() {
			b.Printf("HTTP/1.1 %d %s\r\nContent-Length: %d\r\n", 200, "OK", 12)
			b.Drain(b.Len())
		}},
		{"WriteFd+ReadFd", func() {
			fdSrc.Write(msg)
			if _, err := fdSrc.WriteFd(w, 0); err != nil {
				t.Fatal(err)
			}
			if _, err := fdDst.ReadFd(r, 0); err != nil {
				t.Fatal(err)
			}
			fdDst.Drain(fdDst.Len())
		}},
		{"AppendBuffer+Search", func() {
			src.Write(msg)
			b.AppendBuffer(&src)
			b.Search([]byte("\r\n\r\n"), nil)
			b.Drain(b.Len())
		}},
		{"AddReference+Drain", func() {
			b.AddReference(msg, nil)
			b.Drain(b.Len())
		}},
		{"Reserve+Commit", func() {
			b.Reserve(1000)
			b.Commit(500)
			b.Drain(500)
		}},
	}
	for _, tt := range tests {
		tt.f() // warm the pools
		if got := testing.AllocsPerRun(200, tt.f); got != 0 {
			t.Errorf("%s: %v allocs per run; want 0", tt.name, got)
		}
	}
	if changes == 0 {
		t.Fatalf("callback never called")
	}
}
