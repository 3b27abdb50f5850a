package ingest_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/staging"
)

// --org-id stages the organization by its WorkOS id and puts every user
// still in the source into it, once however often it runs; a user gone
// from the export gets no membership.
func TestAddOrgMemberships(t *testing.T) {
	ctx := context.Background()
	db, err := staging.Open(ctx, filepath.Join(t.TempDir(), "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.MustExec(`INSERT INTO ingest_runs (id, provider, started_at) VALUES (1, 'clerk', ?)`, staging.Now())
	for _, u := range []struct{ id, change string }{{"a", "new"}, {"b", "changed"}, {"gone", "missing"}} {
		db.MustExec(`INSERT INTO users (source, source_id, ingest_run_id, first_run_id, last_seen_run_id, row_number, email_raw, raw, content_hash, change)
			VALUES ('clerk', ?, 1, 1, 1, 2, ?, '{}', '', ?)`, u.id, u.id+"@example.com", u.change)
	}
	for range 2 {
		if err := db.InTx(ctx, func(tx *sqlx.Tx) error { return ingest.AddOrgMemberships(ctx, tx, " org_01EVERYONE ") }); err != nil {
			t.Fatal(err)
		}
	}
	var orgs []string
	db.Select(&orgs, `SELECT org_key || ' ' || resolution || ' ' || workos_org_id || ' ' || source FROM organizations`)
	if len(orgs) != 1 || orgs[0] != "id:org_01EVERYONE org_id org_01EVERYONE import" {
		t.Fatalf("organizations %q", orgs)
	}
	var members []string
	db.Select(&members, `SELECT u.source_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.source = 'import' ORDER BY 1`)
	if len(members) != 2 || members[0] != "a" || members[1] != "b" {
		t.Fatalf("members %q, want a and b", members)
	}
	if err := db.InTx(ctx, func(tx *sqlx.Tx) error { return ingest.AddOrgMemberships(ctx, tx, " ") }); err == nil {
		t.Fatal("an empty --org-id was staged")
	}
}
