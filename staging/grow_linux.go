package staging

import (
	"os"

	"golang.org/x/sys/unix"
)

// allocate gives the file blocks for n bytes from off, extending its size.
func allocate(f *os.File, off, n int64) error {
	return unix.Fallocate(int(f.Fd()), 0, off, n)
}
