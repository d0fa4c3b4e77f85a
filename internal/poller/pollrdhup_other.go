//go:build unix && !linux

package poller

const pollRDHup = 0
