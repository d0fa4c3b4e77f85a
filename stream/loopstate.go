package stream

import (
	"runtime"
	"sync"
	"unsafe"
	"weak"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
)

// readBufSize is the size of a loop's shared read buffer and the most one
// read(2) asks for: 64 KiB, the largest buffer chunk class, as gnet and
// libev's echo do.
const readBufSize = 64 << 10

// loopState is what the connections of one loop share: the buffer every
// read lands in first, and a Buffer that serves as the input of the
// connection whose read callback is running. All of it belongs to the
// loop's goroutine.
type loopState struct {
	// buf receives every read(2) of a connection that has no input kept
	// from before. The bytes are shown to the read callback through in by
	// reference; whatever the callback leaves is copied out before the next
	// read.
	buf []byte
	// lent is true while bytes of buf are referenced by a Buffer: set by
	// the read path, cleared by release. If the callback moved them to
	// another Buffer (AppendBuffer of the input into an output), they are
	// still lent after the callback and buf is replaced by a fresh one.
	lent bool
	// busy is true while a read callback runs with buf lent; a nested read
	// (a callback running the loop) then reads into owned chunks instead.
	busy bool
	// in is the input Buffer of the connection whose read callback runs on
	// buf; empty between callbacks, so it holds no chunk memory.
	in buffer.Buffer
	// release is releaseBuf as a closure on ls, made once (a closure, not
	// the method value ls.releaseBuf, whose call goes through a wrapper).
	release func([]byte)
	// vecs is storage for Peek when copying leftover input out of buf.
	vecs [4][]byte
	// free holds drained, unexposed Buffers for reuse.
	free []*buffer.Buffer
}

// maxFreeBuffers bounds loopState.free: enough for the connections that
// are mid-message at once under load, small enough to be negligible.
const maxFreeBuffers = 64

// releaseBuf is the release function of the bytes the read path lends,
// ls.buf[:n] with n > 0: the release of the current buf clears lent, that
// of an earlier one (replaced while it was lent) changes nothing. Neither
// slice is ever empty (buf is readBufSize long), so their first bytes'
// addresses tell them apart.
func (ls *loopState) releaseBuf(p []byte) {
	if unsafe.SliceData(p) == unsafe.SliceData(ls.buf) {
		ls.lent = false
	}
}

// getBuffer returns an empty Buffer, recycled when one is free.
func (ls *loopState) getBuffer() *buffer.Buffer {
	if n := len(ls.free); n > 0 {
		b := ls.free[n-1]
		ls.free[n-1] = nil
		ls.free = ls.free[:n-1]
		return b
	}
	return new(buffer.Buffer)
}

// putBuffer keeps an empty Buffer for reuse.
func (ls *loopState) putBuffer(b *buffer.Buffer) {
	if len(ls.free) < maxFreeBuffers {
		ls.free = append(ls.free, b)
	}
}

// loops maps each loop with connections to its state. The key is weak so
// that the map does not keep a loop alive; a cleanup removes the entry when
// the loop is collected.
var loops struct {
	sync.Mutex
	m map[weak.Pointer[ev.Loop]]*loopState
}

// stateOf returns l's shared state, creating it on first use. It is called
// once per connection, not per message.
func stateOf(l *ev.Loop) *loopState {
	k := weak.Make(l)
	loops.Lock()
	defer loops.Unlock()
	if ls := loops.m[k]; ls != nil {
		return ls
	}
	if loops.m == nil {
		loops.m = make(map[weak.Pointer[ev.Loop]]*loopState)
	}
	ls := &loopState{buf: make([]byte, readBufSize)}
	ls.release = func(p []byte) { ls.releaseBuf(p) }
	loops.m[k] = ls
	runtime.AddCleanup(l, forgetLoop, k)
	return ls
}

func forgetLoop(k weak.Pointer[ev.Loop]) {
	loops.Lock()
	delete(loops.m, k)
	loops.Unlock()
}
