package staging

import (
	"context"
	"database/sql"
	"fmt"
	"os"
)

// A Grower allocates a database file's blocks ahead of a long write
// transaction, in large steps, and trims what was not used.
//
// A page written past a file's end costs the filesystem a block allocation
// and an inode update on every write. On ext4, appending a page took about
// three times as long as writing it into blocks already allocated with
// fallocate, and a million-user ingest writes gigabytes, so that is seconds
// (bench/RESULTS.md). SQLite's SQLITE_FCNTL_CHUNK_SIZE is meant for this, but
// the pure-Go build has no posix_fallocate and falls back to writing one byte
// per block, which costs the same as the append it saves.
//
// The space past the database's last page is invisible to SQLite: the page
// count in the header says where the database ends, and a page appended
// inside the file is neither read nor journaled (it is known to be new).
// Three rules keep it so:
//
//   - Open it only after the transaction holds the write lock (BEGIN
//     IMMEDIATE). The pager then recorded the file's size before it grew, so
//     a rollback, or the recovery of a crashed run, truncates the growth
//     away, and new pages are not journaled.
//   - Trim only while holding the write lock, so no other writer is using
//     the space.
//   - Close it only when no connection of this process holds a lock on the
//     database: closing any descriptor of a file drops every POSIX lock the
//     process holds on it.
//
// On systems without fallocate, and filesystems that refuse it, Ahead does
// nothing.
type Grower struct {
	f   *os.File
	end int64 // the file is allocated up to here
	off bool  // fallocate is not available
}

// growStep is the least a Grower allocates at a time: a small ingest grows
// its file once.
const growStep = 32 << 20

// OpenGrower opens the database file at path for growing. See Grower for when
// to call it.
func OpenGrower(path string) (*Grower, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s to grow it: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Grower{f: f, end: st.Size()}, nil
}

// Ahead makes sure the file has room past used bytes, the database's size
// now, for what the next steps may write: when less than half of a step is
// left, it allocates a step, a quarter of the database and at least
// growStep. Steps grow with the file, so a file grows a few dozen times.
func (g *Grower) Ahead(used int64) error {
	if g == nil || g.off {
		return nil
	}
	step := max(growStep, used/4)
	if g.end-used >= step/2 {
		return nil
	}
	want := used + step
	// Allocating never touches bytes already written, so it is safe even
	// where SQLite has written past g.end itself.
	if err := allocate(g.f, g.end, want-g.end); err != nil {
		g.off = true
		return err
	}
	g.end = want
	return nil
}

// Trim truncates the file to used bytes, the database's size, if it is
// longer. Call it holding the write lock.
func (g *Grower) Trim(used int64) error {
	if g == nil {
		return nil
	}
	st, err := g.f.Stat()
	if err != nil {
		return err
	}
	if st.Size() <= used {
		return nil
	}
	if err := g.f.Truncate(used); err != nil {
		return fmt.Errorf("trim %s: %w", g.f.Name(), err)
	}
	g.end = used
	return nil
}

// UsedBytes is how much of its file the database uses (its pages), as the
// connection or transaction q sees it: what Ahead and Trim take.
func UsedBytes(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT c.page_count * s.page_size FROM pragma_page_count() c, pragma_page_size() s`).Scan(&n)
	return n, err
}

// Close closes the file. See Grower for when.
func (g *Grower) Close() error {
	if g == nil {
		return nil
	}
	return g.f.Close()
}
