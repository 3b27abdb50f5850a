package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/checks"
	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/progress"
	"github.com/mig-tools/mig/staging"
)

func init() { register(configureImportCmd) }

// configureImportCmd declares `mig import`: what is staged goes to WorkOS,
// resumably, with each row's state kept in the staging database.
func configureImportCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var o importer.Options
	var only []string
	var summaryFile string
	var asJSON, dry bool
	var orgID string
	cmd := app.Command("import", "Import what is staged into WorkOS; resumable: run it again after Ctrl-C or a crash.")
	cmd.Flag("api-key", "WorkOS secret key (sk_...). Never written anywhere.").Envar("WORKOS_SECRET_KEY").StringVar(&o.APIKey)
	cmd.Flag("endpoint", "WorkOS API base URL.").Envar("WORKOS_API_URL").Default(importer.DefaultEndpoint).StringVar(&o.Endpoint)
	cmd.Flag("concurrency", "Requests in flight at most.").Default(fmt.Sprint(importer.DefaultConcurrency)).IntVar(&o.Concurrency)
	cmd.Flag("rate-limit", "Requests per second for every budget; 0 keeps under WorkOS's published limits (48 user-management writes/s).").Default("0").Float64Var(&o.RateLimit)
	cmd.Flag("only", "Import only these: "+strings.Join(importer.Entities, ",")+" (comma-separated or repeated).").StringsVar(&only)
	cmd.Flag("org-id", "Put every staged user into this existing WorkOS organization (org_...).").StringVar(&orgID)
	cmd.Flag("create-orgs", "Create organizations referenced by external id that WorkOS lacks, when their name is known.").BoolVar(&o.CreateOrgs)
	cmd.Flag("limit", "Import at most N users in this run (with their memberships and factors), to try a sample first.").IntVar(&o.Limit)
	cmd.Flag("plan", "Only show what would be sent: rows and requests per entity, and the time at the rate limit.").BoolVar(&o.Plan)
	cmd.Flag("dry-run", "Send everything to an in-process WorkOS emulator holding nothing, on a copy of the database: shows duplicates and org lookups; changes nothing.").BoolVar(&dry)
	cmd.Flag("retry-failed", "Retry rows that failed with a retryable error (429, 5xx, no answer).").BoolVar(&o.RetryFailed)
	cmd.Flag("all", "With --retry-failed: retry every failed row.").BoolVar(&o.RetryAll)
	cmd.Flag("ignore-check-errors", "Start although mig check reports errors; the rows they concern are skipped, with the finding as the reason.").BoolVar(&o.IgnoreCheckErrors)
	cmd.Flag("summary", "Write the summary as JSON to this file.").StringVar(&summaryFile)
	cmd.Flag("json", "Print the summary as JSON on stdout instead of a table.").BoolVar(&asJSON)
	return cmd, func(ctx context.Context, e *env) error {
		if o.RetryAll && !o.RetryFailed {
			return usageError{"--all goes with --retry-failed"}
		}
		if o.Plan && dry {
			return usageError{"--plan and --dry-run are different runs; pick one"}
		}
		if u, err := url.Parse(o.Endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return usageError{fmt.Sprintf("--endpoint %q: want an http(s) URL such as %s", o.Endpoint, importer.DefaultEndpoint)}
		}
		o.Only = only
		if orgID != "" {
			// The memberships are source data given on the command line:
			// ingest stages them, in the run's own transaction once it may
			// start (see importer.Options.Prepare).
			o.Prepare = func(ctx context.Context, tx *sqlx.Tx) error { return ingest.AddOrgMemberships(ctx, tx, orgID) }
		}
		o.Log = e.Log
		o.Progress = e.Stderr
		o.ProgressTTY = progress.IsTerminal(e.Stderr)
		db, err := staging.OpenExisting(ctx, e.DB)
		if err != nil {
			return dbHint(err)
		}
		defer db.Close()
		if !o.Plan && !dry && o.APIKey == "" {
			return &importer.AuthError{}
		}
		if !o.Plan && !dry {
			if err := runErrorChecks(ctx, e, db); err != nil {
				return err
			}
		}
		var s *importer.Summary
		var runErr error
		if dry {
			s, runErr = dryRun(ctx, db, o)
		} else {
			s, runErr = importer.Run(ctx, db, o)
		}
		if s == nil {
			return runErr
		}
		if summaryFile != "" {
			b, _ := json.MarshalIndent(s, "", "  ")
			// Private, as every file mig writes about the migration: a dry
			// run's failures name users.
			if err := os.WriteFile(summaryFile, append(b, '\n'), 0o600); err != nil {
				return errors.Join(runErr, fmt.Errorf("--summary: %w", err))
			}
		}
		if asJSON {
			enc := json.NewEncoder(e.Stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(s); err != nil {
				return err
			}
			return runErr
		}
		switch {
		case s.Plan != nil:
			printPlan(e.Stdout, s.Plan)
			printPlanCheckErrors(e.Stdout, e.DB, s.Plan)
			printNotSent(e.Stdout, e.DB, "not importable", s.Plan.NotImportable)
			printExcluded(e.Stdout, e.DB, s.Plan.Excluded)
		default:
			printImportSummary(e.Stdout, e.DB, s)
			if s.DryRun {
				fmt.Fprintln(e.Stdout)
				if len(s.Failures) == 0 {
					fmt.Fprintln(e.Stdout, "dry run: every row went through")
				} else {
					fmt.Fprintln(e.Stdout, "dry run: what a real run would meet")
					printErrorGroups(e.Stdout, e.DB, s.Failures)
				}
			}
			fmt.Fprintf(e.Stderr, "%d requests (%d user-management writes, %d reads), %d retries, %d answered 429, in %s\n",
				s.Requests.Requests, s.Requests.Writes, s.Requests.Reads, s.Requests.Retries, s.Requests.RateLimited,
				(time.Duration(s.Seconds * float64(time.Second))).Round(100*time.Millisecond))
		}
		return runErr
	}
}

// runErrorChecks runs the error-severity rules of mig check before a real
// import, so that the findings the import refuses to start on (or, with
// --ignore-check-errors, skips the rows of) are those of the staging as it
// is now, whether or not mig check was run, and since the last ingest.
// The rules are the same SQL files mig check runs; the warnings and infos
// are left to mig check.
func runErrorChecks(ctx context.Context, e *env, db *staging.DB) error {
	rules, err := checks.Rules()
	if err != nil {
		return err
	}
	var names []string
	for _, r := range rules {
		if r.Severity == checks.Error {
			names = append(names, r.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	rep, err := checks.Run(ctx, db, checks.Options{Rules: names, Log: e.Log})
	if err != nil {
		return fmt.Errorf("check the staging before the import: %w", err)
	}
	fmt.Fprintf(e.Stderr, "mig check, error rules: %d findings from %d rules in %s\n",
		rep.Errors(), len(names), rep.Elapsed.Round(time.Millisecond))
	return nil
}

// printImportSummary prints where every import row stands, one line per
// entity in import order. `mig demo` prints it too. The commands it
// suggests name the database at dbPath (see suggest), as do those of the
// other printers of this file.
func printImportSummary(w io.Writer, dbPath string, s *importer.Summary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "ENTITY\tTOTAL\tSUCCEEDED\tADOPTED\tUPDATED\tFAILED\tSKIPPED\tPENDING\n")
	for _, name := range importer.Entities {
		c, ok := s.Entities[name]
		if !ok {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", name, c.Total, c.Succeeded, c.Adopted, c.Updated, c.Failed, c.Skipped, c.Pending)
	}
	tw.Flush()
	if s.Warnings > 0 {
		fmt.Fprintln(w, suggest(dbPath, fmt.Sprintf(`%d import warnings: mig sql "select code, message from warnings where source = 'import'"`, s.Warnings)))
	}
	printNotSent(w, dbPath, "not sent", s.NotSent)
}

// printNotSent says what no import can send, one line per reason, so that
// nothing is dropped without a word.
func printNotSent(w io.Writer, dbPath, label string, ns []importer.NotSent) {
	for _, n := range ns {
		fmt.Fprintf(w, "%s: %d %s (%s): %s\n  fix: %s\n  list them: %s\n", label, n.N, n.What, n.Reason, n.Why, suggest(dbPath, n.Fix),
			suggest(dbPath, fmt.Sprintf(`mig sql "select * from role_assignments_not_sent where reason = '%s'"`, n.Reason)))
	}
}

// printExcluded says what `mig exclude` holds back from the import.
func printExcluded(w io.Writer, dbPath string, xs []importer.EntityCount) {
	if len(xs) == 0 {
		return
	}
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%d %s", x.N, x.Entity)
	}
	fmt.Fprint(w, suggest(dbPath, fmt.Sprintf("excluded: %s, never sent (mig exclude)\n  list them: mig sql --query users_excluded\n  send them after all: mig exclude --undo\n",
		strings.Join(parts, ", "))))
}

func printPlan(w io.Writer, p *importer.Plan) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "ENTITY\tKIND\tROWS\tREQUESTS\n")
	for _, r := range p.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\n", r.Entity, r.Kind, r.Rows, r.Requests)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nrequests: %d user-management writes, %d user-management reads, %d others\n", p.Writes, p.Reads, p.Other)
	if p.WriteRate == 0 {
		fmt.Fprintln(w, "rate: unpaced")
		return
	}
	fmt.Fprintf(w, "rate: %.0f writes/s, %.0f reads/s, %.0f requests/s in all\n", p.WriteRate, p.ReadRate, p.TotalRate)
	fmt.Fprintf(w, "estimated time: %s\n", p.Estimate)
}

// printPlanCheckErrors says why a real run would refuse to start.
func printPlanCheckErrors(w io.Writer, dbPath string, p *importer.Plan) {
	if len(p.CheckErrors) == 0 {
		return
	}
	parts := make([]string, len(p.CheckErrors))
	for i, r := range p.CheckErrors {
		parts[i] = fmt.Sprintf("%s (%d)", r.Rule, r.N)
	}
	fmt.Fprintln(w, suggest(dbPath, fmt.Sprintf("check errors open: %s; an import refuses to start until they are fixed (mig check), or skips their rows with --ignore-check-errors", strings.Join(parts, ", "))))
}
