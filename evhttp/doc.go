// Package evhttp is eventide's HTTP/1.1 server on an event loop, the
// equivalent of libevent's evhttp, with its URI, query, header and escaping
// helpers.
//
// A Server serves the connections of its loop: NewServer, Bind (or Accept
// on listeners and connections made with package stream), then handlers by
// exact path (HandleFunc, evhttp_set_cb), a generic handler (SetGeneric,
// evhttp_set_gencb) and virtual hosts (AddVirtualHost, AddAlias). Handlers
// run on the loop and answer with SendReply, SendError, or a streamed
// reply (StartReply, SendChunk, EndReply), at once or later from any other
// callback of the loop.
//
// # Connections and pipelining
//
// Each connection parses requests with the strict incremental parser of
// internal/http1 as bytes arrive, ahead of the replies: every request whose
// head is complete joins the connection's reply queue, and replies leave in
// request order whatever order handlers answer in (libevent answers
// pipelined requests one at a time). Up to 16 requests may wait; beyond
// that parsing pauses. HTTP/1.1 connections persist unless a side says
// "Connection: close"; HTTP/1.0 ones only with "Connection: keep-alive".
// HEAD replies carry the GET reply's Content-Length and no body.
//
// # Faults
//
// A malformed request is answered with the status the parser assigns —
// 400, 414 (target too long), 431 (header too large), 501 (unknown transfer
// coding or method), 505 (version) — or 405 (method not in
// Config.AllowedMethods, with Allow), 413 (body above Config.MaxBodyBytes,
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
// comes, or 413/417 without reading the body.
//
// # Timeouts
//
// Each connection has one loop timer, armed for what it waits for: the
// rest of a request head (Config.ReadHeaderTimeout, a deadline from the
// first byte that activity never pushes back, so a client trickling its
// header is cut off), the rest of a body (ReadBodyTimeout, restarted by
// every arrival), or the next request (IdleTimeout). While a handler holds
// a request no read timeout runs. Writes are bounded by WriteTimeout through
// the stream's write timer. SetTimeout sets them all, as
// evhttp_set_timeout.
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
// bytes, the Date header is formatted once per second, and reply bytes go
// from pooled buffer chunks to one writev: a keep-alive request answered
// with SendReply allocates nothing in steady state. Conversions to strings
// (URI, Path, InputHeaders…) happen only when asked for.
//
// # Goroutines
//
// A Server, its Conns and its Requests belong to the goroutine running the
// server's loop: every method is loop-only, and handlers run there. To
// answer from another goroutine, ev.Loop.Post a function that replies.
package evhttp
