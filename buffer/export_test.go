package buffer

import "unsafe"

// ChunkCount returns the chunks b holds, in its chain and reserved.
func ChunkCount(b *Buffer) int {
	n := 0
	for c := b.head; c != nil; c = c.next {
		n++
	}
	for c := b.resv; c != nil; c = c.next {
		n++
	}
	return n
}

// MaxChunk is the largest pooled chunk.
const MaxChunk = maxChunk

// SizeofBuffer is the size of a Buffer struct, the memory an idle one holds.
const SizeofBuffer = unsafe.Sizeof(Buffer{})

// HasSpare reports whether b keeps a spare reference struct.
func HasSpare(b *Buffer) bool { return b.spare != nil }

// SpecialOK reports whether b.special sums up what it stands for (the
// fast paths of AddReference and Drain trust it).
func SpecialOK(b *Buffer) bool {
	return b.special == (b.frontFrozen || b.backFrozen || b.resvN != 0 || len(b.cbs) != 0)
}
