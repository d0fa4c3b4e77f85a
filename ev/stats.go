package ev

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Stats is a snapshot of a loop's counters.
type Stats struct {
	Iterations uint64         // polls so far
	Callbacks  uint64         // callbacks run so far
	Pending    int            // callbacks queued now
	Active     int            // active watchers now, of every kind
	ByKind     map[string]int // active watchers by kind ("io", "timer", …), non-zero only
	Refs       int            // what keeps Run going: ActiveCount
	Backend    string         // "epoll", "kqueue" or "poll"
}

// Stats returns the loop's counters. Loop-only.
func (l *Loop) Stats() Stats {
	s := Stats{
		Iterations: l.iteration,
		Callbacks:  l.callbacks,
		Pending:    l.npending,
		Refs:       l.refs(),
		Backend:    l.backend.Name(),
		ByKind:     make(map[string]int),
	}
	for k, n := range l.byKind {
		if Kind(k) == KindTimer {
			n += l.timers.Len() - l.timersHidden
		}
		if n > 0 {
			s.ByKind[Kind(k).String()] = n
			s.Active += n
		}
	}
	return s
}

// Dump writes one line per active watcher, sorted, with its kind,
// descriptor or deadline, priority and pending state (libevent's
// event_base_dump_events), for debugging. Loop-only.
func (l *Loop) Dump(w io.Writer) error {
	all := slices.Clone(l.actives)
	for i := range l.timers.Len() {
		n, _ := l.timers.At(i)
		t := timerOf(n)
		all = append(all, t)
	}
	for i := range l.periodics.Len() {
		n, _ := l.periodics.At(i)
		p := periodicOf(n)
		all = append(all, p)
	}
	for fd := range l.fds {
		for w := l.fds[fd].ios; w != nil; w = w.next {
			all = append(all, w)
		}
	}
	lines := make([]string, 0, len(all))
	for _, x := range all {
		b := x.base()
		if b.internal {
			continue
		}
		var sb strings.Builder
		fmt.Fprintf(&sb, "%-8s pri=%+d", b.kind, b.pri)
		if b.pendIdx != 0 {
			sb.WriteString(" pending")
		}
		if d := x.describe(); d != "" {
			sb.WriteString(" ")
			sb.WriteString(d)
		}
		lines = append(lines, sb.String())
	}
	slices.Sort(lines)
	_, err := fmt.Fprintf(w, "loop %s: %d active, %d pending, iteration %d\n",
		l.backend.Name(), len(lines), l.npending, l.iteration)
	for _, s := range lines {
		if err != nil {
			break
		}
		_, err = fmt.Fprintln(w, " ", s)
	}
	return err
}
