// Package stream provides buffered connections on an event loop: Conn
// (libevent's bufferevent), Listener (evconnlistener) and Dial, with
// watermarks, timeouts, in-memory pairs, filters and rate limits.
//
// # Connections
//
// A Conn reads from its descriptor into its input Buffer and calls the read
// callback; it writes its output Buffer to the descriptor as the descriptor
// accepts it and calls the write callback once the output has drained (to
// the write low watermark); and it reports EOF, errors, timeouts and
// completed dials to the event callback. A new Conn writes but does not
// read until Enable(Read), as in libevent.
//
// Write is eager: when nothing is queued it calls write(2) at once and
// queues only the remainder, so an echo costs one read and one write
// system call. The write callback runs only when the loop wrote queued
// output, never after a write that completed at once.
//
// # Events
//
// EOF (the peer shut down its side) stops reading; writing may go on.
// Timeout disables the direction that timed out; Enable resumes it. Error
// is final: the event callback runs once and the connection is closed when
// it returns. A write error met by Write is returned by Write and
// delivered to the event callback from the loop, never nested in Write.
//
// # Memory
//
// An idle connection holds no buffer: its input and output Buffers exist
// only while they hold bytes (and an Output handed to the user stays).
// Every read lands first in one 64 KiB buffer shared by the loop's
// connections, shown to the read callback by reference through Input; what
// the callback leaves there is copied into pooled chunks afterwards. So
// Input may return a different Buffer in each read callback: call it each
// time, and do not keep its views past the callback.
//
// # Goroutines
//
// A Conn, a Listener and a Group belong to the goroutine running their
// loop: every method is loop-only, and every callback runs there. Use
// ev.Loop.Post to act on a connection from elsewhere.
package stream
