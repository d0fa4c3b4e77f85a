// Package sysio makes the raw system calls of eventide's read and write
// paths, for the buffer and stream packages. It has code only on Linux;
// elsewhere those paths go through golang.org/x/sys/unix.
package sysio
