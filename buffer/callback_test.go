package buffer_test

import (
	"slices"
	"testing"

	"github.com/eventide-go/eventide/buffer"
)

func TestCallbacks(t *testing.T) {
	var b buffer.Buffer
	var got []buffer.Change
	cb := b.AddCallback(func(_ *buffer.Buffer, c buffer.Change) { got = append(got, c) })
	p := make([]byte, 3)

	b.WriteString("hello")  // +5
	b.Read(p)               // -3
	b.Pullup(-1)            // no change
	b.WriteString("")       // no change
	b.Prepend([]byte("ab")) // +2
	b.Drain(100)            // -4
	want := []buffer.Change{{0, 5, 0}, {5, 0, 3}, {2, 2, 0}, {4, 0, 4}}
	if len(got) != len(want) {
		t.Fatalf("got %d calls %v; want %v", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("call %d = %+v; want %+v", i, got[i], want[i])
		}
	}

	got = nil
	cb.Suspend()
	b.WriteString("abcdef")
	b.Drain(2)
	b.WriteString("g")
	if len(got) != 0 {
		t.Fatalf("suspended callback called %d times", len(got))
	}
	cb.Resume()
	if len(got) != 1 || got[0] != (buffer.Change{OrigLen: 0, Added: 7, Deleted: 2}) {
		t.Fatalf("after Resume got %+v; want one {0 7 2}", got)
	}
	cb.Resume()
	if len(got) != 1 {
		t.Fatalf("second Resume called again")
	}

	got = nil
	cb.Remove()
	cb.Remove()
	b.WriteString("x")
	if len(got) != 0 {
		t.Fatalf("removed callback called")
	}
}

func TestCallbackOrderAndReentry(t *testing.T) {
	var b buffer.Buffer
	var order []string
	var second *buffer.Callback
	b.AddCallback(func(b *buffer.Buffer, c buffer.Change) {
		order = append(order, "first")
		if c.Added > 0 && b.Len() > 3 {
			second.Remove()      // removal while notifying
			b.Drain(b.Len() - 3) // nested change
		}
	})
	second = b.AddCallback(func(*buffer.Buffer, buffer.Change) { order = append(order, "second") })
	b.WriteString("ab")
	b.WriteString("cdef")
	if got := contents(&b); got != "def" {
		t.Fatalf("contents %q; want %q", got, "def")
	}
	want := []string{"first", "second", "first", "first"}
	if len(order) != len(want) {
		t.Fatalf("order %q; want %q", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %q; want %q", order, want)
		}
	}
}

// TestCallbackAddedWhileNotifying: a callback registered by another
// callback sees only the changes made after it was registered, not the
// one being reported when it was added.
func TestCallbackAddedWhileNotifying(t *testing.T) {
	var b buffer.Buffer
	var late []buffer.Change
	var added bool
	b.AddCallback(func(b *buffer.Buffer, c buffer.Change) {
		if !added {
			added = true
			b.AddCallback(func(_ *buffer.Buffer, c buffer.Change) { late = append(late, c) })
		}
	})
	b.WriteString("abc")
	if len(late) != 0 {
		t.Fatalf("callback added during the report of Write(\"abc\") saw %v; want nothing", late)
	}
	b.Drain(1)
	if want := []buffer.Change{{OrigLen: 3, Deleted: 1}}; !slices.Equal(late, want) {
		t.Fatalf("callback saw %v; want %v", late, want)
	}
}
