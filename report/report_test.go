package report_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mig-tools/mig/report"
	"github.com/mig-tools/mig/staging"
)

// newDB makes an empty staging database, runs setup on it through a
// writable connection, and returns it opened read-only, as mig report
// opens it.
func newDB(t *testing.T, setup ...string) *staging.DB {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mig.db")
	w, err := staging.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range setup {
		if _, err := w.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	w.Close()
	db, err := staging.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func load(t *testing.T, db *staging.DB) *report.Report {
	t.Helper()
	r, err := report.Load(context.Background(), db, report.Options{Buckets: 4, EntityOrder: []string{"organizations", "users", "totp"}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func markdown(t *testing.T, r *report.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.Markdown(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestReconcileDetected shows the last finished reconciliation only,
// grouped by entity and kind, and says so when it found nothing.
func TestReconcileDetected(t *testing.T) {
	if r := load(t, newDB(t)); r.Reconcile != nil || strings.Contains(markdown(t, r), "Reconciliation") {
		t.Errorf("a database where no reconcile ran has a reconciliation: %+v", r.Reconcile)
	}
	run := func(id int, finished string) string {
		return fmt.Sprintf(`INSERT INTO reconcile_runs (id, endpoint, started_at, finished_at, status) VALUES (%d, 'http://x', '2026-01-01T00:00:00.000Z', %s, 'differences')`, id, finished)
	}
	finding := func(runID int, entity, kind string) string {
		return fmt.Sprintf(`INSERT INTO reconcile_findings (run_id, rule, entity, kind, severity, message) VALUES (%d, 'r', '%s', '%s', 'error', 'm')`, runID, entity, kind)
	}
	db := newDB(t, run(1, "'2026-01-01T00:01:00.000Z'"), finding(1, "user", "missing"),
		run(2, "'2026-01-02T00:01:00.000Z'"), finding(2, "user", "missing"), finding(2, "user", "missing"),
		finding(2, "user", "different"), finding(2, "membership", "missing"),
		run(3, "NULL"), finding(3, "totp", "missing"))
	r := load(t, db)
	if r.Reconcile == nil || r.Reconcile.Run != 2 || r.Reconcile.Total != 4 || len(r.Reconcile.Groups) != 3 {
		t.Fatalf("reconcile = %+v, want run 2's 4 rows in 3 groups", r.Reconcile)
	}
	if g := r.Reconcile.Groups[0]; g.Entity != "user" || g.Kind != "missing" || g.N != 2 {
		t.Errorf("first group = %+v, want the 2 users missing", g)
	}
	if md := markdown(t, r); !strings.Contains(md, "| user | missing | 2 |") {
		t.Errorf("the Markdown does not show the group:\n%s", md)
	}

	clean := newDB(t, run(1, "'2026-01-01T00:01:00.000Z'"))
	r = load(t, clean)
	if r.Reconcile == nil || r.Reconcile.Total != 0 {
		t.Fatalf("a clean reconciliation = %+v, want one with no findings", r.Reconcile)
	}
	if md := markdown(t, r); !strings.Contains(md, "found no differences") {
		t.Errorf("the Markdown does not say the reconciliation was clean:\n%s", md)
	}
}

// TestProgressCumulates puts import rows at known times and checks the
// progress points add them up per bucket, the last row in the last one.
func TestProgressCumulates(t *testing.T) {
	row := func(id int, entity, status, at string) string {
		return fmt.Sprintf(`INSERT INTO import_items (entity, entity_id, status, updated_at) VALUES ('%s', %d, '%s', '%s')`, entity, id, status, at)
	}
	db := newDB(t,
		row(1, "user", "done", "2026-01-01T10:00:00.000Z"),
		row(2, "user", "done", "2026-01-01T10:00:10.000Z"),
		row(3, "user", "failed", "2026-01-01T10:00:25.000Z"),
		row(4, "user", "done", "2026-01-01T10:00:40.000Z"),
		row(5, "user", "pending", "2026-01-01T09:00:00.000Z"),
		row(6, "organization", "skipped", "2026-01-01T10:00:39.999Z"),
	)
	r := load(t, db)
	p := r.Progress
	if p.Settled != 5 || p.Done != 3 || p.Failed != 1 || p.Skipped != 1 {
		t.Fatalf("progress = %+v, want 5 settled: 3 done, 1 failed, 1 skipped", p)
	}
	if p.BucketWidth != 10*time.Second {
		t.Errorf("bucket width = %s, want 10s (40s in 4 buckets)", p.BucketWidth)
	}
	type pt struct{ done, failed, skipped int64 }
	want := []pt{{0, 0, 0}, {1, 0, 0}, {2, 0, 0}, {2, 1, 0}, {3, 1, 1}}
	if len(p.Points) != len(want) {
		t.Fatalf("%d points, want %d: %+v", len(p.Points), len(want), p.Points)
	}
	for i, w := range want {
		got := pt{p.Points[i].Done, p.Points[i].Failed, p.Points[i].Skipped}
		if got != w {
			t.Errorf("point %d = %+v, want %+v", i, got, w)
		}
	}
	if last := p.Points[len(p.Points)-1].At; !last.Equal(time.Date(2026, 1, 1, 10, 0, 40, 0, time.UTC)) {
		t.Errorf("last point at %s, want the last row's time", last)
	}
	// The outcome follows the import's order, under its names.
	if len(r.Outcome) != 2 || r.Outcome[0].Entity != "organizations" || r.Outcome[1].Entity != "users" {
		t.Errorf("outcome = %+v, want organizations then users", r.Outcome)
	}
}

// TestEmptyDatabase renders a database with nothing in it: every section
// says what to do instead of showing empty tables.
func TestEmptyDatabase(t *testing.T) {
	r := load(t, newDB(t))
	md := markdown(t, r)
	for _, want := range []string{"Nothing is staged yet", "No row was skipped", "No findings", "No plan: ", "No import has run yet"} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown of an empty database lacks %q:\n%s", want, md)
		}
	}
	var page bytes.Buffer
	if err := r.HTML(&page); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "No import has run yet") {
		t.Errorf("the page of an empty database does not say no import has run")
	}
}

// TestCheckErrorsLeaveExcludedUsersOut: an error finding about a user set
// aside with mig exclude blocks nothing, so neither the "Check errors" tile
// nor the Markdown counts it; the other user's error still counts.
func TestCheckErrorsLeaveExcludedUsersOut(t *testing.T) {
	user := func(id int, sourceID string) string {
		return fmt.Sprintf(`INSERT INTO users (id, source, source_id, ingest_run_id, first_run_id, last_seen_run_id, row_number, email, raw, content_hash)
			VALUES (%d, 'csv', '%s', 1, 1, 1, %d, '%s@example.com', '{}', 'h')`, id, sourceID, id, sourceID)
	}
	finding := func(userID int, sourceID string) string {
		return fmt.Sprintf(`INSERT INTO findings (rule, severity, entity, entity_id, source, source_id, message, created_at)
			VALUES ('email_syntax', 'error', 'user', %d, 'csv', '%s', 'bad email', '2026-01-01T00:00:00.000Z')`, userID, sourceID)
	}
	db := newDB(t,
		`INSERT INTO ingest_runs (id, provider, started_at, finished_at) VALUES (1, 'csv', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z')`,
		user(1, "kept"), user(2, "excluded"), finding(1, "kept"), finding(2, "excluded"),
		`INSERT INTO exclusions (source, source_id, reason, predicate, excluded_at) VALUES ('csv', 'excluded', 'test account', 'id = 2', '2026-01-01T00:00:02.000Z')`,
	)
	r := load(t, db)
	if n := r.FindingsOf("error"); n != 1 {
		t.Errorf("FindingsOf(error) = %d, want 1: the excluded user's finding blocks nothing", n)
	}
	if md := markdown(t, r); !strings.Contains(md, "| Check errors | 1 |") {
		t.Errorf("the Markdown does not count 1 check error:\n%s", md)
	}
	var page bytes.Buffer
	if err := r.HTML(&page); err != nil {
		t.Fatal(err)
	}
	if want := `data-metric="findings-total|error" data-value="1"`; !strings.Contains(page.String(), want) {
		t.Errorf("the page's Check errors tile lacks %s", want)
	}
}
