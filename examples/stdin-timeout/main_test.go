package main

import (
	"github.com/eventide-go/eventide/internal/evtest"
	"os/exec"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { evtest.Main(m) }

// TestSeedBehaviour runs the program as the seed describes: input on stdin
// wins over the timeout, and with no input the timeout fires.
func TestSeedBehaviour(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	bin := t.TempDir() + "/stdin-timeout"
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
		hold        bool // keep stdin open and silent
		want        string
		code        int    // exit status
		wantErr     string // in standard error
	}{
		{name: "input", stdin: "hello\n", want: "stdin ready\n"},
		{name: "no input", args: []string{"-timeout", "50ms"}, hold: true, want: "timeout\n"},
		{name: "negative timeout", args: []string{"-timeout", "-1s"}, hold: true, code: 2, wantErr: "stdin-timeout: -timeout is negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			if tc.hold {
				w, err := cmd.StdinPipe() // open, never written: not readable
				if err != nil {
					t.Fatal(err)
				}
				defer w.Close()
			} else {
				cmd.Stdin = strings.NewReader(tc.stdin)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if code := cmd.ProcessState.ExitCode(); code != tc.code || !strings.Contains(stderr.String(), tc.wantErr) {
				t.Fatalf("got exit %d (%v), stderr %q; want %d and %q", code, err, stderr.String(), tc.code, tc.wantErr)
			}
			if string(out) != tc.want {
				t.Fatalf("output %q; want %q", out, tc.want)
			}
		})
	}
}
