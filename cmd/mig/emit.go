package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/emit"
	"github.com/mig-tools/mig/pkgcontract"
	"github.com/mig-tools/mig/progress"
	"github.com/mig-tools/mig/staging"
)

func init() { register(configureEmitCmd) }

func configureEmitCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var o emit.Options
	var generatedAt string
	var asJSON bool
	cmd := app.Command("emit", "Write what is staged as a migration package (the directory workos-migrate import-package reads).")
	cmd.Flag("output-dir", "Directory of the package; written to a temporary directory next to it and renamed into place.").Short('o').Required().StringVar(&o.Dir)
	cmd.Flag("overwrite", "Replace the package already in --output-dir.").BoolVar(&o.Overwrite)
	cmd.Flag("include-secrets", "Write SSO secrets (client secrets, signing and encryption keys); redacted by default.").BoolVar(&o.IncludeSecrets)
	cmd.Flag("entities", "Entities that get rows: users, organizations, memberships, roles, totp, sso (comma-separated; default all).").StringsVar(&o.EntitiesRequested)
	cmd.Flag("provider", "Provider named in the manifest (default: the staged users' source).").StringVar(&o.Provider)
	cmd.Flag("source-tenant", "Source tenant named in the manifest (default: the staged source's tenant).").StringVar(&o.SourceTenant)
	cmd.Flag("workers", "Files written at once, each from its own read-only connection (default: one per CPU, at most 4).").IntVar(&o.Workers)
	cmd.Flag("generated-at", "Manifest timestamp (RFC 3339), to make packages byte-identical; default now.").StringVar(&generatedAt)
	cmd.Flag("json", "Print the result as JSON on stdout: the package's path, provider, files, counts and warnings.").BoolVar(&asJSON)
	return cmd, func(ctx context.Context, e *env) error {
		if generatedAt != "" {
			t, err := time.Parse(time.RFC3339Nano, generatedAt)
			if err != nil {
				return usageError{fmt.Sprintf("--generated-at %q: %v", generatedAt, err)}
			}
			o.GeneratedAt = t
		}
		o.EntitiesRequested = splitList(o.EntitiesRequested)
		o.StaleRemoved = func(p string) {
			fmt.Fprintf(e.Stderr, "removed %s, the temporary directory of an interrupted emit\n", p)
		}
		db, err := staging.OpenExisting(ctx, e.DB)
		if err != nil {
			return dbHint(err)
		}
		defer db.Close()
		// The bar starts with the users' pass, after what emit says
		// before it (a stale directory removed).
		var bar *progress.Task
		o.Progress = func(done, total int64) {
			if bar == nil {
				bar = progress.Start(e.Stderr, barsOn(e), "emit", "users", total)
			}
			bar.SetTotal(total)
			bar.SetCurrent(done)
		}
		res, err := emit.Write(ctx, db, o)
		bar.Done()
		if err != nil {
			return err
		}
		for _, w := range res.Manifest.Warnings {
			fmt.Fprintf(e.Stderr, "warning: %s\n", w)
		}
		if asJSON {
			return writeEmitJSON(e.Stdout, res)
		}
		c := res.Manifest.EntitiesExported
		fmt.Fprintf(e.Stdout, "package %s (provider %s)\n", res.Dir, res.Manifest.Provider)
		fmt.Fprintf(e.Stdout, "  users                  %d\n", c.Users)
		fmt.Fprintf(e.Stdout, "  organizations          %d\n", c.Organizations)
		fmt.Fprintf(e.Stdout, "  memberships            %d\n", c.Memberships)
		fmt.Fprintf(e.Stdout, "  role definitions       %d\n", c.RoleDefinitions)
		fmt.Fprintf(e.Stdout, "  role assignments       %d\n", c.UserRoleAssignments)
		fmt.Fprintf(e.Stdout, "  TOTP secrets           %d\n", c.TOTPSecrets)
		fmt.Fprintf(e.Stdout, "  SAML / OIDC            %d / %d\n", c.SAMLConnections, c.OIDCConnections)
		fmt.Fprintf(e.Stdout, "  warnings               %d\n", c.Warnings)
		fmt.Fprintf(e.Stdout, "  skipped users          %d\n", c.SkippedUsers)
		return nil
	}
}

// writeEmitJSON prints what `mig emit --json` reports: the manifest's own
// files, counts and warnings, under the package's path, so that a script
// reads the same names the manifest uses.
func writeEmitJSON(w io.Writer, res *emit.Result) error {
	warnings := res.Manifest.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Path     string                     `json:"path"`
		Provider string                     `json:"provider"`
		Files    pkgcontract.OrderedStrings `json:"files"`
		Counts   pkgcontract.Counts         `json:"counts"`
		Warnings []string                   `json:"warnings"`
	}{res.Dir, res.Manifest.Provider, res.Manifest.Files, res.Manifest.EntitiesExported, warnings})
}

// splitList accepts both repeated flags and comma-separated values.
func splitList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
