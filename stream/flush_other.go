//go:build !linux

package stream

// ringState is empty where there is no io_uring: each connection's
// deferred write is its own system call.
type ringState struct{}

// sendBatch reports that it did nothing: Flush writes each connection.
func (ls *loopState) sendBatch([]*Conn, *bool) bool { return false }

func (ls *loopState) closeRing() {}

func (ls *loopState) ringActive() bool { return false }

func setRingOff(bool) bool { return true }
