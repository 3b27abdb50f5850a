package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest"
)

// deltaExport is a Clerk export of seven users with an org and a role
// mapping; change names the user that differs from the first export, and
// how: name, verified, metadata (the username), hash (the password
// digest), org or role.
func deltaExport(t *testing.T, dir string, changes map[string]string) (users, orgs, roles string) {
	t.Helper()
	const digest = "$2a$10$fgPOubgdJs90F1GK2u.Qye7Xyyi2ajrQJoB5LDG5bnITEvFR/xhZ."
	const digest2 = "$2a$10$EanyrA2FuaM1nzU.tcfuZehgSKM2mKfffLpirp5.h0rBqm03WlT8i"
	var u, o, r strings.Builder
	u.WriteString("id,first_name,last_name,username,primary_email_address,primary_phone_number,verified_email_addresses,unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,totp_secret,password_digest,password_hasher\n")
	o.WriteString("clerk_user_id,org_name\n")
	r.WriteString("clerk_user_id,role_slug\n")
	for i := 1; i <= 7; i++ {
		id := fmt.Sprintf("u%d", i)
		email := id + "@example.com"
		first, username, verified, unverified, hash, org, role := "Ann", "", email, "", digest, "Acme", "member"
		switch changes[id] {
		case "name":
			first = "Anna"
		case "verified":
			verified, unverified = "", email
		case "metadata":
			username = "ann" + id
		case "hash":
			hash = digest2
		case "org":
			org = "Beta"
		case "role":
			role = "admin"
		}
		fmt.Fprintf(&u, "%s,%s,A,%s,%s,,%s,%s,,,,%s,bcrypt\n", id, first, username, email, verified, unverified, hash)
		fmt.Fprintf(&o, "%s,%s\n", id, org)
		fmt.Fprintf(&r, "%s,%s\n", id, role)
	}
	users, orgs, roles = filepath.Join(dir, "users.csv"), filepath.Join(dir, "orgs.csv"), filepath.Join(dir, "roles.csv")
	writeFiles(t, dir, map[string]string{"users.csv": u.String(), "orgs.csv": o.String(), "roles.csv": r.String()})
	return users, orgs, roles
}

// After a first import, a re-ingest of a newer export where one user
// changed each kind of field (name, email_verified, metadata, password
// hash, organization, role) counts the four changed users changed, and the
// next import sends those users' updates and the two memberships that
// changed, and nothing of the unchanged users.
func TestDeltaImportSendsOnlyWhatChanged(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "mig.db")
	ingestJSON := func(users, orgs, roles string) ingest.Counts {
		t.Helper()
		code, stdout, stderr := migT(t, db, "ingest", "clerk", "--json", users, "--org-mapping", orgs, "--role-mapping", roles)
		if code != exitOK {
			t.Fatalf("ingest: exit %d: %s", code, stderr)
		}
		var c ingest.Counts
		if err := json.Unmarshal([]byte(stdout), &c); err != nil {
			t.Fatalf("%v: %s", err, stdout)
		}
		return c
	}
	ingestJSON(deltaExport(t, t.TempDir(), nil))
	emu, url := orgIDEmulator(t)
	importSummary(t, db, exitOK, "--api-key", "sk_test_x", "--endpoint", url)
	before := emu.Snapshot().Counts

	c := ingestJSON(deltaExport(t, t.TempDir(), map[string]string{
		"u1": "name", "u2": "verified", "u3": "metadata", "u4": "hash", "u5": "org", "u6": "role"}))
	if c.New != 0 || c.Changed != 4 || c.Unchanged != 3 || c.Missing != 0 {
		t.Fatalf("re-ingest counts %+v, want 4 changed (name, verified, metadata, hash) and 3 unchanged", c)
	}
	// mig status says what the last ingest did, though it wrote only the
	// changed users.
	_, status, _ := migT(t, db, "status")
	for _, line := range []string{"staged, new in last ingest          0", "staged, changed in last ingest      4"} {
		if !strings.Contains(status, line) {
			t.Errorf("mig status has no %q:\n%s", line, status)
		}
	}
	importSummary(t, db, exitOK, "--api-key", "sk_test_x", "--endpoint", url)
	// What the second import sent: the rows it did.
	_, sent, _ := migT(t, db, "sql", "-f", "csv", `SELECT group_concat(k, ' ') AS sent FROM (
		SELECT i.entity || ':' || coalesce(u.source_id, mu.source_id || '@' || o.name) || ':' || i.outcome AS k
		FROM import_items i
		LEFT JOIN users u ON i.entity = 'user' AND u.id = i.entity_id
		LEFT JOIN memberships m ON i.entity = 'membership' AND m.id = i.entity_id
		LEFT JOIN users mu ON mu.id = m.user_id
		LEFT JOIN organizations o ON o.id = m.organization_id
		WHERE i.import_run_id = (SELECT max(id) FROM import_runs) ORDER BY k)`)
	want := "membership:u5@Beta:created membership:u6@Acme:updated user:u1:updated user:u2:updated user:u3:updated user:u4:updated"
	if got := strings.TrimPrefix(strings.TrimSpace(sent), "sent\n"); got != want {
		t.Fatalf("the import after the re-ingest sent\n%s\nwant\n%s", got, want)
	}
	after := emu.Snapshot()
	if after.Counts.Users != before.Users || after.Counts.Memberships != before.Memberships+1 {
		t.Fatalf("WorkOS holds %+v, before %+v: want the same users and u5's new membership", after.Counts, before)
	}
	for _, u := range after.Users {
		if u.Email == "u1@example.com" && (u.FirstName == nil || *u.FirstName != "Anna") {
			t.Errorf("u1's first name in WorkOS: %v", u.FirstName)
		}
		// u2's address became unverified in the source: the update says so
		// (false is a value, not an absent field).
		if u.Email == "u2@example.com" && u.EmailVerified {
			t.Errorf("u2 is still verified in WorkOS after the source unverified its address")
		}
	}
}
