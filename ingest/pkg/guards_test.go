package pkg_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/pkg"
	"github.com/mig-tools/mig/staging"
)

// A users file with a header and no rows is refused, naming the header's
// line, by `ingest csv` and by `ingest package`.
func TestEmptyUsersFileIsRefused(t *testing.T) {
	ctx := context.Background()
	db, err := staging.Open(ctx, filepath.Join(t.TempDir(), "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	dir := writePackage(t, map[string]string{
		"manifest.json": `{"schemaVersion": 1, "provider": "csv"}`,
		"users.csv":     "email,first_name\n\n",
	})
	users := filepath.Join(dir, "users.csv")
	want := users + ":1: the file has a header but no user rows"
	if _, err := pkg.IngestPackage(ctx, db, pkg.Options{Dir: dir}); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("ingest package: err = %v, want %s...", err, want)
	}
	if _, err := pkg.IngestCSV(ctx, db, pkg.CSVOptions{File: users}); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("ingest csv: err = %v, want %s...", err, want)
	}
	var runs int
	if err := db.Get(&runs, `SELECT count(*) FROM ingest_runs`); err != nil || runs != 0 {
		t.Errorf("%d runs recorded, %v; want none", runs, err)
	}
}
