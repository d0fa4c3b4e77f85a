package stream

import (
	"errors"

	"github.com/eventide-go/eventide/buffer"
)

// FilterFunc transforms bytes (libevent's bufferevent_filter_cb): it
// consumes what it can from src and appends the result to dst. flush is
// true when no more input will come in this direction (EOF, CloseWrite,
// Flush), so the filter must emit everything it holds back. It returns nil
// (libevent's BEV_OK), ErrNeedMore when src holds too little to make
// progress (BEV_NEED_MORE), or any other error (BEV_ERROR), which closes
// the filtering connection with that error.
type FilterFunc func(src, dst *buffer.Buffer, flush bool) error

// ErrNeedMore is what a FilterFunc returns when it needs more input to
// produce anything.
var ErrNeedMore = errors.New("stream: filter needs more input")

// filterState is a filtering connection's link to the one under it.
type filterState struct {
	under   *Conn
	in, out FilterFunc
	// scratch receives the output filter's result before it goes to under.
	scratch buffer.Buffer
	// held is the length of the output the filter last left in place
	// (ErrNeedMore): output is passed down again only once it changed.
	held int
}

// NewFilter returns a connection that filters another (libevent's
// bufferevent_filter_new): bytes read by under pass through in (nil: as
// they are) into the new connection's input; bytes written to the new
// connection pass through out (nil: as they are) into under's output. The
// filter takes over under's callbacks and its reading; closing the filter
// closes under (CloseAfterFlush lets under flush first). Errors and EOF of
// under are reported by the filter. Fd returns -1; set timeouts on under.
func NewFilter(under *Conn, in, out FilterFunc) *Conn {
	if under == nil {
		panic("stream: NewFilter of a nil *Conn")
	}
	f := &Conn{ls: under.ls, flags: fWrite}
	f.io.Init(under.Loop(), -1, 0, connIO)
	x := f.extras()
	x.kind = kindFilter
	fs := &filterState{under: under, in: in, out: out}
	x.filter = fs
	under.SetCallbacks(
		func(*Conn) { fs.underRead(f) },
		func(*Conn) { fs.underWrite(f) },
		func(_ *Conn, what What, err error) { fs.underEvent(f, what, err) },
	)
	under.Disable(Read)
	under.Enable(Write)
	return f
}

// arm enables reading under f while f wants input, and has the loop pass
// f's output down.
func (fs *filterState) arm(f *Conn) {
	u := fs.under
	if u.flags&fClosed != 0 {
		return
	}
	if f.flags&(fRead|fReadSuspended|fEOF) == fRead {
		u.Enable(Read)
	} else {
		u.Disable(Read)
	}
	if f.flags&fWrite != 0 && f.outLen() > 0 && f.outLen() != fs.held {
		f.kick()
	}
}

// run applies fn, or copies when fn is nil; it reports false after
// failing f, or when fn closed f.
func (fs *filterState) run(f *Conn, fn FilterFunc, src, dst *buffer.Buffer, flush bool) bool {
	if fn == nil {
		dst.AppendBuffer(src)
		return true
	}
	err := fn(src, dst, flush)
	if f.flags&fClosed != 0 {
		// fn closed f: nothing may reach a callback, and dst (f's input,
		// which Close gave back to the loop for reuse) must not keep
		// what fn wrote after that.
		dst.Reset()
		return false
	}
	if err != nil && !errors.Is(err, ErrNeedMore) {
		f.extras().err = err
		f.fail(0, err)
		return false
	}
	return true
}

// underRead moves what under read through the input filter.
func (fs *filterState) underRead(f *Conn) {
	fs.input(f, false)
}

func (fs *filterState) input(f *Conn, flush bool) {
	in := f.Input()
	before := in.Len()
	if !fs.run(f, fs.in, fs.under.Input(), in, flush) {
		return
	}
	f.x.readDone(in.Len() - before)
	if in.Len() > before && in.Len() >= f.x.lowReadMark() {
		f.callRead()
		if f.flags&fClosed != 0 {
			return
		}
	}
	f.afterRead()
}

// flush passes f's output through the output filter to under.
func (fs *filterState) flush(f *Conn, flushing bool) error {
	if f.outLen() == 0 && !flushing {
		return nil
	}
	src := f.out
	if src == nil {
		src = &fs.scratch // empty: lets a flushing filter emit its tail
	}
	if !fs.run(f, fs.out, src, &fs.scratch, flushing) {
		return f.x.err
	}
	fs.held = f.outLen()
	if fs.scratch.Len() > 0 {
		if err := fs.under.WriteBuffer(&fs.scratch); err != nil {
			return err
		}
	}
	f.afterWrite()
	if f.flags&fClosed == 0 && fs.under.outLen() == 0 && f.outLen() <= f.x.lowWriteMark() {
		f.callWrite()
	}
	return nil
}

// underWrite: under drained its output; f's writer may go on.
func (fs *filterState) underWrite(f *Conn) {
	if f.flags&fClosed == 0 && f.outLen() <= f.x.lowWriteMark() {
		f.callWrite()
	}
}

// underEvent reports under's events as f's.
func (fs *filterState) underEvent(f *Conn, what What, err error) {
	switch {
	case what&Error != 0:
		f.fail(what&^Error, err)
	case what&EOF != 0:
		fs.input(f, true)
		if f.flags&fClosed == 0 {
			f.flags |= fEOF
			f.callEvent(what, err)
		}
	default:
		f.callEvent(what, err)
	}
}

func (fs *filterState) shutdown(f *Conn) error {
	if err := fs.flush(f, true); err != nil {
		return err
	}
	return fs.under.CloseWrite()
}

func (x *extras) closeFilter(f *Conn) error {
	fs := x.filter
	u := fs.under
	fs.scratch.Reset()
	if u.flags&fClosed != 0 {
		return nil
	}
	u.SetCallbacks(nil, nil, nil)
	if f.flags&fCloseAfterFlush != 0 {
		u.CloseAfterFlush()
		return nil
	}
	return u.Close()
}
