package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"text/tabwriter"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/staging"
)

func init() { register(configureReconcileCmd) }

// configureReconcileCmd declares `mig reconcile`: WorkOS read back and
// compared with what this staging database imported.
func configureReconcileCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var o importer.ReconcileOptions
	var report, factors string
	cmd := app.Command("reconcile", "Read WorkOS back and compare it with what was imported: missing, different, duplicated and unstaged objects; exit 6 on any difference.")
	cmd.Flag("api-key", "WorkOS secret key (sk_...). Never written anywhere.").Envar("WORKOS_SECRET_KEY").StringVar(&o.APIKey)
	cmd.Flag("endpoint", "WorkOS API base URL.").Envar("WORKOS_API_URL").Default(importer.DefaultEndpoint).StringVar(&o.Endpoint)
	cmd.Flag("report", "Write the summary and every finding as JSON to this file (created 0600).").StringVar(&report)
	cmd.Flag("factors", "all reads every imported user's factors, one read per user (about 10,000 s per million users at the read limit); staged only those of users with an imported TOTP factor.").Default("all").EnumVar(&factors, "all", "staged")
	cmd.Flag("concurrency", "Requests in flight at most while memberships and factors are read.").Default(fmt.Sprint(importer.DefaultConcurrency)).IntVar(&o.Concurrency)
	cmd.Flag("rate-limit", "Requests per second for every budget; 0 keeps under WorkOS's published limits (97 user-management reads/s).").Default("0").Float64Var(&o.RateLimit)
	return cmd, func(ctx context.Context, e *env) error {
		if u, err := url.Parse(o.Endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return usageError{fmt.Sprintf("--endpoint %q: want an http(s) URL such as %s", o.Endpoint, importer.DefaultEndpoint)}
		}
		o.StagedFactorsOnly = factors == "staged"
		o.Log = e.Log
		db, err := staging.OpenExisting(ctx, e.DB)
		if err != nil {
			return dbHint(err)
		}
		defer db.Close()
		if o.APIKey == "" {
			return &importer.AuthError{}
		}
		s, runErr := importer.Reconcile(ctx, db, o)
		if s == nil {
			return runErr
		}
		var diff *importer.DifferencesError
		if runErr != nil && !errors.As(runErr, &diff) {
			return runErr
		}
		if report != "" {
			if err := writeReconcileReport(ctx, db, s, report); err != nil {
				return errors.Join(runErr, err)
			}
			fmt.Fprintf(e.Stderr, "wrote the report to %s\n", report)
		}
		printReconcile(e.Stdout, e.DB, s)
		fmt.Fprintf(e.Stderr, "read %d users, %d organizations, %d memberships, %d factors in %d requests (%d retries, %d answered 429)\n",
			s.Read.Users, s.Read.Organizations, s.Read.Memberships, s.Read.Factors,
			s.Requests.Requests, s.Requests.Retries, s.Requests.RateLimited)
		return runErr
	}
}

// writeReconcileReport writes the report to a private file: findings
// quote names, emails and metadata.
func writeReconcileReport(ctx context.Context, db *staging.DB, s *importer.ReconcileSummary, path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	err = importer.WriteReconcileReport(ctx, db, s, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--report %s: %w", path, err)
	}
	return nil
}

// printReconcile prints, per entity, the rows compared and the findings by
// kind, then the verdict; its command names the database at dbPath.
func printReconcile(w io.Writer, dbPath string, s *importer.ReconcileSummary) {
	kinds := []string{"missing", "different", "duplicate", "not_staged"}
	type key struct{ entity, kind, severity string }
	n := map[key]int64{}
	for _, c := range s.Counts {
		n[key{c.Entity, c.Kind, c.Severity}] += c.N
	}
	compared := map[string]importer.EntityCompared{}
	for _, c := range s.Compared {
		compared[c.Entity] = c
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "ENTITY\tCOMPARED\tNOT IMPORTED\tMISSING\tDIFFERENT\tDUPLICATE\tNOT STAGED\tINFO\n")
	for _, entity := range []string{"user", "organization", "membership", "totp"} {
		c := compared[entity]
		var found, info int64
		for _, k := range kinds {
			found += n[key{entity, k, "error"}]
			info += n[key{entity, k, "info"}]
		}
		if c.Compared+c.NotImported+found+info == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d", entity, c.Compared, c.NotImported)
		for _, k := range kinds {
			fmt.Fprintf(tw, "\t%d", n[key{entity, k, "error"}])
		}
		fmt.Fprintf(tw, "\t%d\n", info)
	}
	tw.Flush()
	if s.Clean {
		fmt.Fprintf(w, "clean: every imported row is in WorkOS as staged (run %d", s.RunID)
		if s.Infos > 0 {
			fmt.Fprintf(w, "; %d informational findings", s.Infos)
		}
		fmt.Fprintln(w, ")")
		return
	}
	fmt.Fprintln(w, suggest(dbPath, fmt.Sprintf(`%d differences (run %d): mig sql "select entity, kind, field, message from reconcile_findings where run_id = %d and severity = 'error'"`,
		s.Errors, s.RunID, s.RunID)))
}
