package main

import (
	"github.com/eventide-go/eventide/internal/evtest"
	"os/exec"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { evtest.Main(m) }

// TestDemo runs the program in demo mode: it must see the child's exit
// status and the file change, then exit on its own.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	bin := t.TempDir() + "/watchers"
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "-demo").CombinedOutput()
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	for _, want := range []string{"exited with status 3", "changed: exists false→true"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
