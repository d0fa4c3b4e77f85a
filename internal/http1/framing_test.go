package http1_test

import (
	"testing"

	"github.com/eventide-go/eventide/internal/http1"
)

func TestBodyKindString(t *testing.T) {
	for k, want := range map[http1.BodyKind]string{http1.BodyNone: "none", http1.BodyLength: "content-length",
		http1.BodyChunked: "chunked", http1.BodyUntilClose: "until-close", 9: "BodyKind(?)"} {
		if got := k.String(); got != want {
			t.Errorf("got %q; want %q", got, want)
		}
	}
}
