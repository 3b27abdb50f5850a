package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"text/tabwriter"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/checks"
	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

func init() { register(configureStatusCmd) }

func configureStatusCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var asJSON bool
	cmd := app.Command("status", "Counts of what is staged, skipped, warned about, checked and imported.")
	cmd.Flag("json", "Print JSON instead of a table.").BoolVar(&asJSON)
	return cmd, func(ctx context.Context, e *env) error { return runStatus(ctx, e, asJSON) }
}

// runStatus prints the status report of the database at e.DB.
func runStatus(ctx context.Context, e *env, asJSON bool) error {
	{
		db, err := staging.OpenReadOnly(ctx, e.DB)
		if err != nil {
			return dbHint(err)
		}
		defer db.Close()
		var rows []struct {
			Entity string `db:"entity" json:"entity"`
			Stage  string `db:"stage" json:"stage"`
			N      int64  `db:"n" json:"count"`
		}
		if err := db.SelectContext(ctx, &rows, sqlqueries.MustLoad("inspect/status.sql").SQL); err != nil {
			return fmt.Errorf("status: %w", err)
		}
		if has, err := hasTables(ctx, db, "exclusions"); err != nil {
			return err
		} else if has {
			// Counted apart from status.sql: a database no mig since `mig
			// exclude` has written to has no exclusions table, and status
			// only reads.
			var n int64
			if err := db.GetContext(ctx, &n, `SELECT count(*) FROM excluded_users`); err != nil {
				return fmt.Errorf("status: %w", err)
			}
			for i, r := range rows {
				if r.Entity == "users" && r.Stage == "skipped" {
					rows = slices.Insert(rows, i+1, rows[i])
					rows[i+1].Stage, rows[i+1].N = "excluded (mig exclude; never sent)", n
					break
				}
			}
		}
		var warn []struct {
			Code string `db:"code" json:"code"`
			N    int64  `db:"n" json:"count"`
		}
		if err := db.SelectContext(ctx, &warn, `SELECT code, count(*) AS n FROM warnings GROUP BY code ORDER BY n DESC, code`); err != nil {
			return err
		}
		var runs []struct {
			ID       int64  `db:"id" json:"id"`
			Provider string `db:"provider" json:"provider"`
			Tenant   string `db:"source_tenant" json:"source_tenant"`
			Finished string `db:"finished_at" json:"finished_at"`
			Rows     int64  `db:"rows_read" json:"rows_read"`
		}
		if err := db.SelectContext(ctx, &runs, sqlqueries.MustLoad("cmd/recent_ingests.sql").SQL); err != nil {
			return err
		}
		next, err := readNextStep(ctx, db)
		if err != nil {
			return err
		}
		if asJSON {
			enc := json.NewEncoder(e.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(map[string]any{"database": e.DB, "counts": rows, "warnings_by_code": warn, "recent_ingests": runs, "next_step": next})
		}
		tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "ENTITY\tSTAGE\tCOUNT\n")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%d\n", r.Entity, r.Stage, r.N)
		}
		tw.Flush()
		if len(warn) > 0 {
			fmt.Fprintln(e.Stdout)
			tw = tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "WARNING\tCOUNT\n")
			for _, w := range warn {
				fmt.Fprintf(tw, "%s\t%d\n", w.Code, w.N)
			}
			tw.Flush()
		}
		if len(runs) > 0 {
			fmt.Fprintln(e.Stdout)
			tw = tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "INGEST RUN\tPROVIDER\tTENANT\tROWS\tFINISHED\n")
			for _, r := range runs {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\n", r.ID, r.Provider, r.Tenant, r.Rows, r.Finished)
			}
			tw.Flush()
		}
		// The next step is advice for people, not data: stderr.
		fmt.Fprintf(e.Stderr, "\nNext: %s\n  %s\n", next.Command, next.Why)
		return nil
	}
}

// nextStep is the step to take next, as `mig status` ends with it.
type nextStep struct {
	// Step names the state the database is in (see
	// sqlqueries/inspect/next_step.sql, which decides it; readNextStep
	// tells exclude from fix by the rules' headers).
	Step    string `json:"step"`
	Command string `json:"command"`
	Why     string `json:"why"`
}

// readNextStep reads the migration's state with next_step.sql and says
// what to run next and why, in words, naming db in the commands it
// suggests when it is not the default database.
func readNextStep(ctx context.Context, db *staging.DB) (nextStep, error) {
	n, err := nextStepOf(ctx, db)
	n.Command, n.Why = suggest(db.Path, n.Command), suggest(db.Path, n.Why)
	return n, err
}

// nextStepOf is readNextStep's step, with its commands as if db were the
// default database.
func nextStepOf(ctx context.Context, db *staging.DB) (nextStep, error) {
	var f struct {
		Step          string `db:"step"`
		Users         int64  `db:"users"`
		Skipped       int64  `db:"skipped"`
		CheckStale    bool   `db:"check_stale"`
		CheckErrors   int64  `db:"check_errors"`
		ErrorRules    string `db:"error_rules"`
		Excluded      int64  `db:"excluded"`
		ImportFailed  int64  `db:"import_failed"`
		ImportPending int64  `db:"import_pending"`
		ImportDone    int64  `db:"import_done"`
		ReconcileErrs int64  `db:"reconcile_errors"`
	}
	if has, err := hasTables(ctx, db, "check_runs", "exclusions"); err != nil {
		return nextStep{}, err
	} else if !has {
		// A database no mig since check_runs and exclusions has written
		// to: only a check can say how it stands (and it brings the schema
		// up to date).
		return nextStep{"check", "mig check", "no check of this database is recorded"}, nil
	}
	if err := db.GetContext(ctx, &f, sqlqueries.MustLoad("inspect/next_step.sql").SQL); err != nil {
		return nextStep{}, fmt.Errorf("next step: %w", err)
	}
	if f.Step == "fix" {
		// Which rules have a fix is in the rule files' headers, not in the
		// database: errors of rules without one are corrected in the
		// export, or their users set aside.
		fixable, err := anyFixable(f.ErrorRules)
		if err != nil {
			return nextStep{}, err
		}
		if !fixable {
			f.Step = "exclude"
		}
	}
	n := nextStep{Step: f.Step}
	switch f.Step {
	case "ingest":
		n.Command = "mig ingest SOURCE FILE   (mig ingest --help lists the sources)"
		n.Why = "nothing is staged"
		if f.Skipped > 0 {
			n.Why = fmt.Sprintf("nothing is staged: %d user(s) read and skipped (mig sql \"select reason, count(*) from skipped_users group by reason\")", f.Skipped)
		}
	case "check":
		n.Command = "mig check"
		n.Why = fmt.Sprintf("%d staged user(s), not checked yet", f.Users)
	case "check_again":
		n.Command = "mig check"
		n.Why = "an ingest ran after the last check, so its findings are out of date"
		if !f.CheckStale {
			n.Why = "users were excluded, or made importable again, after the last check started, so its findings are out of date"
		}
	case "fix":
		n.Command = `mig sql "select rule, source_id, message from findings where severity = 'error'"`
		n.Why = fmt.Sprintf("%d error finding(s) block the import: see them, then mig check --fix for the safe fixes, "+
			"or correct the export and ingest it again (or set their users aside: mig exclude)", f.CheckErrors)
	case "exclude":
		n.Command = `mig exclude --where "id IN (SELECT user_id FROM finding_users WHERE severity = 'error')" --dry-run`
		n.Why = fmt.Sprintf("%d error finding(s) block the import, and no safe fix repairs them: correct the export and ingest it again, "+
			`or set the users they concern aside (see them: mig sql "select rule, source_id, message from findings where severity = 'error'"; `+
			`then the command above without --dry-run, with --reason "why")`, f.CheckErrors)
	case "plan":
		n.Command = "mig import --plan"
		n.Why = "checked with no errors: see what an import would send (or write a package: mig emit --output-dir DIR)"
	case "import":
		n.Command = "mig import"
		n.Why = fmt.Sprintf("%d row(s) not imported yet: an import resumes where the last one stopped", f.ImportPending)
		if f.ImportPending == 0 {
			n.Why = "an ingest ran after the last import: the new and changed rows are not in WorkOS yet"
		}
	case "retry":
		n.Command = "mig errors"
		n.Why = fmt.Sprintf("%d row(s) failed to import: mig errors says why and what to fix, then mig import --retry-failed", f.ImportFailed)
	case "reconcile":
		n.Command = "mig reconcile"
		n.Why = fmt.Sprintf("every staged row is imported (%d row(s) done); read WorkOS back and compare, with the --endpoint and key the import used", f.ImportDone)
	case "differences":
		n.Command = "mig report"
		n.Why = fmt.Sprintf("the last reconciliation found WorkOS different from what was imported (%d finding(s), in reconcile_findings and the report); "+
			"mig import --retry-failed --all sends again what is missing or different, then mig reconcile once more", f.ReconcileErrs)
	case "done":
		n.Command = "nothing: the migration is done"
		n.Why = fmt.Sprintf("every staged row is imported (%d row(s) done) and the last reconciliation found WorkOS as imported", f.ImportDone)
	default:
		return nextStep{}, fmt.Errorf("next_step.sql gave the step %q, which status does not know", f.Step)
	}
	return n, nil
}

// anyFixable reports whether any of the rules named (a JSON array) has a
// fix.
func anyFixable(rulesJSON string) (bool, error) {
	var names []string
	if err := json.Unmarshal([]byte(rulesJSON), &names); err != nil {
		return false, fmt.Errorf("next step: error_rules %q: %w", rulesJSON, err)
	}
	rules, err := checks.Rules()
	if err != nil {
		return false, err
	}
	for _, r := range rules {
		if len(r.Fixes) > 0 && slices.Contains(names, r.Name) {
			return true, nil
		}
	}
	return false, nil
}

// hasTables reports whether the database holds every table named: status
// only reads, so it cannot bring an older schema up to date.
func hasTables(ctx context.Context, db *staging.DB, names ...string) (bool, error) {
	var n int
	for _, name := range names {
		var one int
		if err := db.GetContext(ctx, &one, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, name); err != nil {
			return false, err
		}
		n += one
	}
	return n == len(names), nil
}
