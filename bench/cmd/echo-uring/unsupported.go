//go:build !linux

// Command echo-uring is a Linux-only experiment (io_uring); see main.go.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "echo-uring: io_uring is Linux only")
	os.Exit(2)
}
