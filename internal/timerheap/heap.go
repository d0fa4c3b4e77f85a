// Package timerheap is the loop's timer queue: a 4-ary min-heap ordered by
// deadline, ties broken by insertion order.
//
// A 4-ary heap is shallower than a binary one (log4 n levels) and its four
// children share a cache line or two, which is why libev and Go's runtime
// use it for timers. Each entry caches its deadline next to the element, so
// sifting compares without following pointers (libev's "cached at"); an
// entry is 16 bytes, and the root sits at slice index 3 so that the four
// children of any node share one 64-byte cache line (libev's HEAP0). The
// insertion sequence that breaks ties lives in the Node and is read only
// on a tie.
//
// Elements embed a Node (16 bytes), in which the heap keeps their position,
// which makes Remove and Fix O(log n) without a search. The heap hands back
// Nodes: an element that embeds its Node as its first field finds itself
// from the Node's address, so the Node needs no pointer to its owner (ev's
// Timer is 64 bytes, and 1,024 of them fit a 64 KiB L1 cache).
package timerheap

import "math"

// Node is the part of a queued element the heap maintains. The zero Node is
// "not queued" only after Init.
type Node struct {
	index int    // position in the heap; -1 = not queued
	seq   uint64 // insertion order, breaks ties so equal deadlines stay FIFO
}

// Init marks n as not queued.
func (n *Node) Init() { n.index = -1 }

// Index returns n's position in its heap, or -1 when it is not queued.
func (n *Node) Index() int { return n.index }

// Heap is a min-heap of Nodes by (deadline, sequence). The zero value is an
// empty heap. Not safe for concurrent use.
type Heap struct {
	es  []entry // es[:root] is padding; the heap proper starts at root
	seq uint64
}

type entry struct {
	when int64 // deadline, in the caller's unit (nanoseconds in ev)
	n    *Node // the element
}

// root is the slice index of the heap's root. With 16-byte entries and a
// cache-line-aligned slice, the children of slot k, 4k-8 .. 4k-5, start on
// a multiple of four: one cache line.
const root = 3

func parent(k int) int     { return k/4 + 2 }
func firstChild(k int) int { return 4*k - 8 }

// Len returns the number of queued elements. O(1).
func (h *Heap) Len() int { return max(0, len(h.es)-root) }

// Min returns the owner with the earliest deadline and that deadline.
// It panics on an empty heap. O(1).
func (h *Heap) Min() (*Node, int64) {
	if len(h.es) <= root {
		panic("timerheap: Min of an empty heap")
	}
	return h.es[root].n, h.es[root].when
}

// At returns the owner at position i (0 ≤ i < Len) and its deadline, for
// iteration in heap order (not deadline order). O(1).
func (h *Heap) At(i int) (*Node, int64) {
	e := &h.es[root+i]
	return e.n, e.when
}

// When returns the deadline of the element at position i (its Node's
// Index). O(1).
func (h *Heap) When(i int) int64 { return h.es[root+i].when }

// Push queues n with deadline when. O(log n).
func (h *Heap) Push(n *Node, when int64) {
	if h.es == nil {
		h.es = make([]entry, root, 64)
	}
	h.seq++
	n.seq = h.seq
	h.es = append(h.es, entry{when: when, n: n})
	k := len(h.es) - 1
	// Most new deadlines are not earlier than their parent's (three in
	// four elements of a 4-ary heap are leaves): settle those here.
	if k > root && when >= h.es[parent(k)].when {
		n.index = k - root
		return
	}
	h.up(k)
}

// Remove takes out the element at position i (its Node's Index). O(log n).
func (h *Heap) Remove(i int) {
	k := root + i
	es := h.es
	last := len(es) - 1
	es[k].n.index = -1
	if k == last {
		es[last] = entry{} // drop the reference for the GC
		h.es = h.es[:last] // self-reslice: stores the length only
		return
	}
	es[k] = es[last]
	es[last] = entry{}
	h.es = h.es[:last]
	if k > root && less(&es[k], &es[parent(k)]) {
		h.up(k)
	} else {
		h.down(k)
	}
}

// Fix gives the element at position i a new deadline and a new sequence
// number (so it queues behind others with the same deadline). O(log n).
func (h *Heap) Fix(i int, when int64) {
	k := root + i
	h.seq++
	e := &h.es[k]
	earlier := when < e.when
	e.when, e.n.seq = when, h.seq
	if earlier {
		h.up(k)
	} else {
		h.down(k)
	}
}

// Shift adds d >= 0 to every deadline, keeping those that would overflow
// at math.MaxInt64 (a deadline that far means never); the order is
// unchanged. O(n).
func (h *Heap) Shift(d int64) {
	for k := root; k < len(h.es); k++ {
		if w := h.es[k].when + d; w >= h.es[k].when {
			h.es[k].when = w
		} else {
			h.es[k].when = math.MaxInt64
		}
	}
}

func less(a, b *entry) bool {
	return a.when < b.when || (a.when == b.when && a.n.seq < b.n.seq)
}

// up sifts slot k towards the root, records the final position in the
// element's Node, and reports whether it moved.
func (h *Heap) up(k int) bool {
	es := h.es // a local slice: the stores through n.index cannot alias it
	e := es[k]
	start := k
	for k > root {
		p := parent(k)
		if !less(&e, &es[p]) {
			break
		}
		es[k] = es[p]
		es[k].n.index = k - root
		k = p
	}
	es[k] = e
	e.n.index = k - root
	return k != start
}

// down sifts slot k towards the leaves.
func (h *Heap) down(k int) {
	es := h.es
	n := len(es)
	e := es[k]
	for {
		c := firstChild(k)
		if c >= n {
			break
		}
		// Find the smallest of up to four children.
		m := c
		end := min(c+4, n)
		for j := c + 1; j < end; j++ {
			if less(&es[j], &es[m]) {
				m = j
			}
		}
		if !less(&es[m], &e) {
			break
		}
		es[k] = es[m]
		es[k].n.index = k - root
		k = m
	}
	es[k] = e
	e.n.index = k - root
}
