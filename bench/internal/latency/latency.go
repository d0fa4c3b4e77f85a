// Package latency records durations in a fixed-size histogram and reports
// percentiles, for load generators that take millions of samples and must
// not allocate per sample.
//
// # Precision
//
// Buckets are log-linear: each power of two from 1 ns up is split into 64
// equal sub-buckets, so a reported percentile is the upper bound of its
// bucket and at most 1/64 (1.6 %) above the true value. Durations of 2^40 ns
// (about 18 minutes) and more share the last bucket.
package latency

import (
	"math/bits"
	"time"
)

const (
	subBits    = 6 // 64 sub-buckets per power of two
	subBuckets = 1 << subBits
	maxExp     = 40
	nBuckets   = (maxExp + 1) * subBuckets
)

// Histogram counts durations. The zero value is empty and ready to use; it
// is not safe for concurrent use (give each goroutine its own and Merge).
type Histogram struct {
	counts [nBuckets]uint64
	n      uint64
}

// bucket returns the index of d's bucket.
func bucket(d time.Duration) int {
	v := uint64(max(d, 0))
	if v < subBuckets {
		return int(v) // exact below 64 ns
	}
	exp := 63 - leadingZeros(v) // v in [2^exp, 2^(exp+1))
	if exp > maxExp {
		return nBuckets - 1
	}
	sub := (v >> (exp - subBits)) & (subBuckets - 1)
	return (exp-subBits+1)*subBuckets + int(sub)
}

// upper returns the largest duration that falls in bucket i.
func upper(i int) time.Duration {
	if i < subBuckets {
		return time.Duration(i)
	}
	exp := i/subBuckets + subBits - 1
	sub := uint64(i % subBuckets)
	lo := uint64(1)<<exp | sub<<(exp-subBits)
	return time.Duration(lo + 1<<(exp-subBits) - 1)
}

func leadingZeros(v uint64) int { return bits.LeadingZeros64(v) }

// Record counts one duration; negative ones count as 0.
func (h *Histogram) Record(d time.Duration) {
	h.counts[bucket(d)]++
	h.n++
}

// Count returns the number of durations recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

// Reset empties h.
func (h *Histogram) Reset() { *h = Histogram{} }

// Percentile returns the duration below or at which p percent (0–100) of the
// recorded durations fall, rounded up to its bucket's upper bound; 0 for an
// empty histogram.
func (h *Histogram) Percentile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(p / 100 * float64(h.n))
	if rank >= h.n {
		rank = h.n - 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen > rank {
			return upper(i)
		}
	}
	return upper(nBuckets - 1)
}
