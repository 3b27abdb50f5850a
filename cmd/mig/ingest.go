package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/clerk"
	"github.com/mig-tools/mig/progress"
	"github.com/mig-tools/mig/staging"
)

func init() { register(configureIngestClerkCmd) }

// ingestCmd returns the shared `mig ingest` command; each source adds its
// own sub-command to it.
func ingestCmd(app *kingpin.Application) *kingpin.CmdClause {
	if c := app.GetCommand("ingest"); c != nil {
		return c
	}
	return app.Command("ingest", "Load a source export into the staging database (one transaction per ingest).")
}

func configureIngestClerkCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var o clerk.Options
	var asJSON bool
	cmd := ingestCmd(app).Command("clerk", "Ingest a Clerk dashboard CSV export, with optional org and role mapping files.")
	cmd.Arg("file", "The Clerk CSV export (- reads standard input).").Required().SetValue(inputFile{&o.UsersFile})
	mappingFlags(cmd, []string{clerk.MappingUserColumn}, &o.OrgMapping, &o.RoleMapping)
	cmd.Flag("source-tenant", "Name of this Clerk instance, to keep two instances apart in one database.").StringVar(&o.Tenant)
	cmd.Flag("totp-issuer", "Issuer shown in authenticator apps for migrated TOTP factors.").StringVar(&o.TOTPIssuer)
	cmd.Flag("json", "Print the counts as JSON on stdout.").BoolVar(&asJSON)
	var ent clerk.EnterpriseOptions
	cmd.Flag("secret-key", "The instance's secret key (sk_live_... or sk_test_...): also read its enterprise SAML and OIDC connections "+
		"from the Backend API for the SSO handoff. Used for the requests only, never stored.").Envar(clerk.SecretKeyEnv).StringVar(&ent.SecretKey)
	cmd.Flag("clerk-api-url", "The Backend API's base URL.").Default(clerk.DefaultBackendAPI).StringVar(&ent.BaseURL)
	cmd.Flag("include-secrets", "Stage the secrets the connections carry (left out, with a warning, by default).").BoolVar(&o.IncludeSecrets)
	settings := ingestSettingsFlags(cmd, true)
	return cmd, func(ctx context.Context, e *env) error {
		o.Log = e.Log
		o.Settings = settings(e)
		if ent.SecretKey != "" {
			e.Log.Info("reading the instance's enterprise SSO connections too", "api", ent.BaseURL)
			ent.Log = e.Log
			o.Enterprise = &ent
		}
		return runIngest(ctx, e, "clerk", o.UsersFile, asJSON, func(db *staging.DB) (ingest.Counts, error) {
			return clerk.Ingest(ctx, db, o)
		})
	}
}

// mappingFlags declares --org-mapping and --role-mapping, the same for
// every source that takes mapping files; userColumns are the columns its
// files may name a user by (ingest.Mappings.UserColumns).
func mappingFlags(cmd *kingpin.CmdClause, userColumns []string, org, role *string) {
	user := strings.Join(userColumns, " or ")
	cmd.Flag("org-mapping", "CSV mapping "+user+" to org_id, org_external_id and/or org_name (several lines per user allowed).").ExistingFileVar(org)
	cmd.Flag("role-mapping", "CSV mapping "+user+" to role_slug (several lines per user allowed).").ExistingFileVar(role)
}

// ingestSettingsFlags declares the flags every ingest shares and returns
// what fills ingest.Settings from them; users says whether the command
// stages users, and so takes --accept-missing.
func ingestSettingsFlags(cmd *kingpin.CmdClause, users bool) func(e *env) ingest.Settings {
	maxField := cmd.Flag("max-field-bytes", "Largest CSV field accepted, e.g. 4MiB; a row may hold 16 fields of that size. "+
		"Larger input is an error, so that memory stays bounded.").Default("1MiB").Bytes()
	var accept bool
	if users {
		cmd.Flag("accept-missing", "Accept a re-ingest that marks more than half of the source's staged users missing "+
			"(the users were really removed from the source).").BoolVar(&accept)
	}
	return func(e *env) ingest.Settings {
		e.ingestProgress = &ingest.Progress{}
		return ingest.Settings{Limits: ingest.Limits{MaxFieldBytes: int64(*maxField)}, AcceptMissing: accept, Stdin: e.Stdin, Log: e.Log,
			Progress: e.ingestProgress}
	}
}

// inputFile is a file argument that must exist, or be "-" for standard
// input (read once, into a private copy: see ingest.Settings).
type inputFile struct{ path *string }

func (v inputFile) Set(s string) error {
	// kingpin 2.4 hands a lone "-" over as "", so both mean standard input
	// (an empty path names no file anyway).
	if s == "-" || s == "" {
		*v.path = ingest.Stdin
		return nil
	}
	// The same words as kingpin's ExistingFile.
	st, err := os.Stat(s)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("path '%s' does not exist", s)
	case err != nil:
		return err
	case st.IsDir():
		return fmt.Errorf("'%s' is a directory", st.Name())
	}
	*v.path = s
	return nil
}

func (v inputFile) String() string { return *v.path }

// runIngest opens the staging database, runs one source's ingest and
// reports it: the body every `mig ingest` sub-command shares.
func runIngest(ctx context.Context, e *env, provider, file string, asJSON bool, fn func(*staging.DB) (ingest.Counts, error)) error {
	db, err := staging.Open(ctx, e.DB)
	if err != nil {
		return dbHint(err)
	}
	shown := showIngestProgress(e)
	c, err := fn(db)
	shown.Done()
	if err != nil && !errors.Is(err, ingest.ErrUnchanged) {
		// A failed first ingest into a new path leaves no empty database.
		if derr := db.Discard(); derr != nil {
			e.Log.Warn("the new database of this failed ingest was not removed", "db", e.DB, "err", derr)
		}
	} else {
		db.Close()
	}
	return reportIngest(e, provider, file, c, err, asJSON)
}

// showIngestProgress shows how the ingest advances on stderr, as check
// and emit do: its phase, the users staged (or fetched, from an API) and,
// for file sources, the share of the input read (the bytes read, while
// standard input is copied and its size is not known yet).
func showIngestProgress(e *env) *progress.Watch {
	p := e.ingestProgress
	if p == nil {
		return nil
	}
	return progress.StartWatch(e.Stderr, barsOn(e), "ingest", "users", func() progress.State {
		s := p.Snapshot()
		st := progress.State{Phase: s.Phase, Count: s.Users, Done: s.Read, Total: s.Size}
		if s.Size == 0 && s.Read > 0 {
			st.Detail = byteSize(uint64(s.Read)) + " read"
		}
		return st
	})
}

// reportIngest prints what an ingest did: counts on stdout (a table, or JSON
// with --json), and turns "already ingested" into a success.
func reportIngest(e *env, provider, file string, c ingest.Counts, err error, asJSON bool) error {
	if errors.Is(err, ingest.ErrUnchanged) {
		fmt.Fprintf(e.Stderr, "mig ingest %s: nothing to do: %v\n", provider, err)
		c.NoOp = true
		if asJSON {
			return json.NewEncoder(e.Stdout).Encode(c)
		}
		return nil
	}
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(e.Stdout).Encode(c)
	}
	fmt.Fprintf(e.Stdout, "ingest run %d: %s (%s)\n", c.RunID, file, provider)
	fmt.Fprintf(e.Stdout, "  rows read         %d\n", c.Rows)
	fmt.Fprintf(e.Stdout, "  users new         %d\n", c.New)
	fmt.Fprintf(e.Stdout, "  users changed     %d\n", c.Changed)
	fmt.Fprintf(e.Stdout, "  users unchanged   %d\n", c.Unchanged)
	if c.Missing > 0 {
		fmt.Fprintf(e.Stdout, "  users missing     %d  (staged before, not in this export; kept)\n", c.Missing)
	}
	fmt.Fprintf(e.Stdout, "  users skipped     %d\n", c.Skipped)
	fmt.Fprintf(e.Stdout, "  warnings          %d\n", c.Warnings)
	fmt.Fprintf(e.Stdout, "staged in total: %d organizations, %d memberships, %d role assignments, %d TOTP secrets\n",
		c.Orgs, c.Members, c.Roles, c.TOTP)
	// The hint names only the tables this run wrote to.
	var see []string
	if c.Skipped > 0 {
		see = append(see, `mig sql "select * from skipped_users"`)
	}
	if c.Warnings > 0 {
		see = append(see, `mig sql "select code, count(*) from warnings group by code"`)
	}
	if len(see) > 0 {
		fmt.Fprintln(e.Stderr, suggest(e.DB, "See: "+strings.Join(see, "; ")))
	}
	return nil
}
