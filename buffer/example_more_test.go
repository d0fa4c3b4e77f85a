package buffer_test

import (
	"fmt"
	"os"

	"github.com/eventide-go/eventide/buffer"
)

func ExampleBuffer_Reserve() {
	var b buffer.Buffer
	// Read straight into the buffer's own space, with no intermediate
	// slice: here, from a string standing for a read(2).
	src := "GET / HTTP/1.1\r\n"
	space := b.Reserve(64)
	n := copy(space[0], src)
	b.Commit(n) // only the n bytes written become part of b
	fmt.Printf("%d %q\n", b.Len(), b.Pullup(-1))
	// Output:
	// 16 "GET / HTTP/1.1\r\n"
}

func ExampleBuffer_AppendBuffer() {
	var head, body, reply buffer.Buffer
	head.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
	body.WriteString("hello")
	// The chunks move; no byte is copied.
	reply.AppendBuffer(&head)
	reply.AppendBuffer(&body)
	fmt.Println(reply.Len(), head.Len(), body.Len())
	// Output:
	// 43 0 0
}

func ExampleBuffer_AddFile() {
	f, err := os.CreateTemp("", "page")
	if err != nil {
		panic(err)
	}
	defer os.Remove(f.Name())
	defer f.Close() // after the segment has left the buffer
	f.WriteString("<html>hello</html>")

	var b buffer.Buffer
	b.WriteString("HTTP/1.1 200 OK\r\n\r\n")
	b.AddFile(f, 6, 5) // the bytes "hello", read only when written out
	// To a socket, WriteFd sends the segment with sendfile(2); anything
	// that needs the bytes themselves reads them from the file.
	fmt.Printf("%d %q\n", b.Len(), b.Pullup(-1))
	// Output:
	// 24 "HTTP/1.1 200 OK\r\n\r\nhello"
}
