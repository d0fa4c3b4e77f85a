// Package sysio makes the raw system calls of eventide's read and write
// paths, for the buffer and stream packages (on Linux; elsewhere those
// paths go through golang.org/x/sys/unix), and holds the small descriptor
// helpers more than one package needs (DupCloexec, on every system).
package sysio
