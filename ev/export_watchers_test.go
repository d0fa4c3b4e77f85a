package ev

// SignalRelays returns how many signals have a relay goroutine and a
// signal.Notify subscription.
func SignalRelays() int { return sigHub.relayCount() }

// ChildUseSIGCHLD makes c wait for SIGCHLD even where a pidfd would do, so
// tests exercise the fallback on Linux. c must be inactive.
func ChildUseSIGCHLD(c *Child) { c.useSIGCHLD = true }
