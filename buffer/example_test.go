package buffer_test

import (
	"fmt"
	"io"
	"os"

	"github.com/eventide-go/eventide/buffer"
)

func Example() {
	var b buffer.Buffer
	b.WriteString("hello, ")
	b.Printf("%s #%d", "world", 1)
	b.Prepend([]byte(">> "))
	fmt.Println(b.Len())
	io.Copy(os.Stdout, &b)
	fmt.Println()
	fmt.Println(b.Len())
	// Output:
	// 18
	// >> hello, world #1
	// 0
}

func ExampleBuffer_ReadLine() {
	var b buffer.Buffer
	b.WriteString("HELO example.com\r\nMAIL FROM:<a@b>\r\npartial")
	for {
		line, ok := b.ReadLine(buffer.EOLCRLF)
		if !ok {
			break
		}
		fmt.Printf("%q\n", line)
	}
	fmt.Printf("left: %q\n", b.Pullup(-1))
	// Output:
	// "HELO example.com"
	// "MAIL FROM:<a@b>"
	// left: "partial"
}

func ExampleBuffer_Search() {
	var b buffer.Buffer
	b.WriteString("a=1; b=2; c=3")
	var p buffer.Pos
	for {
		p = b.Search([]byte("="), &p)
		if p.Offset < 0 {
			break
		}
		fmt.Println(p.Offset)
		b.Advance(&p, 1)
	}
	// Output:
	// 1
	// 6
	// 11
}

func ExampleBuffer_AddReference() {
	var b buffer.Buffer
	body := []byte("static response body\n")
	b.AddReference(body, func(p []byte) { fmt.Printf("released %d bytes\n", len(p)) })
	b.WriteString("(end)\n")
	io.Copy(os.Stdout, &b) // release runs as soon as body has been written
	// Output:
	// static response body
	// released 21 bytes
	// (end)
}

func ExampleBuffer_AddCallback() {
	var b buffer.Buffer
	b.AddCallback(func(b *buffer.Buffer, c buffer.Change) {
		fmt.Printf("len %d -> %d\n", c.OrigLen, b.Len())
	})
	b.WriteString("abc")
	b.Drain(2)
	// Output:
	// len 0 -> 3
	// len 3 -> 1
}

func ExampleCallback() {
	var b buffer.Buffer
	cb := b.AddCallback(func(b *buffer.Buffer, c buffer.Change) {
		fmt.Printf("len %d: +%d -%d\n", c.OrigLen, c.Added, c.Deleted)
	})
	b.WriteString("hello, ")
	b.Drain(3)

	cb.Suspend() // changes are held and summed up
	b.WriteString("world")
	b.Drain(4)
	cb.Resume() // one call for both

	cb.Remove()
	b.WriteString("!") // not reported
	fmt.Printf("%q\n", b.Pullup(-1))
	// Output:
	// len 0: +7 -0
	// len 7: +0 -3
	// len 4: +5 -4
	// "world!"
}
