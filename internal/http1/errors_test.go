package http1_test

import (
	"testing"

	"github.com/eventide-go/eventide/internal/http1"
)

func TestErrorString(t *testing.T) {
	e := &http1.Error{Status: 431, Reason: "header section too large"}
	if got, want := e.Error(), "http1: 431 header section too large"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}
