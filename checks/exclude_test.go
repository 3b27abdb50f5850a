package checks_test

import (
	"context"
	"testing"

	"github.com/mig-tools/mig/checks"
)

// TestExcludedUsers: users excluded with `mig exclude` are never sent, so
// they share no address or external id with anyone, and the findings about
// them are counted apart and block nothing.
func TestExcludedUsers(t *testing.T) {
	db := openDB(t)
	if _, err := db.Exec(seedPreamble + `
INSERT INTO seed_users (id, source_id, email_raw, external_id) VALUES
    (1, 'user_a', 'shared@example.com', 'ext-1'),
    (2, 'user_b', 'Shared@example.com', 'ext-1'),
    (3, 'user_c', 'not an address', NULL);
INSERT INTO exclusions (source, source_id, reason, predicate, excluded_at) VALUES
    ('clerk', 'user_b', 'second account', 'id user_b', 'now'),
    ('clerk', 'user_c', 'no address', 'id user_c', 'now');
`); err != nil {
		t.Fatal(err)
	}
	rep, err := checks.Run(context.Background(), db, checks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	byRule := map[string]checks.RuleResult{}
	for _, r := range rep.Rules {
		byRule[r.Name] = r
	}
	for _, rule := range []string{"email_duplicate", "external_id_duplicate"} {
		if n := byRule[rule].Findings; n != 0 {
			t.Errorf("%s: %d findings, want none: user_b is excluded", rule, n)
		}
	}
	if r := byRule["email_syntax"]; r.Findings != 1 || r.Excluded != 1 {
		t.Errorf("email_syntax: %d findings, %d about excluded users; want 1 and 1", r.Findings, r.Excluded)
	}
	if rep.Errors() != 0 || rep.Err() != nil {
		t.Errorf("%d errors (%v), want none: the only error is about an excluded user", rep.Errors(), rep.Err())
	}

	// Undone, the users count again.
	db.MustExec(`UPDATE exclusions SET undone_at = 'later'`)
	if rep, err = checks.Run(context.Background(), db, checks.Options{}); err != nil {
		t.Fatal(err)
	}
	if rep.Errors() != 3 || rep.Excluded(checks.Error) != 0 {
		t.Errorf("after the undo: %d errors, %d about excluded users; want 3 and 0", rep.Errors(), rep.Excluded(checks.Error))
	}
}
