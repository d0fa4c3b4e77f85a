package timerheap_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/eventide-go/eventide/internal/timerheap"
)

type item struct {
	id    int
	when  int64
	index int
}

func newHeap() *timerheap.Heap[*item] {
	return timerheap.New(func(it *item) *int { return &it.index })
}

func TestOrderAndTies(t *testing.T) {
	h := newHeap()
	var items []*item
	for i := range 200 {
		it := &item{id: i, when: int64(i % 7)}
		items = append(items, it)
		h.Push(it, it.when)
	}
	var got []*item
	for h.Len() > 0 {
		it, when := h.Min()
		if when != it.when {
			t.Fatalf("Min deadline = %d; want %d", when, it.when)
		}
		h.Remove(it.index)
		if it.index != -1 {
			t.Fatalf("index after Remove = %d; want -1", it.index)
		}
		got = append(got, it)
	}
	want := slices.Clone(items)
	slices.SortStableFunc(want, func(a, b *item) int { return int(a.when - b.when) })
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("pop %d = item %d (when %d); want item %d (when %d)", i, got[i].id, got[i].when, want[i].id, want[i].when)
		}
	}
}

// TestRandomOps checks the heap against a sorted model under random pushes,
// removals from arbitrary positions and re-keying.
func TestRandomOps(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	h := newHeap()
	live := map[*item]bool{}
	seq := 0
	for range 20000 {
		switch op := r.IntN(10); {
		case op < 5:
			seq++
			it := &item{id: seq, when: r.Int64N(1000)}
			h.Push(it, it.when)
			live[it] = true
		case op < 8 && h.Len() > 0:
			it, _ := h.At(r.IntN(h.Len()))
			h.Remove(it.index)
			delete(live, it)
		case h.Len() > 0:
			it, _ := h.At(r.IntN(h.Len()))
			it.when = r.Int64N(1000)
			h.Fix(it.index, it.when)
		}
		if h.Len() != len(live) {
			t.Fatalf("Len = %d; want %d", h.Len(), len(live))
		}
		if h.Len() > 0 {
			_, when := h.Min()
			for it := range live {
				if it.when < when {
					t.Fatalf("Min deadline %d but item %d has %d", when, it.id, it.when)
				}
			}
		}
		for i := range h.Len() {
			if it, _ := h.At(i); it.index != i {
				t.Fatalf("item at %d records index %d", i, it.index)
			}
		}
	}
}

func TestShift(t *testing.T) {
	h := newHeap()
	a, b := &item{id: 1}, &item{id: 2}
	h.Push(a, 10)
	h.Push(b, 20)
	h.Shift(5)
	if it, when := h.Min(); it != a || when != 15 {
		t.Fatalf("Min after Shift = item %d at %d; want item 1 at 15", it.id, when)
	}
}

func BenchmarkPushRemove(b *testing.B) {
	b.ReportAllocs()
	h := newHeap()
	items := make([]*item, 1<<16)
	for i := range items {
		items[i] = &item{when: int64(i * 7919 % 65536)}
		h.Push(items[i], items[i].when)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		it := items[i&(len(items)-1)]
		h.Remove(it.index)
		h.Push(it, it.when+int64(i))
	}
}
