package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v; want %v", tt.in, got, tt.want)
		}
	}
	if got := median(nil); got == got {
		t.Errorf("median(nil) = %v; want NaN", got)
	}
}

func TestTable(t *testing.T) {
	in := strings.Join([]string{
		"loop\tpingpong size=1\tlibev\t1\trtt_per_s=100 cpu_ms=10",
		"loop\tpingpong size=1\teventide\t1\trtt_per_s=90 cpu_ms=12",
		"loop\tpingpong size=1\tlibev\t2\trtt_per_s=200 cpu_ms=10",
		"loop\tpingpong size=1\teventide\t2\trtt_per_s=190 cpu_ms=11",
		"loop\tpingpong size=1\teventide\t3\trtt_per_s=1 cpu_ms=1", // no anchor in rep 3: no ratio
		"garbage line",
		"",
	}, "\n")
	tables, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 {
		t.Fatalf("got %d tables; want 1", len(tables))
	}
	var out bytes.Buffer
	tables[0].write(&out, "libev")
	got := out.String()
	for _, want := range []string{
		"#### loop: pingpong size=1",
		"| impl | runs | rtt_per_s | cpu_ms |",
		"| libev | 2 | 150.0 | 10.0 |",
		// rtt medians: 90 (of 1, 90, 190); ratios 0.9 and 0.95 -> 0.925.
		"| eventide | 3 | 90.0 (0.93×) | 11.0 (1.15×) |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q; got:\n%s", want, got)
		}
	}
}

func TestTwoAnchors(t *testing.T) {
	in := strings.Join([]string{
		"http\tc=50\tfasthttp\t1\treq_s=100",
		"http\tc=50\tgonet\t1\treq_s=50",
		"http\tc=50\teventide\t1\treq_s=80",
	}, "\n")
	tables, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	tables[0].write(&out, "fasthttp", "gonet", "absent")
	got := out.String()
	for _, want := range []string{
		"| fasthttp | 1 | 100.0 (1 / 2.00×) |",
		"| gonet | 1 | 50.0 (0.50× / 1) |",
		"| eventide | 1 | 80.0 (0.80× / 1.60×) |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q; got:\n%s", want, got)
		}
	}
}
