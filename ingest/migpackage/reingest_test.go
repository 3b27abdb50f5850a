package migpackage_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/mig-tools/mig/ingest/migpackage"
	"github.com/mig-tools/mig/staging"
)

// A flat CSV ingested again, where another user changed, keeps the user
// who is on two rows (two organizations) one user in both: the re-ingest
// does not write that unchanged user, and its second row still finds the
// first in the run's users.
func TestFlatCSVReingestKeepsARepeatedUnchangedUser(t *testing.T) {
	ctx := context.Background()
	db, err := staging.Open(ctx, filepath.Join(t.TempDir(), "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	const head = "email,first_name,org_external_id,org_name\n"
	ingest := func(body string) {
		t.Helper()
		dir := writePackage(t, map[string]string{"users.csv": head + body})
		if _, err := migpackage.IngestCSV(ctx, db, migpackage.CSVOptions{File: filepath.Join(dir, "users.csv")}); err != nil {
			t.Fatal(err)
		}
	}
	ingest("ann@example.com,Ann,acme,Acme\nbob@example.com,Bob,acme,Acme\nann@example.com,Ann,beta,Beta\n")
	ingest("ann@example.com,Ann,acme,Acme\nbob@example.com,Robert,acme,Acme\nann@example.com,Ann,beta,Beta\n")
	var got string
	if err := db.GetContext(ctx, &got, `SELECT
		(SELECT count(*) FROM users) || ' users, ' ||
		(SELECT count(*) FROM skipped_users) || ' skipped, ' ||
		(SELECT count(*) FROM warnings WHERE code = 'repeated_user_differs') || ' differing, ' ||
		(SELECT group_concat(k, ' ') FROM (SELECT u.email || '@' || o.org_key AS k FROM memberships m
			JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id ORDER BY k))`); err != nil {
		t.Fatal(err)
	}
	if want := "2 users, 0 skipped, 0 differing, ann@example.com@ext:acme ann@example.com@ext:beta bob@example.com@ext:acme"; got != want {
		t.Fatalf("after the re-ingest: %s\nwant %s", got, want)
	}
}
