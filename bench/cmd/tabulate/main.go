// Command tabulate turns the result lines written by run.sh into markdown
// tables: one per section and case, one row per implementation, the median
// of each metric over the repetitions, and next to it the median of the
// same-repetition ratios to the anchor implementation (or anchors: with
// -anchor fasthttp,gonet a cell shows "(a× / b×)", to each in that order).
//
//	tabulate -anchor libev < results.tsv
//	tabulate -anchor fasthttp,gonet < http-results.tsv
//
// An input line is tab-separated: section, case, implementation,
// repetition, then space-separated key=value metrics, e.g.
//
//	loop	timers n=1000000	eventide	1	wall_ms=1000.8 cpu_ms=855
//
// Ratios are value/anchor value taken within one repetition (both ran
// interleaved, minutes apart at most) and then reduced to their median, so
// that slow drifts of the machine cancel out. Lines that do not parse are
// reported on standard error and skipped.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// result is one line of input.
type result struct {
	impl    string
	rep     string
	metrics map[string]float64
}

// table gathers the results of one section and case, in input order.
type table struct {
	title   string
	keys    []string // metric names, in order of first appearance
	impls   []string // implementations, in order of first appearance
	results []result
}

func main() {
	anchor := flag.String("anchor", "libev", "implementations the ratios are relative to, comma-separated")
	flag.Parse()
	anchors := strings.Split(*anchor, ",")
	tables, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tabulate:", err)
		os.Exit(1)
	}
	for _, t := range tables {
		t.write(os.Stdout, anchors...)
	}
}

// parse reads result lines into tables, in order of first appearance.
func parse(r io.Reader) ([]*table, error) {
	var tables []*table
	byTitle := map[string]*table{}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 5 {
			if strings.TrimSpace(sc.Text()) != "" {
				fmt.Fprintf(os.Stderr, "tabulate: line %d: %d fields; want 5\n", line, len(f))
			}
			continue
		}
		res := result{impl: f[2], rep: f[3], metrics: map[string]float64{}}
		var keys []string
		for _, kv := range strings.Fields(f[4]) {
			k, v, ok := strings.Cut(kv, "=")
			x, err := strconv.ParseFloat(v, 64)
			if !ok || err != nil {
				fmt.Fprintf(os.Stderr, "tabulate: line %d: bad metric %q\n", line, kv)
				continue
			}
			res.metrics[k] = x
			keys = append(keys, k)
		}
		title := f[0] + ": " + f[1]
		t := byTitle[title]
		if t == nil {
			t = &table{title: title}
			byTitle[title] = t
			tables = append(tables, t)
		}
		for _, k := range keys {
			if !slices.Contains(t.keys, k) {
				t.keys = append(t.keys, k)
			}
		}
		if !slices.Contains(t.impls, res.impl) {
			t.impls = append(t.impls, res.impl)
		}
		t.results = append(t.results, res)
	}
	return tables, sc.Err()
}

// median returns the median of xs (the mean of the middle two for an even
// count), or NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return nan()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

func nan() float64 {
	v, _ := strconv.ParseFloat("NaN", 64)
	return v
}

// write prints t as a markdown table, with ratios to each of anchors that
// ran in t (an anchor's own row gets ratios to the others only).
func (t *table) write(w io.Writer, anchors ...string) {
	fmt.Fprintf(w, "\n#### %s\n\n| impl | runs |", t.title)
	for _, k := range t.keys {
		fmt.Fprintf(w, " %s |", k)
	}
	fmt.Fprint(w, "\n|---|---|")
	for range t.keys {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w)
	var present []string
	for _, a := range anchors {
		if slices.Contains(t.impls, a) {
			present = append(present, a)
		}
	}
	for _, impl := range t.impls {
		var runs int
		values := map[string][]float64{}
		for _, r := range t.results {
			if r.impl != impl {
				continue
			}
			runs++
			for k, v := range r.metrics {
				values[k] = append(values[k], v)
			}
		}
		fmt.Fprintf(w, "| %s | %d |", impl, runs)
		for _, k := range t.keys {
			cell := format(median(values[k]))
			var parts []string
			for _, a := range present {
				switch r := t.ratios(impl, a, k); {
				case impl == a:
					if len(present) > 1 {
						parts = append(parts, "1")
					}
				case len(r) > 0:
					parts = append(parts, fmt.Sprintf("%.2f×", median(r)))
				default:
					parts = append(parts, "–")
				}
			}
			if len(parts) > 0 && slices.ContainsFunc(parts, func(p string) bool { return p != "1" && p != "–" }) {
				cell += " (" + strings.Join(parts, " / ") + ")"
			}
			fmt.Fprintf(w, " %s |", cell)
		}
		fmt.Fprintln(w)
	}
}

// ratios returns impl's values of metric k divided by anchor's from the
// same repetition, for every repetition where both ran and anchor's value
// is not zero.
func (t *table) ratios(impl, anchor, k string) []float64 {
	anchorOf := map[string]float64{}
	for _, r := range t.results {
		if v, ok := r.metrics[k]; ok && r.impl == anchor && v != 0 {
			anchorOf[r.rep] = v
		}
	}
	var out []float64
	for _, r := range t.results {
		if v, ok := r.metrics[k]; ok && r.impl == impl {
			if a, ok := anchorOf[r.rep]; ok {
				out = append(out, v/a)
			}
		}
	}
	return out
}

// format prints v with about four significant digits.
func format(v float64) string {
	switch a := max(v, -v); {
	case v != v:
		return "–"
	case a >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
}
