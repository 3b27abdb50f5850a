// Package report turns the staging database into a page a person would
// rather read than a terminal: what was staged and skipped, what `mig check`
// found, what an import would send and how long it would take, where the
// import stands, and what a reconciliation found. It renders one
// self-contained HTML page (inline CSS and SVG, no script, no network) or
// Markdown for a ticket, from the same numbers.
//
// The numbers come from the queries in sqlqueries/report (and the
// importer's own summary query), run on a read-only connection. The import
// plan and the failures grouped by cause are the importer's: cmd/mig
// computes them and sets Report.Plan and Report.Failures, because a stage
// never imports another.
package report

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// Report is everything the page shows. Load fills what the staging
// database says; the caller adds Plan (or PlanError), Failures and Retry.
type Report struct {
	// Database is the staging database's path, as the user gave it.
	Database    string
	GeneratedAt time.Time

	Sources  []Source
	Staged   []Count
	Skipped  []SkipGroup
	Warnings []Warning

	// Findings are `mig check`'s, per rule; CheckedAt is when the last
	// rule that found something ran ("" when there are no findings).
	Findings  []RuleFindings
	CheckedAt string
	// LastCheck is the last `mig check` run (nil when none ran, or the
	// database predates check_runs); CheckCurrent says whether it ran
	// after the last ingest and exclusion, by the rule of mig status's next
	// step (sqlqueries/inspect/next_step.sql). With no findings, they tell
	// "found nothing" from "has not run".
	LastCheck    *CheckRun
	CheckCurrent bool

	// Plan is what `mig import --plan` would say now; PlanError says why
	// there is none.
	Plan      *Plan
	PlanError string

	Outcome  []Outcome
	Progress Progress
	Runs     []ImportRun
	Failures []FailureGroup
	// Retry are the commands that retry the failed rows.
	Retry []Command

	// Reconcile is nil when no reconciliation table exists.
	Reconcile *Reconcile
}

// Source is one source (and tenant) of users.
type Source struct {
	Source  string `db:"source"`
	Tenant  string `db:"source_tenant"`
	Staged  int64  `db:"staged"`
	Missing int64  `db:"missing"`
	Skipped int64  `db:"skipped"`
	// Excluded is the staged users excluded with `mig exclude`.
	Excluded int64 `db:"-"`
}

// Name is how the page names the source: "clerk", or "clerk (tenant)".
func (s Source) Name() string {
	if s.Tenant == "" {
		return s.Source
	}
	return s.Source + " (" + s.Tenant + ")"
}

// Count is a number of staged rows of one kind.
type Count struct {
	Entity string `db:"entity"`
	N      int64  `db:"n"`
}

// SkipGroup is the skipped rows of one source with the same reason, and
// where the first of them was.
type SkipGroup struct {
	Source   string `db:"source"`
	Tenant   string `db:"source_tenant"`
	Reason   string `db:"reason"`
	N        int64  `db:"n"`
	File     string `db:"file"`
	Line     int64  `db:"row_number"`
	SourceID string `db:"source_id"`
	Email    string `db:"email"`
}

// Where names the example row: its file's base name and line.
func (g SkipGroup) Where() string { return fmt.Sprintf("%s:%d", filepath.Base(g.File), g.Line) }

// Warning is how many warnings of one code a source gave.
type Warning struct {
	Source string `db:"source"`
	Code   string `db:"code"`
	N      int64  `db:"n"`
}

// RuleFindings is one check rule's findings: how many, what the rule
// means, and the first few.
type RuleFindings struct {
	Rule        string `db:"rule"`
	Severity    string `db:"severity"`
	N           int64  `db:"n"`
	CheckedAt   string `db:"checked_at"`
	Description string
	Examples    []Example

	// Excluded is how many of the N are about users set aside with `mig
	// exclude`: they block nothing, and totals leave them out.
	Excluded int64 `db:"-"`
}

// CheckRun is one `mig check` run.
type CheckRun struct {
	FinishedAt string `db:"finished_at"`
	Rules      int64  `db:"rules"`
}

// Example is one finding: where it is and what is wrong.
type Example struct {
	Rule     string `db:"rule"`
	Source   string `db:"source"`
	SourceID string `db:"source_id"`
	Line     int64  `db:"row_number"`
	Message  string `db:"message"`
}

// Plan is the importer's plan, as `mig import --plan` computes it.
type Plan struct {
	Rows []PlanRow
	// Requests on the happy path, by how WorkOS counts them.
	Writes, Reads, Other int64
	// Rates are the budgets in requests per second; 0 means unpaced.
	WriteRate, ReadRate, TotalRate float64
	Estimate                       time.Duration
}

// Requests is every request of the plan.
func (p *Plan) Requests() int64 { return p.Writes + p.Reads + p.Other }

// Seconds is the estimate in whole seconds, as the page's data carries it.
func (p *Plan) Seconds() int64 { return int64(p.Estimate / time.Second) }

// PlanRow is one kind of work on one entity.
type PlanRow struct {
	Entity   string
	Kind     string
	Rows     int64
	Requests int64
}

// Outcome is where one entity's import rows stand, as `mig import` sums
// them up (sqlqueries/importer/summary.sql).
type Outcome struct {
	Entity    string `db:"entity"`
	Total     int64  `db:"total"`
	Succeeded int64  `db:"succeeded"`
	Adopted   int64  `db:"adopted"`
	Updated   int64  `db:"updated"`
	Failed    int64  `db:"failed"`
	Skipped   int64  `db:"skipped"`
	Pending   int64  `db:"pending"`
}

// Progress is the settled import rows (done, failed, skipped) over time,
// cumulated per bucket of the span between the first and the last.
type Progress struct {
	Settled     int64  `db:"n"`
	First       string `db:"first_at"`
	Last        string `db:"last_at"`
	Done        int64
	Failed      int64
	Skipped     int64
	BucketWidth time.Duration
	// Points[k] is the count at the end of bucket k-1; Points[0] is the
	// start, all zero.
	Points []ProgressPoint
}

// ProgressPoint is how many rows had settled, per status, by a time.
type ProgressPoint struct {
	At                    time.Time
	Done, Failed, Skipped int64
}

// ImportRun is one `mig import`.
type ImportRun struct {
	ID       int64  `db:"id"`
	Endpoint string `db:"endpoint"`
	Started  string `db:"started_at"`
	Finished string `db:"finished_at"`
	Status   string `db:"status"`
}

// FailureGroup is one cause of failure, as `mig errors` groups them.
type FailureGroup struct {
	Entity           string
	Status           string
	HTTPStatus       int
	Code             string
	Subcodes         []string
	Retryable        bool
	Rows             int64
	ExampleRow       string
	ExampleMessage   string
	ExampleRequestID string
	Fix              string
}

// Command is a command line to run, and what it does.
type Command struct {
	Why  string
	Line string
}

// Reconcile is the summary of the last finished `mig reconcile`: its
// findings per entity and kind. No groups means WorkOS matched.
type Reconcile struct {
	Run    int64  `db:"id"`
	Status string `db:"status"`
	At     string `db:"finished_at"`
	Groups []ReconcileGroup
	Total  int64
}

// ReconcileGroup is the reconciliation findings of one kind on one entity.
type ReconcileGroup struct {
	Entity string `db:"entity"`
	Kind   string `db:"kind"`
	N      int64  `db:"n"`
}

// Options tune Load.
type Options struct {
	// Examples is the findings shown per rule (3 when 0).
	Examples int
	// EntityOrder lists the import's entities in the order it sends them
	// (importer.Entities); the outcome table follows it. An entity matches
	// a name equal to it or to it with an "s".
	EntityOrder []string
	// Buckets is the number of points of the progress chart (60 when 0).
	Buckets int
	// Now is the report's time (time.Now when zero).
	Now time.Time
}

// Load reads every number of the report from db, which should be open
// read-only (staging.OpenReadOnly): a report changes nothing.
func Load(ctx context.Context, db *staging.DB, opts Options) (*Report, error) {
	if opts.Examples <= 0 {
		opts.Examples = 3
	}
	if opts.Buckets <= 0 {
		opts.Buckets = 60
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	r := &Report{Database: db.Path, GeneratedAt: opts.Now.UTC()}
	// The importer's summary query may gain columns the page does not
	// show; an unsafe mapper ignores them instead of failing.
	q := db.Unsafe()
	var exclusionCols []string
	if err := q.SelectContext(ctx, &exclusionCols, sqlqueries.MustLoad("report/has_exclusions.sql").SQL); err != nil {
		return nil, fmt.Errorf("report: %w", db.Refused(err))
	}
	sel := func(dest any, path string, args ...any) error {
		query := sqlqueries.MustLoad(path).SQL
		if len(exclusionCols) == 0 {
			// A database no mig since `mig exclude` has written to lacks
			// the view open_findings (the report only reads, it cannot
			// bring the schema up to date), and there no user is excluded:
			// every finding is open.
			query = strings.ReplaceAll(query, "open_findings", "findings")
		}
		if err := q.SelectContext(ctx, dest, query, args...); err != nil {
			return fmt.Errorf("report %s: %w", path, db.Refused(err))
		}
		return nil
	}
	steps := []struct {
		dest any
		path string
	}{
		{&r.Sources, "report/sources.sql"},
		{&r.Staged, "report/staged_entities.sql"},
		{&r.Skipped, "report/skipped.sql"},
		{&r.Warnings, "report/warnings.sql"},
		{&r.Findings, "report/findings.sql"},
		{&r.Outcome, "importer/summary.sql"},
		{&r.Runs, "report/import_runs.sql"},
	}
	for _, s := range steps {
		if err := sel(s.dest, s.path); err != nil {
			return nil, err
		}
	}
	if err := r.loadExcluded(sel); err != nil {
		return nil, err
	}
	if err := r.loadFindingDetails(opts.Examples, sel); err != nil {
		return nil, err
	}
	if err := r.loadLastCheck(sel); err != nil {
		return nil, err
	}
	if err := r.loadExcludedFindings(sel); err != nil {
		return nil, err
	}
	sortOutcome(r.Outcome, opts.EntityOrder)
	if err := r.loadProgress(ctx, q, opts.Buckets, sel); err != nil {
		return nil, err
	}
	if err := r.loadReconcile(sel); err != nil {
		return nil, err
	}
	return r, nil
}

type selectFunc func(dest any, path string, args ...any) error

// loadFindingDetails adds each rule's description (its .sql header) and
// its first findings.
func (r *Report) loadFindingDetails(examples int, sel selectFunc) error {
	if len(r.Findings) == 0 {
		return nil
	}
	rules, err := sqlqueries.Dir("checks")
	if err != nil {
		return err
	}
	desc := map[string]string{}
	for _, q := range rules {
		desc[q.Name] = q.Get("description")
	}
	var ex []Example
	if err := sel(&ex, "report/finding_examples.sql", sql.Named("examples", examples)); err != nil {
		return err
	}
	byRule := map[string][]Example{}
	for _, e := range ex {
		byRule[e.Rule] = append(byRule[e.Rule], e)
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		f.Description = desc[f.Rule]
		f.Examples = byRule[f.Rule]
		if f.CheckedAt > r.CheckedAt {
			r.CheckedAt = f.CheckedAt
		}
	}
	return nil
}

// sortOutcome puts the entities in the import's order, under the names it
// gives them; those it does not name go last, by name.
func sortOutcome(out []Outcome, order []string) {
	for i := range out {
		for _, name := range order {
			if name == out[i].Entity || name == out[i].Entity+"s" {
				out[i].Entity = name
			}
		}
	}
	rank := func(entity string) int {
		for i, name := range order {
			if name == entity || name == entity+"s" {
				return i
			}
		}
		return len(order)
	}
	slices.SortStableFunc(out, func(a, b Outcome) int {
		if d := rank(a.Entity) - rank(b.Entity); d != 0 {
			return d
		}
		if a.Entity < b.Entity {
			return -1
		}
		if a.Entity > b.Entity {
			return 1
		}
		return 0
	})
}

// loadProgress cumulates the settled rows over buckets of the span between
// the first and the last of them.
func (r *Report) loadProgress(ctx context.Context, q *sqlx.DB, buckets int, sel selectFunc) error {
	p := &r.Progress
	if err := q.GetContext(ctx, p, sqlqueries.MustLoad("report/import_span.sql").SQL); err != nil {
		return fmt.Errorf("report import span: %w", err)
	}
	if p.Settled == 0 {
		return nil
	}
	first, err := time.Parse(time.RFC3339Nano, p.First)
	if err != nil {
		return fmt.Errorf("report import span: first updated_at %q: %w", p.First, err)
	}
	last, err := time.Parse(time.RFC3339Nano, p.Last)
	if err != nil {
		return fmt.Errorf("report import span: last updated_at %q: %w", p.Last, err)
	}
	width := last.Sub(first) / time.Duration(buckets)
	if width < time.Millisecond {
		width = time.Millisecond
	}
	p.BucketWidth = width
	var rows []struct {
		Bucket int    `db:"bucket"`
		Status string `db:"status"`
		N      int64  `db:"n"`
	}
	if err := sel(&rows, "report/import_progress.sql", sql.Named("start", p.First), sql.Named("width", width.Seconds())); err != nil {
		return err
	}
	n := min(int(last.Sub(first)/width)+1, buckets)
	per := make([]ProgressPoint, n)
	for _, row := range rows {
		k := min(max(row.Bucket, 0), n-1)
		switch row.Status {
		case "done":
			per[k].Done += row.N
			p.Done += row.N
		case "failed":
			per[k].Failed += row.N
			p.Failed += row.N
		case "skipped":
			per[k].Skipped += row.N
			p.Skipped += row.N
		}
	}
	p.Points = []ProgressPoint{{At: first}}
	var acc ProgressPoint
	for k := range per {
		acc.Done += per[k].Done
		acc.Failed += per[k].Failed
		acc.Skipped += per[k].Skipped
		acc.At = first.Add(time.Duration(k+1) * width)
		if acc.At.After(last) {
			acc.At = last
		}
		p.Points = append(p.Points, acc)
	}
	return nil
}

// loadReconcile summarises the last finished reconciliation, when one has
// run (a database from before reconcile existed has no reconcile_runs: the
// check is on the schema, so that the report still reads it).
func (r *Report) loadReconcile(sel selectFunc) error {
	var tables []string
	if err := sel(&tables, "report/reconcile_exists.sql"); err != nil {
		return err
	}
	if len(tables) == 0 {
		return nil
	}
	var runs []Reconcile
	if err := sel(&runs, "report/reconcile_last_run.sql"); err != nil {
		return err
	}
	if len(runs) == 0 {
		return nil
	}
	rec := runs[0]
	if err := sel(&rec.Groups, "report/reconcile_summary.sql"); err != nil {
		return err
	}
	for _, g := range rec.Groups {
		rec.Total += g.N
	}
	r.Reconcile = &rec
	return nil
}

// loadLastCheck reads the last check run and whether it is current, when
// the database has check_runs and exclusions (the next step reads both;
// exclusions came later), as a database no recent mig wrote to may not.
func (r *Report) loadLastCheck(sel selectFunc) error {
	var cols []string
	if err := sel(&cols, "report/has_exclusions.sql"); err != nil || len(cols) == 0 {
		return err
	}
	var runs []CheckRun
	if err := sel(&runs, "report/last_check.sql"); err != nil || len(runs) == 0 {
		return err
	}
	var next []struct {
		Step string `db:"step"`
	}
	if err := sel(&next, "inspect/next_step.sql"); err != nil {
		return err
	}
	r.LastCheck = &runs[0]
	r.CheckCurrent = len(next) == 1 && next[0].Step != "ingest" && next[0].Step != "check" && next[0].Step != "check_again"
	return nil
}

// loadExcludedFindings counts, per rule, the findings about excluded
// users, when the database has exclusions.
func (r *Report) loadExcludedFindings(sel selectFunc) error {
	if len(r.Findings) == 0 {
		return nil
	}
	var cols []string
	if err := sel(&cols, "report/has_exclusions.sql"); err != nil || len(cols) == 0 {
		return err
	}
	var counts []struct {
		Rule     string `db:"rule"`
		Severity string `db:"severity"`
		N        int64  `db:"n"`
	}
	if err := sel(&counts, "report/findings_excluded.sql"); err != nil {
		return err
	}
	for _, c := range counts {
		for i := range r.Findings {
			if f := &r.Findings[i]; f.Rule == c.Rule && f.Severity == c.Severity {
				f.Excluded = c.N
			}
		}
	}
	return nil
}

// loadExcluded adds to each source the users excluded from it, when the
// database has exclusions (a database no mig since `mig exclude` wrote to
// has none, and the report only reads).
func (r *Report) loadExcluded(sel selectFunc) error {
	var cols []string
	if err := sel(&cols, "report/has_exclusions.sql"); err != nil || len(cols) == 0 {
		return err
	}
	var counts []struct {
		Source string `db:"source"`
		Tenant string `db:"source_tenant"`
		N      int64  `db:"n"`
	}
	if err := sel(&counts, "report/excluded.sql"); err != nil {
		return err
	}
	for _, c := range counts {
		for i := range r.Sources {
			if r.Sources[i].Source == c.Source && r.Sources[i].Tenant == c.Tenant {
				r.Sources[i].Excluded = c.N
			}
		}
	}
	return nil
}

// UsersExcluded is the users excluded with `mig exclude` over every source.
func (r *Report) UsersExcluded() int64 {
	return r.sumSources(func(s Source) int64 { return s.Excluded })
}

// UsersStaged is the staged users over every source.
func (r *Report) UsersStaged() int64 { return r.sumSources(func(s Source) int64 { return s.Staged }) }

// UsersMissing is the users missing from their source's last export.
func (r *Report) UsersMissing() int64 { return r.sumSources(func(s Source) int64 { return s.Missing }) }

// UsersSkipped is the skipped source rows over every source.
func (r *Report) UsersSkipped() int64 { return r.sumSources(func(s Source) int64 { return s.Skipped }) }

func (r *Report) sumSources(f func(Source) int64) int64 {
	var n int64
	for _, s := range r.Sources {
		n += f(s)
	}
	return n
}

// FindingsOf is the number of findings of one severity.
func (r *Report) FindingsOf(severity string) int64 {
	var n int64
	for _, f := range r.Findings {
		if f.Severity == severity {
			n += f.N - f.Excluded
		}
	}
	return n
}

// OutcomeTotal sums the outcome over every entity.
func (r *Report) OutcomeTotal() Outcome {
	t := Outcome{Entity: "all"}
	for _, o := range r.Outcome {
		t.Total += o.Total
		t.Succeeded += o.Succeeded
		t.Adopted += o.Adopted
		t.Updated += o.Updated
		t.Failed += o.Failed
		t.Skipped += o.Skipped
		t.Pending += o.Pending
	}
	return t
}

// Imported says whether any import row exists.
func (r *Report) Imported() bool { return len(r.Outcome) > 0 }
