//go:build !unix

package buffer

import "io"

// sendFileTo never handles anything where there is no sendfile: file
// segments are read into memory and written.
func sendFileTo(w io.Writer, c *chunk) (n int, handled bool, err error) {
	return 0, false, nil
}
