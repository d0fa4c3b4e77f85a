package latency_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/eventide-go/eventide/bench/internal/latency"
)

func TestPercentileExactSmall(t *testing.T) {
	var h latency.Histogram
	for d := range time.Duration(64) {
		h.Record(d)
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{{0, 0}, {50, 32}, {99, 63}, {100, 63}}
	for _, tt := range tests {
		if got := h.Percentile(tt.p); got != tt.want {
			t.Errorf("Percentile(%v) = %v; want %v", tt.p, got, tt.want)
		}
	}
}

// TestPercentileAgainstSort compares with exact percentiles of sorted
// samples: the histogram's answer must be at or above the exact one and
// within 1/64 of it.
func TestPercentileAgainstSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h latency.Histogram
	samples := make([]time.Duration, 100000)
	for i := range samples {
		samples[i] = time.Duration(r.ExpFloat64() * float64(50*time.Microsecond))
		h.Record(samples[i])
	}
	slices.Sort(samples)
	for _, p := range []float64{1, 10, 50, 90, 99, 99.9} {
		exact := samples[int(p/100*float64(len(samples)))]
		got := h.Percentile(p)
		if got < exact || float64(got-exact) > float64(exact)/64+1 {
			t.Errorf("Percentile(%v) = %v; want within 1/64 above %v", p, got, exact)
		}
	}
	if got := h.Count(); got != uint64(len(samples)) {
		t.Errorf("Count() = %d; want %d", got, len(samples))
	}
}

func TestMergeResetExtremes(t *testing.T) {
	var a, b latency.Histogram
	a.Record(-5)
	b.Record(time.Hour)
	a.Merge(&b)
	if got := a.Count(); got != 2 {
		t.Errorf("Count after Merge = %d; want 2", got)
	}
	if got := a.Percentile(0); got != 0 {
		t.Errorf("Percentile(0) = %v; want 0 (negative counts as 0)", got)
	}
	if got := a.Percentile(100); got < 18*time.Minute {
		t.Errorf("Percentile(100) = %v; want the last bucket, >= 18m", got)
	}
	var empty latency.Histogram
	a.Reset()
	if a != empty || a.Percentile(50) != 0 {
		t.Errorf("after Reset: count %d, p50 %v; want empty", a.Count(), a.Percentile(50))
	}
}

func TestRecordAllocs(t *testing.T) {
	var h latency.Histogram
	if n := testing.AllocsPerRun(100, func() { h.Record(time.Millisecond) }); n != 0 {
		t.Errorf("Record allocates %v times; want 0", n)
	}
}
