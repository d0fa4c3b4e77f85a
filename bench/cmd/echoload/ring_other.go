//go:build !linux

package main

import "errors"

// runRing needs io_uring.
func (w *worker) runRing() { w.err = errors.New("-ring needs Linux (io_uring)") }
