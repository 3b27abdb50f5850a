// Package floor measures the least time SQLite takes to write what an
// ingest stages: every table of a staged database copied into a new one.
package floor

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mig-tools/mig/staging"
)

// TestWriteFloor copies every staged table of the database MIG_FLOOR_DB
// into a new staging database, in one transaction, the way an ingest writes
// (foreign keys off, the file grown ahead), and logs how long each table
// took. The new tables are empty, so SQLite takes its transfer path: it
// copies the records and the index entries as they are, already encoded and
// sorted, with no parsing, no lookups and no sorting. No ingest of the same
// data can write it faster on this machine.
//
//	bench/ingest.sh 1000000
//	MIG_FLOOR_DB=$PWD/bench/out/ingest-1000000.db MIG_FLOOR_OUT=$PWD/bench/out go test ./bench/floor -run WriteFloor -v
//
// (go test runs in the package's folder: give absolute paths.)
func TestWriteFloor(t *testing.T) {
	src := os.Getenv("MIG_FLOOR_DB")
	if src == "" {
		t.Skip("MIG_FLOOR_DB names a staged database to copy")
	}
	if _, err := os.Stat(src); err != nil {
		t.Fatal(err) // ATTACH would create an empty file
	}
	ctx := context.Background()
	dir := os.Getenv("MIG_FLOOR_OUT") // the same filesystem as the ingest, ideally
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "floor.db")
	os.Remove(path)
	defer os.Remove(path)
	db, err := staging.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{`PRAGMA foreign_keys = OFF`, `ATTACH '` + src + `' AS src`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	tables := []string{"ingest_runs", "ingest_files", "users", "org_mapping_rows", "role_mapping_rows", "organizations",
		"memberships", "role_assignments", "totp_secrets", "warnings", "skipped_users"}
	start := time.Now()
	var copying time.Duration // the copies alone, not the counts that check them
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	g, err := staging.OpenGrower(path)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for _, table := range tables {
		if used, err := staging.UsedBytes(ctx, tx); err == nil {
			g.Ahead(used)
		}
		t0 := time.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO main.`+table+` SELECT * FROM src.`+table); err != nil {
			t.Fatalf("copy %s: %v", table, err)
		}
		took := time.Since(t0)
		copying += took
		var want, got int
		tx.Get(&want, `SELECT count(*) FROM src.`+table)
		tx.Get(&got, `SELECT count(*) FROM main.`+table)
		if got != want {
			t.Fatalf("%s: %d rows copied, want %d", table, got, want)
		}
		t.Logf("%-18s %9d rows  %v", table, got, took.Round(time.Millisecond))
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	used, err := staging.UsedBytes(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	g.Trim(used)
	t.Logf("copies %v; with the counts and the commit %v; %d MB", copying.Round(time.Millisecond),
		time.Since(start).Round(time.Millisecond), used>>20)
}
