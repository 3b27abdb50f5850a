package migpackage_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mig-tools/mig/ingest/migpackage"
	"github.com/mig-tools/mig/staging"
)

// A user that user_role_assignments.csv names gets exactly the roles it
// lists, whatever the role_slugs cells of users.csv and
// organization_memberships.csv say; other users keep those. users.csv's copy
// of a membership the memberships file lists makes no second mapping line.
func TestPackageRolesAndMemberships(t *testing.T) {
	dir := writePackage(t, map[string]string{
		"manifest.json": `{"schemaVersion": 1, "provider": "csv"}`,
		"users.csv": "email,external_id,org_external_id,org_name,role_slugs\n" +
			"ann@example.com,u1,acme,Acme,admin\n" +
			"bob@example.com,u2,acme,Acme,member\n" +
			"cy@example.com,,beta,Beta,member\n",
		"organization_memberships.csv": "email,external_id,user_id,org_id,org_external_id,org_name,role_slugs,metadata\n" +
			"ann@example.com,u1,,,acme,Acme,admin,\n" +
			"ann@example.com,u1,,,beta,Beta,admin,\n" +
			"bob@example.com,u2,,,acme,Acme,member,\n",
		"user_role_assignments.csv": "email,user_id,external_id,role_slug,org_id,org_external_id\n" +
			"ann@example.com,,u1,viewer,,\n" +
			"cy@example.com,,,owner,,\n",
	})
	ctx, db := ingestPackage(t, dir)
	var roles []string
	if err := db.SelectContext(ctx, &roles, `SELECT u.email || ' ' || ra.role_slug || ' ' || ra.scope_key
		FROM role_assignments ra JOIN users u ON u.id = ra.user_id ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	want := []string{"ann@example.com viewer ", "bob@example.com member ext:acme", "cy@example.com owner "}
	if !slices.Equal(roles, want) {
		t.Errorf("role assignments %q, want %q", roles, want)
	}
	var members []string
	if err := db.SelectContext(ctx, &members, `SELECT u.email || ' ' || o.org_key
		FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if want := []string{"ann@example.com ext:acme", "ann@example.com ext:beta", "bob@example.com ext:acme", "cy@example.com ext:beta"}; !slices.Equal(members, want) {
		t.Errorf("memberships %q, want %q", members, want)
	}
	var fromUsers int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM org_mapping_rows WHERE file LIKE '%users.csv'`).Scan(&fromUsers); err != nil {
		t.Fatal(err)
	}
	if fromUsers != 1 { // cy's: the memberships file does not list it
		t.Errorf("%d org-mapping lines from users.csv, want 1 (cy's)", fromUsers)
	}
}

// writePackage writes the files into a new package directory.
func writePackage(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// ingestPackage ingests the package dir into a new database, closed when
// the test ends.
func ingestPackage(t *testing.T, dir string) (context.Context, *staging.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := staging.Open(ctx, filepath.Join(t.TempDir(), "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := migpackage.IngestPackage(ctx, db, migpackage.Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	return ctx, db
}
