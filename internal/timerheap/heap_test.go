package timerheap_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/eventide-go/eventide/internal/timerheap"
)

// item embeds its Node as its first field, as ev's watchers do, so that
// the item is found from the Node the heap returns.
type item struct {
	timerheap.Node
	id   int
	when int64
}

func newItem(id int, when int64) *item {
	it := &item{id: id, when: when}
	it.Init()
	return it
}

func itemOf(n *timerheap.Node) *item { return (*item)(unsafe.Pointer(n)) }

// heap wraps the Heap to return items.
type heap struct{ timerheap.Heap }

func (h *heap) Min() (*item, int64) {
	n, when := h.Heap.Min()
	return itemOf(n), when
}

func (h *heap) At(i int) (*item, int64) {
	n, when := h.Heap.At(i)
	return itemOf(n), when
}

func newHeap() *heap { return new(heap) }

func TestOrderAndTies(t *testing.T) {
	h := newHeap()
	var items []*item
	for i := range 200 {
		it := newItem(i, int64(i%7))
		items = append(items, it)
		h.Push(&it.Node, it.when)
	}
	var got []*item
	for h.Len() > 0 {
		it, when := h.Min()
		if when != it.when {
			t.Fatalf("Min deadline = %d; want %d", when, it.when)
		}
		h.Remove(it.Index())
		if it.Index() != -1 {
			t.Fatalf("index after Remove = %d; want -1", it.Index())
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
			it := newItem(seq, r.Int64N(1000))
			h.Push(&it.Node, it.when)
			live[it] = true
		case op < 8 && h.Len() > 0:
			it, _ := h.At(r.IntN(h.Len()))
			h.Remove(it.Index())
			delete(live, it)
		case h.Len() > 0:
			it, _ := h.At(r.IntN(h.Len()))
			it.when = r.Int64N(1000)
			h.Fix(it.Index(), it.when)
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
			it, when := h.At(i)
			if it.Index() != i {
				t.Fatalf("item at %d records index %d", i, it.Index())
			}
			if when != it.when || h.When(i) != it.when {
				t.Fatalf("item %d: deadline %d, When %d; want %d", it.id, when, h.When(i), it.when)
			}
		}
	}
}

func TestShift(t *testing.T) {
	h := newHeap()
	a, b := newItem(1, 10), newItem(2, 20)
	h.Push(&a.Node, 10)
	h.Push(&b.Node, 20)
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
		items[i] = newItem(i, int64(i*7919%65536))
		h.Push(&items[i].Node, items[i].when)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		it := items[i&(len(items)-1)]
		h.Remove(it.Index())
		h.Push(&it.Node, it.when+int64(i))
	}
}

func TestShiftSaturates(t *testing.T) {
	var h timerheap.Heap
	items := []*item{newItem(0, 10), newItem(1, math.MaxInt64-5), newItem(2, math.MaxInt64)}
	for _, it := range items {
		it.Init()
		h.Push(&it.Node, it.when)
	}
	h.Shift(100)
	want := []int64{110, math.MaxInt64, math.MaxInt64}
	for i, it := range items {
		if got := h.When(it.Index()); got != want[i] {
			t.Errorf("deadline %d after Shift(100) = %d; want %d", it.when, got, want[i])
		}
	}
	if n, when := h.Min(); n != &items[0].Node || when != 110 {
		t.Errorf("Min after Shift = %p, %d; want item 0 at 110", n, when)
	}
}
