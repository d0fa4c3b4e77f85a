package stream

import (
	"runtime"
	"sync"
	"unsafe"
	"weak"

	"github.com/eventide-go/eventide/buffer"
	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/internal/evhook"
)

// readBufSize is the most one read(2) asks for: 64 KiB, the largest
// buffer chunk class, as gnet and libev's echo do.
const readBufSize = 64 << 10

// arenaSize is the size of a loop's read arena: a read needs readBufSize
// free in it, and what callbacks keep of earlier reads in the same pass
// (an echo moves every read into its output until the end of the pass)
// takes the rest.
const arenaSize = 4 * readBufSize

// loopState is what the connections of one loop share: the arena reads
// land in first, a Buffer that serves as the input of the connection whose
// read callback is running, and the writes deferred to the end of the
// pass. All of it belongs to the loop's goroutine.
type loopState struct {
	// arena receives every read(2) of a connection that has no input kept
	// from before, at arena[off:]. The bytes are shown to the read
	// callback through in by reference; whatever the callback leaves in
	// in is copied out after it. A callback may also move them to another
	// Buffer (an echo moves its input to its output, which the end of the
	// pass writes): those bytes stay where they are, off moves past them,
	// and lent counts them until their Buffers release them. off goes back
	// to 0 whenever nothing is lent; when too little is left, reads go to
	// the connection's own input Buffer until it is. So a reference held
	// for long (a slow reader's queued reply, a Buffer the program keeps
	// without draining or resetting it) makes the loop's reads copy into
	// pooled chunks meanwhile: correct, a little slower.
	arena []byte
	off   int
	lent  int
	// cur is the first byte of the read whose callback is running, and
	// curOut whether its bytes are still referenced: release tells it from
	// the earlier ones.
	cur    *byte
	curOut bool
	// busy is true while a read callback runs on the arena; a nested read
	// (a callback running the loop) then reads into owned chunks instead.
	busy bool
	// in is the input Buffer of the connection whose read callback runs on
	// the arena; empty between callbacks, so it holds no chunk memory.
	in buffer.Buffer
	// release is releaseBuf as a closure on ls, made once (a closure, not
	// the method value ls.releaseBuf, whose call goes through a wrapper).
	release func([]byte)
	// vecs is storage for Peek when copying leftover input out of the arena.
	vecs [4][]byte
	// free holds drained, unexposed Buffers for reuse.
	free []*buffer.Buffer
	// pend lists the connections whose writes wait for the end of the
	// pass (fDeferred), in the order of their first write; spare is the
	// other list while Flush works through one.
	pend, spare []*Conn
	// ring makes a pass's sends in one system call, where the system has
	// io_uring (flush_linux.go).
	ring ringState
	// released is set when the loop is closed.
	released bool
}

// maxFreeBuffers bounds loopState.free: enough for the connections that
// are mid-message at once under load, small enough to be negligible.
const maxFreeBuffers = 64

// releaseBuf is the release function of the bytes the read path lends,
// arena[off:off+n] with n > 0: the read whose callback runs is no longer
// referenced, or one lent earlier is given back. Slices are never empty,
// so their first bytes' addresses tell them apart.
func (ls *loopState) releaseBuf(p []byte) {
	if unsafe.SliceData(p) == ls.cur {
		ls.curOut = false
		return
	}
	ls.lent--
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
	ls := &loopState{arena: make([]byte, arenaSize)}
	ls.release = func(p []byte) { ls.releaseBuf(p) }
	evhook.SetFlusher(l, ls)
	loops.m[k] = ls
	runtime.AddCleanup(l, forgetLoop, k)
	return ls
}

func forgetLoop(k weak.Pointer[ev.Loop]) {
	loops.Lock()
	delete(loops.m, k)
	loops.Unlock()
}
