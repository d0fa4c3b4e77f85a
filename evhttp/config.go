package evhttp

import (
	"log/slog"
	"time"

	"github.com/eventide-go/eventide/internal/http1"
)

// Config configures a Server. The zero value of every field selects a
// sensible default, listed with the field.
type Config struct {
	// ReadHeaderTimeout bounds the time from the first byte of a request
	// to the end of its header section, whatever arrives in between: a
	// client trickling its header a byte at a time is cut off. 0 means
	// 30 s; negative means none.
	ReadHeaderTimeout time.Duration
	// ReadBodyTimeout is the longest silence allowed while a request body
	// is being read; each arrival starts it again. 0 means 60 s; negative
	// means none.
	ReadBodyTimeout time.Duration
	// WriteTimeout is the longest time queued response bytes may wait for
	// the client to accept any of them. 0 means 60 s; negative means none.
	WriteTimeout time.Duration
	// IdleTimeout is how long a keep-alive connection may wait for the
	// next request. 0 means 120 s; negative means none.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds the request line plus header section (431, or
	// 414 while still in the request target). 0 means 16 KiB.
	MaxHeaderBytes int
	// MaxURIBytes bounds the request target (414). 0 means 8 KiB.
	MaxURIBytes int
	// MaxBodyBytes bounds a request body (413, then the connection is
	// closed after the client had a chance to read the answer). 0 means
	// 8 MiB; negative means no limit.
	MaxBodyBytes int64
	// MaxConns bounds the connections being served; one more is answered
	// 503 and closed. A connection that has made its last reply and only
	// lingers for the client to close counts no more. 0 means no limit.
	MaxConns int
	// AllowedMethods lists the methods served; a known method not in the
	// list is answered 405, an unknown one 501. nil means GET, HEAD, POST,
	// PUT, DELETE, OPTIONS and PATCH. Only the methods with a Method
	// constant are known; listing another panics.
	AllowedMethods []string
	// DefaultContentType is the Content-Type of a response with a body
	// whose handler set none. "" means "text/html; charset=utf-8", as
	// libevent's evhttp.
	DefaultContentType string
	// ServerName is the value of the Server header of every response;
	// "" means no Server header.
	ServerName string
	// StreamBodies makes every handler run as soon as the request header
	// is complete, with the body delivered in pieces to the function given
	// to Request.SetBodyHandler, instead of buffered in Request.Body
	// (HandleStream does the same for one path).
	StreamBodies bool
	// Logger receives connection-level errors at debug level and panics
	// of handlers served through Bridge at error level; nil means silent.
	Logger *slog.Logger
}

// Defaults of Config.
const (
	defaultReadHeaderTimeout = 30 * time.Second
	defaultReadBodyTimeout   = 60 * time.Second
	defaultWriteTimeout      = 60 * time.Second
	defaultIdleTimeout       = 120 * time.Second
	defaultMaxBodyBytes      = 8 << 20
	defaultContentType       = "text/html; charset=utf-8"
	// lingerTimeout bounds a lingering close: after answering an error
	// the server shuts down its side and discards what the client still
	// sends, so that the kernel does not reset the connection (and drop
	// the answer) because of unread data, then closes.
	lingerTimeout = 2 * time.Second
	// maxPipeline is how many requests of one connection may wait for
	// their replies before the server stops parsing further ones.
	maxPipeline = 16
	// maxUnreadOutput is how many reply bytes a connection may have queued
	// for the client before the server parses no further request: a client
	// that pipelines requests and reads no replies would otherwise make the
	// server buffer every reply until the write timeout.
	maxUnreadOutput = 64 << 10
)

// normalize returns c with every zero field replaced by its default.
func (c Config) normalize() Config {
	def := func(d *time.Duration, v time.Duration) {
		switch {
		case *d == 0:
			*d = v
		case *d < 0:
			*d = 0
		}
	}
	def(&c.ReadHeaderTimeout, defaultReadHeaderTimeout)
	def(&c.ReadBodyTimeout, defaultReadBodyTimeout)
	def(&c.WriteTimeout, defaultWriteTimeout)
	def(&c.IdleTimeout, defaultIdleTimeout)
	if c.MaxHeaderBytes <= 0 {
		c.MaxHeaderBytes = http1.DefaultMaxHeadBytes
	}
	if c.MaxURIBytes <= 0 {
		c.MaxURIBytes = http1.DefaultMaxTargetBytes
	}
	if c.MaxURIBytes > c.MaxHeaderBytes {
		c.MaxURIBytes = c.MaxHeaderBytes
	}
	switch {
	case c.MaxBodyBytes == 0:
		c.MaxBodyBytes = defaultMaxBodyBytes
	case c.MaxBodyBytes < 0:
		c.MaxBodyBytes = -1
	}
	if c.DefaultContentType == "" {
		c.DefaultContentType = defaultContentType
	}
	if c.AllowedMethods == nil {
		c.AllowedMethods = []string{MethodGet, MethodHead, MethodPost, MethodPut, MethodDelete, MethodOptions, MethodPatch}
	}
	return c
}
