// Package buffer provides Buffer, a queue of bytes kept in a chain of
// pooled chunks: the equivalent of libevent's evbuffer. The buffered
// connections of package stream and the HTTP server keep their input and
// output in Buffers; data is appended at the back (Write, Printf, ReadFd,
// AddReference, AddFile) and consumed at the front (Read, ReadLine,
// Drain, WriteFd, WriteTo), and whole chunks move between buffers without
// copying (AppendBuffer, PrependBuffer, RemoveBuffer).
//
// # Chunks and ownership
//
// Data lives in chunks of 512 B, 4 KiB, 16 KiB or 64 KiB taken from
// sync.Pools; a write larger than 64 KiB is split across several chunks,
// and a growing buffer moves to larger classes. A chunk goes back to its
// pool as soon as its last byte is removed, so an empty Buffer holds no
// chunk memory: 10,000 idle connections hold none. Three exceptions are
// bounded: a Buffer that had to copy a line for ReadLine keeps that
// scratch space (at most 4 KiB) until Reset; an outstanding Reserve
// holds its chunks until Commit or the next change; and a Buffer that
// consumed a reference it was given with AddReference keeps that
// reference's descriptor (about 100 bytes, no storage) for its next
// AddReference until Reset, which saves a pool round trip for a Buffer
// lent memory over and over, like the one through which package stream
// shows each read.
//
// A Buffer owns its chunks. Memory given with AddReference stays the
// caller's: the Buffer only reads it and calls its release function once
// it has been consumed. Files given with AddFile also stay the caller's.
//
// Sizes are checked: negative lengths panic with a "buffer: " message
// (except where n < 0 is documented to mean all of b, as in Pullup and
// Peek, and PosAt, which returns false), lengths that would overflow an
// int are refused with bytes.ErrTooLarge,
// and no allocation is sized by a caller's number other than the bytes
// actually held (Pullup of more than 64 KiB, a copied line longer than
// 4 KiB).
//
// # Lifetimes of views
//
// Several methods return slices of the Buffer's own storage instead of
// copies: Pullup, Front, Peek, ReadLine and Reserve. Such a view is valid
// until the next call that modifies the Buffer (any append, removal,
// Prepend, Pullup, Reset, or a Read-like method); after that the chunk may hold
// other data or belong to another Buffer. Copy what must be kept. A
// view's capacity ends with its length, so appending to it copies rather
// than overwrite the bytes that follow it in b.
//
// # End-of-line styles
//
// ReadLine and SearchEOL take an EOLStyle with libevent's meanings:
// EOLAny ends a line at any run of CR and LF (so "a\r\n\r\nb" is two
// lines, and a CR at the end of the buffer already ends a line); EOLCRLF
// at LF with an optional CR before it (a lone CR is data, also at the end
// of the buffer); EOLCRLFStrict only at CR LF; EOLLF at LF; EOLNUL at a
// NUL byte. EOLAny is the one style whose result depends on how the bytes
// were split between reads, since a CR may be followed by an LF that has
// not arrived yet; prefer EOLCRLF for text-based internet protocols.
//
// # File segments
//
// AddFile appends a segment of an open file without reading it. WriteFd
// and WriteTo send a segment at the front with sendfile(2) on Linux,
// darwin, FreeBSD and DragonFly; elsewhere, and for every method that
// needs the bytes themselves, the segment is read with pread(2) into
// pooled chunks, 64 KiB at a time, when it is reached. A read error in a
// method without an error result ends the data there and is kept for Err;
// a file found shorter than its segment is such an error, and wraps
// io.ErrUnexpectedEOF. The Buffer never closes the file.
//
// # Goroutines
//
// A Buffer is not safe for concurrent use. It belongs to one goroutine,
// normally the one running the event loop of its connection; callbacks
// (AddCallback) run on that goroutine inside the modifying call. The
// chunk pools are shared safely between goroutines.
//
// ReadFd and WriteFd are for non-blocking descriptors polled by an event
// loop. On Linux they enter the kernel with RawSyscall, bypassing the
// scheduler, and they return the raw syscall.Errno (EAGAIN, ECONNRESET…)
// unwrapped so that the loop can test it without allocating.
//
// # Complexity
//
// Len is O(1). Write, Printf and Read cost O(bytes + chunks touched);
// AppendBuffer and PrependBuffer are O(1); RemoveBuffer and Drain are
// O(chunks removed). Search, SearchEOL and ReadLine cost O(bytes scanned)
// from their start Pos, whose chunk cursor makes a continued search
// O(distance) rather than O(offset); PosAt is O(chunks before the offset).
// Pullup(n) copies n bytes at most once. The steady state of Write/Read,
// ReadLine, Printf with simple arguments, and ReadFd/WriteFd allocates
// nothing.
package buffer
