package stream

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// errNoFd is returned by the socket options of a pair, a filter, or a
// dialed connection still resolving its host name.
var errNoFd = errors.New("stream: connection has no descriptor")

// sockaddr parses network and address into a socket address and family,
// for Listen. A host name other than "localhost" (and the empty host: all
// interfaces) is resolved here, with the default resolver, which blocks:
// Listen is a setup call. Dial never comes here for a name (see
// parseAddr).
func sockaddr(network, address string) (unix.Sockaddr, int, error) {
	t, err := parseAddr(network, address, net.DefaultResolver)
	switch {
	case t.zoneErr != nil:
		return nil, 0, t.zoneErr
	case err != nil || t.sa != nil:
		return t.sa, t.family, err
	}
	ips, err := net.DefaultResolver.LookupNetIP(context.Background(), ipNetwork(network), t.host)
	if err != nil {
		return nil, 0, err
	}
	if len(ips) == 0 {
		return nil, 0, &net.DNSError{Err: "no such host", Name: t.host, IsNotFound: true}
	}
	return inetSockaddr(network, address, ips[0], t.port)
}

// target is a parsed address: a socket address, or a host name still to
// be resolved and the port to connect to on its addresses.
type target struct {
	sa     unix.Sockaddr // nil when host must be resolved
	family int           // sa's address family
	host   string        // the name to resolve, when sa is nil
	port   int
	// zoneErr is set, and sa nil, for an IPv6 literal whose zone names
	// no interface: Dial fails with it from the loop.
	zoneErr *zoneError
}

// parseAddr parses network and address without looking up host names:
// an IP literal, "localhost" (the loopback address) or the empty host
// (the unspecified address) gives a socket address; any other host is
// left in target.host. A named port is looked up with r.LookupPort, which
// reads /etc/services (a local file, not the network).
func parseAddr(network, address string, r *net.Resolver) (target, error) {
	switch network {
	case "unix":
		if address == "" {
			return target{}, errors.New("empty unix socket path")
		}
		return target{sa: &unix.SockaddrUnix{Name: address}, family: unix.AF_UNIX}, nil
	case "tcp", "tcp4", "tcp6":
	default:
		return target{}, net.UnknownNetworkError(network)
	}
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return target{}, err
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		p, lerr := r.LookupPort(context.Background(), network, portStr)
		if lerr != nil {
			return target{}, fmt.Errorf("invalid port %q", portStr)
		}
		port = uint64(p)
	}
	var ip netip.Addr
	switch host {
	case "":
		ip = netip.IPv4Unspecified()
		if network == "tcp6" {
			ip = netip.IPv6Unspecified()
		}
	case "localhost":
		ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		if network == "tcp6" {
			ip = netip.IPv6Loopback()
		}
	default:
		if ip, err = netip.ParseAddr(host); err != nil {
			return target{host: host, port: int(port)}, nil
		}
	}
	sa, family, err := inetSockaddr(network, address, ip, int(port))
	if zerr, ok := err.(*zoneError); ok {
		return target{family: family, zoneErr: zerr}, nil
	}
	return target{sa: sa, family: family}, err
}

// inetSockaddr returns the socket address of ip and port, if ip belongs
// to network ("tcp4" takes IPv4 only, "tcp6" IPv6 only). address is for
// the error.
func inetSockaddr(network, address string, ip netip.Addr, port int) (unix.Sockaddr, int, error) {
	ip = ip.Unmap()
	switch {
	case ip.Is4() && network != "tcp6":
		return &unix.SockaddrInet4{Port: port, Addr: ip.As4()}, unix.AF_INET, nil
	case ip.Is6() && network != "tcp4":
		sa := &unix.SockaddrInet6{Port: port, Addr: ip.As16()}
		if zone := ip.Zone(); zone != "" {
			id, ok := scopeID(zone)
			if !ok {
				return nil, unix.AF_INET6, &zoneError{address: address, zone: zone}
			}
			sa.ZoneId = id
		}
		return sa, unix.AF_INET6, nil
	}
	return nil, 0, &net.AddrError{Err: "address family mismatch", Addr: address}
}

// scopeID returns the IPv6 scope id that zone names: the index of the
// network interface called zone or, failing that, zone read as a decimal
// index, as Go's net package and libevent's evutil_inet_pton_scope read
// it. Looking up a name costs a walk of the system's interfaces (a
// netlink dump on Linux), paid only by zoned addresses.
func scopeID(zone string) (uint32, bool) {
	if ifi, err := net.InterfaceByName(zone); err == nil {
		return uint32(ifi.Index), true
	}
	n, err := strconv.ParseUint(zone, 10, 32)
	return uint32(n), err == nil
}

// zoneName is scopeID's inverse, for netAddr: the name of interface id,
// or its decimal index if it has none (it went away).
func zoneName(id uint32) string {
	if ifi, err := net.InterfaceByIndex(int(id)); err == nil {
		return ifi.Name
	}
	return strconv.FormatUint(uint64(id), 10)
}

// zoneError is an IPv6 address whose zone is neither a network
// interface's name nor a number. Listen returns it; Dial reports it as an
// Error event, as it does a connection that fails at once.
type zoneError struct {
	address, zone string
}

func (e *zoneError) Error() string {
	return fmt.Sprintf("address %s: no network interface %q", e.address, e.zone)
}

// familyOf returns the address family of sa.
func familyOf(sa unix.Sockaddr) int {
	switch sa.(type) {
	case *unix.SockaddrInet4:
		return unix.AF_INET
	case *unix.SockaddrInet6:
		return unix.AF_INET6
	}
	return unix.AF_UNIX
}

func ipNetwork(network string) string {
	switch network {
	case "tcp4":
		return "ip4"
	case "tcp6":
		return "ip6"
	}
	return "ip"
}

// netAddr converts a socket address to a net.Addr (nil if unknown).
func netAddr(sa unix.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return net.TCPAddrFromAddrPort(netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port)))
	case *unix.SockaddrInet6:
		ip := netip.AddrFrom16(a.Addr)
		if a.ZoneId != 0 {
			ip = ip.WithZone(zoneName(a.ZoneId))
		}
		return net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(a.Port)))
	case *unix.SockaddrUnix:
		return &net.UnixAddr{Name: a.Name, Net: "unix"}
	}
	return nil
}

// LocalAddr returns the connection's local address (getsockname(2)), or
// nil for a pair, a filter, a closed connection, or a dialed one still
// resolving its host name (it has no socket yet).
func (c *Conn) LocalAddr() net.Addr {
	fd := c.Fd()
	if fd < 0 {
		return nil
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return nil
	}
	return netAddr(sa)
}

// RemoteAddr returns the connection's peer address (getpeername(2)), or
// nil for a pair, a filter, a closed or an unconnected connection (one
// still resolving or connecting).
func (c *Conn) RemoteAddr() net.Addr {
	fd := c.Fd()
	if fd < 0 {
		return nil
	}
	sa, err := unix.Getpeername(fd)
	if err != nil {
		return nil
	}
	return netAddr(sa)
}

// noFd is the error of a socket option on a connection without a
// descriptor: net.ErrClosed once closed, else errNoFd.
func (c *Conn) noFd() error {
	if c.flags&fClosed != 0 {
		return net.ErrClosed
	}
	return errNoFd
}

// SetNoDelay sets TCP_NODELAY: on, small writes are sent at once rather
// than coalesced (Nagle's algorithm off).
func (c *Conn) SetNoDelay(on bool) error {
	return c.setsockopt(unix.IPPROTO_TCP, unix.TCP_NODELAY, on)
}

// SetLinger sets SO_LINGER as net.TCPConn.SetLinger does: sec < 0 is the
// default (close returns at once, the kernel sends queued data in the
// background), 0 discards unsent data and resets the connection on Close,
// sec > 0 makes close wait up to sec seconds.
func (c *Conn) SetLinger(sec int) error {
	fd := c.Fd()
	if fd < 0 {
		return c.noFd()
	}
	l := unix.Linger{}
	if sec >= 0 {
		l.Onoff, l.Linger = 1, int32(sec)
	}
	if err := unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &l); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	return nil
}

// SetReadBuffer sets SO_RCVBUF, the kernel's receive buffer, as
// net.TCPConn.SetReadBuffer does (Linux doubles it for its bookkeeping and
// caps it at net.core.rmem_max). A negative size is an error.
func (c *Conn) SetReadBuffer(bytes int) error { return c.setBuffer(unix.SO_RCVBUF, bytes) }

// SetWriteBuffer sets SO_SNDBUF, the kernel's send buffer, as
// net.TCPConn.SetWriteBuffer does. A negative size is an error.
func (c *Conn) SetWriteBuffer(bytes int) error { return c.setBuffer(unix.SO_SNDBUF, bytes) }

func (c *Conn) setBuffer(opt, bytes int) error {
	if bytes < 0 {
		return os.NewSyscallError("setsockopt", unix.EINVAL)
	}
	fd := c.Fd()
	if fd < 0 {
		return c.noFd()
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, opt, bytes); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	return nil
}

func (c *Conn) setsockopt(level, opt int, on bool) error {
	fd := c.Fd()
	if fd < 0 {
		return c.noFd()
	}
	v := 0
	if on {
		v = 1
	}
	if err := unix.SetsockoptInt(fd, level, opt, v); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	return nil
}
