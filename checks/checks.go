// Package checks runs mig's validation rules over a staging database before
// anything is sent to WorkOS. Every rule is one .sql file in
// sqlqueries/checks: a SELECT returning one row per finding (entity,
// entity_id, source, source_id, row_number, message) under a header naming
// the rule, its severity, what it means and the fixes that repair it. Adding
// a rule is adding a file. Findings land in the findings table, replaced on
// each run for the rules that ran.
//
// Fixes (sqlqueries/fixes) are safe, deterministic SQL updates; each changed
// value is recorded in the fixes table with its value before and after, so
// UndoFixes can put it back.
package checks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// Severities, from blocking to informative. Error findings make `mig check`
// fail (Report.Err): the import would fail or lock users out.
const (
	Error   = "error"
	Warning = "warning"
	Info    = "info"
)

// Rule is one check: a SELECT over the staging schema and its header.
type Rule struct {
	Name        string   `json:"name"`
	Severity    string   `json:"severity"`
	Description string   `json:"description"`
	Fixes       []string `json:"fixes,omitempty"` // names of fixes in sqlqueries/fixes
	Path        string   `json:"-"`
	SQL         string   `json:"-"`
}

// Rules returns every rule in sqlqueries/checks, sorted by name. A rule file
// without a valid severity is an error: it is a mistake in mig, which the
// tests catch.
func Rules() ([]Rule, error) {
	qs, err := sqlqueries.Dir("checks")
	if err != nil {
		return nil, err
	}
	rules := make([]Rule, 0, len(qs))
	for _, q := range qs {
		r := Rule{Name: q.Name, Severity: q.Get("severity"), Description: q.Get("description"), Path: q.Path, SQL: selectBody(q.SQL)}
		switch r.Severity {
		case Error, Warning, Info:
		default:
			return nil, fmt.Errorf("rule %s: severity %q is not error, warning or info", q.Path, r.Severity)
		}
		for _, f := range strings.Split(q.Get("fix"), ",") {
			if f = strings.TrimSpace(f); f != "" {
				r.Fixes = append(r.Fixes, f)
			}
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// selectBody strips comment lines and the trailing semicolon, so the rule
// can be wrapped as a sub-query.
func selectBody(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(strings.TrimSpace(b.String()), ";")
}

// Options choose what Run does.
type Options struct {
	// Rules are the names of the rules to run; empty means all.
	Rules []string
	// Fix applies the safe fixes of the chosen rules before checking.
	Fix bool
	// LowercaseEmails, with Fix, lower-cases whole addresses instead of only
	// their domain.
	LowercaseEmails bool
	// DropInvalidPasswordHashes moves password hashes that WorkOS would
	// reject to source_password_digest, so those users import without a
	// password and must reset it. It is never part of Fix: it is asked for
	// by name.
	DropInvalidPasswordHashes bool
	// UndoFixes puts back every value earlier fixes changed (see
	// UndoFixes) before checking; it cannot be combined with fixes.
	UndoFixes bool
	// Examples is how many findings per rule the report carries (default 3).
	Examples int
	// Log receives progress; nil discards it.
	Log *slog.Logger
	// Progress, when set, is told how many of the chosen rules have run,
	// before the first and after each.
	Progress func(done, total int)
}

// Finding is one row of the findings table.
type Finding struct {
	Rule      string `db:"rule" json:"rule"`
	Severity  string `db:"severity" json:"severity"`
	Entity    string `db:"entity" json:"entity"`
	EntityID  *int64 `db:"entity_id" json:"entity_id"`
	Source    string `db:"source" json:"source"`
	SourceID  string `db:"source_id" json:"source_id"`
	RowNumber *int64 `db:"row_number" json:"row_number"`
	Message   string `db:"message" json:"message"`
}

// RuleResult is what one rule found.
type RuleResult struct {
	Rule
	Findings int `json:"findings"`
	// Excluded is how many of the findings are about users excluded with
	// `mig exclude` (view excluded_findings): those users are never sent,
	// so these findings block nothing.
	Excluded int           `json:"excluded,omitempty"`
	Examples []Finding     `json:"examples,omitempty"`
	Elapsed  time.Duration `json:"-"`
}

// Report is the outcome of Run.
type Report struct {
	Rules []RuleResult `json:"rules"`
	Fixes []FixResult  `json:"fixes,omitempty"`
	// Undone is what Options.UndoFixes put back (nil when not asked).
	Undone  *UndoResult   `json:"undone,omitempty"`
	Elapsed time.Duration `json:"-"`
}

// Count returns the number of findings of one severity.
func (r *Report) Count(severity string) int {
	n := 0
	for _, rr := range r.Rules {
		if rr.Severity == severity {
			n += rr.Findings
		}
	}
	return n
}

// Errors is the number of error-severity findings about anything but users
// excluded with `mig exclude`: when it is not zero the import must not
// start.
func (r *Report) Errors() int { return r.Open(Error) }

// Open returns the number of findings of one severity about anything but
// excluded users.
func (r *Report) Open(severity string) int { return r.Count(severity) - r.Excluded(severity) }

// Excluded returns the number of findings of one severity about excluded
// users.
func (r *Report) Excluded(severity string) int {
	n := 0
	for _, rr := range r.Rules {
		if rr.Severity == severity {
			n += rr.Excluded
		}
	}
	return n
}

// Warnings is the number of warning-severity findings about anything but
// excluded users.
func (r *Report) Warnings() int { return r.Open(Warning) }

// Err returns a *FindingsError when error findings remain, nil otherwise.
func (r *Report) Err() error {
	if n := r.Errors(); n > 0 {
		return &FindingsError{Errors: n}
	}
	return nil
}

// FindingsError says that error-severity findings remain; `mig check` exits
// with the code for findings.
type FindingsError struct{ Errors int }

func (e *FindingsError) Error() string {
	return fmt.Sprintf("%d error finding(s) remain; fix them before importing", e.Errors)
}

// Hint points at the findings and names the three ways on, since "fix
// them" alone leaves a first-time user guessing how.
func (e *FindingsError) Hint() string {
	return `mig sql "select rule, source_id, row_number, message from findings where severity = 'error'" lists them; ` +
		"then correct the source and ingest it again, set those users aside with mig exclude --id SOURCE_ID --reason TEXT, " +
		"or let mig import --ignore-check-errors skip their rows"
}

// Run applies the fixes asked for (or undoes the earlier ones), then runs
// the chosen rules on db and replaces their findings; a check of every
// rule also notes itself in check_runs. The fixes or their undoing, the
// findings and the check run are one transaction, so that the findings always describe the data as it is: a
// check killed half-way leaves the database as it was. It returns the
// report; findings of error severity are not an error of Run (see
// Report.Err).
func Run(ctx context.Context, db *staging.DB, opts Options) (*Report, error) {
	return RunDB(ctx, db.DB, opts)
}

// RunDB is Run on any database with the staging schema, such as a temporary
// one a package was ingested into. The database must have been opened by
// this process's sqlite driver after this package was loaded, which is
// always the case for a program that imports it.
func RunDB(ctx context.Context, db *sqlx.DB, opts Options) (*Report, error) {
	start, started := time.Now(), staging.Now()
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Examples == 0 {
		opts.Examples = 3
	}
	all, err := Rules()
	if err != nil {
		return nil, err
	}
	rules, err := choose(all, opts.Rules)
	if err != nil {
		return nil, err
	}
	if opts.UndoFixes && (opts.Fix || opts.DropInvalidPasswordHashes) {
		return nil, errors.New("undoing fixes cannot be combined with fixing")
	}
	rep := &Report{}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if opts.UndoFixes {
		res, err := undoFixes(ctx, tx)
		if err != nil {
			return nil, err
		}
		rep.Undone = &res
	}
	if opts.Fix || opts.DropInvalidPasswordHashes {
		fixes, err := applyFixes(ctx, tx, rules, opts)
		if err != nil {
			return nil, err
		}
		rep.Fixes = fixes
	}
	if len(opts.Rules) == 0 {
		// Findings of rules that no longer exist go too.
		_, err = tx.ExecContext(ctx, `DELETE FROM findings`)
	} else {
		names := make([]any, len(rules))
		for i, r := range rules {
			names[i] = r.Name
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM findings WHERE rule IN (`+placeholders(len(rules))+`)`, names...)
	}
	if err != nil {
		return nil, fmt.Errorf("clear findings: %w", err)
	}
	now := staging.Now()
	progress := opts.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	progress(0, len(rules))
	for i, r := range rules {
		t := time.Now()
		res, err := tx.ExecContext(ctx, sqlqueries.MustLoad("checkrun/record_findings.sql").Fill(map[string]string{"rule": r.SQL}),
			sql.Named("rule", r.Name), sql.Named("severity", r.Severity), sql.Named("now", now))
		if err != nil {
			return nil, fmt.Errorf("rule %s (%s): %w", r.Name, r.Path, unregistered(err))
		}
		n, _ := res.RowsAffected()
		rr := RuleResult{Rule: r, Findings: int(n), Elapsed: time.Since(t)}
		if n > 0 {
			if err := tx.SelectContext(ctx, &rr.Examples, sqlqueries.MustLoad("checkrun/finding_examples.sql").SQL,
				sql.Named("rule", r.Name), sql.Named("limit", opts.Examples)); err != nil {
				return nil, err
			}
		}
		log.Debug("rule", "rule", r.Name, "findings", n, "elapsed", rr.Elapsed.Round(time.Millisecond))
		rep.Rules = append(rep.Rules, rr)
		progress(i+1, len(rules))
	}
	if err := countExcluded(ctx, tx, rep); err != nil {
		return nil, err
	}
	if len(opts.Rules) == 0 {
		if _, err := tx.ExecContext(ctx, sqlqueries.MustLoad("checkrun/record_check_run.sql").SQL,
			started, staging.Now(), len(rep.Rules), rep.Errors(), rep.Warnings(), rep.Count(Info)); err != nil {
			return nil, fmt.Errorf("record the check run: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// countExcluded counts, per rule, the findings about users excluded with
// `mig exclude`. Without exclusions it reads nothing more than that there
// are none.
func countExcluded(ctx context.Context, tx *sqlx.Tx, rep *Report) error {
	var any bool
	if err := tx.GetContext(ctx, &any, `SELECT EXISTS (SELECT 1 FROM excluded_users)`); err != nil {
		return fmt.Errorf("read the exclusions: %w", err)
	}
	if !any {
		return nil
	}
	var counts []struct {
		Rule string `db:"rule"`
		N    int    `db:"n"`
	}
	if err := tx.SelectContext(ctx, &counts, `SELECT rule, count(*) AS n FROM excluded_findings GROUP BY rule`); err != nil {
		return fmt.Errorf("count the findings about excluded users: %w", err)
	}
	for _, c := range counts {
		for i := range rep.Rules {
			if rep.Rules[i].Name == c.Rule {
				rep.Rules[i].Excluded = c.N
			}
		}
	}
	return nil
}

// choose returns the rules named, in the order of all; an unknown name is
// an error listing the known ones.
func choose(all []Rule, names []string) ([]Rule, error) {
	if len(names) == 0 {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []Rule
	for _, r := range all {
		if want[r.Name] {
			out = append(out, r)
			delete(want, r.Name)
		}
	}
	if len(want) > 0 {
		var unknown, known []string
		for n := range want {
			unknown = append(unknown, n)
		}
		for _, r := range all {
			known = append(known, r.Name)
		}
		sort.Strings(unknown)
		return nil, &UnknownRuleError{Names: unknown, Known: known}
	}
	return out, nil
}

// UnknownRuleError is returned for a rule name that no file defines.
type UnknownRuleError struct{ Names, Known []string }

func (e *UnknownRuleError) Error() string {
	return fmt.Sprintf("no rule named %s; rules are: %s", strings.Join(e.Names, ", "), strings.Join(e.Known, ", "))
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// EachFinding calls fn for every row of the findings table, in the order
// they were found. It reads in pages, so no cursor stays open while fn runs
// and memory stays flat however many findings there are.
func EachFinding(ctx context.Context, db *sqlx.DB, fn func(Finding) error) error {
	const page = 5000
	var last int64
	for {
		var rows []struct {
			ID int64 `db:"id"`
			Finding
		}
		err := db.SelectContext(ctx, &rows, sqlqueries.MustLoad("checkrun/findings_page.sql").SQL,
			sql.Named("after", last), sql.Named("limit", page))
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r.Finding); err != nil {
				return err
			}
			last = r.ID
		}
		if len(rows) < page {
			return nil
		}
	}
}
