package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/totp"
	"github.com/mig-tools/mig/staging"
)

func init() { register(configureIngestTOTPCmd) }

func configureIngestTOTPCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var o totp.Options
	var asJSON bool
	cmd := ingestCmd(app).Command("totp", "Merge TOTP secrets exported from any source (CSV or NDJSON) into the users staged before, "+
		"matched by user_id, else by email.")
	cmd.Arg("file", "CSV (email or user_id, totp_secret[, totp_issuer, totp_user]) or NDJSON (totp_secret, secret or Auth0's mfa_factors); - reads standard input.").
		Required().SetValue(inputFile{&o.File})
	cmd.Flag("totp-issuer", "Issuer shown in authenticator apps, for secrets whose record names none.").StringVar(&o.Issuer)
	cmd.Flag("source", "Match only the users of this source (auth0, clerk, csv, ...); default every source.").StringVar(&o.Users.Provider)
	cmd.Flag("source-tenant", "With --source: only the users of this tenant of it.").StringVar(&o.Users.Tenant)
	cmd.Flag("json", "Print the counts as JSON on stdout.").BoolVar(&asJSON)
	settings := ingestSettingsFlags(cmd, false)
	return cmd, func(ctx context.Context, e *env) error {
		if o.Users.Tenant != "" && o.Users.Provider == "" {
			return usageError{"--source-tenant goes with --source"}
		}
		o.Log = e.Log
		o.Settings = settings(e)
		return runSupplement(ctx, e, totp.Provider, o.File, asJSON, "mig ingest SOURCE ... (the users first)",
			func(db *staging.DB) (ingest.SupplementCounts, error) { return totp.Ingest(ctx, db, o) })
	}
}

// runSupplement opens the staging database, which must hold the users the
// file adds to (a supplement never creates one), runs fn and reports it.
func runSupplement(ctx context.Context, e *env, name, file string, asJSON bool, first string,
	fn func(*staging.DB) (ingest.SupplementCounts, error)) error {
	db, err := staging.OpenExisting(ctx, e.DB)
	if errors.Is(err, staging.ErrNoDatabase) {
		return withHint(err, first+"; pass --db PATH for a database elsewhere")
	}
	if err != nil {
		return dbHint(err)
	}
	c, err := fn(db)
	db.Close()
	if errors.Is(err, ingest.ErrUnchanged) {
		fmt.Fprintf(e.Stderr, "mig ingest %s: nothing to do: %v\n", name, err)
		c.NoOp = true
		if asJSON {
			return json.NewEncoder(e.Stdout).Encode(c)
		}
		return nil
	}
	if err != nil {
		return explainBusy(e.DB, err)
	}
	if asJSON {
		return json.NewEncoder(e.Stdout).Encode(c)
	}
	fmt.Fprintf(e.Stdout, "merge run %d: %s (%s)\n", c.RunID, file, name)
	fmt.Fprintf(e.Stdout, "  records read      %d\n", c.Records)
	fmt.Fprintf(e.Stdout, "  merged            %d  (by source id %d, by email %d)\n", c.Merged, c.BySourceID, c.ByEmail)
	fmt.Fprintf(e.Stdout, "  not found         %d\n", c.NotFound)
	fmt.Fprintf(e.Stdout, "  unsupported       %d\n", c.Unsupported)
	for _, x := range []struct {
		label string
		n     int
	}{{"ambiguous", c.Ambiguous}, {"duplicate", c.Duplicate}, {"email differs", c.EmailDiffers}, {"invalid secrets", c.Invalid}} {
		if x.n > 0 {
			fmt.Fprintf(e.Stdout, "  %-17s %d\n", x.label, x.n)
		}
	}
	fmt.Fprintf(e.Stdout, "  warnings          %d\n", c.Warnings)
	if c.Warnings > 0 {
		fmt.Fprintln(e.Stderr, suggest(e.DB, fmt.Sprintf(`See: mig sql "select status, count(*) from supplement_rows group by status"; mig sql "select code, file, row_number, message from warnings where source = '%s'"`, name)))
	}
	return nil
}
