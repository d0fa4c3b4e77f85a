package buffer

import (
	"os"
	"sync"
	"unsafe"
)

// Chunk size classes. Small buffers (a request line, a short reply) start
// in a 512-byte chunk; a buffer that keeps growing moves up the classes so
// that bulk data travels in 64 KiB chunks, the largest single read or write
// a socket usually accepts in one system call.
var classSizes = [...]int{512, 4 << 10, 16 << 10, 64 << 10}

const (
	// maxChunk is the largest pooled chunk; bigger writes are split.
	maxChunk = 64 << 10
	// noClass marks a chunk whose storage is not pooled: a reference, a
	// file segment, or an exact-size chunk made by Pullup.
	noClass = -1
)

// chunk kinds.
const (
	kindMem  uint8 = iota // buf is owned by the buffer and writable
	kindRef               // buf belongs to the caller (AddReference)
	kindFile              // bytes live in a file and are read lazily
)

// A chunk is one link of a Buffer's chain. A chunk in a chain is never
// empty. Only the Buffer holding a chunk may touch it.
type chunk struct {
	next *chunk

	// buf is the storage; the data is buf[off:end]. For kindMem the free
	// space buf[end:] may be appended to and buf[:off] prepended to. A
	// kindFile chunk has no buf and off == end == 0 (Pullup relies on it).
	buf      []byte
	off, end int

	class int8  // index into classSizes, or noClass
	kind  uint8 // kindMem, kindRef or kindFile

	release func([]byte) // kindRef: called with buf once the data is consumed
	home    uintptr      // kindRef: the Buffer.id whose AddReference made it (Buffer.releaseRef); 0 in any other kind

	file *os.File // kindFile: the file; not owned
	foff int64    // kindFile: file offset of the first byte
	flen int      // kindFile: bytes left in the segment
}

// size is the number of data bytes in c.
func (c *chunk) size() int {
	if c.kind == kindFile {
		return c.flen
	}
	return c.end - c.off
}

// free is the number of bytes that may be appended to c in place.
func (c *chunk) free() int {
	if c.kind != kindMem {
		return 0
	}
	return len(c.buf) - c.end
}

// pools hold chunks (struct and storage together) per size class, so a
// recycled chunk costs no allocation at all; barePool holds chunk structs
// without storage for references and file segments.
var (
	pools    [len(classSizes)]sync.Pool
	barePool = sync.Pool{New: func() any { return &chunk{class: noClass} }}
)

func init() {
	for i := range pools {
		size, class := classSizes[i], int8(i)
		pools[i].New = func() any {
			return &chunk{buf: make([]byte, size), class: class}
		}
	}
}

// classFor returns the smallest class holding n bytes, or the largest class.
func classFor(n int) int {
	for i, s := range classSizes {
		if n <= s {
			return i
		}
	}
	return len(classSizes) - 1
}

// newChunk returns an empty pooled memory chunk of the given class.
func newChunk(class int) *chunk {
	return pools[class].Get().(*chunk)
}

// newBare returns an empty chunk struct without storage: a kindMem chunk
// of noClass until the caller sets its kind.
func newBare() *chunk {
	return barePool.Get().(*chunk)
}

// freeChunk gives c back: references are released to their owner, pooled
// storage goes back to its pool, and everything else to the garbage
// collector.
func freeChunk(c *chunk) {
	c.next = nil
	c.off, c.end = 0, 0
	switch {
	case c.kind == kindMem && c.class != noClass:
		pools[c.class].Put(c)
		return
	case c.kind == kindRef:
		release, buf := c.release, c.buf
		putBare(c)
		if release != nil {
			release(buf)
		}
		return
	}
	putBare(c)
}

// putBare clears c and returns its struct to barePool.
func putBare(c *chunk) {
	*c = chunk{class: noClass}
	barePool.Put(c)
}

// newRef returns an empty reference chunk for b from barePool. (AddReference
// first takes b's spare, if it has one: see releaseRef.)
func (b *Buffer) newRef() *chunk {
	c := newBare()
	c.kind, c.home = kindRef, b.id()
	return c
}

// id identifies b for chunk.home. It is an address kept as a number, not
// a pointer: a chunk must not keep its Buffer alive, and a Buffer freed
// and reallocated at the same address at worst keeps a stranger's spare.
func (b *Buffer) id() uintptr { return uintptr(unsafe.Pointer(b)) }
