package staging

import (
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Holder is another process that holds a lock on a database file.
type Holder struct {
	PID int
	// Writing is set when it holds the write lock; otherwise it is reading.
	Writing bool
	// Args is its command line, where the system tells (Linux). It may hold
	// secrets (an --api-key): never print it whole.
	Args []string
	// Name is the name of its executable, where the system tells.
	Name string
}

// IsBusy reports whether err is SQLite's "database is locked": another
// connection held the database's lock for longer than BusyTimeout.
func IsBusy(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	code := se.Code() & 0xff
	return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
}

// LockHolder says which other process holds a lock on the database at path
// that keeps this one waiting: the writer first, else a reader. It needs no
// lock and nothing written by the holder: SQLite's locks are the kernel's
// record locks on the database file, and the kernel knows their owner's
// pid, so the answer is right even after the holder was killed (there is
// then no holder) and whatever program it is (mig, or an SQLite tool).
//
// Call it only when no connection of this process is open on path: it
// opens and closes the file, and closing any descriptor of a file drops
// every record lock the process holds on it.
func LockHolder(path string) (Holder, bool) { return lockHolder(path) }
