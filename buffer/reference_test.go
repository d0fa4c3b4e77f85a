package buffer_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/eventide-go/eventide/buffer"
)

// TestReferenceFastPaths runs AddReference followed by Drain of everything
// on Buffers set up so that each condition of the two methods' common-case
// paths (an empty Buffer with a spare; one reference of its own, drained
// whole) fails in turn, and checks that results, contents, callback
// reports and releases are the same whichever path ran.
func TestReferenceFastPaths(t *testing.T) {
	type change struct{ orig, added, deleted int }
	for _, tc := range []struct {
		name    string
		setup   func(b *buffer.Buffer)
		drain   int // bytes to drain; -1: Len
		addErr  error
		drainOK bool // Drain returns nil
		left    string
		changes []change // reported with a callback set up by setup
	}{
		{name: "plain", drain: -1, drainOK: true},
		{name: "callback", drain: -1, drainOK: true, setup: func(b *buffer.Buffer) {}, changes: []change{{0, 5, 0}, {5, 0, 5}}},
		{name: "back frozen", drain: -1, drainOK: true, addErr: buffer.ErrFrozen, setup: func(b *buffer.Buffer) { b.Freeze(false) }},
		{name: "front frozen", drain: -1, left: "hello", setup: func(b *buffer.Buffer) { b.Freeze(true) }},
		{name: "reserved", drain: -1, drainOK: true, setup: func(b *buffer.Buffer) { b.Reserve(10) }},
		{name: "unfrozen", drain: -1, drainOK: true, setup: func(b *buffer.Buffer) {
			b.Freeze(true)
			b.Freeze(false)
			b.Unfreeze(false)
			b.Unfreeze(true)
		}},
		{name: "one end unfrozen", drain: -1, left: "hello", setup: func(b *buffer.Buffer) {
			b.Freeze(true)
			b.Freeze(false)
			b.Unfreeze(false)
		}},
		{name: "committed", drain: -1, drainOK: true, setup: func(b *buffer.Buffer) { b.Reserve(10); b.Commit(0) }},
		{name: "callback removed", drain: -1, drainOK: true, setup: func(b *buffer.Buffer) {
			b.AddCallback(func(*buffer.Buffer, buffer.Change) {}).Remove()
		}},
		{name: "callback removed while notifying", drain: -1, drainOK: true, setup: func(b *buffer.Buffer) {
			var cb *buffer.Callback
			cb = b.AddCallback(func(*buffer.Buffer, buffer.Change) { cb.Remove() })
			b.WriteString("x")
			b.Drain(1)
		}},
		{name: "not empty", drain: -1, drainOK: true, setup: func(b *buffer.Buffer) { b.WriteString("ab") }},
		{name: "drain more", drain: 100, drainOK: true},
		{name: "drain part", drain: 2, drainOK: true, left: "llo"},
		{name: "spare taken", drain: -1, drainOK: true, setup: func(b *buffer.Buffer) {
			// b's spare goes to a reference drained first: Drain then
			// finds the spare taken.
			b.AddReference([]byte("xy"), nil)
			b.AddReference([]byte("z"), nil)
			b.Drain(2)
		}},
		{name: "moved in", drain: -1, drainOK: true, setup: func(b *buffer.Buffer) {
			var o buffer.Buffer
			o.AddReference([]byte("mv"), nil)
			b.AppendBuffer(&o)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b buffer.Buffer
			b.AddReference([]byte("spare"), nil) // leaves b a spare
			b.Drain(b.Len())
			if !buffer.HasSpare(&b) {
				t.Fatal("no spare after a reference was drained")
			}
			var got []change
			if tc.changes != nil {
				b.AddCallback(func(_ *buffer.Buffer, c buffer.Change) {
					got = append(got, change{c.OrigLen, c.Added, c.Deleted})
				})
			}
			if tc.setup != nil {
				tc.setup(&b)
			}
			if !buffer.SpecialOK(&b) {
				t.Fatal("after setup: special does not sum up the Buffer's state")
			}
			before := string(b.Pullup(-1))
			p := []byte("hello")
			var released [][]byte
			err := b.AddReference(p, func(q []byte) { released = append(released, q) })
			if !errors.Is(err, tc.addErr) {
				t.Fatalf("AddReference = %v; want %v", err, tc.addErr)
			}
			want := before
			if err == nil {
				want += "hello"
			}
			if s := string(b.Pullup(-1)); s != want {
				t.Fatalf("after AddReference: %q; want %q", s, want)
			}
			n := tc.drain
			if n < 0 {
				n = b.Len()
			}
			if err := b.Drain(n); (err == nil) != tc.drainOK {
				t.Fatalf("Drain(%d) = %v; want nil: %v", n, err, tc.drainOK)
			}
			if err == nil {
				want = tc.left
			}
			if s := string(b.Pullup(-1)); s != want || b.Len() != len(want) {
				t.Fatalf("after Drain: %q, Len %d; want %q", s, b.Len(), want)
			}
			if !buffer.SpecialOK(&b) {
				t.Fatal("after Drain: special does not sum up the Buffer's state")
			}
			if tc.changes != nil && !slices.Equal(got, tc.changes) {
				t.Errorf("changes %v; want %v", got, tc.changes)
			}
			wantRel := 0
			if err == nil && b.Len() == 0 {
				wantRel = 1
			}
			if len(released) != wantRel || wantRel == 1 && &released[0][0] != &p[0] {
				t.Fatalf("released %d times; want %d, with the whole of p", len(released), wantRel)
			}
			b.Unfreeze(true)
			b.Reset()
			if k := buffer.ChunkCount(&b); k != 0 {
				t.Errorf("%d chunks after Reset", k)
			}
			if wantRel == 0 && err == nil && len(released) != 1 {
				t.Errorf("released %d times after Reset; want 1", len(released))
			}
		})
	}
}

// TestReleaseAddsReference has the release function of a reference
// drained whole lend b new memory, which takes the spare the drain just
// made: b then holds the new bytes, and releases them in turn.
func TestReleaseAddsReference(t *testing.T) {
	var b buffer.Buffer
	released := 0
	var rel func([]byte)
	rel = func([]byte) {
		if released++; released == 1 {
			if err := b.AddReference([]byte("again"), rel); err != nil {
				t.Errorf("AddReference from release: %v", err)
			}
		}
	}
	for range 2 { // the first Drain leaves the spare the second one uses
		released = 0
		b.AddReference([]byte("first"), rel)
		b.Drain(b.Len())
		if s := string(b.Pullup(-1)); s != "again" || released != 1 {
			t.Fatalf("after Drain: %q, %d releases; want \"again\", 1", s, released)
		}
		b.Drain(b.Len())
		if b.Len() != 0 || released != 2 {
			t.Fatalf("after the second Drain: Len %d, %d releases; want 0, 2", b.Len(), released)
		}
	}
}

// TestSpareAfterPartialDrain drains a reference in two steps, the last one
// whole, and lends b new memory in the spare that leaves: the spare must
// not keep the first reference's offset.
func TestSpareAfterPartialDrain(t *testing.T) {
	var b buffer.Buffer
	for range 3 {
		b.AddReference([]byte("hello"), nil)
		b.Drain(2)
		b.Drain(3)
	}
	b.AddReference([]byte("world"), nil)
	if s := string(b.Pullup(-1)); s != "world" {
		t.Fatalf("got %q; want \"world\"", s)
	}
}
