package http1

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestValueLen compares valueLen's word-at-a-time scan with a byte loop:
// every byte value at every position of inputs from 0 to 24 bytes long,
// over a background of field-value bytes and of HTABs.
func TestValueLen(t *testing.T) {
	slow := func(b []byte) int {
		for i, c := range b {
			if !fieldVal[c] {
				return i
			}
		}
		return len(b)
	}
	for _, bg := range []byte{'a', '\t', 0x80} {
		for n := 0; n <= 24; n++ {
			for pos := 0; pos < n; pos++ {
				for c := 0; c < 256; c++ {
					b := bytes.Repeat([]byte{bg}, n)
					b[pos] = byte(c)
					if got, want := valueLen(b), slow(b); got != want {
						t.Fatalf("valueLen(%q) = %d; want %d", b, got, want)
					}
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			switch r.IntN(8) {
			case 0:
				b[i] = byte(r.IntN(256))
			case 1:
				b[i] = '\t'
			default:
				b[i] = byte(0x20 + r.IntN(0x5f))
			}
		}
		if got, want := valueLen(b), slow(b); got != want {
			t.Fatalf("valueLen(%q) = %d; want %d", b, got, want)
		}
	}
}

// TestEqualFold checks equalFold on every pair of single bytes: equal
// exactly when the bytes are equal or are the two cases of an ASCII letter.
func TestEqualFold(t *testing.T) {
	lower := func(c byte) byte {
		if 'A' <= c && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	for x := 0; x < 256; x++ {
		for y := 0; y < 256; y++ {
			want := lower(byte(x)) == lower(byte(y))
			if got := equalFold([]byte{byte(x)}, string([]byte{byte(y)})); got != want {
				t.Fatalf("equalFold(%#x, %#x) = %v; want %v", x, y, got, want)
			}
		}
	}
	if equalFold([]byte("Host"), "hos") || !equalFold([]byte("HoSt"), "hOsT") {
		t.Fatal("equalFold on words")
	}
}

// TestIsFieldName checks the one-OR-per-byte name compares against
// equalFold: each name scanFraming looks for, with every token byte at
// every position, in lower and upper case.
func TestIsFieldName(t *testing.T) {
	for _, lower := range []string{"host", "expect", "upgrade", "connection", "content-length", "transfer-encoding"} {
		for _, base := range []string{lower, string(bytes.ToUpper([]byte(lower)))} {
			for pos := range len(base) {
				for c := range 256 {
					if !tchar[c] {
						continue // field names hold token bytes only
					}
					name := []byte(base)
					name[pos] = byte(c)
					want := equalFold(name, lower)
					if got := isFieldName(name, lower); got != want {
						t.Fatalf("isFieldName(%q, %q) = %v; want %v", name, lower, got, want)
					}
					if len(name) == 4 {
						if got := isHostName(name); got != (want && lower == "host") {
							t.Fatalf("isHostName(%q) = %v; want %v", name, got, want)
						}
					}
				}
			}
		}
	}
}
