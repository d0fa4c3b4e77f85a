//go:build !linux && !darwin && !dragonfly && !freebsd && !netbsd && !openbsd

package ev

import "errors"

// newStatNotifier reports that this system has no file notifications that
// the package uses: Stat watchers poll.
func newStatNotifier() (statNotifier, error) { return nil, errors.ErrUnsupported }
