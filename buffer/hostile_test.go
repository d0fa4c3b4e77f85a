package buffer_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/buffer"
)

// TestHugeAndNegativeSizes feeds every size-taking method lengths an
// attacker could choose: each returns a clear result or panics with a
// "buffer: " message, and none allocates by the number asked for.
func TestHugeAndNegativeSizes(t *testing.T) {
	filled := func() *buffer.Buffer {
		b := buffer.New()
		b.Write(bytes.Repeat([]byte("x"), 5000))
		b.AddReference([]byte("ref"), nil)
		return b
	}
	tests := []struct {
		name      string
		op        func(b *buffer.Buffer) any
		wantPanic bool
	}{
		{"Pullup(MaxInt)", func(b *buffer.Buffer) any { return b.Pullup(math.MaxInt) == nil }, false},
		{"Pullup(MinInt)", func(b *buffer.Buffer) any { return len(b.Pullup(math.MinInt)) }, false},
		{"Peek(MaxInt)", func(b *buffer.Buffer) any { return len(b.Peek(math.MaxInt, nil)) }, false},
		{"Drain(MaxInt)", func(b *buffer.Buffer) any { return b.Drain(math.MaxInt) }, false},
		{"Drain(-1)", func(b *buffer.Buffer) any { return b.Drain(-1) }, true},
		{"RemoveBuffer(MaxInt)", func(b *buffer.Buffer) any { return b.RemoveBuffer(buffer.New(), math.MaxInt) }, false},
		{"RemoveBuffer(-1)", func(b *buffer.Buffer) any { return b.RemoveBuffer(buffer.New(), -1) }, true},
		{"Reserve(MaxInt/2)", func(b *buffer.Buffer) any {
			n := 0
			for _, v := range b.Reserve(math.MaxInt / 2) {
				n += len(v)
			}
			return n <= 1<<20
		}, false},
		{"Reserve(-1)", func(b *buffer.Buffer) any { return b.Reserve(-1) }, true},
		{"Commit(MaxInt)", func(b *buffer.Buffer) any { b.Reserve(10); b.Commit(math.MaxInt); return nil }, true},
		{"Commit(-1)", func(b *buffer.Buffer) any { b.Reserve(10); b.Commit(-1); return nil }, true},
		{"ReadFd(-1, MaxInt)", func(b *buffer.Buffer) any { n, err := b.ReadFd(-1, math.MaxInt); return n == 0 && err != nil }, false},
		{"WriteFd(-1, MaxInt)", func(b *buffer.Buffer) any { n, err := b.WriteFd(-1, math.MaxInt); return n == 0 && err != nil }, false},
		{"PosAt(MaxInt)", func(b *buffer.Buffer) any { _, ok := b.PosAt(math.MaxInt); return ok }, false},
		{"PosAt(-1)", func(b *buffer.Buffer) any { _, ok := b.PosAt(-1); return ok }, false},
		{"Advance(MaxInt)", func(b *buffer.Buffer) any { p, _ := b.PosAt(10); return b.Advance(&p, math.MaxInt) }, false},
		{"Advance(-MaxInt)", func(b *buffer.Buffer) any { p, _ := b.PosAt(10); return b.Advance(&p, -math.MaxInt) }, true},
		{"CopyOutFrom(past the end)", func(b *buffer.Buffer) any {
			p, _ := b.PosAt(b.Len())
			return b.CopyOutFrom(p, make([]byte, 10))
		}, false},
		{"CopyOutFrom(stale Pos)", func(b *buffer.Buffer) any {
			p, _ := b.PosAt(4000)
			b.Drain(4500)
			return b.CopyOutFrom(p, make([]byte, 10))
		}, false},
		{"Search(empty)", func(b *buffer.Buffer) any { return b.Search(nil, nil) }, false},
		{"AddFile(MaxInt64)", func(b *buffer.Buffer) any { return b.AddFile(nil, 0, math.MaxInt64) != nil }, true},
		{"Prepend(huge)", func(b *buffer.Buffer) any { return b.Prepend(make([]byte, 1<<20)) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := filled()
			defer func() {
				r := recover()
				if (r != nil) != tt.wantPanic {
					t.Fatalf("panic %v; want a panic: %v", r, tt.wantPanic)
				}
				if r != nil {
					if s, ok := r.(string); !ok || !strings.HasPrefix(s, "buffer: ") {
						t.Errorf("panic %#v; want a \"buffer: \" message", r)
					}
				}
			}()
			if got := tt.op(b); got == true || got == false {
				if want := !strings.HasPrefix(tt.name, "PosAt") && !strings.HasPrefix(tt.name, "Advance"); got != want {
					t.Errorf("%s = %v; want %v", tt.name, got, want)
				}
			}
		})
	}
}
