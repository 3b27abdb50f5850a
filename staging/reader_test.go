package staging_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/mig-tools/mig/staging"
)

// An extra reader sees what db committed while db holds a read
// transaction of its own, refuses to write, and has the smaller cache.
func TestOpenReader(t *testing.T) {
	ctx := context.Background()
	db, err := staging.Open(ctx, filepath.Join(t.TempDir(), "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.MustExec(`INSERT INTO ingest_runs (provider, started_at) VALUES ('clerk', ?)`, staging.Now())
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var n int
	tx.Get(&n, `SELECT count(*) FROM ingest_runs`)

	r, err := db.OpenReader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Get(&n, `SELECT count(*) FROM ingest_runs`); err != nil || n != 1 {
		t.Fatalf("reader: %d runs, %v", n, err)
	}
	var cache int
	r.Get(&cache, `PRAGMA cache_size`)
	if cache != -16384 {
		t.Fatalf("reader cache_size %d, want -16384", cache)
	}
	if _, err := r.Exec(`DELETE FROM ingest_runs`); !errors.Is(r.Refused(err), staging.ErrReadOnly) {
		t.Fatalf("a reader wrote: %v", err)
	}
}
