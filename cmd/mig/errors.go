package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/staging"
)

func init() { register(configureErrorsCmd) }

// configureErrorsCmd declares `mig errors`: the import's failures grouped
// by cause, each with whether a retry can help and the fix to apply.
func configureErrorsCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var retryCSV string
	var asJSON bool
	cmd := app.Command("errors", "Import failures grouped by cause, retryable or not, with the fix to apply.")
	cmd.Flag("retry-csv", "Also write every failed row with its cause to this CSV file.").StringVar(&retryCSV)
	cmd.Flag("json", "Print the groups as JSON.").BoolVar(&asJSON)
	return cmd, func(ctx context.Context, e *env) error {
		db, err := staging.OpenReadOnly(ctx, e.DB)
		if err != nil {
			return dbHint(err)
		}
		defer db.Close()
		groups, err := importer.Errors(ctx, db)
		if err != nil {
			return err
		}
		if retryCSV != "" {
			f, err := os.OpenFile(retryCSV, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
			if err != nil {
				return fmt.Errorf("--retry-csv: %w", err)
			}
			n, err := importer.WriteRetryCSV(ctx, db, f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("--retry-csv %s: %w", retryCSV, err)
			}
			fmt.Fprintf(e.Stderr, "wrote %d rows to %s\n", n, retryCSV)
		}
		if len(groups) == 0 {
			// Said on stderr with --json too: stdout stays an empty list.
			var runs int
			if err := db.GetContext(ctx, &runs, `SELECT count(*) FROM import_runs`); err != nil {
				return err
			}
			if runs == 0 {
				fmt.Fprintln(e.Stderr, "no failed rows: no import has run yet (mig import --plan shows what one would send)")
			} else {
				fmt.Fprintln(e.Stderr, "no failed rows")
			}
		}
		if asJSON {
			if groups == nil {
				groups = []importer.ErrorGroup{}
			}
			enc := json.NewEncoder(e.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(groups)
		}
		printErrorGroups(e.Stdout, e.DB, groups)
		return nil
	}
}

// printErrorGroups prints one block per cause: the count and code, an
// example, the fix, whose commands name the database at dbPath, and the
// section of the troubleshooting page that explains it (a path in the
// user's clone of the repository).
func printErrorGroups(w io.Writer, dbPath string, groups []importer.ErrorGroup) {
	for i, g := range groups {
		if i > 0 {
			fmt.Fprintln(w)
		}
		retry := "not retryable"
		if g.Retryable {
			retry = "retryable"
		}
		code := g.Code
		if len(g.Subcodes) > 0 {
			code += " (" + strings.Join(g.Subcodes, ", ") + ")"
		}
		status := ""
		if g.HTTPStatus != 0 {
			status = fmt.Sprintf("HTTP %d ", g.HTTPStatus)
		}
		fmt.Fprintf(w, "%d %s %s: %s%s, %s\n", g.Rows, g.Entity, g.Status, status, code, retry)
		example := g.ExampleMessage
		if g.ExampleRow != "" {
			example = g.ExampleRow + ": " + example
		}
		fmt.Fprintf(w, "  e.g. %s\n", example)
		if g.ExampleRequestID != "" {
			fmt.Fprintf(w, "  request id %s\n", g.ExampleRequestID)
		}
		fmt.Fprintf(w, "  fix: %s\n", suggest(dbPath, g.Fix))
		fmt.Fprintf(w, "  more: %s\n", g.Doc)
	}
}
