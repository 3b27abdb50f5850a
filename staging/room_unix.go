//go:build unix

package staging

import (
	"path/filepath"

	"golang.org/x/sys/unix"
)

func roomFor(path string) (Room, bool) {
	// The file, or even its directory, may be gone (a command removes
	// what it wrote when a write fails): the nearest directory that is
	// there is on the same filesystem, or was.
	var st unix.Statfs_t
	for dir := filepath.Dir(path); unix.Statfs(dir, &st) != nil; dir = filepath.Dir(dir) {
		if dir == filepath.Dir(dir) {
			return Room{}, false
		}
	}
	r := Room{Free: uint64(st.Bavail) * uint64(st.Bsize)}
	var lim unix.Rlimit
	// RLIM_INFINITY is all ones on every unix; any limit past 2^62 bytes
	// is none in practice.
	if err := unix.Getrlimit(unix.RLIMIT_FSIZE, &lim); err == nil && lim.Cur < 1<<62 {
		r.FileLimit = uint64(lim.Cur)
	}
	return r, true
}
