package http1_test

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httputil"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/internal/http1"
)

// browser is a 20-header request as a desktop browser sends it.
var browser = "GET /static/app.js?v=1234 HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"Connection: keep-alive\r\n" +
	"sec-ch-ua: \"Chromium\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n" +
	"sec-ch-ua-mobile: ?0\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36\r\n" +
	"sec-ch-ua-platform: \"Linux\"\r\n" +
	"Accept: */*\r\n" +
	"Sec-Fetch-Site: same-origin\r\n" +
	"Sec-Fetch-Mode: no-cors\r\n" +
	"Sec-Fetch-Dest: script\r\n" +
	"Referer: https://www.example.com/index.html\r\n" +
	"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Accept-Language: en-GB,en;q=0.9,fr;q=0.8\r\n" +
	"Cookie: session=0123456789abcdef0123456789abcdef; theme=dark; _ga=GA1.2.123456789.1700000000\r\n" +
	"If-None-Match: \"5f3e-1234abcd\"\r\n" +
	"If-Modified-Since: Tue, 01 Oct 2024 10:00:00 GMT\r\n" +
	"Cache-Control: max-age=0\r\n" +
	"DNT: 1\r\n" +
	"Priority: u=1\r\n" +
	"Pragma: no-cache\r\n\r\n"

func benchRequest(b *testing.B, in string) {
	p := http1.NewRequestParser(http1.Limits{})
	buf := []byte(in)
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		p.Reset()
		if _, err := p.Feed(buf); err != nil || !p.Done() {
			b.Fatal(err)
		}
	}
}

func benchStdRequest(b *testing.B, in string) {
	r := strings.NewReader(in)
	br := bufio.NewReader(r)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		r.Reset(in)
		br.Reset(r)
		if _, err := http.ReadRequest(br); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRequestGET(b *testing.B)        { benchRequest(b, get) }
func BenchmarkRequestBrowser(b *testing.B)    { benchRequest(b, browser) }
func BenchmarkStdRequestGET(b *testing.B)     { benchStdRequest(b, get) }
func BenchmarkStdRequestBrowser(b *testing.B) { benchStdRequest(b, browser) }

// chunkedBody is 64 KiB in 16 chunks of 4 KiB.
var chunkedBody = func() []byte {
	var buf bytes.Buffer
	w := httputil.NewChunkedWriter(&buf)
	chunk := bytes.Repeat([]byte("x"), 4096)
	for range 16 {
		w.Write(chunk)
	}
	w.Close()
	buf.WriteString("\r\n")
	return buf.Bytes()
}()

func BenchmarkChunked(b *testing.B) {
	d := http1.NewChunkedDecoder(http1.ChunkedLimits{})
	b.ReportAllocs()
	b.SetBytes(int64(len(chunkedBody)))
	for b.Loop() {
		d.Reset()
		for in := chunkedBody; len(in) > 0 && !d.Done(); {
			n, _, err := d.Decode(in)
			if err != nil {
				b.Fatal(err)
			}
			in = in[n:]
		}
	}
}

func BenchmarkStdChunked(b *testing.B) {
	r := bytes.NewReader(chunkedBody)
	br := bufio.NewReader(r)
	b.ReportAllocs()
	b.SetBytes(int64(len(chunkedBody)))
	for b.Loop() {
		r.Reset(chunkedBody)
		br.Reset(r)
		if _, err := io.Copy(io.Discard, httputil.NewChunkedReader(br)); err != nil {
			b.Fatal(err)
		}
	}
}
