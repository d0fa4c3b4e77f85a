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

// errNoFd is returned by the socket options of a pair or a filter.
var errNoFd = errors.New("stream: connection has no descriptor")

// sockaddr parses network and address into a socket address and family.
// Host names other than "localhost" (and the empty host: all interfaces)
// are resolved with the Go resolver, which blocks; use IP literals on a
// loop.
func sockaddr(network, address string) (unix.Sockaddr, int, error) {
	switch network {
	case "unix":
		if address == "" {
			return nil, 0, errors.New("empty unix socket path")
		}
		return &unix.SockaddrUnix{Name: address}, unix.AF_UNIX, nil
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, 0, net.UnknownNetworkError(network)
	}
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return nil, 0, err
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		p, lerr := net.LookupPort(network, portStr)
		if lerr != nil {
			return nil, 0, fmt.Errorf("invalid port %q", portStr)
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
			ips, lerr := net.DefaultResolver.LookupNetIP(context.Background(), ipNetwork(network), host)
			if lerr != nil {
				return nil, 0, lerr
			}
			if len(ips) == 0 {
				return nil, 0, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
			}
			ip = ips[0]
		}
	}
	ip = ip.Unmap()
	if ip.Zone() != "" {
		return nil, 0, fmt.Errorf("zoned addresses are not supported: %q", host)
	}
	switch {
	case ip.Is4() && network != "tcp6":
		return &unix.SockaddrInet4{Port: int(port), Addr: ip.As4()}, unix.AF_INET, nil
	case ip.Is6() && network != "tcp4":
		return &unix.SockaddrInet6{Port: int(port), Addr: ip.As16()}, unix.AF_INET6, nil
	}
	return nil, 0, &net.AddrError{Err: "address family mismatch", Addr: address}
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
		return net.TCPAddrFromAddrPort(netip.AddrPortFrom(netip.AddrFrom16(a.Addr), uint16(a.Port)))
	case *unix.SockaddrUnix:
		return &net.UnixAddr{Name: a.Name, Net: "unix"}
	}
	return nil
}

// LocalAddr returns the connection's local address (getsockname(2)), or
// nil for a pair, a filter, or a closed connection.
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
// nil for a pair, a filter, a closed or an unconnected connection.
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
		return errNoFd
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

func (c *Conn) setsockopt(level, opt int, on bool) error {
	fd := c.Fd()
	if fd < 0 {
		return errNoFd
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
