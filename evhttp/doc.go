// Package evhttp is eventide's HTTP/1.1 server on an event loop, the
// equivalent of libevent's evhttp, with its URI, query, header and escaping
// helpers.
//
// A Server serves the connections of its loop: NewServer, Bind (or Accept
// on listeners and connections made with package stream), then handlers by
// exact path (HandleFunc, evhttp_set_cb), a generic handler (SetGeneric,
// evhttp_set_gencb) and virtual hosts (AddVirtualHost, AddAlias; a request
// whose host matches none, or that has no host, is served by the server's
// own handlers, as in libevent). Handlers run on the loop and answer with
// SendReply, SendError, or a streamed reply (StartReply, SendChunk,
// EndReply), at once or later from any other callback of the loop. Bridge
// serves net/http handlers the same way.
//
// # Connections and pipelining
//
// Each connection parses requests with the strict incremental parser of
// internal/http1 as bytes arrive, ahead of the replies: every request whose
// head is complete joins the connection's reply queue, and replies leave in
// request order whatever order handlers answer in (libevent answers
// pipelined requests one at a time). Up to 16 requests may wait; beyond
// that parsing pauses, as it does while more than 64 KiB of replies wait
// for the client to read them, so a client that pipelines without reading
// is held back by TCP flow control. Replies to requests that arrived
// together leave together: while more input waits to be parsed, the
// connection is corked (stream.Conn.Cork), and the replies made meanwhile
// go out in one write once it is parsed; so do the pieces of a reply a
// handler streams before it returns (its head goes first). A lone
// request's reply goes out at once. HTTP/1.1 connections persist unless a
// side says "Connection: close"; HTTP/1.0 ones only with "Connection:
// keep-alive", which the reply then carries too. Requests pipelined
// behind one that closes the connection are neither parsed nor handled
// (RFC 9112 §9.6): their reply could never be sent. Nor are the bytes
// behind a request that may switch protocols (one with an Upgrade field,
// CONNECT) parsed before it is answered: they may be the new protocol's,
// for a bridged handler that hijacks the connection.
// HEAD replies carry the GET reply's Content-Length and no body.
//
// # Faults
//
// A malformed request is answered with the status the parser assigns —
// 400, 411 (an HTTP/1.0 request announcing a body with Transfer-Encoding
// but no Content-Length), 414 (target too long), 431 (header too large),
// 501 (unknown transfer coding or method), 505 (version) — or 405 (method
// not in Config.AllowedMethods, with Allow), 413 (body above Config.MaxBodyBytes,
// before reading it, also under "Expect: 100-continue"), 417 (another
// expectation), after the replies of the requests before it; then the
// connection is closed. The ambiguities behind request smuggling
// (Content-Length with Transfer-Encoding, differing lengths, bare LF,
// obs-fold…) are such faults: the server never guesses where a request
// ends. Closing is lingering: the server shuts down its side and discards
// what the client still sends, for up to 2 s, so that unread input does
// not make the kernel reset the connection and lose the answer.
//
// # Bodies
//
// By default a handler runs once the whole body has arrived, in
// Request.Body (a chunked body decoded; its trailer fields kept apart, in
// Request.Trailer). With Config.StreamBodies or HandleStream, the handler
// runs as soon as the header is complete and receives the body in pieces
// through Request.SetBodyHandler; bytes the body handler leaves unread stop
// the server from reading the connection until Request.ResumeBody, so a
// slow consumer holds the client back through TCP flow control instead of
// buffering. "Expect: 100-continue" is answered 100 when the request's turn
// comes and its handler is about to run (as in libevent), or with the final
// status at once, without 100 and without reading the body, when no handler
// will: 413, 417, 405 (method refused), 404 (no handler for the path on the
// server or virtual host that serves it). Such a reply closes the
// connection: the client may send the body anyway or not (RFC 9110
// §10.1.1), so skipping a body of known length could take the next request
// for it; the body is never parsed as a request.
//
// # Timeouts
//
// Each connection has one loop timer, armed for what it waits for: the
// rest of a request head (Config.ReadHeaderTimeout, a deadline from the
// first byte that activity never pushes back, so a client trickling its
// header is cut off), the rest of a body (ReadBodyTimeout, restarted by
// every arrival), or the next request (IdleTimeout, from when the last
// reply is written; also the wait for the first request of a new
// connection). While a handler holds a request no read timeout runs. Writes
// are bounded by WriteTimeout through the stream's write timer. SetTimeout
// sets them all, as evhttp_set_timeout.
//
// # Disconnects
//
// The server keeps reading every connection while its handlers work, so
// Conn.SetCloseCallback's function runs as soon as the client disconnects
// or shuts down its side — the seed's workaround of re-enabling EV_READ is
// built in. Requests parsed before the client's EOF are still answered.
//
// # Shutdown
//
// Shutdown stops accepting, closes idle connections, lets in-flight
// requests finish (their replies say "Connection: close") until a deadline,
// then closes what remains and calls its done function. Close closes
// everything at once.
//
// # Allocation
//
// Requests are recycled with their parser arena and header storage, method
// names are constants, routing indexes the handler map with the raw path
// bytes, the Date header is formatted once per second, and a reply whose
// turn it is goes out in one write from the server's scratch space (others
// through pooled buffer chunks and one writev): a keep-alive request answered
// with SendReply allocates nothing in steady state. Conversions to strings
// (URI, Path, InputHeaders…) happen only when asked for.
//
// # Memory
//
// An idle keep-alive connection holds its Conn (about 230 bytes), the
// stream's connection and the loop's descriptor entry: no request, no
// buffer, no goroutine — about 0.5 KiB of RSS per connection measured with
// 10,000 of them (BENCHMARKS.md; net/http holds ~20 KiB). What few
// connections need is allocated on first need: the stream's write timeout
// when output first has to wait for the client, the input bound when input
// first waits for handlers, the completion timer of SendChunk, the
// bridge's state. Requests and their parser arenas are recycled through
// the server.
//
// # Panics
//
// A handler runs on the loop like any callback: if it panics, the panic
// unwinds the loop's Run, as in libevent, where a crashing callback takes
// the process down. Recover in the handler where a panic is expected.
// Handlers served through Bridge are the exception: like net/http's, their
// panics are recovered (see below).
//
// # net/http bridge
//
// Bridge turns an http.Handler (an http.ServeMux, a handler written for
// net/http) into a HandlerFunc. The loop parses the request and builds its
// *http.Request — URL from the raw target, Header (without Host, as
// net/http), Host, RemoteAddr, RequestURI, ContentLength (-1 when
// chunked), TransferEncoding, Close — and runs the handler on a goroutine
// of its own, so it may block; the loop keeps serving meanwhile, and the
// replies of pipelined requests still leave in request order. Everything
// the handler writes reaches the loop through ev.Loop.Post:
//
//   - a reply complete within 8 KiB when the handler returns goes out as one
//     reply with Content-Length (the hot path of small answers);
//   - beyond that, or on Flush, the reply is streamed, chunked (or raw under a
//     Content-Length the handler set), and each Write waits until the loop
//     has written the piece to the socket: a slow client holds the handler
//     back instead of filling memory;
//   - as in net/http, WriteHeader snapshots the header, a missing
//     Content-Type is sniffed (http.DetectContentType) unless the header has
//     Content-Type or Content-Encoding, a body for 1xx/204/304 is
//     http.ErrBodyNotAllowed, bytes beyond a declared Content-Length are
//     http.ErrContentLength and fewer close the connection;
//   - WriteHeader with an informational status (103 Early Hints) sends it at
//     once with the header's fields, except to an HTTP/1.0 client (RFC 9110
//     §15.2); 100 is ignored (the server answers Expect: 100-continue
//     itself), and 101 is a final status, as in net/http, whose head goes
//     out at Hijack;
//   - trailer fields declared in a "Trailer" field or named with
//     http.TrailerPrefix follow the body, which is then chunked; a
//     Transfer-Encoding or invalid Content-Length the handler sets is
//     ignored: the bridge frames the reply itself.
//
// The request body is buffered as usual (Config.MaxBodyBytes) unless the path
// streams bodies (HandleStream, Config.StreamBodies): then Request.Body
// is fed from the loop, at most 64 KiB ahead of the handler's Read, and the
// server stops reading the connection while the handler does not read, so
// an upload of any size takes bounded memory. A body beyond MaxBodyBytes
// fails the handler's Read with *http.MaxBytesError and is answered 413 if
// the handler has not started its reply; the trailer of a chunked body is
// in Request.Trailer after Read returned io.EOF.
//
// Expect: 100-continue is answered when the request's turn comes, whether
// or not the handler reads the body (net/http waits for the first Read).
// http.MaxBytesReader fails the handler's Read as with net/http, but cannot
// make the bridge close the connection (net/http's hook for that is
// unexported): the connection stays open and the rest of the body is
// discarded.
//
// The request's context holds http.LocalAddrContextKey but not
// http.ServerContextKey (there is no *http.Server). It is cancelled when
// the client disconnects or shuts down its side, and when the handler
// returns; Writes to a closed
// connection fail with an error wrapping net.ErrClosed. A panicking handler
// is logged (Config.Logger, except http.ErrAbortHandler) and answered 500
// with "Connection: close" if its reply had not started (net/http closes
// without a reply), else its reply is cut short and the connection closed. The ResponseWriter implements
// http.Flusher, the deprecated http.CloseNotifier (true when the client
// goes away, as the context says), and for http.ResponseController
// FlushError, EnableFullDuplex and SetReadDeadline (a body Read that
// would wait past it fails with os.ErrDeadlineExceeded, as net/http's);
// SetWriteDeadline (a Write or Flush that would wait for the client past
// it fails with os.ErrDeadlineExceeded and the connection is closed, as
// with net/http; the zero time lifts it, and without one the server's
// timeouts bound silence, not a reply's length, so a flowing stream is
// never cut); there is no http.Pusher. A ResponseWriter used after its handler returned fails
// every Write. "OPTIONS *" is answered 200 by the bridge without calling
// the handler, and the status line carries net/http's reason phrase, as
// net/http's server does. Shutdown waits for bridged handlers in flight like for any
// request held by a handler. A Server with listeners or connections is
// closed with its loop (an ev.Cleanup), so closing the loop first leaves
// no descriptor open and no handler waiting on it: their Writes fail.
//
// The ResponseWriter implements http.Hijacker, for websocket libraries and
// httputil.ReverseProxy's protocol upgrades, with net/http's rules: the
// server lets the connection go (no reply, no timeout, no longer counted
// by Config.MaxConns, left alone by Shutdown and Close), and Write
// returns http.ErrHijacked. Hijack waits until the replies of the
// requests pipelined before its own are written; the net.Conn it returns
// is made by net.FileConn from a duplicate of the descriptor, so it has
// Go's deadlines, and the bytes the server had read past the request come
// first from its bufio.Reader. A head the handler wrote (WriteHeader(101))
// is sent first, as net/http does. It fails on a connection without a
// socket (a stream pair or filter: http.ErrNotSupported), and when the
// server has already parsed a request pipelined after this one; nothing
// after a request with an Upgrade field or a CONNECT request is parsed
// before it is answered, so the bytes behind such requests are never lost.
//
// # Goroutines
//
// A Server, its Conns and its Requests belong to the goroutine running the
// server's loop: every method is loop-only, and handlers run there. To
// answer from another goroutine, ev.Loop.Post a function that replies.
// Handlers given through Bridge are the exception: they run on their own
// goroutines and see only net/http types.
package evhttp
