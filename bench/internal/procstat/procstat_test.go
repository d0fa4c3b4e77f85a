package procstat

import (
	"os"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name, stat string
		want, sys  time.Duration
		wantErr    bool
	}{
		{"plain", "42 (echo) S 1 42 42 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 1 0 5 100 10", 4 * time.Second, 1500 * time.Millisecond, false},
		{"spaces and parens in name", "42 (a (b) c) R 1 42 42 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 5 100 10", 70 * time.Millisecond, 40 * time.Millisecond, false},
		{"no name", "42 S 1", 0, 0, true},
		{"short", "42 (x) S 1 2 3", 0, 0, true},
		{"not a number", "42 (x) S 1 42 42 0 -1 0 0 0 0 0 u 4 0", 0, 0, true},
	}
	for _, tt := range tests {
		got, sys, err := parseStatCPU([]byte(tt.stat))
		if (err != nil) != tt.wantErr || got != tt.want || sys != tt.sys {
			t.Errorf("%s: got %v (sys %v), %v; want %v (sys %v), error %v", tt.name, got, sys, err, tt.want, tt.sys, tt.wantErr)
		}
	}
}

func TestStatusField(t *testing.T) {
	status := "Name:\tx\nVmRSS:\t  1234 kB\nvoluntary_ctxt_switches:\t7\nnonvoluntary_ctxt_switches:\t9\n"
	tests := []struct {
		key     string
		want    int64
		wantErr bool
	}{
		{"Name:", 0, true},
		{"VmRSS:", 1234, false},
		{"voluntary_ctxt_switches:", 7, false},
		{"nonvoluntary_ctxt_switches:", 9, false},
		{"VmSwap:", 0, true},
	}
	for _, tt := range tests {
		got, err := statusField([]byte(status), tt.key)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: got %d, %v; want %d, error %v", tt.key, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestReadSelf(t *testing.T) {
	// Burn a little CPU so that the counter has moved.
	deadline := time.Now().Add(30 * time.Millisecond)
	for time.Now().Before(deadline) {
	}
	s, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.CPU <= 0 || s.RSSKiB <= 0 || s.Switches < 0 {
		t.Errorf("got %+v; want positive CPU and RSS", s)
	}
}

func TestParseMachineBusy(t *testing.T) {
	tests := []struct {
		name, stat string
		want       time.Duration
		wantErr    bool
	}{
		{"busy", "cpu  100 1 20 5000 7 0 2 3 0 0\ncpu0 1 2 3\n", 1260 * time.Millisecond, false},
		{"no cpu line", "intr 5\n", 0, true},
		{"short", "cpu 1 2 3\n", 0, true},
	}
	for _, tt := range tests {
		got, err := parseMachineBusy([]byte(tt.stat))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: got %v, %v; want %v, error %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestReadPoint(t *testing.T) {
	p, err := ReadPoint(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if p.Proc.RSSKiB <= 0 || p.Busy <= 0 {
		t.Errorf("got RSS %d KiB, machine busy %v; want both positive", p.Proc.RSSKiB, p.Busy)
	}
	if _, err := ReadPoint(-1); err == nil {
		t.Error("ReadPoint(-1): no error")
	}
}
