//go:build unix && !linux && !darwin && !dragonfly && !freebsd && !netbsd && !openbsd

package poller

func newNative(k Kind) (Poller, error) { return nil, unsupported(k) }
