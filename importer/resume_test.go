package importer_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/workosemu"
)

// bigStage stages n users, each in one or two of four organizations, every
// fifth with a TOTP secret.
func bigStage(t testing.TB, n int) (*stage, int) {
	s := newStage(t)
	var orgs []int64
	for i := range 4 {
		orgs = append(orgs, s.org("name", "", "", fmt.Sprintf("Org %d", i)))
	}
	members := 0
	tx, err := s.db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		res, err := tx.Exec(`INSERT INTO users (source, source_id, ingest_run_id, first_run_id, last_seen_run_id, row_number,
			email, external_id, raw, content_hash) VALUES ('test', ?, ?, ?, ?, ?, ?, ?, '{}', ?)`,
			fmt.Sprintf("user_%d", i), s.runID, s.runID, s.runID, i+1, fmt.Sprintf("u%d@example.com", i),
			fmt.Sprintf("ext-%d", i), fmt.Sprintf("h%d", i))
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := res.LastInsertId()
		for j := range 1 + i%2 {
			if _, err := tx.Exec(`INSERT INTO memberships (user_id, organization_id, source) VALUES (?, ?, 'test')`, uid, orgs[(i+j)%4]); err != nil {
				t.Fatal(err)
			}
			members++
		}
		if i%5 == 0 {
			if _, err := tx.Exec(`INSERT INTO totp_secrets (user_id, secret, source) VALUES (?, 'JBSWY3DPEHPK3PXP', 'test')`, uid); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return s, members
}

// checkExactlyOnce asserts WorkOS holds every staged user once, every
// membership and every factor once, and every import row is done.
func checkExactlyOnce(t *testing.T, s *stage, st workosemu.State, users, members int) {
	t.Helper()
	if st.Counts.Users != users {
		t.Errorf("WorkOS users %d, staged %d", st.Counts.Users, users)
	}
	seen := map[string]bool{}
	for _, u := range st.Users {
		if seen[u.Email] {
			t.Errorf("duplicate WorkOS user %s", u.Email)
		}
		seen[u.Email] = true
	}
	if st.Counts.Memberships != members {
		t.Errorf("WorkOS memberships %d, staged %d", st.Counts.Memberships, members)
	}
	factors := map[string]int{}
	for _, f := range st.Factors {
		factors[f.UserID]++
	}
	for u, n := range factors {
		if n != 1 {
			t.Errorf("user %s has %d factors", u, n)
		}
	}
	var notDone, total int
	s.db.Get(&notDone, `SELECT count(*) FROM import_items WHERE status <> 'done'`)
	s.db.Get(&total, `SELECT count(*) FROM import_items`)
	want := users + members + 4 + (users+4)/5
	if notDone != 0 || total != want {
		t.Errorf("import items: %d not done of %d, want %d rows all done", notDone, total, want)
	}
	var ws int
	s.db.Get(&ws, `SELECT count(DISTINCT workos_id) FROM import_items WHERE entity = 'user'`)
	if ws != users {
		t.Errorf("%d distinct WorkOS ids for %d users", ws, users)
	}
}

func TestFaultsEndDone(t *testing.T) {
	ctx := context.Background()
	s, members := bigStage(t, 200)
	emu, url := emulator(t, workosemu.Options{FaultRate: 0.15, DropRate: 0.05, AllowMultipleRoles: true})
	sum, err := importer.Run(ctx, s.db, opts(url))
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	checkExactlyOnce(t, s, emu.Snapshot(), 200, members)
	// A dropped create is looked up, never sent again (neither by the
	// Transport nor by net/http underneath, see TestDroppedPostIsNotSentAgain),
	// so exactly-once above holds without any Idempotency-Key replay.
	if sum.Requests.ServerError == 0 || sum.Requests.NetError == 0 {
		t.Errorf("faults not exercised: %+v", sum.Requests)
	}
}

// Test429StormEndsDone runs unpaced against a write budget of 30 per
// 500 ms: most requests are answered 429 with Retry-After 0, and every
// row must still end done, once.
func Test429StormEndsDone(t *testing.T) {
	ctx := context.Background()
	s, members := bigStage(t, 30)
	emu, url := emulator(t, workosemu.Options{RateLimits: workosemu.RateLimitsProduction,
		Limits: workosemu.Limits{UserManagementWrites: 30, WritesWindow: 500 * time.Millisecond}})
	o := opts(url)
	o.Concurrency = 8
	sum, err := importer.Run(ctx, s.db, o)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	checkExactlyOnce(t, s, emu.Snapshot(), 30, members)
	if sum.Requests.RateLimited == 0 {
		t.Errorf("no 429 seen: %+v", sum.Requests)
	}
}

// TestInFlightRowsAreReconciled plays the crash where WorkOS got the
// requests but the database never heard back: every row is left in
// flight after WorkOS has it. The next run must look each one up, not
// create it again.
func TestInFlightRowsAreReconciled(t *testing.T) {
	ctx := context.Background()
	emu, url := emulator(t, workosemu.Options{})
	s, members := bigStage(t, 40)
	if _, err := importer.Run(ctx, s.db, opts(url)); err != nil {
		t.Fatal(err)
	}
	s.exec(`UPDATE import_items SET status = 'in_flight', workos_id = NULL, outcome = NULL WHERE entity IN ('user', 'membership', 'totp', 'organization')`)
	sum, err := importer.Run(ctx, s.db, opts(url))
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	checkExactlyOnce(t, s, emu.Snapshot(), 40, members)
	if sum.Requests.Writes != 0 {
		t.Errorf("reconciling sent %d writes", sum.Requests.Writes)
	}
	// Found, not created by this run: the summary says adopted.
	if c := sum.Entities["users"]; c.Adopted != 40 || c.Succeeded != 0 {
		t.Errorf("summary users %+v, want 40 adopted", c)
	}
}

func TestDeltaUpdatesChangedUsers(t *testing.T) {
	ctx := context.Background()
	emu, url := emulator(t, workosemu.Options{})
	s := newStage(t)
	o := s.org("name", "", "", "One")
	a := s.user(userSpec{email: "a@example.com", first: "Ann"})
	s.user(userSpec{email: "b@example.com", first: "Ben"})
	m := s.member(a, o)
	if _, err := importer.Run(ctx, s.db, opts(url)); err != nil {
		t.Fatal(err)
	}
	// A later ingest changed Ann's name and gave her a role.
	s.exec(`UPDATE users SET first_name = 'Anna', content_hash = 'changed', change = 'changed' WHERE id = ?`, a)
	s.exec(`INSERT INTO role_assignments (user_id, role_slug, organization_id, source) VALUES (?, 'admin', ?, 'test')`, a, o)
	sum, err := importer.Run(ctx, s.db, opts(url))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Requests.Writes != 2 || sum.Requests.Requests != 2 {
		t.Errorf("delta sent %+v; want one user update and one membership update", sum.Requests)
	}
	wantItems(t, s, map[string]int{"organization done created": 1, "user done created": 1, "user done updated": 1, "membership done updated": 1})
	st := emu.Snapshot()
	if st.Counts.Users != 2 || st.Counts.Memberships != 1 {
		t.Fatalf("counts %+v", st.Counts)
	}
	for _, u := range st.Users {
		if u.Email == "a@example.com" && *u.FirstName != "Anna" {
			t.Errorf("first name %q", *u.FirstName)
		}
	}
	if got := st.Memberships[0].RoleSlugs; len(got) != 1 || got[0] != "admin" {
		t.Errorf("roles %v", got)
	}
	_ = m
}

func TestRetryFailed(t *testing.T) {
	ctx := context.Background()
	_, url := emulator(t, workosemu.Options{})
	s := newStage(t)
	s.org("external_id", "", "ext-later", "Later Inc")
	s.user(userSpec{email: "a@example.com"})
	if _, err := importer.Run(ctx, s.db, opts(url)); err == nil {
		t.Fatal("want a partial import")
	}
	// --retry-failed alone leaves the non-retryable failure alone...
	o := opts(url)
	o.RetryFailed = true
	if sum, err := importer.Run(ctx, s.db, o); err == nil || sum.Requests.Requests != 0 {
		t.Fatalf("retry-failed: %v, %d requests", err, sum.Requests.Requests)
	}
	// ...and with --all and --create-orgs it goes through.
	o.RetryAll, o.CreateOrgs = true, true
	if _, err := importer.Run(ctx, s.db, o); err != nil {
		t.Fatalf("retry-failed --all --create-orgs: %v", err)
	}
	wantItems(t, s, map[string]int{"organization done created": 1, "user done created": 1})
}

func TestLimitImportsASample(t *testing.T) {
	ctx := context.Background()
	emu, url := emulator(t, workosemu.Options{})
	s, _ := bigStage(t, 30)
	o := opts(url)
	o.Limit = 10
	if _, err := importer.Run(ctx, s.db, o); err != nil {
		t.Fatal(err)
	}
	st := emu.Snapshot()
	if st.Counts.Users != 10 || st.Counts.Memberships != 15 {
		t.Fatalf("sample: %+v", st.Counts)
	}
	items := s.items()
	if items["membership pending"] != 45-15 || items["user pending"] != 20 {
		t.Fatalf("items %v", items)
	}
}

func TestMissingUsersAreSkipped(t *testing.T) {
	ctx := context.Background()
	emu, url := emulator(t, workosemu.Options{})
	s := newStage(t)
	o := s.org("name", "", "", "One")
	gone := s.user(userSpec{email: "gone@example.com"})
	s.member(gone, o)
	s.totp(gone, "JBSWY3DPEHPK3PXP")
	s.exec(`UPDATE users SET change = 'missing' WHERE id = ?`, gone)
	if _, err := importer.Run(ctx, s.db, opts(url)); err != nil {
		t.Fatal(err)
	}
	wantItems(t, s, map[string]int{"organization done created": 1, "user skipped missing_from_export": 1,
		"membership skipped dependency_skipped": 1, "totp skipped dependency_skipped": 1})
	if n := emu.Snapshot().Counts.Users; n != 0 {
		t.Fatalf("%d users sent", n)
	}
	// Back in the next export: imported with its membership and factor.
	s.exec(`UPDATE users SET change = 'unchanged' WHERE id = ?`, gone)
	if _, err := importer.Run(ctx, s.db, opts(url)); err != nil {
		t.Fatal(err)
	}
	wantItems(t, s, map[string]int{"organization done created": 1, "user done created": 1, "membership done created": 1, "totp done created": 1})
}
