package main

import (
	"context"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/migpackage"
	"github.com/mig-tools/mig/ingest/roles"
	"github.com/mig-tools/mig/staging"
)

func init() {
	register(configureIngestPackageCmd)
	register(configureIngestCSVCmd)
	register(configureIngestRolesCmd)
}

func configureIngestPackageCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var o migpackage.Options
	var asJSON bool
	cmd := ingestCmd(app).Command("package", "Ingest a migration package (written by workos-migrate, by mig emit, or by hand).")
	cmd.Arg("dir", "The package directory (with manifest.json and users.csv).").Required().ExistingDirVar(&o.Dir)
	cmd.Flag("provider", "Source name in staging (default: the manifest's provider).").StringVar(&o.Provider)
	cmd.Flag("source-tenant", "Source tenant in staging (default: the manifest's sourceTenant).").StringVar(&o.Tenant)
	cmd.Flag("json", "Print the counts as JSON on stdout.").BoolVar(&asJSON)
	settings := ingestSettingsFlags(cmd, true)
	return cmd, func(ctx context.Context, e *env) error {
		o.Settings = settings(e)
		return runIngest(ctx, e, "package", o.Dir, asJSON, func(db *staging.DB) (ingest.Counts, error) {
			return migpackage.IngestPackage(ctx, db, o)
		})
	}
}

func configureIngestCSVCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var o migpackage.CSVOptions
	var asJSON bool
	cmd := ingestCmd(app).Command("csv", "Ingest a flat CSV in the WorkOS import format (email, password, password_hash, ..., org_id, org_external_id, org_name, role_slugs).")
	cmd.Arg("file", "The users CSV (- reads standard input); a user in several organizations takes one row per organization.").Required().SetValue(inputFile{&o.File})
	cmd.Flag("totp", "CSV of TOTP secrets: email,totp_secret[,totp_issuer,totp_user].").ExistingFileVar(&o.TOTPFile)
	cmd.Flag("source-tenant", "Name of this CSV source, to keep two CSV sources apart in one database.").StringVar(&o.Tenant)
	cmd.Flag("json", "Print the counts as JSON on stdout.").BoolVar(&asJSON)
	settings := ingestSettingsFlags(cmd, true)
	return cmd, func(ctx context.Context, e *env) error {
		o.Settings = settings(e)
		return runIngest(ctx, e, "csv", o.File, asJSON, func(db *staging.DB) (ingest.Counts, error) {
			return migpackage.IngestCSV(ctx, db, o)
		})
	}
}

func configureIngestRolesCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var o roles.Options
	var asJSON bool
	cmd := ingestCmd(app).Command("roles", "Ingest role definitions and, optionally, a user-role mapping for users already staged.")
	cmd.Flag("definitions", "CSV: role_slug,role_name,role_type,permissions[,org_id,org_external_id]; permissions comma-separated.").ExistingFileVar(&o.Definitions)
	cmd.Flag("user-mapping", "CSV: email, external_id or user_id, and role_slug; several rows per user allowed.").ExistingFileVar(&o.UserMapping)
	cmd.Flag("org-id", "WorkOS organization id for organization roles without one and for the mapped roles.").StringVar(&o.OrgID)
	cmd.Flag("source-tenant", "Name of this role source, to keep two apart in one database.").StringVar(&o.Tenant)
	cmd.Flag("json", "Print the counts as JSON on stdout.").BoolVar(&asJSON)
	settings := ingestSettingsFlags(cmd, false)
	return cmd, func(ctx context.Context, e *env) error {
		o.Settings = settings(e)
		if o.Definitions == "" && o.UserMapping == "" {
			return usageError{"give --definitions, --user-mapping or both"}
		}
		file := o.Definitions
		if file == "" {
			file = o.UserMapping
		}
		return runIngest(ctx, e, "roles", file, asJSON, func(db *staging.DB) (ingest.Counts, error) {
			return roles.Ingest(ctx, db, o)
		})
	}
}
