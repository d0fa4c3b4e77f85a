package evhttp

import (
	"net"
	"sync"
	"time"

	"github.com/eventide-go/eventide/ev"
	"github.com/eventide-go/eventide/internal/http1"
	"github.com/eventide-go/eventide/stream"
)

// Server is an HTTP/1.1 server on an event loop (libevent's evhttp).
// A Server belongs to its loop: every method is loop-only (use
// ev.Loop.Post from other goroutines), and handlers run on the loop.
type Server struct {
	loop     *ev.Loop
	cfg      Config
	limits   http1.Limits
	allowed  methodSet
	allowHdr string
	// serverLine is the Server header line of Config.ServerName, "" for none.
	serverLine string

	// Scratch shared by the server's connections, which all run on its
	// loop: reply heads are formatted in hdr, input chunks listed in vecs.
	hdr  []byte
	vecs [][]byte

	routes  map[string]*routeEntry
	last    *routeEntry // the route lookup found last, tried first
	generic HandlerFunc
	vhosts  []vhost
	aliases []string
	filter  func(*Request) bool

	listeners []*stream.Listener
	conns     []*Conn
	lingering int        // connections in conns closing after their last reply
	free      []*Request // recycled requests, with their parser arenas
	spill     sync.Pool  // recycled requests beyond maxFree, left to the GC when idle
	date      dateCache
	nowIter   uint64    // the loop iteration of now
	now       time.Time // the loop's time in that iteration (clock)

	// Connections corked until the posted functions running have run
	// (corkPosted), and the watcher, never started, only fed, that then
	// uncorks them; nil until a bridged reply.
	corkedConns []*Conn
	uncorkW     *ev.Prepare

	// Connections whose reply was written in the pass (watchOutput), and
	// the watcher, started while any is listed, that looks after the
	// pass's writes whether output is left for the write timeout.
	outConns []*Conn
	outW     *ev.Prepare

	// closer closes the server with its loop (ev.Cleanup), started once it
	// has a listener or a connection: descriptors left open and bridged
	// handlers waiting on a loop that is gone otherwise.
	closer ev.Cleanup

	shutting      bool
	closed        bool
	shutdownTimer *ev.Timer
	shutdownDone  func()
}

// maxFree bounds the recycled requests a server keeps (each holds a
// parser arena of Config.MaxHeaderBytes); more go to a sync.Pool, which the
// garbage collector empties when they stay unused. Requests held by
// handlers that answer later (Bridge: one per busy connection) can
// outnumber maxFree by far, and allocating their arenas anew would cost
// more than the rest of the request.
const maxFree = 256

// NewServer returns a server on loop l, with no listener and no handler
// (every path is answered 404 until HandleFunc or SetGeneric). It panics if
// cfg.AllowedMethods names an unknown method, or if cfg.ServerName or
// cfg.DefaultContentType holds CR, LF or NUL, which would split the
// replies' header.
func NewServer(l *ev.Loop, cfg Config) *Server {
	if l == nil {
		panic("evhttp: NewServer with a nil loop")
	}
	if !validValue(cfg.ServerName) || !validValue(cfg.DefaultContentType) {
		panic("evhttp: Config.ServerName or DefaultContentType holds CR, LF or NUL")
	}
	cfg = cfg.normalize()
	s := &Server{
		loop:   l,
		cfg:    cfg,
		routes: make(map[string]*routeEntry),
		limits: http1.Limits{MaxHeadBytes: cfg.MaxHeaderBytes, MaxTargetBytes: cfg.MaxURIBytes},
	}
	s.allowed = newMethodSet(cfg.AllowedMethods)
	s.allowHdr = s.allowed.allowHeader()
	if cfg.ServerName != "" {
		s.serverLine = "Server: " + cfg.ServerName + "\r\n"
	}
	s.date = newDateCache(s.serverLine)
	s.nowIter = ^uint64(0) // no iteration: clock reads the time first
	return s
}

// Loop returns the server's loop.
func (s *Server) Loop() *ev.Loop { return s.loop }

// SetTimeout sets every timeout of Config (header, body, write, idle) to d
// for the connections' next waits, as evhttp_set_timeout; 0 or less means
// none.
func (s *Server) SetTimeout(d time.Duration) {
	d = max(d, 0)
	s.cfg.ReadHeaderTimeout, s.cfg.ReadBodyTimeout, s.cfg.WriteTimeout, s.cfg.IdleTimeout = d, d, d, d
}

// SetRequestFilter sets fn to be called with every request once its head
// is parsed, before its handler: returning false rejects it, with fn's own
// reply if fn sent one, else 403, and the connection is closed after the
// reply. nil removes the filter.
func (s *Server) SetRequestFilter(fn func(*Request) bool) { s.filter = fn }

// Bind listens on the TCP address addr ("host:port"; port 0 picks one)
// with SO_REUSEADDR and serves it (evhttp_bind_socket). Call it once per
// address to serve several.
func (s *Server) Bind(addr string) error {
	if s.closed {
		return net.ErrClosed
	}
	ln, err := stream.Listen(s.loop, "tcp", addr, stream.ListenConfig{
		ReuseAddr: true,
		OnError: func(_ *stream.Listener, err error) {
			s.logf("evhttp: accept", err)
		},
	}, s.Accept)
	if err != nil {
		return err
	}
	s.listeners = append(s.listeners, ln)
	s.closeWithLoop()
	return nil
}

// AddListener makes the server own ln, a listener whose AcceptFunc is
// s.Accept: Shutdown and Close close it.
func (s *Server) AddListener(ln *stream.Listener) {
	s.listeners = append(s.listeners, ln)
	s.closeWithLoop()
}

// closeWithLoop makes sure the server is closed when its loop is: a
// program that closes the loop without closing the server leaves no
// descriptor open and no bridged handler blocked.
func (s *Server) closeWithLoop() {
	if !s.closer.Active() {
		s.closer.Init(s.loop, func(*ev.Cleanup) { s.Close() })
		s.closer.Start()
	}
}

// Addrs returns the addresses of the server's listeners, in the order
// bound.
func (s *Server) Addrs() []net.Addr {
	out := make([]net.Addr, 0, len(s.listeners))
	for _, ln := range s.listeners {
		out = append(out, ln.Addr())
	}
	return out
}

// Accept serves c, a new connection (ln may be nil). It is a
// stream.AcceptFunc, for stream.Listen(loop, …, srv.Accept) on listeners
// made elsewhere, and serves any connected stream.Conn, such as one of a
// stream.NewPair. Beyond Config.MaxConns the connection is answered 503
// and closed.
func (s *Server) Accept(ln *stream.Listener, c *stream.Conn) {
	if s.closed || s.shutting {
		c.Close()
		return
	}
	// A connection that made its last reply and only waits for the
	// client to close (a lingering close, up to 2 s) holds no slot: the
	// slot frees when its last reply does, as in libevent, which closes
	// at once.
	if s.cfg.MaxConns > 0 && len(s.conns)-s.lingering >= s.cfg.MaxConns {
		hc := newConn(s, c)
		if !hc.closed {
			c.WriteString("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Content-Length: 20\r\nConnection: close\r\n\r\nserver at capacity.\n")
			hc.shutdown()
		}
		return
	}
	newConn(s, c)
}

// NumConns returns the number of open connections.
func (s *Server) NumConns() int { return len(s.conns) }

// Shutdown shuts the server down gracefully: it stops accepting, closes
// idle connections (no request, no reply left to write) at once, and
// closes each busy one after the requests it has already read are answered
// (the last reply made after Shutdown says "Connection: close"; a busy
// connection reads no new request), closes whatever remains after deadline
// (0: no deadline), and then calls done (if not nil), once every
// connection is closed. A connection closes after its last reply as soon as
// the client closes its side, or 2 s later (a lingering close).
func (s *Server) Shutdown(deadline time.Duration, done func()) {
	if s.shutting {
		if done != nil {
			prev := s.shutdownDone
			s.shutdownDone = func() {
				if prev != nil {
					prev()
				}
				done()
			}
			if s.closed || len(s.conns) == 0 {
				s.finishShutdown()
			}
		}
		return
	}
	s.shutting = true
	s.shutdownDone = done
	s.closeListeners()
	for _, c := range append([]*Conn(nil), s.conns...) {
		switch {
		case c.cur == nil && c.qhead == nil && c.sc.OutputLen() == 0:
			c.close()
		case c.cur == nil && c.qhead == nil:
			// The last reply is still being written: not idle. Finish it,
			// then close as after any last reply.
			c.closing = true
			c.shutdown()
		default:
			c.closing = true
		}
	}
	if len(s.conns) == 0 {
		s.finishShutdown()
		return
	}
	if deadline > 0 {
		s.shutdownTimer = ev.NewTimer(s.loop, deadline, 0, func(*ev.Timer) { s.closeConns() })
		s.shutdownTimer.Start()
	}
}

// Close closes the listeners and every connection at once
// (evhttp_free). Replies not yet written are lost; requests held by handlers
// stay valid and their replies are discarded. A Shutdown in progress
// completes. Closing the server's loop closes the server too.
func (s *Server) Close() {
	if s.closed {
		return
	}
	s.closed = true
	s.shutting = true
	s.closer.Stop()
	s.closeListeners()
	s.closeConns()
	if s.uncorkW != nil {
		s.loop.ClearPending(s.uncorkW)
		clear(s.corkedConns)
		s.corkedConns = s.corkedConns[:0]
	}
	if s.outW != nil {
		s.outW.Stop()
		clear(s.outConns)
		s.outConns = s.outConns[:0]
	}
	s.finishShutdown()
}

// watchOutputs is the write-timeout watcher's callback, at the start of
// the iteration after the pass whose replies listed their connections:
// the stream wrote them at the end of that pass, and a connection with
// output left (the client is not reading) gets its write timeout.
func (s *Server) watchOutputs(w *ev.Prepare) {
	w.Stop()
	for i, c := range s.outConns {
		s.outConns[i] = nil
		c.outListed = false
		if !c.closed && !c.writeTimeout && c.sc.OutputLen() > 0 {
			c.writeTimeout = true
			c.sc.SetTimeouts(0, s.cfg.WriteTimeout)
		}
	}
	s.outConns = s.outConns[:0]
}

// uncorkBatch is the uncorking watcher's callback: the batch of posted
// functions has run, and the connections corkPosted held write their
// replies.
func (s *Server) uncorkBatch(*ev.Prepare) {
	for i := 0; i < len(s.corkedConns); i++ {
		c := s.corkedConns[i]
		s.corkedConns[i] = nil
		c.batchCork = false
		if c.closed {
			continue
		}
		c.uncork()
		if !c.closed {
			// Parsing may have stopped at maxUnreadOutput, and the
			// timers wait for the output: no write callback comes if
			// the socket took it all.
			c.process()
		}
	}
	s.corkedConns = s.corkedConns[:0]
}

func (s *Server) closeListeners() {
	for _, ln := range s.listeners {
		ln.Close()
	}
	s.listeners = nil
}

func (s *Server) closeConns() {
	for len(s.conns) > 0 {
		s.conns[len(s.conns)-1].close()
	}
}

func (s *Server) finishShutdown() {
	s.closer.Stop() // nothing left to close
	if s.shutdownTimer != nil {
		s.shutdownTimer.Stop()
		s.shutdownTimer = nil
	}
	if done := s.shutdownDone; done != nil {
		s.shutdownDone = nil
		done()
	}
}

func (s *Server) addConn(c *Conn) {
	c.idx = len(s.conns)
	s.conns = append(s.conns, c)
	if len(s.conns) == 1 {
		s.closeWithLoop()
	}
}

func (s *Server) removeConn(c *Conn) {
	last := s.conns[len(s.conns)-1]
	s.conns[c.idx] = last
	last.idx = c.idx
	s.conns[len(s.conns)-1] = nil
	s.conns = s.conns[:len(s.conns)-1]
}

// acquire returns a request for connection c, recycled if possible.
func (s *Server) acquire(c *Conn) *Request {
	var r *Request
	if n := len(s.free); n > 0 {
		r = s.free[n-1]
		s.free[n-1] = nil
		s.free = s.free[:n-1]
	} else if x, ok := s.spill.Get().(*Request); ok {
		r = x
	} else {
		r = newRequest(s.limits)
	}
	r.c = c
	return r
}

// release recycles r.
func (s *Server) release(r *Request) {
	r.reset()
	if len(s.free) < maxFree {
		s.free = append(s.free, r)
	} else {
		s.spill.Put(r)
	}
}

func (s *Server) logf(msg string, err error) {
	if s.cfg.Logger != nil && err != nil {
		s.cfg.Logger.Debug(msg, "err", err)
	}
}

// clock returns the loop's time, read once per loop iteration: the loop's
// time changes only between iterations (or at an UpdateNow), and the
// connections' timers and the Date line read it at every request.
func (s *Server) clock() time.Time {
	if s.loop.Iteration() != s.nowIter {
		s.readClock()
	}
	return s.now
}

// readClock reads the loop's time for clock. Inlined there, it would make
// clock too big to be inlined itself.
//
//go:noinline
func (s *Server) readClock() {
	s.nowIter, s.now = s.loop.Iteration(), s.loop.Now()
}
