package ev

import (
	"testing"
	"unsafe"
)

// TestSizes pins the sizes that decide memory per connection (a server holds
// one fdState and, through stream.Conn, one IO watcher per connection) and
// the cache footprint of timers, and the layout ioOf relies on.
func TestSizes(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"fdState", unsafe.Sizeof(fdState{}), 16},
		{"IO", unsafe.Sizeof(IO{}), 48},
		{"watcher", unsafe.Sizeof(watcher{}), 24},
		{"Timer", unsafe.Sizeof(Timer{}), 64},
	} {
		if c.got > c.want {
			t.Errorf("sizeof(%s) = %d; want at most %d", c.name, c.got, c.want)
		}
	}
	// ioOf converts a *watcher to the *IO that embeds it.
	if off := unsafe.Offsetof(IO{}.watcher); off != 0 {
		t.Errorf("offset of IO.watcher = %d; want 0 (see ioOf)", off)
	}
}
