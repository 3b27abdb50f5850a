package migpackage_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/migpackage"
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
	if _, err := migpackage.IngestPackage(ctx, db, migpackage.Options{Dir: dir}); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("ingest package: err = %v, want %s...", err, want)
	}
	if _, err := migpackage.IngestCSV(ctx, db, migpackage.CSVOptions{File: users}); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("ingest csv: err = %v, want %s...", err, want)
	}
	var runs int
	if err := db.Get(&runs, `SELECT count(*) FROM ingest_runs`); err != nil || runs != 0 {
		t.Errorf("%d runs recorded, %v; want none", runs, err)
	}
}

// The files read ahead on a goroutine of their own (readRowsAhead: the
// memberships and role assignments) are read within the run's limits, as
// every other file is: a field over --max-field-bytes is refused, naming
// the file, and nothing is staged.
func TestReadAheadHonoursLimits(t *testing.T) {
	ctx := context.Background()
	db, err := staging.Open(ctx, filepath.Join(t.TempDir(), "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	dir := writePackage(t, map[string]string{
		"manifest.json":                `{"schemaVersion": 1, "provider": "csv"}`,
		"users.csv":                    "email,external_id\nann@example.com,u1\n",
		"organizations.csv":            "org_id,org_external_id,org_name\n,acme,Acme\n",
		"organization_memberships.csv": "email,external_id,org_external_id,metadata\nann@example.com,u1,acme,\"{\"\"note\"\":\"\"" + strings.Repeat("x", 2048) + "\"\"}\"\n",
	})
	o := migpackage.Options{Dir: dir, Settings: ingest.Settings{Limits: ingest.Limits{MaxFieldBytes: 1024}}}
	_, err = migpackage.IngestPackage(ctx, db, o)
	if err == nil || !strings.Contains(err.Error(), "organization_memberships.csv") {
		t.Fatalf("err = %v, want the memberships file's field refused", err)
	}
	var runs int
	if err := db.Get(&runs, `SELECT count(*) FROM ingest_runs`); err != nil || runs != 0 {
		t.Errorf("%d runs recorded, %v; want none", runs, err)
	}
	// Within the default limits the same package is staged.
	if _, err := migpackage.IngestPackage(ctx, db, migpackage.Options{Dir: dir}); err != nil {
		t.Errorf("default limits: %v", err)
	}
}
