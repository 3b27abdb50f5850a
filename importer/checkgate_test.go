package importer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/staging"
	"github.com/mig-tools/mig/workosemu"
)

func (s *stage) finding(rule, entity string, id int64, msg string) {
	s.exec(`INSERT INTO findings (rule, severity, entity, entity_id, source, source_id, message, created_at)
		VALUES (?, 'error', ?, ?, 'test', '', ?, ?)`, rule, entity, id, msg, staging.Now())
}

// TestCheckErrorsGateTheImport: open error findings of mig check stop the
// import before anything is sent or marked, naming the rules; with
// --ignore-check-errors the rows they concern are skipped with the finding
// as the reason, their memberships and factors with them; once the
// findings are gone, the next run sends those rows.
func TestCheckErrorsGateTheImport(t *testing.T) {
	ctx := context.Background()
	emu, url := emulator(t, workosemu.Options{AllowMultipleRoles: true})
	s := newStage(t)
	o := s.org("name", "", "", "One")
	dup := s.user(userSpec{sourceID: "dup", email: "dup@example.com"})
	s.member(dup, o)
	s.totp(dup, "JBSWY3DPEHPK3PXP")
	mapped := s.user(userSpec{sourceID: "mapped", email: "mapped@example.com"})
	s.member(mapped, o)
	roled := s.user(userSpec{sourceID: "roled", email: "roled@example.com"})
	s.member(roled, o, "Bad Role")
	s.user(userSpec{sourceID: "fine", email: "fine@example.com"})
	line := s.exec(`INSERT INTO org_mapping_rows (ingest_run_id, source, file, row_number, source_user_id, org_external_id)
		VALUES (?, 'test', 'orgs.csv', 2, 'mapped', 'ext-nowhere')`, s.runID)
	var assignment int64
	s.db.Get(&assignment, `SELECT id FROM role_assignments WHERE user_id = ?`, roled)
	s.finding("email_duplicate", "user", dup, "email dup@example.com is shared by 2 users")
	s.finding("email_duplicate", "user", dup, "the same, from another angle")
	s.finding("org_not_created", "org_mapping", line, "line 2 of orgs.csv maps user mapped to ext:ext-nowhere")
	s.finding("role_slug_invalid", "role_assignment", assignment, "role slug 'Bad Role' must be lower-case")

	_, err := importer.Run(ctx, s.db, opts(url))
	var ce *importer.CheckErrorsError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a CheckErrorsError", err)
	}
	for _, w := range []string{"4 error findings", "email_duplicate (2)", "org_not_created (1)", "role_slug_invalid (1)", "nothing was sent"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q lacks %q", err, w)
		}
	}
	if !strings.Contains(ce.Hint(), "mig check") || !strings.Contains(ce.Hint(), "--ignore-check-errors") {
		t.Errorf("hint %q", ce.Hint())
	}
	wantItems(t, s, map[string]int{})
	if c := emu.Snapshot().Counts; c.Users != 0 || c.Organizations != 0 {
		t.Fatalf("WorkOS got %+v", c)
	}

	o2 := opts(url)
	o2.IgnoreCheckErrors = true
	if _, err := importer.Run(ctx, s.db, o2); err != nil {
		t.Fatalf("--ignore-check-errors: %v", err)
	}
	wantItems(t, s, map[string]int{
		"organization done created":             1,
		"user skipped check_error":              2, // dup, and mapped (its mapping line)
		"user done created":                     2, // roled and fine
		"membership skipped check_error":        1, // roled's, which would carry the bad role
		"membership skipped dependency_skipped": 2,
		"totp skipped dependency_skipped":       1,
	})
	var msg string
	s.db.Get(&msg, `SELECT message FROM import_items WHERE entity = 'user' AND entity_id = ?`, dup)
	if !strings.Contains(msg, "email_duplicate: ") || !strings.Contains(msg, "--ignore-check-errors") {
		t.Errorf("skip reason %q", msg)
	}
	s.db.Get(&msg, `SELECT message FROM import_items WHERE entity = 'totp'`)
	if !strings.Contains(msg, "dup@example.com was skipped (check_error)") {
		t.Errorf("the factor's reason %q does not point at its user", msg)
	}

	// Fixed: the findings are gone, the held rows go through.
	s.exec(`DELETE FROM findings`)
	s.exec(`UPDATE role_assignments SET role_slug = 'admin'`)
	if _, err := importer.Run(ctx, s.db, opts(url)); err != nil {
		t.Fatalf("after the fix: %v", err)
	}
	wantItems(t, s, map[string]int{"organization done created": 1, "user done created": 4, "membership done created": 3, "totp done created": 1})
}
