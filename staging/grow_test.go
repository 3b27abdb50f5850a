package staging_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/mig-tools/mig/staging"
)

// A file grown ahead of a transaction ends at the database's last page
// once trimmed, whether the transaction committed or rolled back, and the
// database in it is intact.
func TestGrowerCommitAndRollback(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the file grows ahead only where fallocate exists")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mig.db")
	db, err := staging.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	used := func(q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) int64 {
		t.Helper()
		n, err := staging.UsedBytes(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	size := func() int64 {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	// fill writes rows in a transaction that holds the write lock while the
	// file is grown, as an ingest run does; it commits or rolls back.
	fill := func(commit bool) {
		t.Helper()
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		g, err := staging.OpenGrower(path)
		if err != nil {
			t.Fatal(err)
		}
		defer g.Close()
		start := used(tx)
		if err := g.Ahead(start); err != nil {
			t.Fatal(err)
		}
		if grown := size(); grown < start+32<<20 {
			t.Fatalf("file is %d bytes after Ahead, want at least %d", grown, start+32<<20)
		}
		if _, err := tx.Exec(`CREATE TABLE IF NOT EXISTS filler (b BLOB)`); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
			INSERT INTO filler SELECT randomblob(1000) FROM n`); err != nil {
			t.Fatal(err)
		}
		if commit {
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		} else {
			tx.Rollback()
		}
		// Trimming takes the write lock again.
		tx, err = db.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if err := g.Trim(used(tx)); err != nil {
			t.Fatal(err)
		}
	}
	before := size()
	fill(false)
	if got := size(); got != before {
		t.Fatalf("after a rollback the file is %d bytes, want %d as before", got, before)
	}
	fill(true)
	if got, want := size(), used(db); got != want || got <= before {
		t.Fatalf("after a commit the file is %d bytes, want the database's %d", got, want)
	}
	var n int
	var check string
	if err := db.Get(&n, `SELECT count(*) FROM filler`); err != nil || n != 2000 {
		t.Fatalf("filler rows = %d, %v; want 2000", n, err)
	}
	if err := db.Get(&check, `PRAGMA integrity_check`); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
}
