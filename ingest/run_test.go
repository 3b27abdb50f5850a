package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/staging"
)

// A source that reads users back (through Tx or a mapping step) in the
// middle of its first run ends the bulk phase: later users take the upsert,
// and a repeated id is still skipped, not a constraint failure.
func TestUsersAfterBulkPhase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := staging.Open(ctx, filepath.Join(dir, "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := filepath.Join(dir, "users.csv")
	os.WriteFile(f, []byte("x"), 0o600)
	run, err := ingest.Begin(ctx, db, ingest.Source{Provider: "csv"}, []*ingest.File{{Role: "users", Path: f}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Rollback()
	add := func(id string, row int) {
		t.Helper()
		if err := run.AddUser(ctx, f, &ingest.User{SourceID: id, Row: row, EmailRaw: id + "@example.com", Raw: map[string]string{}}); err != nil {
			t.Fatal(err)
		}
	}
	add("a", 2)
	add("a", 3) // duplicate while bulk: found by UsersDone
	var n int
	if err := run.Tx().Get(&n, `SELECT count(*) FROM users`); err != nil || n != 1 {
		t.Fatalf("users after the bulk phase = %d, %v; want 1", n, err)
	}
	add("a", 4) // duplicate after it: skipped by the upsert
	add("b", 5)
	c, err := run.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.New != 2 || c.Skipped != 2 {
		t.Fatalf("counts = %+v, want 2 new and 2 skipped", c)
	}
	var idx int
	db.Get(&idx, `SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'users_email'`)
	if idx != 1 {
		t.Fatal("the users indexes were not rebuilt")
	}
}
