package ev

import (
	"context"
	"log/slog"
	"net"
	"runtime"
	"sync"
)

// errClosed is net.ErrClosed, so that errors.Is(err, net.ErrClosed) holds
// for a closed loop as for a closed connection.
var errClosed = net.ErrClosed

// goid returns the calling goroutine's id, parsed from the first line of its
// stack trace ("goroutine 18 [running]:"). It costs about a microsecond, so
// it is used only where the answer matters: entering Run, and every
// loop-only method under WithDebug.
func goid() int64 {
	bp := stackBufs.Get().(*[64]byte)
	n := runtime.Stack(bp[:], false)
	b := bp[:n]
	const prefix = len("goroutine ")
	var id int64
	for i := prefix; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		id = id*10 + int64(b[i]-'0')
	}
	stackBufs.Put(bp)
	return id
}

// stackBufs holds goid's scratch buffers: runtime.Stack keeps a reference
// to its buffer while it writes, so a local array would escape and cost an
// allocation per Run.
var stackBufs = sync.Pool{New: func() any { return new([64]byte) }}

// checkGoroutine panics, under WithDebug, when a loop-only method is called
// from a goroutine other than the one running the loop.
func (l *Loop) checkGoroutine() {
	if l.debug {
		l.checkOwner()
	}
}

func (l *Loop) checkOwner() {
	if o := l.owner.Load(); o != 0 && o != goid() {
		panic("ev: loop-only method called from a goroutine that is not running the loop")
	}
}

// logf logs through the loop's logger, if it has one.
func (l *Loop) logf(msg string, args ...any) {
	if l.logger != nil {
		l.logger.Log(context.Background(), slog.LevelWarn, msg, args...)
	}
}
