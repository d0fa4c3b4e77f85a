package evhttp

import "strings"

// HandlerFunc handles a request. It runs on the server's loop and may reply
// at once or later, from any other callback on the same loop.
type HandlerFunc func(r *Request)

// route is what a path is served by.
type route struct {
	fn     HandlerFunc
	stream bool // the body is streamed (HandleStream)
}

// routeEntry is a path's route in Server.routes.
type routeEntry struct {
	path string
	route
}

// vhost is a virtual host: requests whose Host matches pattern are routed
// by srv.
type vhost struct {
	pattern string
	srv     *Server
}

// HandleFunc serves requests whose path (the target without its query,
// percent-decoded when it holds escapes) is exactly path, as
// evhttp_set_cb. Paths are compared as sent, as libevent does: dot
// segments are not removed ("/a/../b" and "/./b" do not match "/b"), nor
// are repeated slashes merged. It panics if path does not start with '/'
// or already has a handler.
func (s *Server) HandleFunc(path string, fn HandlerFunc) {
	s.handle(path, route{fn: fn})
}

// HandleStream is HandleFunc with the body streamed, as Config.StreamBodies
// does for every path: fn runs once the header is complete and receives the
// body through Request.SetBodyHandler.
func (s *Server) HandleStream(path string, fn HandlerFunc) {
	s.handle(path, route{fn: fn, stream: true})
}

func (s *Server) handle(path string, rt route) {
	if !strings.HasPrefix(path, "/") {
		panic("evhttp: handler path " + path + " does not start with '/'")
	}
	if rt.fn == nil {
		panic("evhttp: nil handler for " + path)
	}
	if _, ok := s.routes[path]; ok {
		panic("evhttp: a handler for " + path + " already exists")
	}
	s.routes[path] = &routeEntry{path, rt}
	s.last = nil
}

// Remove removes the handler of path and reports whether there was one
// (evhttp_del_cb).
func (s *Server) Remove(path string) bool {
	_, ok := s.routes[path]
	delete(s.routes, path)
	s.last = nil
	return ok
}

// SetGeneric sets the handler of every request no path handler matched
// (evhttp_set_gencb); nil, the default, answers 404 (at once, without
// reading the body, to a request expecting 100-continue; the connection
// then closes).
func (s *Server) SetGeneric(fn HandlerFunc) { s.generic = fn }

// AddVirtualHost routes the requests whose Host (without its port) matches
// pattern to vh's handlers, as evhttp_add_virtual_host: pattern is a glob
// where '*' matches any run of characters and '?' one, compared ASCII
// case-insensitively, such as "*.example.com". A request whose host no
// pattern matches is served by s's own handlers, and so is one without a
// host (HTTP/1.0 may omit Host; an empty Host names none), which matches
// no pattern, not even "*", as in libevent. vh is a Server that was never
// bound: only its handlers, aliases and virtual hosts are used; the
// connection settings are those of the server that accepted the
// connection. Patterns are tried in the order added, after the aliases.
func (s *Server) AddVirtualHost(pattern string, vh *Server) {
	if vh == nil || vh == s {
		panic("evhttp: AddVirtualHost needs another server")
	}
	s.vhosts = append(s.vhosts, vhost{pattern, vh})
}

// RemoveVirtualHost removes the virtual host vh and reports whether it was
// there.
func (s *Server) RemoveVirtualHost(vh *Server) bool {
	for i, v := range s.vhosts {
		if v.srv == vh {
			s.vhosts = append(s.vhosts[:i], s.vhosts[i+1:]...)
			return true
		}
	}
	return false
}

// AddAlias makes requests for host name (no port, case-insensitive) use
// this server's own handlers even when a virtual host pattern would match
// it (evhttp_add_server_alias). The aliases of a virtual host count for
// the servers it was added to: a request for the alias reaches it whatever
// its pattern.
func (s *Server) AddAlias(name string) { s.aliases = append(s.aliases, name) }

// resolve returns the server whose handlers serve host. A request without
// a host (HTTP/1.0 may omit Host, an empty one names none) matches no
// virtual host, not even "*": s serves it, as in libevent.
func (s *Server) resolve(host []byte) *Server {
	if len(s.vhosts) == 0 {
		return s
	}
	host = stripPort(host)
	if len(host) == 0 {
		return s
	}
	if a := s.findAlias(host); a != nil {
		return a
	}
	for _, v := range s.vhosts {
		if globMatch(v.pattern, host) {
			return v.srv.resolve(host)
		}
	}
	return s
}

// findAlias returns the server among s and its virtual hosts, depth first,
// that has host as an alias, or nil: as in libevent, an alias added to a
// virtual host routes that name to it from its parent.
func (s *Server) findAlias(host []byte) *Server {
	for _, a := range s.aliases {
		if equalFoldBytes(a, host) {
			return s
		}
	}
	for _, v := range s.vhosts {
		if a := v.srv.findAlias(host); a != nil {
			return a
		}
	}
	return nil
}

// lookup returns the route for the raw request path.
func (s *Server) lookup(path []byte) (route, bool) {
	if e := s.last; e != nil && e.path == string(path) {
		return e.route, true // the previous request's path, without hashing it
	}
	e := s.routes[string(path)] // no allocation: map index by converted bytes
	if e == nil && indexByte(path, '%') >= 0 {
		if d, err := DecodeURI(string(path), false); err == nil {
			e = s.routes[d]
		}
	}
	if e != nil {
		if e.path == string(path) {
			s.last = e
		}
		return e.route, true
	}
	if s.generic != nil {
		return route{fn: s.generic}, true
	}
	return route{}, false
}

// stripPort removes ":port" from a Host value, keeping IPv6 brackets.
func stripPort(h []byte) []byte {
	for i := len(h) - 1; i >= 0; i-- {
		switch h[i] {
		case ':':
			return h[:i]
		case ']':
			return h
		}
	}
	return h
}

// globMatch matches s against pattern with '*' and '?', ASCII
// case-insensitively, without allocating (iterative, with one backtrack
// point: linear in practice).
func globMatch(pattern string, s []byte) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || lower(pattern[p]) == lower(s[i])):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func equalFoldBytes(a string, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// targetPath returns the path of a request target without its query:
// the target itself up to '?' for origin-form, the part after the
// authority for absolute-form ("/" if empty), "*" for asterisk-form and the
// target for authority-form (CONNECT).
func targetPath(t []byte) []byte {
	if len(t) > 0 && t[0] != '/' {
		// absolute-form: scheme "://" authority path-abempty
		if i := indexSchemeSep(t); i >= 0 {
			rest := t[i+3:]
			j := 0
			for j < len(rest) && rest[j] != '/' && rest[j] != '?' {
				j++
			}
			t = rest[j:]
			if len(t) == 0 || t[0] == '?' {
				return slash
			}
		} else {
			return t
		}
	}
	if q := indexByte(t, '?'); q >= 0 {
		t = t[:q]
	}
	return t
}

var slash = []byte("/")

// targetHost returns the authority of an absolute-form target, which a
// server uses instead of the Host field (RFC 9112 §3.2.2), or nil for the
// other forms.
func targetHost(t []byte) []byte {
	if len(t) == 0 || t[0] == '/' {
		return nil
	}
	i := indexSchemeSep(t)
	if i < 0 {
		return nil
	}
	rest := t[i+3:]
	j := 0
	for j < len(rest) && rest[j] != '/' && rest[j] != '?' {
		j++
	}
	return rest[:j]
}

func indexSchemeSep(t []byte) int {
	for i := 0; i+2 < len(t); i++ {
		if t[i] == ':' {
			if t[i+1] == '/' && t[i+2] == '/' {
				return i
			}
			return -1
		}
	}
	return -1
}
