package importer_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/workosemu"
)

// TestPrepareStagesOnlyForARunThatStarts: what Prepare stages (mig import
// --org-id's memberships) is seen by --plan and then rolled back, is not
// staged at all by a run that is refused, and is staged and sent by a run
// that starts, in the transaction that makes its import rows.
func TestPrepareStagesOnlyForARunThatStarts(t *testing.T) {
	ctx := context.Background()
	_, url := emulator(t, workosemu.Options{})
	s := newStage(t)
	org := s.org("name", "", "", "One")
	user := s.user(userSpec{email: "a@example.com"})
	calls := 0
	prepare := func(ctx context.Context, tx *sqlx.Tx) error {
		calls++
		_, err := tx.ExecContext(ctx, `INSERT INTO memberships (user_id, organization_id, source) VALUES (?, ?, 'import')
			ON CONFLICT DO NOTHING`, user, org)
		return err
	}
	memberships := func() int {
		var n int
		s.db.Get(&n, `SELECT count(*) FROM memberships`)
		return n
	}

	plan, err := importer.Run(ctx, s.db, importer.Options{Plan: true, Prepare: prepare})
	if err != nil {
		t.Fatal(err)
	}
	var planned int64
	for _, r := range plan.Plan.Rows {
		if r.Entity == "memberships" {
			planned += r.Rows
		}
	}
	if calls != 1 || planned != 1 || memberships() != 0 {
		t.Fatalf("--plan: %d calls, %d memberships planned, %d staged after; want 1, 1, 0", calls, planned, memberships())
	}

	s.finding("email_duplicate", "user", user, "open")
	o := opts(url)
	o.Prepare = prepare
	if _, err := importer.Run(ctx, s.db, o); !errors.As(err, new(*importer.CheckErrorsError)) {
		t.Fatalf("err = %v, want a refusal for the open check error", err)
	}
	if calls != 1 || memberships() != 0 {
		t.Fatalf("a refused run staged: %d calls, %d memberships", calls, memberships())
	}

	s.exec(`DELETE FROM findings`)
	if _, err := importer.Run(ctx, s.db, o); err != nil {
		t.Fatal(err)
	}
	if memberships() != 1 {
		t.Fatalf("%d memberships staged by the run, want 1", memberships())
	}
	wantItems(t, s, map[string]int{"organization done created": 1, "user done created": 1, "membership done created": 1})
}
