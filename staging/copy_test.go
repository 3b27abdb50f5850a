package staging_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/mig-tools/mig/staging"
)

// A copy is private, holds what the original holds, and changes to it
// leave the original as it was; a path already taken is refused.
func TestCopy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := staging.Open(ctx, filepath.Join(dir, "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.MustExec(`INSERT INTO ingest_runs (provider, started_at) VALUES ('clerk', ?)`, staging.Now())

	path := filepath.Join(dir, "copy.db")
	cp, err := db.Copy(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("copy: %v, mode %v; want 0600: it holds password hashes", err, fi.Mode().Perm())
	}
	var n int
	cp.Get(&n, `SELECT count(*) FROM ingest_runs`)
	if n != 1 {
		t.Fatalf("the copy has %d runs, want 1", n)
	}
	cp.MustExec(`DELETE FROM ingest_runs`)
	db.Get(&n, `SELECT count(*) FROM ingest_runs`)
	if n != 1 {
		t.Fatalf("a change to the copy reached the original: %d runs", n)
	}
	if _, err := db.Copy(ctx, path); err == nil {
		t.Fatal("a copy over an existing file was made")
	}
}
