// Package timerheap is the loop's timer queue: a typed 4-ary min-heap ordered
// by deadline, ties broken by insertion order.
//
// A 4-ary heap is shallower than a binary one (log4 n levels) and its four
// children share a cache line or two, which is why libev and Go's runtime
// use it for timers. Each entry caches its deadline next to the element, so
// sifting compares without following pointers (libev's "cached at").
//
// Elements embed a Node, in which the heap keeps their position, which makes
// Remove and Fix O(log n) without a search, and the Node points back to its
// owner, so no callback is needed to find either.
package timerheap

// Node is the part of a queued element the heap maintains. Embed it and set
// Owner once; the zero Node is "not queued" only after Init.
type Node[T any] struct {
	index int // position in the heap; -1 = not queued
	Owner T   // the element this Node belongs to
}

// Init marks n as not queued and records its owner.
func (n *Node[T]) Init(owner T) { n.index, n.Owner = -1, owner }

// Index returns n's position in its heap, or -1 when it is not queued.
func (n *Node[T]) Index() int { return n.index }

// Heap is a min-heap of Nodes by (deadline, sequence). The zero value is an
// empty heap. Not safe for concurrent use.
type Heap[T any] struct {
	es  []entry[T]
	seq uint64
}

type entry[T any] struct {
	when int64    // deadline, in the caller's unit (nanoseconds in ev)
	seq  uint64   // insertion order, breaks ties so equal deadlines stay FIFO
	n    *Node[T] // the element
}

// Len returns the number of queued elements. O(1).
func (h *Heap[T]) Len() int { return len(h.es) }

// Min returns the owner with the earliest deadline and that deadline.
// It panics on an empty heap. O(1).
func (h *Heap[T]) Min() (T, int64) { return h.es[0].n.Owner, h.es[0].when }

// At returns the owner at position i (0 ≤ i < Len) and its deadline, for
// iteration in heap order (not deadline order). O(1).
func (h *Heap[T]) At(i int) (T, int64) { return h.es[i].n.Owner, h.es[i].when }

// Push queues n with deadline when. O(log n).
func (h *Heap[T]) Push(n *Node[T], when int64) {
	h.seq++
	h.es = append(h.es, entry[T]{when: when, seq: h.seq, n: n})
	i := len(h.es) - 1
	n.index = i
	h.up(i)
}

// Remove takes out the element at position i. O(log n).
func (h *Heap[T]) Remove(i int) {
	last := len(h.es) - 1
	h.es[i].n.index = -1
	if i != last {
		h.es[i] = h.es[last]
		h.es[i].n.index = i
	}
	h.es[last] = entry[T]{} // drop the reference for the GC
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

func less[T any](a, b *entry[T]) bool {
	return a.when < b.when || (a.when == b.when && a.seq < b.seq)
}

// up sifts position i towards the root and reports whether it moved.
func (h *Heap[T]) up(i int) bool {
	e := h.es[i]
	start := i
	for i > 0 {
		p := (i - 1) / 4
		if !less(&e, &h.es[p]) {
			break
		}
		h.es[i] = h.es[p]
		h.es[i].n.index = i
		i = p
	}
	h.es[i] = e
	e.n.index = i
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
			if less(&h.es[j], &h.es[m]) {
				m = j
			}
		}
		if !less(&h.es[m], &e) {
			break
		}
		h.es[i] = h.es[m]
		h.es[i].n.index = i
		i = m
	}
	h.es[i] = e
	e.n.index = i
}
