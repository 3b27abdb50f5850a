//go:build !linux

package staging

import (
	"errors"
	"os"
)

// allocate is not available here: the file grows as SQLite writes.
func allocate(*os.File, int64, int64) error {
	return errors.New("fallocate is not available on this system")
}
