package ingest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/staging"
)

// beginRun opens a new database and begins a first run of a "csv" source
// with one users file, rolled back at the end of the test.
func beginRun(t *testing.T) (*staging.DB, *ingest.Run, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := staging.Open(context.Background(), filepath.Join(dir, "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := filepath.Join(dir, "users.csv")
	os.WriteFile(f, []byte("x"), 0o600)
	run, err := ingest.Begin(context.Background(), db, ingest.Source{Provider: "csv"}, []*ingest.File{{Role: "users", Path: f}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(run.Rollback)
	return db, run, f
}

// A source that reads users back (through Tx or a mapping step) in the
// middle of its first run ends the bulk phase: later users take the upsert,
// and a repeated id is still skipped, not a constraint failure.
func TestUsersAfterBulkPhase(t *testing.T) {
	ctx := context.Background()
	db, run, f := beginRun(t)
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
	db.Get(&idx, `SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'users_email_source'`)
	if idx != 1 {
		t.Fatal("the users indexes were not rebuilt")
	}
}

// Users and mapping lines of a first run go in through feeds, a batch at a
// time: across several batches every row lands once, and a TOTP secret
// staged before its user's batch is flushed names that user.
func TestFeedsAcrossBatches(t *testing.T) {
	ctx := context.Background()
	db, run, f := beginRun(t)
	const n = 5000
	for i := range n {
		id := fmt.Sprintf("u%d", i)
		u := &ingest.User{SourceID: id, Row: i + 2, EmailRaw: id + "@example.com", Raw: map[string]string{"id": id}}
		if i%7 == 0 {
			u.TOTPSecret = "SECRET" + id
		}
		if err := run.AddUser(ctx, f, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := run.ClearOrgMapping(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := run.AddOrgMappingRow(ctx, "orgs.csv", ingest.OrgMappingRow{Row: i + 2, SourceUserID: fmt.Sprintf("u%d", i), OrgName: fmt.Sprint("Org ", i%3)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := run.ApplyOrgMapping(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := run.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.New != n || c.Members != n || c.Orgs != 3 {
		t.Fatalf("counts = %+v, want %d new users and memberships in 3 organizations", c, n)
	}
	var wrong int
	if err := db.Get(&wrong, `SELECT count(*) FROM totp_secrets t JOIN users u ON u.id = t.user_id
		WHERE t.secret <> 'SECRET' || u.source_id OR u.row_number <> t.row_number`); err != nil || wrong != 0 {
		t.Fatalf("TOTP secrets on the wrong user: %d, %v", wrong, err)
	}
	var totp, left int
	db.Get(&totp, `SELECT count(*) FROM totp_secrets`)
	db.Get(&left, `SELECT count(*) FROM sqlite_temp_schema WHERE name LIKE '%feed%'`)
	if totp != (n+6)/7 || left != 0 {
		t.Fatalf("TOTP secrets = %d, want %d; feed tables left = %d", totp, (n+6)/7, left)
	}
	// The run grew the file ahead of its writes; it gave back what it did
	// not use.
	used, err := staging.UsedBytes(ctx, db)
	if fi, serr := os.Stat(db.Path); err != nil || serr != nil || fi.Size() != used {
		t.Fatalf("file after the run: %v, %v, %v; want the database's %d bytes", fi.Size(), err, serr, used)
	}
}
