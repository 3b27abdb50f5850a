package clerk_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/ingesttest"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/clerk"
	"github.com/mig-tools/mig/staging"
)

const header = "id,first_name,last_name,username,primary_email_address,primary_phone_number,verified_email_addresses,unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,totp_secret,password_digest,password_hasher\n"

const bcryptDigest = "$2a$10$fgPOubgdJs90F1GK2u.Qye7Xyyi2ajrQJoB5LDG5bnITEvFR/xhZ."

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func fixture(name string) string {
	return filepath.Join("..", "..", "testdata", "fixtures", "clerk", name)
}

func query[T any](t *testing.T, db *staging.DB, q string, args ...any) T {
	t.Helper()
	var v T
	if err := db.Get(&v, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// dump is a digest of every row of every table: equal dumps mean the
// database was left exactly as it was.
func dump(t *testing.T, db *staging.DB) string {
	t.Helper()
	var tables []string
	if err := db.Select(&tables, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`); err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for _, tb := range tables {
		rows, err := db.Queryx(`SELECT * FROM "` + tb + `" ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals, err := rows.SliceScan()
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%s%v\n", tb, vals)
		}
		rows.Close()
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestClerkMigrationToolSample(t *testing.T) {
	db := ingesttest.OpenDB(t)
	c, err := clerk.Ingest(context.Background(), db, clerk.Options{UsersFile: fixture("clerk-migration-tool-sample.csv")})
	if err != nil {
		t.Fatal(err)
	}
	// 69 data rows after the "#" comment and the header; 11 have no email.
	if c.Rows != 69 || c.New != 58 || c.Skipped != 11 {
		t.Fatalf("counts = %+v, want 69 rows, 58 new, 11 skipped", c)
	}
	if got := query[int](t, db, `SELECT count(*) FROM users`) + query[int](t, db, `SELECT count(*) FROM skipped_users`); got != c.Rows {
		t.Fatalf("staged + skipped = %d, want every row (%d)", got, c.Rows)
	}
	// The first data row is on line 3: line 1 is the comment, line 2 the header.
	if got := query[int](t, db, `SELECT row_number FROM users WHERE source_id = 'user_2YDryYFVMM1W1plDDKz7Gzf4we6'`); got != 3 {
		t.Fatalf("row_number = %d, want 3", got)
	}
	// jane.doe@ is primary but only janedoe@ is verified: not verified.
	if got := query[int](t, db, `SELECT email_verified FROM users WHERE email = 'jane.doe@test.com'`); got != 0 {
		t.Fatalf("jane.doe email_verified = %d, want 0", got)
	}
	if got := query[int](t, db, `SELECT email_verified FROM users WHERE email = 'johndoe@test.com'`); got != 1 {
		t.Fatalf("johndoe email_verified = %d, want 1", got)
	}
	// Pipe- and comma-separated cells become lists.
	if got := query[string](t, db, `SELECT group_concat(email, ' ') FROM user_emails WHERE source_id = 'user_mixed_separator_test'`); got != "first@test.com second@test.com third@test.com" {
		t.Fatalf("emails = %q", got)
	}
	if got := query[string](t, db, `SELECT reason FROM skipped_users WHERE source_id = 'user_pipe_phone_test'`); !strings.Contains(got, "phone-only") {
		t.Fatalf("skip reason = %q", got)
	}
	if got := query[string](t, db, `SELECT json_extract(metadata, '$.username') FROM users WHERE source_id = 'user_2eG7H8I9J0K1L2M3N4O5P6Q7R8S'`); got != "sconnor" {
		t.Fatalf("metadata username = %q", got)
	}
}

func TestEmailVerificationUnknown(t *testing.T) {
	db := ingesttest.OpenDB(t)
	if _, err := clerk.Ingest(context.Background(), db, clerk.Options{UsersFile: fixture("workos-migrate-example.csv")}); err != nil {
		t.Fatal(err)
	}
	// Neither list names the address: not assumed verified, and a warning says so.
	if got := query[int](t, db, `SELECT count(*) FROM users WHERE email_verified = 0`); got != 2 {
		t.Fatalf("unverified = %d, want 2", got)
	}
	if got := query[int](t, db, `SELECT count(*) FROM warnings WHERE code = 'email_verification_unknown'`); got != 2 {
		t.Fatalf("warnings = %d, want 2", got)
	}
}

func TestAwkwardButValidCSV(t *testing.T) {
	// BOM, CRLF, a comment line, a quoted field with a comma and a newline.
	content := "\ufeff# exported by hand\r\n" + strings.ReplaceAll(header, "\n", "\r\n") +
		"user_1,\"Smith, Jr.\",\"Line\nTwo\",,a@example.com,,a@example.com,,,,,,\r\n" +
		"user_2,B,C,,b@example.com,,b@example.com,,,,jbswy3dpehpk3pxp,,\r\n"
	db := ingesttest.OpenDB(t)
	c, err := clerk.Ingest(context.Background(), db, clerk.Options{UsersFile: write(t, "u.csv", content)})
	if err != nil {
		t.Fatal(err)
	}
	if c.New != 2 {
		t.Fatalf("new = %d, want 2", c.New)
	}
	if got := query[string](t, db, `SELECT first_name || '|' || last_name FROM users WHERE source_id = 'user_1'`); got != "Smith, Jr.|Line\nTwo" {
		t.Fatalf("names = %q", got)
	}
	if got := query[int](t, db, `SELECT row_number FROM users WHERE source_id = 'user_2'`); got != 5 {
		t.Fatalf("user_2 row_number = %d, want 5 (the quoted newline takes a line)", got)
	}
	// TOTP goes to its own table, normalised, never into metadata or raw.
	if got := query[string](t, db, `SELECT secret FROM totp_secrets`); got != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("totp = %q", got)
	}
	if got := query[int](t, db, `SELECT count(*) FROM users WHERE metadata LIKE '%jbswy%' OR raw LIKE '%jbswy%'`); got != 0 {
		t.Fatal("TOTP secret leaked into metadata or raw")
	}
}

func TestBadInputLeavesDatabaseAsItWas(t *testing.T) {
	good := header + "user_1,A,B,,a@example.com,,a@example.com,,,,," + bcryptDigest + ",bcrypt\n"
	tests := []struct {
		name    string
		users   string
		orgs    string
		wantErr string // substring, after the file name
	}{
		{"unterminated quote", header + "user_2,\"A,B,,b@example.com,,,,,,,,\nuser_3,C,D,,c@example.com,,,,,,,,\n", "", `:2: field "first_name": the quote that opens this field (column 8) is never closed`},
		{"wrong header", "id,first_name,email\nuser_2,A,b@example.com\n", "", `:1: field "primary_email_address": header has no "primary_email_address" column`},
		{"too many fields", header + "user_2,A,B,,b@example.com,,,,,,,,,extra\n", "", ":2: wrong number of fields: row has 14 fields, the header has 13"},
		{"invalid utf-8", header + "user_2,A\xff,B,,b@example.com,,,,,,,,\n", "", `:2: field "first_name": invalid UTF-8`},
		{"empty id", header + ",A,B,,b@example.com,,,,,,,,\n", "", `:2: field "id": empty`},
		{"empty file", "", "", ":1: the file is empty"},
		{"bad org mapping header", header + "user_2,A,B,,b@example.com,,,,,,,,\n", "user,org\nuser_2,x\n", `:1: field "clerk_user_id": header has no "clerk_user_id" column`},
		{"org mapping without org columns", header + "user_2,A,B,,b@example.com,,,,,,,,\n", "clerk_user_id,team\nuser_2,x\n", ":1: header needs at least one of org_id"},
		{"org mapping line without a user", header + "user_2,A,B,,b@example.com,,,,,,,,\n", "clerk_user_id,org_name\nuser_2,x\n,y\nuser_2,z\n",
			`:3: field "clerk_user_id": empty: each line maps one user`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := ingesttest.OpenDB(t)
			ctx := context.Background()
			if _, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: write(t, "good.csv", good)}); err != nil {
				t.Fatal(err)
			}
			before := dump(t, db)
			o := clerk.Options{UsersFile: write(t, "bad.csv", tt.users)}
			if tt.orgs != "" {
				o.OrgMapping = write(t, "orgs.csv", tt.orgs)
			}
			_, err := clerk.Ingest(ctx, db, o)
			if err == nil {
				t.Fatal("ingest succeeded, want an error")
			}
			var le *ingest.LineError
			if !errors.As(err, &le) {
				t.Fatalf("error %v is not a LineError", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) || (!strings.HasPrefix(err.Error(), o.UsersFile) && !strings.HasPrefix(err.Error(), o.OrgMapping)) {
				t.Fatalf("error = %q, want FILE%s", err, tt.wantErr)
			}
			if after := dump(t, db); after != before {
				t.Fatal("a failed ingest changed the database")
			}
		})
	}
}

func TestReingestAndDelta(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	v1 := header +
		"user_1,Ann,A,,ann@example.com,,ann@example.com,,,,," + bcryptDigest + ",bcrypt\n" +
		"user_2,Bob,B,,bob@example.com,,bob@example.com,,,,," + bcryptDigest + ",bcrypt\n" +
		"user_3,Cat,C,,cat@example.com,,cat@example.com,,,,,,\n"
	p1 := write(t, "v1.csv", v1)
	c, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: p1})
	if err != nil || c.New != 3 {
		t.Fatalf("first ingest: %+v %v", c, err)
	}
	if _, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: p1}); !errors.Is(err, ingest.ErrUnchanged) {
		t.Fatalf("same file again: err = %v, want ErrUnchanged", err)
	}
	// A newer export: Bob renamed, Cat gone, Dan new, Ann as she was.
	v2 := header +
		"user_1,Ann,A,,ann@example.com,,ann@example.com,,,,," + bcryptDigest + ",bcrypt\n" +
		"user_2,Robert,B,,bob@example.com,,bob@example.com,,,,," + bcryptDigest + ",bcrypt\n" +
		"user_4,Dan,D,,dan@example.com,,dan@example.com,,,,,,\n"
	c, err = clerk.Ingest(ctx, db, clerk.Options{UsersFile: write(t, "v2.csv", v2)})
	if err != nil {
		t.Fatal(err)
	}
	if c.New != 1 || c.Changed != 1 || c.Unchanged != 1 || c.Missing != 1 {
		t.Fatalf("delta counts = %+v, want 1 new, 1 changed, 1 unchanged, 1 missing", c)
	}
	// A user's change is what the last run that wrote it did: Ann, not
	// written again, is still new from the first run.
	got := query[string](t, db, `SELECT group_concat(source_id || '=' || change || '@' || coalesce(changed_run_id, first_run_id), ' ') FROM (SELECT * FROM users ORDER BY source_id)`)
	if got != "user_1=new@1 user_2=changed@2 user_3=missing@1 user_4=new@2" {
		t.Fatalf("changes = %q", got)
	}
	if got := query[string](t, db, `SELECT first_name FROM users WHERE source_id = 'user_2'`); got != "Robert" {
		t.Fatalf("updated in place: first_name = %q", got)
	}
	if got := query[int](t, db, `SELECT count(*) FROM users`); got != 4 {
		t.Fatalf("users = %d, want 4 (updated in place, none duplicated)", got)
	}
}

func TestDuplicateIDIsSkipped(t *testing.T) {
	db := ingesttest.OpenDB(t)
	content := header + "user_1,A,B,,a@example.com,,,,,,,,\nuser_1,C,D,,c@example.com,,,,,,,,\n"
	c, err := clerk.Ingest(context.Background(), db, clerk.Options{UsersFile: write(t, "u.csv", content)})
	if err != nil {
		t.Fatal(err)
	}
	if c.New != 1 || c.Skipped != 1 {
		t.Fatalf("counts = %+v", c)
	}
	if got := query[string](t, db, `SELECT reason FROM skipped_users`); !strings.Contains(got, "line 2 has the same id") {
		t.Fatalf("reason = %q", got)
	}
}

func TestPasswordsAndMetadataLimits(t *testing.T) {
	long := strings.Repeat("x", 590) + "@example.com"
	content := header +
		"user_1,A,B,,a@example.com,,a@example.com|" + long + ",,,,,5f4dcc3b5aa765d61d8327deb882cf99,md5\n" +
		"user_2,A,B,,b@example.com,,b@example.com,,,,,,bcrypt\n" +
		"user_3,A,B,,c@example.com,,c@example.com,,,,,pbkdf2_sha256$1000$c2FsdA==$AQIDBA==,pbkdf2_sha256\n"
	db := ingesttest.OpenDB(t)
	if _, err := clerk.Ingest(context.Background(), db, clerk.Options{UsersFile: write(t, "u.csv", content)}); err != nil {
		t.Fatal(err)
	}
	got := query[string](t, db, `SELECT group_concat(code, ' ') FROM (SELECT code FROM warnings ORDER BY code)`)
	if got != "metadata_value_too_long password_hasher_without_digest unsupported_password_hasher" {
		t.Fatalf("warnings = %q", got)
	}
	// The MD5 digest is kept, but not as an importable hash.
	if got := query[string](t, db, `SELECT coalesce(password_hash, '') || '|' || source_password_digest FROM users WHERE source_id = 'user_1'`); got != "|5f4dcc3b5aa765d61d8327deb882cf99" {
		t.Fatalf("user_1 password = %q", got)
	}
	if got := query[int](t, db, `SELECT json_extract(metadata, '$.verified_email_addresses') IS NULL FROM users WHERE source_id = 'user_1'`); got != 1 {
		t.Fatal("a value over 600 characters went into metadata")
	}
	if got := query[string](t, db, `SELECT password_hash FROM users WHERE source_id = 'user_3'`); got != "$pbkdf2-sha256$i=1000,l=4$c2FsdA$AQIDBA" {
		t.Fatalf("pbkdf2 = %q", got)
	}
}

func TestOrgMappingVariantsAndPriority(t *testing.T) {
	users := header +
		"user_1,A,A,,a@example.com,,a@example.com,,,,,,\n" +
		"user_2,B,B,,b@example.com,,b@example.com,,,,,,\n" +
		"user_3,C,C,,c@example.com,,c@example.com,,,,,,\n" +
		"user_4,D,D,,d@example.com,,d@example.com,,,,,,\n"
	orgs := "clerk_user_id,org_id,org_external_id,org_name\n" +
		"user_1,org_01AAA,ignored-ext,Ignored Name\n" + // org_id wins
		"user_1,,acme,Acme Inc\n" + // a second org for the same user
		"user_2,,acme,\n" + // same org by external id alone
		"user_3,,beta,\n" + // external id only: must exist
		"user_4,,,Gamma\n" + // name only
		"user_9,,acme,Acme Inc\n" + // not in the export
		"user_4,,,\n" // names no org
	roles := "clerk_user_id,role_slug\nuser_1,org-admin\nuser_1,org-viewer\nuser_2,org-viewer\n"
	db := ingesttest.OpenDB(t)
	c, err := clerk.Ingest(context.Background(), db, clerk.Options{UsersFile: write(t, "u.csv", users), OrgMapping: write(t, "o.csv", orgs), RoleMapping: write(t, "r.csv", roles)})
	if err != nil {
		t.Fatal(err)
	}
	if c.Orgs != 4 || c.Members != 5 {
		t.Fatalf("counts = %+v, want 4 orgs, 5 memberships", c)
	}
	got := query[string](t, db, `SELECT group_concat(org_key || ':' || resolution || ':' || coalesce(name, '-'), ' ') FROM (SELECT * FROM organizations ORDER BY org_key)`)
	if got != "ext:acme:external_id_create:Acme Inc ext:beta:external_id:- id:org_01AAA:org_id:- name:Gamma:name:Gamma" {
		t.Fatalf("organizations = %q", got)
	}
	if got := query[string](t, db, `SELECT ignored_external_id || '|' || ignored_name FROM org_mapping_resolved WHERE org_key = 'id:org_01AAA'`); got != "ignored-ext|Ignored Name" {
		t.Fatalf("ignored = %q", got)
	}
	if got := query[string](t, db, `SELECT group_concat(org_key || '=' || role_slugs, ' ') FROM (SELECT * FROM staged_memberships WHERE user_source_id = 'user_1' ORDER BY org_key)`); got != `ext:acme=["org-admin","org-viewer"] id:org_01AAA=["org-admin","org-viewer"]` {
		t.Fatalf("user_1 memberships = %q", got)
	}
	if got := query[string](t, db, `SELECT group_concat(code, ' ') FROM (SELECT code FROM warnings ORDER BY code)`); got != "org_mapping_empty org_mapping_unknown_user" {
		t.Fatalf("warnings = %q", got)
	}
}

// A newer org and role mapping replaces the earlier one: memberships and
// role assignments it no longer makes go, unless WorkOS already has the
// membership (kept, with a warning). A pair given on two lines is one
// membership, recorded at its first line.
func TestNewMappingReplacesTheOldOne(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	users := write(t, "u.csv", header+
		"user_1,A,A,,a@example.com,,a@example.com,,,,,,\n"+
		"user_2,B,B,,b@example.com,,b@example.com,,,,,,\n")
	opts := clerk.Options{UsersFile: users,
		OrgMapping:  write(t, "o1.csv", "clerk_user_id,org_external_id,org_name\nuser_1,acme,Acme\nuser_2,acme,Acme\nuser_2,beta,Beta\n"),
		RoleMapping: write(t, "r1.csv", "clerk_user_id,role_slug\nuser_1,org-admin\nuser_2,org-viewer\n")}
	if _, err := clerk.Ingest(ctx, db, opts); err != nil {
		t.Fatal(err)
	}
	// WorkOS has user_2's membership of beta; user_1's of acme it does not.
	if _, err := db.Exec(`INSERT INTO import_items (entity, entity_id, status, updated_at)
		SELECT 'membership', m.id, 'done', 'now' FROM memberships m JOIN users u ON u.id = m.user_id
		JOIN organizations o ON o.id = m.organization_id WHERE u.source_id = 'user_2' AND o.org_key = 'ext:beta'`); err != nil {
		t.Fatal(err)
	}
	opts.OrgMapping = write(t, "o2.csv", "clerk_user_id,org_external_id,org_name\nuser_1,beta,Beta\nuser_2,acme,Acme\nuser_1,beta,Beta\n")
	opts.RoleMapping = write(t, "r2.csv", "clerk_user_id,role_slug\nuser_2,org-admin\n")
	if _, err := clerk.Ingest(ctx, db, opts); err != nil {
		t.Fatal(err)
	}
	got := query[string](t, db, `SELECT group_concat(k, ' ') FROM (SELECT u.source_id || '@' || o.org_key || ':' || m.row_number AS k
		FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id ORDER BY k)`)
	if got != "user_1@ext:beta:2 user_2@ext:acme:3 user_2@ext:beta:4" {
		t.Fatalf("memberships = %q", got)
	}
	if got := query[string](t, db, `SELECT group_concat(code, ' ') FROM warnings WHERE code = 'membership_removed_in_source'`); got != "membership_removed_in_source" {
		t.Fatalf("warnings = %q", got)
	}
	if got := query[string](t, db, `SELECT group_concat(u.source_id || '=' || r.role_slug, ' ') FROM role_assignments r JOIN users u ON u.id = r.user_id`); got != "user_2=org-admin" {
		t.Fatalf("role assignments = %q", got)
	}
}

// A run switches foreign-key enforcement off on its connection only while
// it lasts: after a commit and after a failed run, the next user of the
// database has it on.
func TestForeignKeysOnAfterARun(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	good := write(t, "u.csv", header+"user_1,A,A,,a@example.com,,a@example.com,,,,,,\n")
	bad := write(t, "bad.csv", header+"user_2,\"A,A\n")
	for _, f := range []string{good, bad} {
		clerk.Ingest(ctx, db, clerk.Options{UsersFile: f})
		if on := query[int](t, db, `PRAGMA foreign_keys`); on != 1 {
			t.Fatalf("after ingesting %s: foreign_keys = %d", filepath.Base(f), on)
		}
	}
}

// A re-ingest of thousands of users updates the changed one, keeps the
// TOTP secrets of unchanged users, and skips a repeated id naming the line
// that was staged.
func TestReingestKeepsSecretsAndSkipsRepeats(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	export := func(name string, changed int, repeat bool) string {
		var b strings.Builder
		b.WriteString(header)
		for i := range 5000 {
			first := "Ann"
			if i == changed {
				first = "Changed"
			}
			totp := ""
			if i%1000 == 0 {
				totp = "JBSWY3DPEHPK3PXP"
			}
			fmt.Fprintf(&b, "user_%d,%s,A,,u%d@example.com,,u%d@example.com,,,,%s,,\n", i, first, i, i, totp)
			if repeat && i == 42 {
				b.WriteString("user_42,Again,A,,again@example.com,,again@example.com,,,,,,\n")
			}
		}
		return write(t, name, b.String())
	}
	if _, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: export("v1.csv", -1, false)}); err != nil {
		t.Fatal(err)
	}
	c, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: export("v2.csv", 4321, true)})
	if err != nil {
		t.Fatal(err)
	}
	if c.New != 0 || c.Changed != 1 || c.Unchanged != 4999 || c.Skipped != 1 || c.Missing != 0 {
		t.Fatalf("counts = %+v, want 1 changed, 4999 unchanged, 1 skipped", c)
	}
	if got := query[string](t, db, `SELECT first_name FROM users WHERE source_id = 'user_4321'`); got != "Changed" {
		t.Fatalf("changed user: first_name = %q", got)
	}
	if got := query[string](t, db, `SELECT reason FROM skipped_users`); !strings.Contains(got, "line 44 has the same id") {
		t.Fatalf("skip reason = %q", got)
	}
	if got := query[int](t, db, `SELECT count(*) FROM totp_secrets`); got != 5 {
		t.Fatalf("TOTP secrets = %d, want the 5 of unchanged users kept", got)
	}
}

// Mapping lines that name a user the export does not have are reported,
// one warning per line, whether or not other lines repeat themselves.
func TestMappingLinesOfUnknownUsers(t *testing.T) {
	users := header + "user_1,A,A,,a@example.com,,a@example.com,,,,,,\n"
	for _, c := range []struct{ name, orgs, roles string }{
		{"unknown only", "clerk_user_id,org_name\nuser_1,Acme\nuser_9,Acme\n", "clerk_user_id,role_slug\nuser_1,org-admin\nuser_9,org-admin\n"},
		{"repeats too", "clerk_user_id,org_name\nuser_1,Acme\nuser_1,Acme\nuser_9,Acme\n", "clerk_user_id,role_slug\nuser_1,org-admin\nuser_1,org-admin\nuser_9,org-admin\n"},
		{"all known", "clerk_user_id,org_name\nuser_1,Acme\n", "clerk_user_id,role_slug\nuser_1,org-admin\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := ingesttest.OpenDB(t)
			if _, err := clerk.Ingest(context.Background(), db, clerk.Options{UsersFile: write(t, "u.csv", users),
				OrgMapping: write(t, "o.csv", c.orgs), RoleMapping: write(t, "r.csv", c.roles)}); err != nil {
				t.Fatal(err)
			}
			want := "org_mapping_unknown_user:user_9 role_mapping_unknown_user:user_9"
			if c.name == "all known" {
				want = ""
			}
			if got := query[string](t, db, `SELECT coalesce(group_concat(code || ':' || source_id, ' '), '') FROM (SELECT * FROM warnings ORDER BY code)`); got != want {
				t.Fatalf("warnings = %q, want %q", got, want)
			}
			if got := query[int](t, db, `SELECT count(*) FROM memberships`) + query[int](t, db, `SELECT count(*) FROM role_assignments`); got != 2 {
				t.Fatalf("memberships + role assignments = %d, want 2", got)
			}
		})
	}
}

// An organization is recorded at its first line and named by its first line
// that gives a name, whatever other statements about it come between.
func TestOrganizationFirstLineAndName(t *testing.T) {
	users := header
	for i := 1; i <= 5; i++ {
		users += fmt.Sprintf("user_%d,A,A,,u%d@example.com,,u%d@example.com,,,,,,\n", i, i, i)
	}
	orgs := "clerk_user_id,org_external_id,org_name\n" +
		"user_1,gamma,Gamma\n" +
		"user_2,beta,\n" + // beta's first line: no name
		"user_3,beta,Beta Corp\n" + // its first name
		"user_4,beta,\n" +
		"user_5,beta,Another Name\n"
	db := ingesttest.OpenDB(t)
	if _, err := clerk.Ingest(context.Background(), db, clerk.Options{UsersFile: write(t, "u.csv", users), OrgMapping: write(t, "o.csv", orgs)}); err != nil {
		t.Fatal(err)
	}
	got := query[string](t, db, `SELECT group_concat(org_key || '|' || resolution || '|' || name || '|' || row_number, ' ') FROM (SELECT * FROM organizations ORDER BY org_key)`)
	if got != "ext:beta|external_id_create|Beta Corp|3 ext:gamma|external_id_create|Gamma|2" {
		t.Fatalf("organizations = %q", got)
	}
}

// A re-ingest of an export whose users did not change (the same rows, in
// other bytes) writes no user row and no TOTP row: each user costs a
// lookup, so a re-ingest where few users changed costs little and the
// file does not grow by a rewrite of every row. A changed user is
// written, and only it.
func TestReingestOfUnchangedUsersWritesNoUserRow(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	export := func(name, eol string, changed int) string {
		var b strings.Builder
		b.WriteString(strings.TrimSuffix(header, "\n") + eol)
		for i := range 3000 {
			first, totp := "Ann", ""
			if i == changed {
				first = "Changed"
			}
			if i%100 == 0 {
				totp = "JBSWY3DPEHPK3PXP"
			}
			fmt.Fprintf(&b, "user_%d,%s,A,,u%d@example.com,,u%d@example.com,,,,%s,%s,bcrypt%s", i, first, i, i, totp, bcryptDigest, eol)
		}
		return write(t, name, b.String())
	}
	if _, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: export("v1.csv", "\n", -1)}); err != nil {
		t.Fatal(err)
	}
	// Every write to users or totp_secrets from now on is counted.
	for _, q := range []string{
		`CREATE TABLE writes (tbl TEXT, op TEXT, id INTEGER)`,
		`CREATE TRIGGER users_insert AFTER INSERT ON users BEGIN INSERT INTO writes VALUES ('users', 'insert', new.id); END`,
		`CREATE TRIGGER users_update AFTER UPDATE ON users BEGIN INSERT INTO writes VALUES ('users', 'update', new.id); END`,
		`CREATE TRIGGER totp_insert AFTER INSERT ON totp_secrets BEGIN INSERT INTO writes VALUES ('totp', 'insert', new.id); END`,
		`CREATE TRIGGER totp_update AFTER UPDATE ON totp_secrets BEGIN INSERT INTO writes VALUES ('totp', 'update', new.id); END`,
		`CREATE TRIGGER totp_delete AFTER DELETE ON totp_secrets BEGIN INSERT INTO writes VALUES ('totp', 'delete', old.id); END`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	c, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: export("v1-crlf.csv", "\r\n", -1)})
	if err != nil {
		t.Fatal(err)
	}
	if c.New != 0 || c.Changed != 0 || c.Unchanged != 3000 || c.Missing != 0 || c.TOTP != 30 {
		t.Fatalf("counts = %+v, want 3000 unchanged and the 30 TOTP secrets kept", c)
	}
	if got := query[string](t, db, `SELECT count(*) || ' rows: ' || coalesce(group_concat(w, ', '), '') FROM (SELECT tbl || ' ' || op || ' ' || id AS w FROM writes LIMIT 5)`); got != "0 rows: " {
		t.Fatalf("a re-ingest of unchanged users wrote %s...", got)
	}
	c, err = clerk.Ingest(ctx, db, clerk.Options{UsersFile: export("v2.csv", "\n", 1701)})
	if err != nil {
		t.Fatal(err)
	}
	if c.Changed != 1 || c.Unchanged != 2999 {
		t.Fatalf("counts = %+v, want 1 changed", c)
	}
	want := fmt.Sprint(query[int](t, db, `SELECT id FROM users WHERE source_id = 'user_1701'`))
	if got := query[string](t, db, `SELECT group_concat(tbl || ' ' || op || ' ' || id, ', ') FROM writes`); got != "users update "+want {
		t.Fatalf("a re-ingest with one changed user wrote: %s", got)
	}
}

// A re-ingest keeps in place the role assignments its mapping gives again
// (the same rows, now of this run), removes the ones it no longer gives,
// and leaves alone those another source made (mig ingest roles).
func TestReingestKeepsRoleAssignmentsGivenAgain(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	users := header + "user_1,A,A,,a@example.com,,a@example.com,,,,,,\nuser_2,B,B,,b@example.com,,b@example.com,,,,,,\n"
	opts := clerk.Options{UsersFile: write(t, "u1.csv", users),
		RoleMapping: write(t, "r1.csv", "clerk_user_id,role_slug\nuser_1,admin\nuser_2,member\n")}
	if _, err := clerk.Ingest(ctx, db, opts); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO role_assignments (user_id, role_slug, scope_key, source)
		SELECT id, 'viewer', '', 'roles' FROM users WHERE source_id = 'user_1'`); err != nil {
		t.Fatal(err)
	}
	assignments := func() string {
		return query[string](t, db, `SELECT group_concat(k, ' ') FROM (SELECT u.source_id || '=' || r.role_slug || '#' || r.id || '@' || coalesce(r.ingest_run_id, r.source) AS k
			FROM role_assignments r JOIN users u ON u.id = r.user_id ORDER BY k)`)
	}
	if got := assignments(); got != "user_1=admin#1@1 user_1=viewer#3@roles user_2=member#2@1" {
		t.Fatalf("first run: %s", got)
	}
	opts.UsersFile = write(t, "u2.csv", strings.Replace(users, "user_2,B", "user_2,Bea", 1))
	opts.RoleMapping = write(t, "r2.csv", "clerk_user_id,role_slug\nuser_2,editor\nuser_1,admin\nuser_1,admin\n")
	if _, err := clerk.Ingest(ctx, db, opts); err != nil {
		t.Fatal(err)
	}
	if got := assignments(); got != "user_1=admin#1@2 user_1=viewer#3@roles user_2=editor#4@2" {
		t.Fatalf("after the re-ingest: %s", got)
	}
	if got := query[int](t, db, `SELECT row_number FROM role_assignments WHERE role_slug = 'admin'`); got != 3 {
		t.Fatalf("admin's line = %d, want 3, the first line of the new mapping that gives it", got)
	}
}

// In a re-ingest, an id repeated thousands of lines after its first line
// (in another batch of the run) is skipped naming the first line, and the
// user staged is the first line's.
func TestReingestSkipsARepeatFarApart(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	export := func(name string, repeat bool) string {
		var b strings.Builder
		b.WriteString(header)
		for i := range 5000 {
			fmt.Fprintf(&b, "user_%d,Ann,A,,u%d@example.com,,u%d@example.com,,,,,,\n", i, i, i)
		}
		if repeat {
			b.WriteString("user_42,Again,A,,again@example.com,,again@example.com,,,,,,\n")
		}
		return write(t, name, b.String())
	}
	if _, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: export("v1.csv", false)}); err != nil {
		t.Fatal(err)
	}
	c, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: export("v2.csv", true)})
	if err != nil {
		t.Fatal(err)
	}
	if c.Skipped != 1 || c.Unchanged != 5000 || c.Changed != 0 {
		t.Fatalf("counts = %+v, want 5000 unchanged and the repeat skipped", c)
	}
	if got := query[string](t, db, `SELECT row_number || ': ' || reason FROM skipped_users`); got != `5002: duplicate id "user_42": line 44 has the same id and was staged` {
		t.Fatalf("skipped = %q", got)
	}
	if got := query[string](t, db, `SELECT first_name FROM users WHERE source_id = 'user_42'`); got != "Ann" {
		t.Fatalf("user_42's first name = %q, want the first line's", got)
	}
}
