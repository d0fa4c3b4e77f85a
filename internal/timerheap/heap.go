// Package timerheap is the loop's timer queue: a typed 4-ary min-heap ordered
// by deadline, ties broken by insertion order.
//
// A 4-ary heap is shallower than a binary one (log4 n levels) and its four
// children share a cache line or two, which is why libev and Go's runtime
// use it for timers. Each entry caches its deadline next to the element, so
// sifting compares without following pointers (libev's "cached at").
//
// Every element records its own position through the index function given
// to New, which makes Remove and Fix O(log n) without a search.
package timerheap

// Heap is a min-heap of T by (deadline, sequence). The zero value is not
// usable: create one with New. Not safe for concurrent use.
type Heap[T any] struct {
	es    []entry[T]
	seq   uint64
	index func(T) *int // where an element keeps its position; -1 = not queued
}

type entry[T any] struct {
	when int64  // deadline, in the caller's unit (nanoseconds in ev)
	seq  uint64 // insertion order, breaks ties so equal deadlines stay FIFO
	v    T
}

// New returns an empty heap. index must return a pointer to the int in which
// an element's position is kept; the heap sets it to -1 when the element
// leaves.
func New[T any](index func(T) *int) *Heap[T] {
	return &Heap[T]{index: index}
}

// Len returns the number of queued elements. O(1).
func (h *Heap[T]) Len() int { return len(h.es) }

// Min returns the element with the earliest deadline and that deadline.
// It panics on an empty heap. O(1).
func (h *Heap[T]) Min() (T, int64) { return h.es[0].v, h.es[0].when }

// At returns the element at position i (0 ≤ i < Len) and its deadline, for
// iteration in heap order (not deadline order). O(1).
func (h *Heap[T]) At(i int) (T, int64) { return h.es[i].v, h.es[i].when }

// Push queues v with deadline when. O(log n).
func (h *Heap[T]) Push(v T, when int64) {
	h.seq++
	h.es = append(h.es, entry[T]{when: when, seq: h.seq, v: v})
	i := len(h.es) - 1
	*h.index(v) = i
	h.up(i)
}

// Remove takes out the element at position i. O(log n).
func (h *Heap[T]) Remove(i int) {
	last := len(h.es) - 1
	*h.index(h.es[i].v) = -1
	if i != last {
		h.es[i] = h.es[last]
		*h.index(h.es[i].v) = i
	}
	var zero entry[T]
	h.es[last] = zero // drop the reference for the GC
	h.es = h.es[:last]
	if i != last {
		if !h.up(i) {
			h.down(i)
		}
	}
}

// Fix gives the element at position i a new deadline and a new sequence
// number (so it queues behind others with the same deadline). O(log n).
func (h *Heap[T]) Fix(i int, when int64) {
	h.seq++
	e := &h.es[i]
	earlier := when < e.when
	e.when, e.seq = when, h.seq
	if earlier {
		h.up(i)
	} else {
		h.down(i)
	}
}

// Shift adds d to every deadline; the order is unchanged. O(n).
func (h *Heap[T]) Shift(d int64) {
	for i := range h.es {
		h.es[i].when += d
	}
}

func (h *Heap[T]) less(a, b *entry[T]) bool {
	return a.when < b.when || (a.when == b.when && a.seq < b.seq)
}

// up sifts position i towards the root and reports whether it moved.
func (h *Heap[T]) up(i int) bool {
	e := h.es[i]
	start := i
	for i > 0 {
		p := (i - 1) / 4
		if !h.less(&e, &h.es[p]) {
			break
		}
		h.es[i] = h.es[p]
		*h.index(h.es[i].v) = i
		i = p
	}
	h.es[i] = e
	*h.index(e.v) = i
	return i != start
}

func (h *Heap[T]) down(i int) {
	n := len(h.es)
	e := h.es[i]
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		// Find the smallest of up to four children.
		m := c
		end := min(c+4, n)
		for j := c + 1; j < end; j++ {
			if h.less(&h.es[j], &h.es[m]) {
				m = j
			}
		}
		if !h.less(&h.es[m], &e) {
			break
		}
		h.es[i] = h.es[m]
		*h.index(h.es[i].v) = i
		i = m
	}
	h.es[i] = e
	*h.index(e.v) = i
}
