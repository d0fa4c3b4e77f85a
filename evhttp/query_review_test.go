package evhttp_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/eventide-go/eventide/evhttp"
)

// TestEncodeEmptyKey pins what Encode's godoc says of an empty key: it is
// written as "=v", which ParseQuery refuses and ParseQueryLenient skips.
func TestEncodeEmptyKey(t *testing.T) {
	var p evhttp.Params
	p.Add("", "x")
	p.Add("k", "v")
	enc := p.Encode()
	if want := "=x&k=v"; enc != want {
		t.Fatalf("Encode: got %q; want %q", enc, want)
	}
	if _, err := evhttp.ParseQuery(enc); !errors.Is(err, evhttp.ErrBadQuery) {
		t.Errorf("ParseQuery(%q): got %v; want ErrBadQuery", enc, err)
	}
	if got, want := pairs(evhttp.ParseQueryLenient(enc)), "[k=v]"; fmt.Sprint(got) != want {
		t.Errorf("ParseQueryLenient(%q): got %q; want %s", enc, got, want)
	}
}
