package staging

import (
	"errors"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// IsWriteRefused reports whether err is a write the system refused: SQLite's
// "database or disk is full" (SQLITE_FULL) or "disk I/O error" (SQLITE_IOERR,
// the most SQLite says of a write over the file-size limit, EFBIG, as it
// keeps no errno), or the system's own ENOSPC or EFBIG.
func IsWriteRefused(err error) bool {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EFBIG) {
		return true
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	code := se.Code() & 0xff
	return code == sqlite3.SQLITE_FULL || code == sqlite3.SQLITE_IOERR
}

// Room is how much a process may write to a file: the space free on the
// file's filesystem and the size no file of the process may exceed
// (RLIMIT_FSIZE, `ulimit -f`).
type Room struct {
	// Free is the bytes free on the filesystem for an unprivileged user.
	Free uint64
	// FileLimit is the file-size limit in bytes, 0 when there is none.
	FileLimit uint64
}

// RoomFor says how much room writes to the file at path have, and false
// when the system cannot tell (the directory is gone, or the platform has
// no statfs).
func RoomFor(path string) (Room, bool) { return roomFor(path) }
