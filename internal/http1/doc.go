// Package http1 is eventide's HTTP/1.1 wire parser: request and response heads
// (RFC 9112 §2-§5), message framing (§6) and the chunked transfer coding (§7).
// It is the layer under evhttp and knows nothing of connections or handlers.
//
// # Design
//
// The parsers are incremental: the caller feeds whatever bytes arrived, in any
// split down to one byte at a time, and gets back how many it consumed. Head
// bytes are copied into an arena that the parser owns, allocated once (its
// capacity is Limits.MaxHeadBytes) and reused after Reset, so parsing in steady
// state allocates nothing. Accessors return views into that arena, valid until
// the next Reset. ChunkedDecoder returns body data as sub-slices of its input:
// no copy at all.
//
// A request head that arrives whole in one Feed, as nearly every head does, is
// checked in one pass and copied into the arena at once. That path handles
// only what it expects; on anything else (an incomplete head, a limit reached,
// any fault) it changes nothing and the line-by-line reader parses the same
// bytes, so results and errors never depend on how the input was split. The
// fuzzers compare whole input with the same input fed byte by byte.
//
// Faults are *Error values carrying the status a server answers with: 400
// malformed, 414 request target too long, 431 header section too large, 501
// unsupported transfer coding or a method that alone fills the head (RFC 9112
// §3), 505 HTTP version not supported, and 411 Length
// Required for the one request that announces a body it cannot frame: HTTP/1.0
// with Transfer-Encoding and no Content-Length (RFC 9112 §6.1, §6.3). A
// request without Content-Length or Transfer-Encoding has no body (RFC 9112
// §6.3 rule 7); whether a method needs one is the server's business, as is 501
// for an unknown method.
//
// # Strictness
//
// The parsers follow the RFC 9112 grammar and reject the ambiguities behind
// request smuggling (the class of bugs libevent 2.1.13's security release
// fixed):
//
//   - Content-Length with Transfer-Encoding, in requests and responses;
//   - differing Content-Length values, or one that is not 1*DIGIT or
//     overflows int64; identical duplicates on separate lines are folded (RFC
//     9110 §8.6) but a comma list such as "5, 5" is rejected;
//   - Transfer-Encoding whose final coding is not chunked (400), chunked
//     applied twice (400), any other coding before chunked (501), empty list
//     elements or transfer parameters (400), or any Transfer-Encoding in an
//     HTTP/1.0 message (400; 411 in a request without Content-Length);
//   - NUL, bare CR and other control bytes (HTAB allowed in values) in the
//     start line and fields; whitespace between a field name and its colon;
//     obs-fold; empty or non-token field names and methods (a method byte
//     that is not a token character fails as soon as it arrives, so junk
//     such as a TLS handshake on the plain port is answered without
//     waiting for a line end);
//   - bare LF as a line terminator: RFC 9112 §2.2 lets recipients accept it,
//     we reject it, because a front end that disagrees on where a line ends
//     is how smuggling starts;
//   - a missing Host in HTTP/1.1, several Host fields, a Host that is not
//     host[:port];
//   - a request target that is not origin-form, absolute-form
//     (scheme://authority...), authority-form (host:port, CONNECT only) or
//     asterisk-form (OPTIONS only), or that contains anything but RFC 3986
//     characters and well-formed percent escapes; userinfo is rejected, and
//     so is a percent escape of an ASCII byte other than "%25" in a host (in
//     the target or the Host field), as net/url rejects it in the target;
//   - an HTTP version that is not "HTTP/" DIGIT "." DIGIT (400) or whose
//     major version is not 1 (505); a later 1.x is processed as 1.1 (RFC 9110
//     §2.5).
//
// As RFC 9112 §2.2 recommends, up to four empty lines before a start line are
// skipped (some clients send a CRLF after a POST body); a fifth fails.
//
// # Known differences
//
// Compared with net/http's ReadRequest and chunked reader, we reject (the
// differential fuzzers check each category by its Error.Reason):
//
//   - bare LF line endings, which net/http accepts;
//   - obs-fold, which net/http unfolds;
//   - whitespace before a field's colon, which net/http keeps as part of the
//     name (so "Transfer-Encoding : chunked" silently is not framing there);
//   - control bytes other than HTAB in field values;
//   - request targets net/url accepts: characters outside RFC 3986 (such as
//     '"', '{', non-ASCII), bad percent escapes in the query, fragments,
//     userinfo, an empty target, an opaque "scheme:rest" target, origin-form
//     with CONNECT, authority-form without a port or with another method;
//   - versions whose major is not 1, such as HTTP/0.9 or HTTP/2.0 (a
//     later 1.x is processed as 1.1; net/http parses any HTTP/d.d and
//     leaves the check to the server);
//   - Transfer-Encoding in HTTP/1.0 requests, which net/http ignores, framing
//     the body by Content-Length instead;
//   - Content-Length together with Transfer-Encoding, where net/http lets
//     chunked win;
//   - a missing, duplicated or malformed Host (ReadRequest leaves this to
//     http.Server, which rejects the first two as well);
//   - heads above Limits (16 KiB, 100 fields, 8 KiB target by default;
//     net/http's server default is 1 MiB);
//   - chunk extensions that do not match the token / quoted-string grammar;
//   - trailer fields with any of the header faults above (net/http's chunked
//     reader leaves trailers to its caller).
//
// We accept and net/http rejects only: empty lines before the request line.
//
// # Usage
//
// A server loop feeds each arrival to RequestParser.Feed until Done, then
// reads the body per BodyKind: ContentLength bytes, or through a
// ChunkedDecoder; then Reset both and parse the next request from the bytes
// left over.
package http1
