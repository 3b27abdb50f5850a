package clerk_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/clerk"
	"github.com/mig-tools/mig/ingest/ingesttest"
	"github.com/mig-tools/mig/staging"
)

// The staged entities a re-ingest must leave exactly as a fresh ingest of
// the same export would, each as sorted rows of its values. Left out is
// only bookkeeping: row ids (a user, organization or role is named by its
// key instead), run ids, change, timestamps, and where a line was read (the
// file and row_number: an unchanged user or mapping line is not rewritten,
// so it keeps the place it was first read from). Users the re-ingest marked
// missing, and what they still have (a TOTP secret), are not in the fresh
// database at all, and are left out; so are organizations nothing names any
// more (a re-ingest never removes an organization: it is global, and may be
// in WorkOS already).
var stagedEntities = map[string]string{
	"users": `SELECT source, source_tenant, source_id, email_raw, email, first_name, last_name, email_verified, password,
		password_hash, password_hash_type, source_hasher, source_password_digest, external_id, username, metadata, emails,
		phones, raw, content_hash FROM users WHERE change <> 'missing'`,
	"memberships": `SELECT u.source_id, o.org_key, m.metadata, m.source FROM memberships m
		JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id WHERE u.change <> 'missing'`,
	"role_assignments": `SELECT u.source_id, r.role_slug, o.org_key, r.scope_key, r.source FROM role_assignments r
		JOIN users u ON u.id = r.user_id LEFT JOIN organizations o ON o.id = r.organization_id WHERE u.change <> 'missing'`,
	"organizations": `SELECT org_key, resolution, workos_org_id, external_id, name, domains, metadata, source, source_tenant,
		source_org_id FROM organizations o
		WHERE EXISTS (SELECT 1 FROM org_mapping_rows m WHERE m.org_key = o.org_key)
		   OR EXISTS (SELECT 1 FROM memberships m WHERE m.organization_id = o.id)
		   OR EXISTS (SELECT 1 FROM role_assignments r WHERE r.organization_id = o.id)`,
	"totp_secrets": `SELECT u.source_id, t.secret, t.issuer, t.user_label, t.source FROM totp_secrets t JOIN users u ON u.id = t.user_id
		WHERE u.change <> 'missing'`,
	"warnings":          `SELECT source, source_tenant, code, message, entity, source_id, context FROM warnings`,
	"skipped_users":     `SELECT source, source_tenant, source_id, email, reason, raw FROM skipped_users`,
	"org_mapping_rows":  `SELECT source, source_tenant, source_user_id, org_id, org_external_id, org_name, resolution, org_key FROM org_mapping_rows`,
	"role_mapping_rows": `SELECT source, source_tenant, source_user_id, role_slug, org_id, org_external_id FROM role_mapping_rows`,
}

// entities returns the rows of stagedEntities[name], one string each, sorted.
func entities(t *testing.T, db *staging.DB, name string) []string {
	t.Helper()
	rows, err := db.Queryx(stagedEntities[name])
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.SliceScan()
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		out = append(out, fmt.Sprintf("%q", vals))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// genClerk writes a generated Clerk export (testdata/gen) into a new
// directory, with extra mapping lines appended, and returns its options.
func genClerk(t *testing.T, orgLines, roleLines string, args ...string) clerk.Options {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", append([]string{"run", "../../testdata/gen", "clerk", "-o", dir}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	for name, extra := range map[string]string{"orgs.csv": orgLines, "roles.csv": roleLines} {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(extra); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return clerk.Options{UsersFile: filepath.Join(dir, "users.csv"), OrgMapping: filepath.Join(dir, "orgs.csv"),
		RoleMapping: filepath.Join(dir, "roles.csv")}
}

// The key test of a re-ingest: export A then the newer export B (users
// changed, added and removed, org and role lines changed) leave the
// database as a fresh ingest of B does, in every staged entity (see
// stagedEntities), warnings and skipped rows included. The appended lines
// make warnings that must come and go: the same lines in A and B of a user
// only B has (in A they name no staged user), a line with no organization,
// a line of a user no export has, one of a skipped user, and one line that
// only A has.
func TestReingestEqualsAFreshIngest(t *testing.T) {
	ctx := context.Background()
	// The last user B adds, whom the generator gives no mapping line: its
	// lines are the same in A and B, and only B stages the user. And a
	// user both exports have and skip (a phone-only user).
	newUser, skipped := fmt.Sprintf("user_2%025d", 2009), fmt.Sprintf("user_2%025d", 999)
	a := genClerk(t,
		newUser+",,,Team 7\nuser_nobody,,,Team 7\nuser_20000000000000000000000001,,,\nuser_20000000000000000000000002,,,Only In A\n"+
			skipped+",,,Team 8\n",
		newUser+",org-admin\nuser_20000000000000000000000003,org-admin\nuser_20000000000000000000000004,org-viewer\n",
		"-n", "2000", "-orgs", "40")
	b := genClerk(t,
		newUser+",,,Team 7\nuser_nobody,,,Team 7\nuser_20000000000000000000000001,,,\n"+skipped+",,,Team 8\n",
		newUser+",org-admin\nuser_20000000000000000000000003,org-admin\nuser_20000000000000000000000004,org-viewer\n",
		"-n", "2000", "-orgs", "40", "-changed", "0.05", "-added", "0.005", "-removed", "0.01")

	delta := ingesttest.OpenDB(t)
	if _, err := clerk.Ingest(ctx, delta, a); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	b.Log = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	got, err := clerk.Ingest(ctx, delta, b)
	if err != nil {
		t.Fatal(err)
	}
	b.Log = nil
	// Both mapping files are read with the record digests of A's.
	if n := strings.Count(log.String(), "applied by its record digests"); n != 2 {
		t.Errorf("%d mapping files read by their record digests, want 2", n)
	}
	fresh := ingesttest.OpenDB(t)
	want, err := clerk.Ingest(ctx, fresh, b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Changed == 0 || got.New == 0 || got.Missing == 0 {
		t.Fatalf("re-ingest counts = %+v: the exports should differ in changed, new and missing users", got)
	}
	// The totals a run reports are those of the staged database.
	if got.Warnings != want.Warnings || got.Members != want.Members || got.Roles != want.Roles || got.Skipped != want.Skipped {
		t.Errorf("re-ingest counts = %+v\nfresh ingest counts = %+v", got, want)
	}
	sameAsFresh(t, delta, fresh)
}

// sameAsFresh fails t for each staged entity (stagedEntities) that differs
// between the database of a re-ingest and that of a fresh ingest of the
// same export, showing the differing rows.
func sameAsFresh(t *testing.T, delta, fresh *staging.DB) {
	t.Helper()
	for name := range stagedEntities {
		g, w := entities(t, delta, name), entities(t, fresh, name)
		if strings.Join(g, "\n") == strings.Join(w, "\n") {
			continue
		}
		gs, ws := map[string]bool{}, map[string]bool{}
		for _, r := range g {
			gs[r] = true
		}
		for _, r := range w {
			ws[r] = true
		}
		var diff []string
		for _, r := range g {
			if !ws[r] {
				diff = append(diff, "  only after the re-ingest: "+r)
			}
		}
		for _, r := range w {
			if !gs[r] {
				diff = append(diff, "  only after a fresh ingest: "+r)
			}
		}
		if len(diff) > 10 {
			diff = append(diff[:10], fmt.Sprintf("  ... %d more", len(diff)-10))
		}
		t.Errorf("%s: %d rows after the re-ingest, %d after a fresh ingest of the same export:\n%s", name, len(g), len(w),
			strings.Join(diff, "\n"))
	}
}

// A re-ingest whose mapping files changed for one user writes the lines,
// memberships, role assignments and warnings of that user only: the other
// users' are left as they are, not deleted and inserted again.
func TestReingestWritesOnlyTheMappingLinesThatChanged(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	users, orgs, roles := smallExport(500)
	// Lines that warn: a user no export has.
	orgs.WriteString("user_nobody,Team 1\n")
	roles.WriteString("user_nobody,member\n")
	opts := clerk.Options{UsersFile: write(t, "u.csv", users.String()), OrgMapping: write(t, "o1.csv", orgs.String()),
		RoleMapping: write(t, "r1.csv", roles.String())}
	if _, err := clerk.Ingest(ctx, db, opts); err != nil {
		t.Fatal(err)
	}
	var triggers []string
	for _, tb := range []string{"org_mapping_rows", "role_mapping_rows", "memberships", "role_assignments", "warnings"} {
		for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
			row := "new"
			if op == "DELETE" {
				row = "old"
			}
			triggers = append(triggers, fmt.Sprintf(`CREATE TRIGGER %[1]s_%[2]s AFTER %[2]s ON %[1]s BEGIN INSERT INTO writes VALUES ('%[1]s', '%[2]s', %[3]s.id); END`,
				tb, op, row))
		}
	}
	for _, q := range append([]string{`CREATE TABLE writes (tbl TEXT, op TEXT, id INTEGER)`}, triggers...) {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	// user_7 moves from Team 0 to Team 3 and from member to admin.
	opts.OrgMapping = write(t, "o2.csv", strings.Replace(orgs.String(), "user_7,Team 0\n", "user_7,Team 3\n", 1))
	opts.RoleMapping = write(t, "r2.csv", strings.Replace(roles.String(), "user_7,member\n", "user_7,admin\n", 1))
	c, err := clerk.Ingest(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if c.Members != 500 || c.Roles != 500 || c.Warnings != 2 {
		t.Fatalf("counts = %+v, want 500 memberships, 500 role assignments and the 2 warnings", c)
	}
	if got := query[string](t, db, `SELECT group_concat(u.source_id || '@' || o.name, ' ') FROM memberships m
		JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id WHERE u.source_id = 'user_7'`); got != "user_7@Team 3" {
		t.Fatalf("user_7's memberships: %s", got)
	}
	// What was written: user_7's two lines (each deleted and inserted), its
	// membership and role assignment (one inserted, one deleted), and the
	// warnings of user_nobody's lines (an earlier run's warning is applied
	// again, each deleted and inserted), and nothing else.
	want := "memberships DELETE 1, memberships INSERT 1, org_mapping_rows DELETE 2, org_mapping_rows INSERT 2, " +
		"role_assignments DELETE 1, role_assignments INSERT 1, role_mapping_rows DELETE 2, role_mapping_rows INSERT 2, " +
		"warnings DELETE 2, warnings INSERT 2"
	if got := query[string](t, db, `SELECT group_concat(w, ', ') FROM (SELECT tbl || ' ' || op || ' ' || count(*) AS w FROM writes GROUP BY tbl, op ORDER BY tbl, op)`); got != want {
		t.Fatalf("the re-ingest wrote\n%s\nwant\n%s", got, want)
	}
}
