package importer_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/staging"
	"github.com/mig-tools/mig/workosemu"
)

// TestExcludedUsersAreNeverSent: a user excluded with `mig exclude` is
// skipped with the reason, and so are its membership and its TOTP factor;
// the plan counts what the exclusion holds back; a user WorkOS has already
// is left as it is. Once the exclusion is undone, the next run sends what
// it held back, and nothing is created twice.
func TestExcludedUsersAreNeverSent(t *testing.T) {
	ctx := context.Background()
	emu, url := emulator(t, workosemu.Options{})
	s := newStage(t)
	org := s.org("name", "", "", "Acme")
	kept := s.user(userSpec{email: "kept@example.com"})
	gone := s.user(userSpec{sourceID: "user_gone", email: "gone@example.com"})
	s.member(kept, org)
	s.member(gone, org)
	s.totp(gone, "JBSWY3DPEHPK3PXPJBSWY3DP")
	exclude := func(sourceID string) {
		s.exec(`INSERT INTO exclusions (source, source_id, reason, predicate, excluded_at) VALUES ('test', ?, 'left the company', 'id ' || ?, ?)
			ON CONFLICT DO UPDATE SET undone_at = NULL`, sourceID, sourceID, staging.Now())
	}
	exclude("user_gone")

	plan, err := importer.Run(ctx, s.db, importer.Options{Plan: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []importer.EntityCount{{Entity: "users", N: 1}, {Entity: "memberships", N: 1}, {Entity: "totp", N: 1}}
	if !slices.Equal(plan.Plan.Excluded, want) {
		t.Errorf("plan excluded = %+v, want %+v", plan.Plan.Excluded, want)
	}
	for _, r := range plan.Plan.Rows {
		if r.Entity == "users" && r.Rows != 1 {
			t.Errorf("the plan sends %d users, want 1: %+v", r.Rows, plan.Plan.Rows)
		}
	}

	if _, err := importer.Run(ctx, s.db, opts(url)); err != nil {
		t.Fatal(err)
	}
	got := s.items()
	for k, n := range map[string]int{"user done created": 1, "user skipped excluded": 1, "membership done created": 1,
		"membership skipped excluded": 1, "totp skipped excluded": 1} {
		if got[k] != n {
			t.Errorf("%s: %d rows, want %d (all: %v)", k, got[k], n, got)
		}
	}
	var msgs []string
	if err := s.db.Select(&msgs, `SELECT message FROM import_items WHERE error_code = 'excluded' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if !strings.Contains(m, "left the company") || !strings.Contains(m, "mig exclude --undo") {
			t.Errorf("skip message %q lacks the reason or the way back", m)
		}
	}
	if c := emu.Snapshot().Counts; c.Users != 1 || c.Memberships != 1 || c.Factors != 0 {
		t.Fatalf("WorkOS has %+v, want only the kept user and its membership", c)
	}

	// Excluding a user WorkOS has already sends nothing more, and takes
	// nothing back: its done rows stay done.
	exclude("user_1")
	if _, err := importer.Run(ctx, s.db, opts(url)); err != nil {
		t.Fatal(err)
	}
	if got := s.items(); got["user done created"] != 1 || got["membership done created"] != 1 {
		t.Errorf("excluding an imported user changed its rows: %v", got)
	}

	// Undone, the held rows are pending again and the next run sends them,
	// once.
	s.exec(`UPDATE exclusions SET undone_at = ?`, staging.Now())
	if _, err := importer.Run(ctx, s.db, opts(url)); err != nil {
		t.Fatal(err)
	}
	got = s.items()
	if got["user done created"] != 2 || got["membership done created"] != 2 || got["totp done created"] != 1 {
		t.Errorf("after the undo: %v, want every row done", got)
	}
	st := emu.Snapshot()
	if st.Counts.Users != 2 || st.Counts.Memberships != 2 || st.Counts.Factors != 1 {
		t.Errorf("WorkOS has %+v, want 2 users, 2 memberships, 1 factor", st.Counts)
	}
	for _, e := range []string{"kept@example.com", "gone@example.com"} {
		if n := len(st.UsersByEmail(e)); n != 1 {
			t.Errorf("%s: %d WorkOS users, want 1", e, n)
		}
	}
}
