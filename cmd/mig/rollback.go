package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/staging"
)

func init() { register(configureRollbackCmd) }

// configureRollbackCmd declares `mig rollback`: delete from WorkOS what this
// staging database's imports created, resumably.
func configureRollbackCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var o importer.RollbackOptions
	var only []string
	var asJSON bool
	cmd := app.Command("rollback", "Delete from WorkOS what this database's imports created (never what they adopted), newest first; resumable: run it again after Ctrl-C or a crash.")
	cmd.Flag("api-key", "WorkOS secret key (sk_...). Never written anywhere.").Envar("WORKOS_SECRET_KEY").StringVar(&o.APIKey)
	cmd.Flag("endpoint", "WorkOS API base URL; only what was created through it is deleted.").Envar("WORKOS_API_URL").Default(importer.DefaultEndpoint).StringVar(&o.Endpoint)
	cmd.Flag("only", "Roll back only these: "+strings.Join(importer.Entities, ",")+" (comma-separated or repeated).").StringsVar(&only)
	cmd.Flag("dry-run", "List what would be deleted, with counts, from the database alone; nothing is sent.").BoolVar(&o.DryRun)
	cmd.Flag("include-active", "Also delete users who signed in since the import (kept otherwise, with the reason).").BoolVar(&o.IncludeActive)
	cmd.Flag("accept-missing", "Go on although none of the newest objects to delete is in WorkOS (deleted by other means); they are recorded as gone.").BoolVar(&o.AcceptMissing)
	cmd.Flag("concurrency", "Requests in flight at most.").Default(fmt.Sprint(importer.DefaultConcurrency)).IntVar(&o.Concurrency)
	cmd.Flag("rate-limit", "Requests per second for every budget; 0 keeps under WorkOS's published limits (48 user-management writes/s).").Default("0").Float64Var(&o.RateLimit)
	cmd.Flag("json", "Print the summary as JSON on stdout instead of a table.").BoolVar(&asJSON)
	return cmd, func(ctx context.Context, e *env) error {
		if u, err := url.Parse(o.Endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return usageError{fmt.Sprintf("--endpoint %q: want an http(s) URL such as %s", o.Endpoint, importer.DefaultEndpoint)}
		}
		o.Only = only
		o.Log = e.Log
		var db *staging.DB
		var err error
		if o.DryRun {
			db, err = staging.OpenReadOnly(ctx, e.DB)
		} else {
			db, err = staging.OpenExisting(ctx, e.DB)
		}
		if err != nil {
			return dbHint(err)
		}
		defer db.Close()
		if !o.DryRun && o.APIKey == "" {
			return &importer.AuthError{}
		}
		if o.DryRun && !asJSON {
			o.PlanTo = e.Stdout
		}
		s, runErr := importer.Rollback(ctx, db, o)
		if s == nil {
			return runErr
		}
		if asJSON {
			enc := json.NewEncoder(e.Stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(s); err != nil {
				return err
			}
			return runErr
		}
		if s.DryRun {
			fmt.Fprintln(e.Stdout)
		}
		printRollback(e.Stdout, e.DB, s)
		if !s.DryRun {
			fmt.Fprintf(e.Stderr, "%d requests (%d user-management writes, %d reads), %d retries, %d answered 429\n",
				s.Requests.Requests, s.Requests.Writes, s.Requests.Reads, s.Requests.Retries, s.Requests.RateLimited)
		}
		return runErr
	}
}

// printRollback prints where the created objects stand (or, for a dry run,
// what would be deleted), what was kept and why, and what was left alone;
// its commands name the database at dbPath.
func printRollback(w io.Writer, dbPath string, s *importer.RollbackSummary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if s.DryRun {
		fmt.Fprintf(tw, "ENTITY\tCREATED\tTO DELETE\tWITH THEIR USER\tTO KEEP\n")
		for _, c := range s.Entities {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", c.Entity, c.Total, c.Pending, c.WithParent, c.Kept)
		}
		tw.Flush()
		fmt.Fprintln(w, "dry run: nothing was sent; users who signed in since the import are kept unless --include-active (checked when the rollback runs)")
	} else {
		fmt.Fprintf(tw, "ENTITY\tCREATED\tDELETED\tKEPT\tFAILED\tPENDING\n")
		for _, c := range s.Entities {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\n", c.Entity, c.Total, c.Deleted, c.Kept, c.Failed, c.Pending)
		}
		tw.Flush()
		var kept int64
		for _, c := range s.Entities {
			kept += c.Kept + c.Failed
		}
		for _, k := range s.Kept {
			fmt.Fprintf(w, "%s %s %s: %s\n", k.Status, k.Entity, k.WorkOSID, k.Reason)
		}
		if more := kept - int64(len(s.Kept)); more > 0 {
			fmt.Fprintln(w, suggest(dbPath, fmt.Sprintf(`... and %d more: mig sql "select entity, workos_id, status, reason from rollback_items where status in ('kept', 'failed')"`, more)))
		}
	}
	for _, l := range s.Left {
		fmt.Fprintf(w, "left alone: %d %s\n", l.N, l.What)
	}
}
