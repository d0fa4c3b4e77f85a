package buffer_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"testing/iotest"

	"github.com/eventide-go/eventide/buffer"
)

func TestWriteToTCPSendfile(t *testing.T) {
	data := pattern(2 << 20)
	f := tempFile(t, data)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		p, _ := io.ReadAll(c)
		got <- p
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	var b buffer.Buffer
	b.WriteString("<")
	b.AddFile(f, 0, int64(len(data)))
	b.WriteString(">")
	n, err := b.WriteTo(c)
	c.Close()
	if err != nil || n != int64(len(data)+2) || b.Len() != 0 {
		t.Fatalf("WriteTo = %d, %v, Len %d", n, err, b.Len())
	}
	want := append(append([]byte("<"), data...), '>')
	if p := <-got; !bytes.Equal(p, want) {
		t.Fatalf("received %d bytes, not byte exact", len(p))
	}
}

func TestWriteToReadFrom(t *testing.T) {
	data := pattern(300000)
	var b buffer.Buffer
	n, err := b.ReadFrom(bytes.NewReader(data))
	if err != nil || n != int64(len(data)) || b.Len() != len(data) {
		t.Fatalf("ReadFrom = %d, %v", n, err)
	}
	for _, v := range b.Peek(-1, nil) {
		if len(v) > buffer.MaxChunk {
			t.Fatalf("ReadFrom made a %d-byte chunk", len(v))
		}
	}
	var out bytes.Buffer
	n, err = b.WriteTo(&out)
	if err != nil || n != int64(len(data)) || !bytes.Equal(out.Bytes(), data) {
		t.Fatalf("WriteTo = %d, %v", n, err)
	}
	if buffer.ChunkCount(&b) != 0 {
		t.Fatalf("buffer holds chunks after WriteTo")
	}
}

func TestReadFromReaders(t *testing.T) {
	data := pattern(10000)
	boom := errors.New("boom")
	tests := []struct {
		name string
		r    io.Reader
		want int
		err  error
	}{
		{"one byte", iotest.OneByteReader(bytes.NewReader(data)), len(data), nil},
		{"data with EOF", iotest.DataErrReader(bytes.NewReader(data)), len(data), nil},
		{"half", iotest.HalfReader(bytes.NewReader(data)), len(data), nil},
		{"error", io.MultiReader(bytes.NewReader(data[:100]), iotest.ErrReader(boom)), 100, boom},
	}
	for _, tt := range tests {
		var b buffer.Buffer
		b.WriteString("x")
		n, err := b.ReadFrom(tt.r)
		if n != int64(tt.want) || !errors.Is(err, tt.err) {
			t.Errorf("%s: ReadFrom = %d, %v; want %d, %v", tt.name, n, err, tt.want, tt.err)
		}
		if got := contents(&b); got != "x"+string(data[:tt.want]) {
			t.Errorf("%s: contents differ", tt.name)
		}
	}
}

// shortWriter accepts at most max bytes per call.
type shortWriter struct {
	out bytes.Buffer
	max int
	err error
}

func (w *shortWriter) Write(p []byte) (int, error) {
	if w.err != nil && w.out.Len() >= 50 {
		return 0, w.err
	}
	n := min(len(p), w.max)
	w.out.Write(p[:n])
	return n, nil
}

func TestWriteToShortWrites(t *testing.T) {
	b := chained("abcdefghij", "klmnopqrstuvwxyz")
	w := &shortWriter{max: 3}
	if n, err := b.WriteTo(w); n != 26 || err != nil || w.out.String() != "abcdefghijklmnopqrstuvwxyz" {
		t.Fatalf("WriteTo = %d, %v, %q", n, err, w.out.String())
	}
	boom := errors.New("boom")
	b.Write(pattern(100))
	w = &shortWriter{max: 30, err: boom}
	n, err := b.WriteTo(w)
	if n != 60 || !errors.Is(err, boom) || b.Len() != 40 {
		t.Fatalf("WriteTo failing writer = %d, %v, Len %d; want 60, boom, 40", n, err, b.Len())
	}
}
