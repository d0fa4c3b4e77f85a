package evhttp_test

import (
	"bufio"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

// Payloads for the request smuggling tests. smuggled is the request a
// desync would hide in a body; innocent follows every payload on the
// same connection.
const (
	smHost    = "Host: x\r\n"
	smuggled  = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
	innocent  = "GET /innocent HTTP/1.1\r\nHost: x\r\n\r\n"
	smPost    = "POST / HTTP/1.1\r\n" + smHost
	smChunked = smPost + "Transfer-Encoding: chunked\r\n\r\n"
)

// smSize and smLen are len(smuggled) as a chunk size and a Content-Length.
var (
	smSize = strconv.FormatInt(int64(len(smuggled)), 16)
	smLen  = strconv.Itoa(len(smuggled))
)

// smuggleCase is a payload, the replies it must get, and the requests
// its handler must see.
type smuggleCase struct {
	name string
	req  string
	// replies are the replies to req, in order: "400" for a status, or
	// "200:body" for a status and the exact body echoed.
	replies []string
	// handled are the requests the handler ran for, "METHOD target host".
	handled []string
	// closes says the last reply closes the connection though it is not
	// an error (Connection: close). After an error reply, and after
	// closes, the connection must be closed and innocent never
	// answered; otherwise innocent is answered next.
	closes bool
}

// smuggleCases are the request smuggling and desync families of RFC 9112
// §6 and of public research (PortSwigger's request smuggling papers,
// James Kettle's "HTTP Desync Attacks", the HTTP Garden), each with the
// status RFC 9110/9112 names. A "net/http:" comment says what net/http's
// server (go1.26, a handler echoing the body) answered to the same bytes
// where it differs: ours is the stricter in every such case. Where its
// handler's body read fails, net/http answered 200 with what the handler
// had read, then closed.
func smuggleCases() []smuggleCase {
	fail := func(status int) []string { return []string{strconv.Itoa(status)} }
	ok := func(body string) []string { return []string{"200:" + body} }
	post := []string{"POST / x"}
	get := []string{"GET / x"}
	return []smuggleCase{
		// CL.TE and TE.CL: both framings in one request (RFC 9112 §6.1:
		// "ought to be handled as an error").
		{"CL.TE", smPost + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG", fail(400), nil, false},                                      // net/http: 200, chunked wins; the "G" left over prefixes the next request, which is served (GGET)
		{"TE.CL", smPost + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n" + smSize + "\r\n" + smuggled + "\r\n0\r\n\r\n", fail(400), nil, false}, // net/http: 200, chunked wins
		{"CL.TE with Expect", smPost + "Expect: 100-continue\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", fail(400), nil, false},   // net/http: 100, then 200, chunked wins
		{"CL.CL differ", smPost + "Content-Length: 0\r\nContent-Length: " + smLen + "\r\n\r\n" + smuggled, fail(400), nil, false},
		{"CL.CL same", smPost + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc", ok("abc"), post, false},                                 // RFC 9110 §8.6 allows folding identical values
		{"TE.TE chunked twice", smPost + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", fail(400), nil, false}, // net/http: 501
		{"TE.TE chunked then x", smPost + "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n", fail(400), nil, false},      // net/http: 501
		{"TE.TE x then chunked", smPost + "Transfer-Encoding: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", fail(501), nil, false},
		{"TE chunked, identity", smPost + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", fail(400), nil, false}, // net/http: 501
		{"TE identity, chunked", smPost + "Transfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n", fail(501), nil, false},
		{"TE identity", smPost + "Transfer-Encoding: identity\r\nContent-Length: 3\r\n\r\nabc", fail(400), nil, false}, // net/http: 501
		{"TE space before colon", smPost + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", fail(400), nil, false},
		{"TE tab before colon", smPost + "Transfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n", fail(400), nil, false},
		{"TE tab after colon", smPost + "Transfer-Encoding:\tchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", ok("abc"), post, false}, // OWS is SP or HTAB
		{"TE no space", smPost + "Transfer-Encoding:chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", ok("abc"), post, false},
		{"TE xchunked", smPost + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", fail(400), nil, false}, // net/http: 501
		{"TE chunkedx", smPost + "Transfer-Encoding: chunkedx\r\n\r\n0\r\n\r\n", fail(400), nil, false}, // net/http: 501
		{"TE chunked NUL", smPost + "Transfer-Encoding: chunked\x00\r\n\r\n0\r\n\r\n", fail(400), nil, false},
		{"TE VT before", smPost + "Transfer-Encoding: \vchunked\r\n\r\n0\r\n\r\n", fail(400), nil, false},
		{"TE FF after", smPost + "Transfer-Encoding: chunked\f\r\n\r\n0\r\n\r\n", fail(400), nil, false},
		{"TE CR inside", smPost + "Transfer-Encoding: chun\rked\r\n\r\n0\r\n\r\n", fail(400), nil, false},
		{"TE CHUNKED", smPost + "Transfer-Encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n", ok("abc"), post, false}, // codings are case-insensitive (RFC 9112 §7)
		{"TE quoted", smPost + "Transfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n", fail(400), nil, false},           // net/http: 501
		{"TE parameter", smPost + "Transfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n", fail(400), nil, false},        // net/http: 501
		{"TE empty element", smPost + "Transfer-Encoding: ,chunked\r\n\r\n0\r\n\r\n", fail(400), nil, false},       // net/http: 501
		{"TE empty", smPost + "Transfer-Encoding:\r\nContent-Length: 3\r\n\r\nabc", fail(400), nil, false},         // net/http: 501
		{"TE obs-fold", smPost + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", fail(400), nil, false},         // net/http: 200, unfolded
		{"TE obs-fold first line", "POST / HTTP/1.1\r\n Transfer-Encoding: chunked\r\n" + smHost + "\r\n0\r\n\r\n", fail(400), nil, false},
		{"TE underscore", smPost + "Transfer_Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", []string{"200:", "400"}, post, false},        // not framing: "3" is the next request line
		{"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", fail(411), nil, false},            // net/http: 200, Transfer-Encoding ignored, no body
		{"TE and CL in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc", fail(400), nil, false},  // net/http: 200, framed by Content-Length
		{"TE in trailer", smChunked + "3\r\nabc\r\n0\r\nTransfer-Encoding: chunked\r\nContent-Length: 36\r\n\r\n", ok("abc"), post, false}, // trailers never frame
		{"smuggled in chunk", smChunked + smSize + "\r\n" + smuggled + "\r\n0\r\n\r\n", ok(smuggled), post, false},
		{"smuggled in body", smPost + "Content-Length: " + smLen + "\r\n\r\n" + smuggled, ok(smuggled), post, false},
		{"smuggled in GET body", "GET / HTTP/1.1\r\n" + smHost + "Content-Length: " + smLen + "\r\n\r\n" + smuggled, ok(smuggled), get, false}, // a GET body is read like any other
		{"CL underscore", smPost + "Content_Length: 5\r\n\r\nhello", []string{"200:", "501"}, post, false},                                     // not framing: "helloGET" is the next method; net/http serves it

		// Content-Length values (RFC 9110 §8.6: 1*DIGIT).
		{"CL +5", smPost + "Content-Length: +5\r\n\r\nabcde", fail(400), nil, false},
		{"CL -5", smPost + "Content-Length: -5\r\n\r\nabcde", fail(400), nil, false},
		{"CL 0x5", smPost + "Content-Length: 0x5\r\n\r\nabcde", fail(400), nil, false},
		{"CL leading space", smPost + "Content-Length:  5\r\n\r\nabcde", ok("abcde"), post, false}, // OWS
		{"CL 5 ,5", smPost + "Content-Length: 5 ,5\r\n\r\nabcde", fail(400), nil, false},
		{"CL 5,5", smPost + "Content-Length: 5,5\r\n\r\nabcde", fail(400), nil, false},
		{"CL 5, 6", smPost + "Content-Length: 5, 6\r\n\r\nabcdef", fail(400), nil, false},
		{"CL 5 5", smPost + "Content-Length: 5 5\r\n\r\nabcde", fail(400), nil, false},
		{"CL 5 VT", smPost + "Content-Length: 5\v\r\n\r\nabcde", fail(400), nil, false},
		{"CL 5.0", smPost + "Content-Length: 5.0\r\n\r\nabcde", fail(400), nil, false},
		{"CL 1e1", smPost + "Content-Length: 1e1\r\n\r\nabcdeabcde", fail(400), nil, false},
		{"CL Arabic-Indic digit", smPost + "Content-Length: \u0665\r\n\r\nabcde", fail(400), nil, false},
		{"CL empty", smPost + "Content-Length:\r\n\r\nabcde", fail(400), nil, false},
		{"CL leading zeros", smPost + "Content-Length: 005\r\n\r\nabcde", ok("abcde"), post, false},
		{"CL 30 leading zeros", smPost + "Content-Length: " + strings.Repeat("0", 30) + "5\r\n\r\nabcde", ok("abcde"), post, false},
		{"CL 5 and 05", smPost + "Content-Length: 5\r\nContent-Length: 05\r\n\r\nabcde", fail(400), nil, false},
		{"CL max int64", smPost + "Content-Length: 9223372036854775807\r\n\r\n", fail(413), nil, false}, // net/http: waits for the body
		{"CL int64 overflow", smPost + "Content-Length: 9223372036854775808\r\n\r\n", fail(400), nil, false},
		{"CL 2^64", smPost + "Content-Length: 18446744073709551616\r\n\r\n", fail(400), nil, false},
		{"CL huge", smPost + "Content-Length: " + strings.Repeat("9", 100) + "\r\n\r\n", fail(400), nil, false},

		// Chunk lines and data (RFC 9112 §7.1).
		{"chunk 0x", smChunked + "0x3\r\nabc\r\n0\r\n\r\n", fail(400), nil, false},   // net/http: 200, its handler's body read fails
		{"chunk ;", smChunked + "3;\r\nabc\r\n0\r\n\r\n", fail(400), nil, false},     // net/http: 200, accepted
		{"chunk ; only", smChunked + ";\r\nabc\r\n0\r\n\r\n", fail(400), nil, false}, // net/http: 200, its handler's body read fails
		{"chunk ext", smChunked + "3;name=value\r\nabc\r\n0\r\n\r\n", ok("abc"), post, false},
		{"chunk space before size", smChunked + " 3\r\nabc\r\n0\r\n\r\n", fail(400), nil, false},                          // net/http: 200, its handler's body read fails
		{"chunk space after size", smChunked + "3 \r\nabc\r\n0\r\n\r\n", fail(400), nil, false},                           // net/http: 200, accepted
		{"chunk tab after size", smChunked + "3\t\r\nabc\r\n0\r\n\r\n", fail(400), nil, false},                            // net/http: 200, accepted
		{"chunk space in size", smChunked + "1 0\r\n" + strings.Repeat("a", 16) + "\r\n0\r\n\r\n", fail(400), nil, false}, // net/http: 200, its handler's body read fails
		{"chunk negative", smChunked + "-3\r\nabc\r\n0\r\n\r\n", fail(400), nil, false},                                   // net/http: 200, its handler's body read fails
		{"chunk plus", smChunked + "+3\r\nabc\r\n0\r\n\r\n", fail(400), nil, false},                                       // net/http: 200, its handler's body read fails
		{"chunk 2^64", smChunked + "10000000000000000\r\nabc\r\n0\r\n\r\n", fail(400), nil, false},                        // net/http: 200, its handler's body read fails
		{"chunk 2^64-1", smChunked + "ffffffffffffffff\r\nabc\r\n0\r\n\r\n", fail(400), nil, false},                       // net/http: waits for 2^64-1 bytes of data
		{"chunk underscore", smChunked + "1_0\r\n" + strings.Repeat("a", 16) + "\r\n0\r\n\r\n", fail(400), nil, false},    // net/http: 200, its handler's body read fails
		{"chunk uppercase hex", smChunked + "A\r\n0123456789\r\n0\r\n\r\n", ok("0123456789"), post, false},
		{"chunk data longer", smChunked + "3\r\nabcdef\r\n0\r\n\r\n", fail(400), nil, false},                                    // net/http: 200, its handler's body read fails
		{"chunk data shorter", smChunked + "5\r\nabc\r\n0\r\n\r\n", fail(400), nil, false},                                      // net/http: 200, its handler's body read fails
		{"chunk size LF", smChunked + "3\nabc\r\n0\r\n\r\n", fail(400), nil, false},                                             // net/http: 200, its handler's body read fails
		{"chunk data LF", smChunked + "3\r\nabc\n0\r\n\r\n", fail(400), nil, false},                                             // net/http: 200, its handler's body read fails
		{"chunked all LF", smChunked + "3\nabc\n0\n\n", fail(400), nil, false},                                                  // net/http: 200, its handler's body read fails
		{"last chunk LF", smChunked + "3\r\nabc\r\n0\n\r\n", fail(400), nil, false},                                             // net/http: 200, its handler's body read fails
		{"final line LF", smChunked + "3\r\nabc\r\n0\r\n\n", fail(400), nil, false},                                             // net/http: 200, accepted
		{"chunk size bare CR", smChunked + "3\rabc\r\n0\r\n\r\n", fail(400), nil, false},                                        // net/http: 200, its handler's body read fails
		{"chunk data bare CR", smChunked + "3\r\nabc\r0\r\n\r\n", fail(400), nil, false},                                        // net/http: 200, its handler's body read fails
		{"final CRLF missing", smChunked + "3\r\nabc\r\n0\r\n", fail(400), nil, false},                                          // innocent is read as a trailer line; net/http: 200, its handler's body read fails
		{"last chunk missing", smChunked + "3\r\nabc\r\n", fail(400), nil, false},                                               // innocent is read as a chunk line; net/http: 200, its handler's body read fails
		{"chunk data spans next request", smChunked + "20\r\nabc\r\n0\r\n\r\n", fail(400), nil, false},                          // innocent is read as data, then no CRLF; net/http: 200, its handler's body read fails
		{"trailer bare CR", smChunked + "3\r\nabc\r\n0\r\nX: a\rb\r\n\r\n", fail(400), nil, false},                              // net/http: 200, its handler's body read fails
		{"trailer obs-fold", smChunked + "3\r\nabc\r\n0\r\nX: a\r\n Transfer-Encoding: chunked\r\n\r\n", fail(400), nil, false}, // net/http: 200, accepted

		// Head and line ends (RFC 9112 §2.2, §5).
		{"head bare LF", "GET / HTTP/1.1\n" + smHost + "\r\n", fail(400), nil, false},          // net/http: 200, accepted
		{"head all LF", "GET / HTTP/1.1\nHost: x\n\n", fail(400), nil, false},                  // net/http: 200, accepted
		{"head ends LF CRLF", "GET / HTTP/1.1\r\n" + smHost + "\n\r\n", fail(400), nil, false}, // net/http: 200, then 400 for the stray CRLF
		{"head bare CR in line", "GET / HTTP/1.1\r\nX: a\rb\r\n" + smHost + "\r\n", fail(400), nil, false},
		{"head bare CR as line end", "GET / HTTP/1.1\r\nX: a\rContent-Length: 36\r\n" + smHost + "\r\n" + smuggled, fail(400), nil, false},
		{"empty line missing", "GET / HTTP/1.1\r\n" + smHost, fail(400), nil, false}, // innocent is read as a field line
		{"name NUL", "GET / HTTP/1.1\r\n" + smHost + "Content-Length\x00: 3\r\n\r\nabc", fail(400), nil, false},
		{"value VT", "GET / HTTP/1.1\r\n" + smHost + "X: a\vb\r\n\r\n", fail(400), nil, false},
		{"value FF", "GET / HTTP/1.1\r\n" + smHost + "X: a\fb\r\n\r\n", fail(400), nil, false},
		{"CL space before colon", smPost + "Content-Length : 5\r\n\r\nabcde", fail(400), nil, false},

		// Request line (RFC 9112 §3).
		{"two spaces", "GET  / HTTP/1.1\r\n" + smHost + "\r\n", fail(400), nil, false},
		{"space after version", "GET / HTTP/1.1 \r\n" + smHost + "\r\n", fail(400), nil, false},
		{"tab separators", "GET\t/\tHTTP/1.1\r\n" + smHost + "\r\n", fail(400), nil, false},
		{"space in target", "GET /a b HTTP/1.1\r\n" + smHost + "\r\n", fail(400), nil, false},
		{"HTTP/0.9", "GET /\r\n", fail(400), nil, false},
		{"HTTP/0.9 then CRLF", "GET /\r\n\r\n", fail(400), nil, false},
		{"lowercase version", "GET / http/1.1\r\n" + smHost + "\r\n", fail(400), nil, false},
		{"HTTP/1.10", "GET / HTTP/1.10\r\n" + smHost + "\r\n", fail(400), nil, false},
		{"HTTP/01.1", "GET / HTTP/01.1\r\n" + smHost + "\r\n", fail(400), nil, false},
		{"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", fail(505), nil, false}, // net/http without HTTP/2: 200, served as a PRI request
		{"HTTP/3.0", "GET / HTTP/3.0\r\n" + smHost + "\r\n", fail(505), nil, false},
		{"lowercase method", "get / HTTP/1.1\r\n" + smHost + "\r\n", fail(501), nil, false},                                                      // net/http: 200, any token is a method
		{"lowercase post with body", "post / HTTP/1.1\r\n" + smHost + "Content-Length: " + smLen + "\r\n\r\n" + smuggled, fail(501), nil, false}, // net/http: 200
		{"long method", strings.Repeat("A", 100) + " / HTTP/1.1\r\n" + smHost + "\r\n", fail(501), nil, false},                                   // net/http: 200
		{"method too long for the head", strings.Repeat("A", 20<<10) + " / HTTP/1.1\r\n" + smHost + "\r\n", fail(501), nil, false},               // RFC 9112 §3: 501; net/http: 200
		{"method then NUL", "GET\x00 / HTTP/1.1\r\n" + smHost + "\r\n", fail(400), nil, false},
		{"absolute-form other host", "GET http://other/p HTTP/1.1\r\n" + smHost + "\r\n", ok(""), []string{"GET http://other/p other"}, false}, // the target's host wins (RFC 9112 §3.2.2)
		{"absolute-form without Host", "GET http://other/p HTTP/1.1\r\n\r\n", fail(400), nil, false},                                           // HTTP/1.1 needs Host whatever the target
		{"absolute-form https", "GET https://other:443/p HTTP/1.1\r\n" + smHost + "\r\n", ok(""), []string{"GET https://other:443/p other:443"}, false},

		// Host (RFC 9112 §3.2).
		{"no Host", "GET / HTTP/1.1\r\n\r\n", fail(400), nil, false},
		{"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", fail(400), nil, false},
		{"two Hosts same", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", fail(400), nil, false},
		{"Host a@b", "GET / HTTP/1.1\r\nHost: a@b\r\n\r\n", fail(400), nil, false},
		{"Host list", "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", fail(400), nil, false},
		{"Host with path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", fail(400), nil, false},
		{"HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", ok(""), []string{"GET / "}, true}, // no keep-alive asked

		// Expect (RFC 9110 §10.1.1).
		{"Expect 100 with body", smPost + "Expect: 100-continue\r\nContent-Length: 3\r\n\r\nabc", []string{"100", "200:abc"}, post, false},
		{"Expect 100 chunked", smChunked[:len(smChunked)-2] + "Expect: 100-continue\r\n\r\n3\r\nabc\r\n0\r\n\r\n", []string{"100", "200:abc"}, post, false},
		{"Expect other", smPost + "Expect: 101-switch\r\nContent-Length: " + smLen + "\r\n\r\n" + smuggled, fail(417), nil, false},

		// Methods refused before their body: the body is never parsed.
		{"unknown method with body", "BREW / HTTP/1.1\r\n" + smHost + "Content-Length: " + smLen + "\r\n\r\n" + smuggled, fail(501), nil, false},  // net/http: 200, the handler decides
		{"refused method with body", "TRACE / HTTP/1.1\r\n" + smHost + "Content-Length: " + smLen + "\r\n\r\n" + smuggled, fail(405), nil, false}, // net/http: 200, the handler decides

		// Connection (RFC 9112 §9.6: after "close", process no further requests).
		{"Connection close pipelined", "GET /a HTTP/1.1\r\n" + smHost + "Connection: close\r\n\r\n" + smuggled, ok(""), []string{"GET /a x"}, true},
		{"HTTP/1.0 pipelined", "GET /a HTTP/1.0\r\n\r\n" + smuggled, ok(""), []string{"GET /a "}, true},
		{"Connection close with body", smPost + "Connection: close\r\nContent-Length: 3\r\n\r\nabc" + smuggled, ok("abc"), post, true},
		{"HTTP/1.0 keep-alive pipelined", "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", ok(""), []string{"GET /a "}, false},
		{"Upgrade h2c", "GET / HTTP/1.1\r\n" + smHost + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n", ok(""), get, false},           // not upgraded: served as HTTP/1.1
		{"Upgrade h2c then preface", "GET / HTTP/1.1\r\n" + smHost + "Connection: Upgrade\r\nUpgrade: h2c\r\n\r\nPRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", []string{"200:", "505"}, get, false}, // net/http without HTTP/2: 200, 200 (PRI served)
	}
}

// TestRequestSmuggling sends each smuggleCases payload, then innocent, on
// one connection: the replies must be those the case names, in order;
// after an error (or a reply that closes) the connection must close
// without answering innocent; and the handler must see exactly the
// requests the case names, never one taken from a body.
func TestRequestSmuggling(t *testing.T) {
	var handled []string
	ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
		s.SetGeneric(func(r *evhttp.Request) {
			handled = append(handled, r.Method()+" "+r.URI()+" "+r.Host())
			r.SendReply(200, "", r.Body().Pullup(-1))
		})
	})
	for _, tt := range smuggleCases() {
		t.Run(tt.name, func(t *testing.T) {
			ts.do(func() { handled = nil })
			c := ts.dial()
			if _, err := io.WriteString(c, tt.req+innocent); err != nil {
				t.Fatalf("write: %v", err)
			}
			br := bufio.NewReader(c)
			replies := tt.replies
			wantHandled := tt.handled
			open := !tt.closes && replies[len(replies)-1] < "4"
			if open {
				replies = append(slices.Clip(replies), "200:")
				wantHandled = append(slices.Clip(wantHandled), "GET /innocent x")
			}
			for i, want := range replies {
				resp, body := readResponse(t, br, "GET")
				status, wantBody, checkBody := strings.Cut(want, ":")
				if got := strconv.Itoa(resp.StatusCode); got != status || checkBody && body != wantBody {
					t.Fatalf("reply %d: got %d %q; want %s", i, resp.StatusCode, body, want)
				}
				if closing := !open && i == len(replies)-1; closing && !resp.Close {
					t.Errorf("reply %d: got %d without Connection: close; want the connection closed", i, resp.StatusCode)
				}
			}
			if !open {
				expectEOF(t, br)
			}
			var got []string
			ts.do(func() { got = slices.Clone(handled) })
			if !slices.Equal(got, wantHandled) {
				t.Errorf("handled %q; want %q", got, wantHandled)
			}
		})
	}
}

// TestNothingProcessedAfterClose pipelines a request behind one that
// closes the connection, whose handler answers late: the request behind
// must not reach its handler (RFC 9112 §9.6: after "close", a server
// "MUST NOT process any further requests"). Its reply would be dropped,
// so a client retrying it on a new connection would run it twice.
func TestNothingProcessedAfterClose(t *testing.T) {
	tests := []struct {
		name  string
		first string
	}{
		{"Connection close", "GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"},
		{"Connection close with body", "POST /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc"},
		{"HTTP/1.0", "GET /slow HTTP/1.0\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var held *evhttp.Request
			var handled []string
			ts := startServer(t, evhttp.Config{}, func(s *evhttp.Server) {
				s.SetGeneric(func(r *evhttp.Request) {
					handled = append(handled, r.Method()+" "+r.URI())
					if r.URI() == "/slow" {
						held = r
						return
					}
					r.SendReply(200, "", nil)
				})
			})
			c := ts.dial()
			io.WriteString(c, tt.first+"POST /after HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
			ts.waitHeld(&held)
			// Both requests arrived in one segment and were read together:
			// the loop has parsed all it was going to before the reply.
			ts.do(func() { held.SendReply(200, "", nil) })
			br := bufio.NewReader(c)
			if resp, _ := readResponse(t, br, "GET"); resp.StatusCode != 200 || !resp.Close {
				t.Errorf("got %d close=%v; want 200 with Connection: close", resp.StatusCode, resp.Close)
			}
			expectEOF(t, br)
			var got []string
			ts.do(func() { got = slices.Clone(handled) })
			if want := []string{strings.Fields(tt.first)[0] + " /slow"}; !slices.Equal(got, want) {
				t.Errorf("handled %q; want %q", got, want)
			}
		})
	}
}
