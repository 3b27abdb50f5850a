package staging_test

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"

	"github.com/mig-tools/mig/schema"
	"github.com/mig-tools/mig/staging"
)

// oldMigrations are the migrations as mig had them until 2026-11-29,
// numbered 00001-00005 and 00007-00009.
const oldMigrations = "testdata/migrations-until-2026-11-29"

// oldDB makes a database as a mig of that time made it, migrated up to
// version upTo, with one ingest run in it.
func oldDB(t *testing.T, upTo int64) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := goose.NewProvider(database.DialectSQLite3, db, os.DirFS(oldMigrations),
		goose.WithDisableGlobalRegistry(true), goose.WithAllowOutofOrder(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, upTo); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO ingest_runs (provider, started_at) VALUES ('clerk', '2026-11-01T00:00:00.000Z')`); err != nil {
		t.Fatal(err)
	}
	return path
}

// versions lists the migrations goose's table records, in order.
func versions(t *testing.T, db *staging.DB) []int64 {
	t.Helper()
	var v []int64
	if err := db.Select(&v, `SELECT version_id FROM goose_db_version WHERE version_id > 0 ORDER BY version_id`); err != nil {
		t.Fatal(err)
	}
	return v
}

// schemaOf is every table, index and view with its SQL.
func schemaOf(t *testing.T, db *staging.DB) []string {
	t.Helper()
	var s []string
	if err := db.Select(&s, `SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_schema ORDER BY type, name`); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRenumberedMigrations: a database made by an earlier mig, which
// recorded the migrations under their old numbers, opens with today's:
// its table is renumbered, what it lacked is applied, nothing is applied
// twice, and its schema and rows end up those of a new database.
func TestRenumberedMigrations(t *testing.T) {
	ctx := context.Background()
	fresh, err := staging.Open(ctx, filepath.Join(t.TempDir(), "fresh.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	want := schemaOf(t, fresh)
	// Every migration in schema/, numbered 1 to N without a gap.
	files, err := fs.Glob(schema.Migrations(), "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var all []int64
	for i := range files {
		all = append(all, int64(i+1))
	}
	if v := versions(t, fresh); !slices.Equal(v, all) {
		t.Fatalf("a new database records %v, want %v", v, all)
	}
	// 9: the last main before the renumbering; 7 and 8: earlier ones; 5:
	// one made before 00007 existed, which needs no renumbering.
	for _, upTo := range []int64{9, 8, 7, 5} {
		t.Run(fmt.Sprint("old migrations up to ", upTo), func(t *testing.T) {
			path := oldDB(t, upTo)
			for i := range 2 { // the second open finds nothing to do
				db, err := staging.Open(ctx, path)
				if err != nil {
					t.Fatalf("open %d: %v", i+1, err)
				}
				if v := versions(t, db); !slices.Equal(v, all) {
					t.Errorf("open %d: goose records %v, want %v", i+1, v, all)
				}
				if got := schemaOf(t, db); !slices.Equal(got, want) {
					t.Errorf("open %d: the schema differs from a new database's:\n%q\nwant\n%q", i+1, got, want)
				}
				var runs int
				db.Get(&runs, `SELECT count(*) FROM ingest_runs`)
				if runs != 1 {
					t.Errorf("open %d: %d ingest runs, want 1", i+1, runs)
				}
				db.Close()
			}
		})
	}
}
