package buffer_test

import (
	"testing"

	"github.com/eventide-go/eventide/buffer"
)

func TestReserveCommit(t *testing.T) {
	for _, n := range []int{0, 1, 100, 512, 5000, 70000, 200000} {
		var b buffer.Buffer
		b.WriteString("head")
		vecs := b.Reserve(n)
		total := 0
		for _, v := range vecs {
			total += len(v)
		}
		if total < min(n, 192<<10) {
			t.Fatalf("Reserve(%d) gave %d bytes", n, total)
		}
		n = min(n, total)
		want := []byte("head")
		k := 0
		for _, v := range vecs {
			for i := range v {
				if k == n {
					break
				}
				v[i] = byte('a' + k%26)
				want = append(want, v[i])
				k++
			}
		}
		b.Commit(n)
		if got := contents(&b); got != string(want) {
			t.Fatalf("Reserve/Commit(%d): contents differ", n)
		}
		if n > 0 {
			mustPanic(t, "Commit without Reserve", func() { b.Commit(1) })
		}
	}
	var b buffer.Buffer
	b.Reserve(10)
	b.WriteString("x") // cancels the reservation
	mustPanic(t, "Commit after Write", func() { b.Commit(1) })
	mustPanic(t, "Reserve(-1)", func() { b.Reserve(-1) })
	b.Reserve(10)
	mustPanic(t, "Commit(-1)", func() { b.Commit(-1) })
	b.Reset()
	if n := buffer.ChunkCount(&b); n != 0 {
		t.Fatalf("Reset left %d chunks", n)
	}
}
