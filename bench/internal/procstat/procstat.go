// Package procstat reads what the benchmarks need to know about another
// process from Linux's /proc: CPU time, context switches and resident
// memory.
//
// # Sources
//
// CPU time is utime+stime from /proc/PID/stat (fields 14 and 15, in clock
// ticks of 1/100 s on Linux; see proc(5)); context switches are
// voluntary_ctxt_switches plus nonvoluntary_ctxt_switches, and resident
// memory VmRSS, from /proc/PID/status. Only the main thread's switches are
// in /proc/PID/status; Sample therefore sums /proc/PID/task/*/status.
package procstat

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// ticksPerSecond is Linux's USER_HZ, the unit of utime and stime in
// /proc/PID/stat; it is 100 on every architecture Go supports.
const ticksPerSecond = 100

// Sample is one reading of a process's counters.
type Sample struct {
	// CPU is the user plus system time the process has used (all its
	// threads).
	CPU time.Duration
	// Sys is the system (kernel) part of CPU.
	Sys time.Duration
	// Switches is the number of context switches, voluntary and not, summed
	// over the process's threads.
	Switches int64
	// RSSKiB is the resident set size in KiB (VmRSS).
	RSSKiB int64
}

// Read samples process pid.
func Read(pid int) (Sample, error) {
	var s Sample
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	if s.CPU, s.Sys, err = parseStatCPU(stat); err != nil {
		return s, fmt.Errorf("procstat: /proc/%d/stat: %w", pid, err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	if s.RSSKiB, err = statusField(status, "VmRSS:"); err != nil {
		return s, fmt.Errorf("procstat: /proc/%d/status: %w", pid, err)
	}
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if err != nil {
		return s, err
	}
	for _, path := range tasks {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // the thread exited meanwhile
		}
		v, err1 := statusField(b, "voluntary_ctxt_switches:")
		nv, err2 := statusField(b, "nonvoluntary_ctxt_switches:")
		if err := errors.Join(err1, err2); err != nil {
			return s, fmt.Errorf("procstat: %s: %w", path, err)
		}
		s.Switches += v + nv
	}
	return s, nil
}

// parseStatCPU returns utime+stime and stime from the contents of
// /proc/PID/stat. The
// command name (field 2) is in parentheses and may hold spaces or
// parentheses itself, so fields are counted from the last ')'.
func parseStatCPU(stat []byte) (cpu, sys time.Duration, err error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, 0, errors.New("no command name")
	}
	// After ')': field 3 (state) is the first; utime is field 14.
	fields := bytes.Fields(stat[end+1:])
	const utime = 14 - 3
	if len(fields) <= utime+1 {
		return 0, 0, fmt.Errorf("%d fields after the command name; want at least %d", len(fields), utime+2)
	}
	var ticks [2]int64
	for i, f := range fields[utime : utime+2] {
		if ticks[i], err = strconv.ParseInt(string(f), 10, 64); err != nil {
			return 0, 0, err
		}
	}
	tick := func(n int64) time.Duration { return time.Duration(n) * time.Second / ticksPerSecond }
	return tick(ticks[0] + ticks[1]), tick(ticks[1]), nil
}

// statusField returns the first number after key in /proc/PID/status text.
func statusField(status []byte, key string) (int64, error) {
	i := bytes.Index(status, []byte("\n"+key))
	if i < 0 {
		if !bytes.HasPrefix(status, []byte(key)) {
			return 0, fmt.Errorf("no %s line", key)
		}
		i = -1
	}
	line := status[i+1+len(key):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	fields := bytes.Fields(line)
	if len(fields) == 0 {
		return 0, fmt.Errorf("empty %s line", key)
	}
	return strconv.ParseInt(string(fields[0]), 10, 64)
}

// MachineBusy returns the CPU time all CPUs of the machine have spent busy
// since boot: the first line of /proc/stat, user through steal minus idle
// and iowait. The difference of two readings, less what the processes under
// test used, is how much other work competed with them.
func MachineBusy() (time.Duration, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	return parseMachineBusy(b)
}

// A Point is a process's Sample and the machine's busy time, read
// together at one end of a measured window.
type Point struct {
	Proc Sample
	Busy time.Duration // MachineBusy
}

// ReadPoint reads process pid and the machine at one end of a window.
func ReadPoint(pid int) (Point, error) {
	s, err := Read(pid)
	if err != nil {
		return Point{}, err
	}
	busy, err := MachineBusy()
	return Point{s, busy}, err
}

// parseMachineBusy is MachineBusy on the contents of /proc/stat.
func parseMachineBusy(stat []byte) (time.Duration, error) {
	line, _, _ := bytes.Cut(stat, []byte("\n"))
	fields := bytes.Fields(line)
	// cpu user nice system idle iowait irq softirq steal ...
	if len(fields) < 9 || string(fields[0]) != "cpu" {
		return 0, errors.New("procstat: /proc/stat: no cpu line")
	}
	var ticks int64
	for i, f := range fields[1:9] {
		v, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("procstat: /proc/stat: %w", err)
		}
		if i != 3 && i != 4 { // idle, iowait
			ticks += v
		}
	}
	return time.Duration(ticks) * time.Second / ticksPerSecond, nil
}
