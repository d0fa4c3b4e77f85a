package stream_test

import (
	"testing"

	"github.com/eventide-go/eventide/stream"
)

func TestWhatString(t *testing.T) {
	for _, tc := range []struct {
		what stream.What
		want string
	}{
		{0, "0"},
		{stream.Reading | stream.EOF, "reading|eof"},
		{stream.Writing | stream.Timeout | stream.Error, "writing|error|timeout"},
		{stream.Connected, "connected"},
	} {
		if got := tc.what.String(); got != tc.want {
			t.Errorf("%#x.String() = %q; want %q", uint16(tc.what), got, tc.want)
		}
	}
	if got := (stream.Read | stream.Write).String(); got != "read|write" {
		t.Errorf("Direction String = %q; want read|write", got)
	}
}
