package buffer_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/eventide-go/eventide/buffer"
)

func BenchmarkWriteReadSmall(b *testing.B) {
	var buf buffer.Buffer
	msg := make([]byte, 64)
	p := make([]byte, 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		buf.Write(msg)
		buf.Read(p)
	}
}

func BenchmarkWriteRead64K(b *testing.B) {
	var buf buffer.Buffer
	msg := make([]byte, 64<<10)
	p := make([]byte, 64<<10)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		buf.Write(msg)
		buf.Read(p)
	}
}

func BenchmarkAppendBuffer(b *testing.B) {
	var dst, src buffer.Buffer
	msg := make([]byte, 1000)
	b.ReportAllocs()
	for b.Loop() {
		src.Write(msg)
		dst.AppendBuffer(&src)
		dst.Drain(dst.Len())
	}
}

func BenchmarkReadLine(b *testing.B) {
	var buf buffer.Buffer
	head := []byte("GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nUser-Agent: bench\r\n\r\n")
	b.ReportAllocs()
	b.SetBytes(int64(len(head)))
	for b.Loop() {
		buf.Write(head)
		for {
			if _, ok := buf.ReadLine(buffer.EOLCRLF); !ok {
				break
			}
		}
	}
}

func BenchmarkSearch(b *testing.B) {
	var buf buffer.Buffer
	for range 64 {
		var c buffer.Buffer
		c.Write(bytes.Repeat([]byte("abcdefgh"), 512)) // 4 KiB chunks
		buf.AppendBuffer(&c)
	}
	buf.WriteString("needle")
	what := []byte("needle")
	b.ReportAllocs()
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if buf.Search(what, nil).Offset < 0 {
			b.Fatal("not found")
		}
	}
}

func BenchmarkWriteFdReadFd(b *testing.B) {
	for _, size := range []int{128, 16 << 10} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			r, w := socketpair(b)
			var src, dst buffer.Buffer
			msg := make([]byte, size)
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				src.Write(msg)
				for src.Len() > 0 {
					if _, err := src.WriteFd(w, 0); err != nil {
						b.Fatal(err)
					}
					for dst.Len() < size {
						if _, err := dst.ReadFd(r, 0); err != nil {
							b.Fatal(err)
						}
					}
				}
				dst.Drain(dst.Len())
			}
		})
	}
}
