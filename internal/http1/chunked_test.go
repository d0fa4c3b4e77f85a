package http1_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/internal/http1"
)

// chunkResult is everything observable about one decoded chunked body.
type chunkResult struct {
	Status   int // 0 when accepted, -1 when incomplete
	Reason   string
	Body     string
	Trailers []string
	Consumed int
}

func decodeChunked(d *http1.ChunkedDecoder, pieces ...[]byte) chunkResult {
	d.Reset()
	var r chunkResult
	var body strings.Builder
	for _, piece := range pieces {
		for len(piece) > 0 && !d.Done() {
			n, data, err := d.Decode(piece)
			if err != nil {
				var e *http1.Error
				if !errors.As(err, &e) {
					panic(err)
				}
				return chunkResult{Status: e.Status, Reason: e.Reason}
			}
			if n == 0 {
				panic("Decode consumed nothing")
			}
			body.Write(data)
			piece = piece[n:]
			r.Consumed += n
		}
		if d.Done() {
			break
		}
	}
	if !d.Done() {
		return chunkResult{Status: -1, Reason: "incomplete"}
	}
	r.Body = body.String()
	for i := range d.NumTrailers() {
		n, v := d.Trailer(i)
		r.Trailers = append(r.Trailers, string(n)+": "+string(v))
	}
	return r
}

func TestChunkedAccept(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want chunkResult
	}{
		{"simple", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", chunkResult{Body: "hello world"}},
		{"hex case", "A\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n", chunkResult{Body: strings.Repeat("0123456789", 2)}},
		{"leading zeros", "0005\r\nhello\r\n000\r\n\r\n", chunkResult{Body: "hello"}},
		{"extensions", "5;a=b;c ; d = \"x\\\"y\"\r\nhello\r\n0;last\r\n\r\n", chunkResult{Body: "hello"}},
		{"trailers", "3\r\nabc\r\n0\r\nX-Sum: 1\r\nX-B:  2 \r\n\r\n", chunkResult{Body: "abc", Trailers: []string{"X-Sum: 1", "X-B: 2"}}},
		{"empty", "0\r\n\r\n", chunkResult{}},
		{"trailing data left", "1\r\na\r\n0\r\n\r\nGET", chunkResult{Body: "a"}},
	}
	d := http1.NewChunkedDecoder(http1.ChunkedLimits{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.in)
			want := tt.want
			want.Consumed = strings.LastIndex(tt.in, "\r\n\r\n") + 4
			for i, pieces := range splits(in) {
				if got := decodeChunked(d, pieces...); !reflect.DeepEqual(got, want) {
					t.Fatalf("split %d: got %+v; want %+v", i, got, want)
				}
			}
		})
	}
}

func TestChunkedReject(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		status int
	}{
		{"no size", "\r\nhello\r\n0\r\n\r\n", 400},
		{"non hex", "g\r\n", 400},
		{"signed", "+5\r\nhello\r\n0\r\n\r\n", 400},
		{"0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", 400},
		{"space after size", "5 \r\nhello\r\n0\r\n\r\n", 400},
		{"space before size", " 5\r\nhello\r\n0\r\n\r\n", 400},
		{"overflow", "4000000000000000\r\n", 400},
		{"huge", strings.Repeat("f", 40) + "\r\n", 400},
		{"bare LF size", "5\nhello\r\n0\r\n\r\n", 400},
		{"bare CR size", "5\rhello\r\n0\r\n\r\n", 400},
		{"missing CRLF after data", "5\r\nhelloX\r\n0\r\n\r\n", 400},
		{"LF after data", "5\r\nhello\n0\r\n\r\n", 400},
		{"data too long", "3\r\nhello\r\n0\r\n\r\n", 400},
		{"empty ext", "5;\r\nhello\r\n0\r\n\r\n", 400},
		{"ext bad char", "5;a\x01\r\nhello\r\n0\r\n\r\n", 400},
		{"ext no value", "5;a=\r\nhello\r\n0\r\n\r\n", 400},
		{"ext unterminated quote", "5;a=\"x\r\nhello\r\n0\r\n\r\n", 400},
		{"ext trailing space", "5;a \r\nhello\r\n0\r\n\r\n", 400},
		{"bare LF end", "0\r\n\n", 400},
		{"trailer obs-fold", "0\r\nA: b\r\n c\r\n\r\n", 400},
		{"trailer NUL", "0\r\nA: b\x00\r\n\r\n", 400},
		{"trailer space before colon", "0\r\nA : b\r\n\r\n", 400},
		{"line too long", "1;a=" + strings.Repeat("b", http1.DefaultMaxChunkLineBytes), 400},
		{"trailer too large", "0\r\nA: " + strings.Repeat("b", http1.DefaultMaxTrailerBytes) + "\r\n\r\n", 431},
	}
	d := http1.NewChunkedDecoder(http1.ChunkedLimits{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.in)
			want := decodeChunked(d, in)
			if want.Status != tt.status {
				t.Fatalf("got %d %s; want %d", want.Status, want.Reason, tt.status)
			}
			if len(in) > 600 {
				return
			}
			for i, pieces := range splits(in) {
				if got := decodeChunked(d, pieces...); !reflect.DeepEqual(got, want) {
					t.Fatalf("split %d: got %+v; want %+v", i, got, want)
				}
			}
		})
	}
}

func TestChunkedZeroValueSticky(t *testing.T) {
	var d http1.ChunkedDecoder
	_, _, err := d.Decode([]byte("z\r\n"))
	if err == nil {
		t.Fatal("got nil error; want invalid chunk size")
	}
	if _, _, err2 := d.Decode([]byte("0\r\n\r\n")); err2 != err {
		t.Fatalf("got %v; want sticky %v", err2, err)
	}
	d.Reset()
	if got := decodeChunked(&d, []byte("1\r\nx\r\n0\r\n\r\n")); got.Body != "x" {
		t.Fatalf("after Reset: got %+v; want body x", got)
	}
	if v, ok := d.GetTrailer("missing"); ok {
		t.Fatalf("GetTrailer: got %q; want none", v)
	}
}

func ExampleChunkedDecoder() {
	var d http1.ChunkedDecoder
	in := []byte("5\r\nhello\r\n7\r\n, world\r\n0\r\nChecksum: 42\r\n\r\n")
	for len(in) > 0 && !d.Done() {
		n, data, err := d.Decode(in)
		if err != nil {
			fmt.Println(err)
			return
		}
		if len(data) > 0 {
			fmt.Printf("%q\n", data)
		}
		in = in[n:]
	}
	sum, _ := d.GetTrailer("checksum")
	fmt.Printf("trailer %s\n", sum)
	// Output:
	// "hello"
	// ", world"
	// trailer 42
}

// TestChunkedOverhead bounds the bytes a chunked body may spend outside its
// data (chunk-size lines with extensions, the CRLF after each chunk):
// without a bound, 1-byte chunks each carrying a 4 KiB extension put ~4,000
// times the body limit on the wire while every byte counts as progress (the
// class of Go's CVE-2023-39326). Ordinary framing, short extensions and
// long ones on big chunks are all accepted.
func TestChunkedOverhead(t *testing.T) {
	ext := ";x=" + strings.Repeat("a", 1000)
	var tiny, short, big strings.Builder
	for range 100 {
		tiny.WriteString("1" + ext + "\r\nx\r\n")
		short.WriteString("1;a=b\r\nx\r\n")
		big.WriteString("1000" + ext + "\r\n" + strings.Repeat("y", 0x1000) + "\r\n")
	}
	d := http1.NewChunkedDecoder(http1.ChunkedLimits{})
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"1-byte chunks with 1 KB extensions", tiny.String(), 400},
		{"1-byte chunks with short extensions", short.String(), 0},
		{"4 KiB chunks with 1 KB extensions", big.String(), 0},
	} {
		for _, split := range []bool{false, true} {
			in := []byte(tc.body + "0\r\n\r\n")
			var got chunkResult
			if split {
				pieces := make([][]byte, len(in))
				for i := range in {
					pieces[i] = in[i : i+1]
				}
				got = decodeChunked(d, pieces...)
			} else {
				got = decodeChunked(d, in)
			}
			if got.Status != tc.status {
				t.Errorf("%s (byte by byte %v): status %d (%s); want %d", tc.name, split, got.Status, got.Reason, tc.status)
			}
		}
	}
}
