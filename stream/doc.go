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
// Writes are made by the loop at the end of the pass that queued them,
// after its callbacks have run: a Write (or WriteBuffer) on a connection
// with nothing queued marks it, and the loop then writes every marked
// connection's output, on Linux with one io_uring_enter(2) for all of them
// (send(2) and sendmsg(2) entries that complete during the call: the ring
// is a batch of system calls, not a completion queue), elsewhere, or for
// a single connection, with one sendto(2) or writev(2) each. An echo
// under load thus costs one read system call per message and one
// io_uring_enter per pass, where each write used to be a system call of
// its own (docs/design.md §11). What the descriptor does not take waits
// for it to become writable. The write callback runs whenever the loop
// has written the output down to the write low watermark. WriteBuffer
// moves a Buffer's chunks without copying them; Output gives the output
// Buffer itself, for Printf, AddFile and the like. EVENTIDE_IOURING=off
// in the environment makes every write a system call of its own (for a
// system whose io_uring misbehaves, or to compare).
//
// Close writes what the pass deferred before closing, as a write made at
// once would have. A callback that answers several messages (lines,
// pipelined requests) may still bracket its writes with Cork and Uncork:
// they queue meanwhile, and Uncork writes them all at once, with one
// writev(2), without waiting for the end of the pass.
//
// # Events
//
// The event callback gets a What: a direction bit (Reading, Writing) and
// one of:
//
//   - EOF: the peer shut down its side; reading stops, writing may go on
//     (CloseWrite is the way to do the same to the peer; on a pipe's
//     write end, which shutdown(2) refuses, it closes the descriptor);
//   - Timeout: a read or write timeout expired; that direction is disabled
//     and Enable resumes it; the error is os.ErrDeadlineExceeded;
//   - Error: final. The callback runs once and the connection is closed
//     when it returns. A write error reaches the event callback from the
//     loop, never nested in Write. A peer that resets the connection
//     mid-write makes exactly one Error event;
//   - Connected: a Dial completed.
//
// Close closes at once and drops queued output (once it has made the
// write a Write of the same pass deferred); no callback runs after it
// returns. CloseAfterFlush closes once every queued byte is written (a
// slow reader gets all of them), without further callbacks. Operations on
// a closed Conn return errors wrapping net.ErrClosed. Misuse (negative
// sizes, a low watermark above the high one) panics with a "stream: "
// message.
//
// # Watermarks
//
// The read low watermark delays the read callback until the input holds
// that many bytes; the read high watermark stops reading while the input
// holds that many, resuming when it is drained below, from wherever it is
// drained (the input Buffer is watched). The write low watermark makes the
// write callback run as soon as the output is that small, for a producer
// that keeps a connection busy without queueing everything.
//
// # Timeouts
//
// SetTimeouts arms one repeating loop timer per direction, pushed back with
// Timer.Again on every read or write (libev's "be smart about timeouts":
// O(log n), no allocation). The read timer runs while reading is enabled
// and not suspended by the high watermark; the write timer while output is
// queued, or a dial connects, with writing enabled.
//
// # Pairs, filters, rate limits
//
// NewPair joins two Conns in memory: bytes move between them as whole
// chunks, from the loop. NewFilter puts a transformation (compression, a
// line discipline, a protocol framing) between a Conn and its user, in
// each direction, with libevent's OK / need-more / error results as nil,
// ErrNeedMore and other errors. SetRateLimit and Group apply token buckets,
// refilled by loop timers, to one connection or to many together.
//
// # Listeners
//
// A Listener accepts up to 64 connections per readiness with accept4(2)
// (non-blocking and close-on-exec in the same call). When the process runs
// out of descriptors (EMFILE, ENFILE) accepting would fail again at once
// and forever, since the pending connection keeps the socket readable:
// the Listener stops watching the socket instead, tells OnError, and
// retries after 10 ms, doubling to 1 s. The waiting connections stay in
// the kernel's backlog and are accepted once descriptors are free; none is
// accepted only to be closed. Any other error of the listening socket
// (EINVAL from one that is not listening) backs off the same way rather
// than being met again at every iteration.
//
// TCP connections, accepted or dialed, have TCP_NODELAY set, as in Go's
// net package (and in the C anchors of bench/): a small write leaves at
// once instead of waiting for the previous one's acknowledgement. A
// listener sets it once on its own socket, which accepted sockets inherit.
// ListenConfig.Nagle and DialConfig.Nagle keep Nagle's algorithm.
//
// # Dialing
//
// Dial and DialWith connect without blocking; the result comes as a
// Connected or an Error event (refused, unreachable, not found, timed
// out), never as a panic. An address that cannot be parsed is an error
// returned by Dial itself.
//
// An IP literal, "localhost" or an empty host is connected to at once. An
// IPv6 literal's zone ("[fe80::1%eth0]:80", "[fe80::1%2]:80") names an
// interface, by name or index, that becomes the scope id of the socket
// address; a zone that is neither is an Error event. A
// host name is looked up on a goroutine, with DialConfig.Resolver (by
// default net.DefaultResolver), and the result is handed back to the loop
// with ev.Loop.Post, so a slow or silent DNS server delays only that dial.
// Until then the connection is resolving: it has no socket (Fd is -1,
// LocalAddr and RemoteAddr nil, socket options fail), writes are queued,
// and CloseWrite and CloseAfterFlush wait for the connection as they do
// while connecting. The addresses found are tried in order, each on a new
// socket, until one connects (no Happy Eyeballs racing of IPv6 against
// IPv4); the error reported when none does is the first one's. A failed
// lookup is an Error event with a *net.OpError wrapping the *net.DNSError.
// The timeout covers the lookup and every attempt; without one, a lookup
// gives up after 30 s. Close while resolving cancels the lookup and
// nothing happens afterwards; so does closing the loop. A named port
// ("http") is looked up at once, in /etc/services: a local file.
//
// While a lookup runs the dial holds a reference on the loop (ev.Loop.Ref)
// so that Run waits for its result. After a cancelled lookup the dial's
// goroutine ends at once, but the Go resolver may keep a goroutine and a
// socket of its own until the query it sent times out (resolv.conf's
// timeout, 5 s by default): it does not interrupt a read in flight.
//
// # Memory
//
// A Conn is 112 bytes on 64-bit platforms. An idle connection holds no buffer: its input and
// output Buffers exist only while they hold bytes (or after Output handed
// the output to the user), and what few connections use — watermarks,
// timeouts, rate limits, deferred callbacks — lives in a separate struct
// allocated on first use.
//
// Every read lands first in one 64 KiB buffer shared by the loop's
// connections and is shown to the read callback by reference, through a
// Buffer that Input returns during that callback; whatever the callback
// leaves is copied into pooled chunks afterwards (and bytes the callback
// moved into another Buffer, such as an output, make the loop take a fresh
// read buffer). So Input may return a different Buffer in each read
// callback: call it each time rather than keeping it, and do not keep its
// views (Peek, ReadLine…) past the callback. A read that returned less than
// 64 KiB is not repeated until the next readiness, so no read ends in
// EAGAIN. Steady-state echo allocates nothing.
//
// # Goroutines
//
// A Conn, a Listener and a Group belong to the goroutine running their
// loop: every method is loop-only, and every callback runs there. Use
// ev.Loop.Post to act on a connection from elsewhere. SetDeferCallbacks
// runs a connection's callbacks as their own loop step rather than nested
// in the I/O path, for callbacks that touch other connections.
//
// # Platform notes
//
// On Linux reads and writes enter the kernel with RawSyscall (the
// descriptors are non-blocking, so no call can block) and accept uses
// accept4; elsewhere the ordinary system call wrappers, and accept
// followed by fcntl where accept4 is missing. SetKeepAlive's idle time
// is not settable on OpenBSD.
package stream
