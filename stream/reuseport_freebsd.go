package stream

import "golang.org/x/sys/unix"

// reusePortOpt is the socket option ListenConfig.ReusePort sets. FreeBSD's
// SO_REUSEPORT lets sockets share an address but gives the connections to
// one of them; SO_REUSEPORT_LB (FreeBSD 12) spreads them, as Linux's
// SO_REUSEPORT does.
const reusePortOpt = unix.SO_REUSEPORT_LB
