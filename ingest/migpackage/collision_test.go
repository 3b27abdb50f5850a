package migpackage_test

import (
	"slices"
	"testing"

	"github.com/mig-tools/mig/ingest/migpackage"
)

// Users whose 64-bit keys collide are staged, warned about and mapped
// exactly as users whose keys differ: a collision costs a database lookup,
// never a result.
func TestPackageUserKeyCollisions(t *testing.T) {
	dir := writePackage(t, map[string]string{
		"manifest.json": `{"schemaVersion": 1, "provider": "csv"}`,
		"users.csv": "email,first_name,email_verified,external_id,metadata,org_external_id,org_name,role_slugs\n" +
			"ann@example.com,Ann,maybe,u1,,acme,Acme,admin\n" +
			"bob@example.com,Bob,true,u2,not json,acme,Acme,member\n" +
			"ann@example.com,Anne,true,u1,,beta,Beta,admin\n" +
			"cy@example.com,Cy,yes,,,beta,Beta,member\n" +
			"CY@example.com,Cy,perhaps,,,gamma,Gamma,\n" +
			"dee@example.com,Dee,false,u4,{},,,\n",
		"organization_memberships.csv": "email,external_id,user_id,org_id,org_external_id,org_name,role_slugs,metadata\n" +
			"bob@example.com,u2,,,acme,Acme,member,\n" +
			"dee@example.com,u4,,,beta,Beta,viewer,\n",
	})
	want := ingestAndDump(t, dir)
	migpackage.CollideUserKeys(t)
	got := ingestAndDump(t, dir)
	for name := range want {
		if !slices.Equal(got[name], want[name]) {
			t.Errorf("%s with colliding keys:\n%q\nwant\n%q", name, got[name], want[name])
		}
	}
}

// ingestAndDump ingests the package dir into a new database and returns
// what it staged, one sorted list of rows per table.
func ingestAndDump(t *testing.T, dir string) map[string][]string {
	t.Helper()
	ctx, db := ingestPackage(t, dir)
	out := map[string][]string{}
	for name, q := range map[string]string{
		"users":    `SELECT concat_ws(' ', source_id, row_number, email, first_name, email_verified, metadata) FROM users`,
		"warnings": `SELECT concat_ws(' ', code, row_number, source_id, message, context) FROM warnings`,
		"skipped":  `SELECT concat_ws(' ', row_number, source_id, reason) FROM skipped_users`,
		"memberships": `SELECT u.source_id || ' ' || o.org_key FROM memberships m
			JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id`,
		"roles": `SELECT u.source_id || ' ' || ra.role_slug || ' ' || ra.scope_key FROM role_assignments ra JOIN users u ON u.id = ra.user_id`,
	} {
		var rows []string
		if err := db.SelectContext(ctx, &rows, q+` ORDER BY 1`); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = rows
	}
	if len(out["users"]) != 4 || len(out["warnings"]) == 0 {
		t.Fatalf("the package should stage 4 users with warnings; got %q and %q", out["users"], out["warnings"])
	}
	return out
}
