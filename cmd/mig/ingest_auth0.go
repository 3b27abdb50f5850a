package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/auth0"
	"github.com/mig-tools/mig/staging"
)

func init() {
	register(configureIngestAuth0Cmd)
	register(configureIngestAuth0PasswordsCmd)
}

func configureIngestAuth0Cmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var o auth0.Options
	var entities, orgs []string
	var asJSON bool
	cmd := ingestCmd(app).Command("auth0", "Ingest an Auth0 tenant through the Management API: users, organizations, memberships, roles and SSO connections. "+
		"Resumable: run it again with the same flags after an interruption.")
	cmd.Flag("domain", "The tenant's domain (my-tenant.us.auth0.com), or a base URL (https://login.example.com).").Envar("AUTH0_DOMAIN").StringVar(&o.Domain)
	cmd.Flag("client-id", "Client id of a machine-to-machine application authorized for the Management API.").Envar("AUTH0_CLIENT_ID").StringVar(&o.ClientID)
	cmd.Flag("client-secret", "Its client secret. Never written anywhere.").Envar("AUTH0_CLIENT_SECRET").StringVar(&o.ClientSecret)
	cmd.Flag("entities", "What to read: "+strings.Join(auth0.AllEntities, ",")+" (comma-separated or repeated; default all).").StringsVar(&entities)
	cmd.Flag("orgs", "Read only these organizations (org_..., comma-separated or repeated).").StringsVar(&orgs)
	oneOf(cmd.Flag("engine", "How users are read: the users list (at most 1,000 users) or a users-exports job.").Default(auth0.EngineManagementAPI),
		&o.Engine, auth0.EngineManagementAPI, auth0.EngineBulkJob)
	cmd.Flag("connection-id", "Read only the users of this connection (con_...).").StringVar(&o.ConnectionID)
	cmd.Flag("include-federated-users", "Stage users who sign in only through social or enterprise connections (they have no password).").BoolVar(&o.IncludeFederated)
	cmd.Flag("include-blocked", "Stage users Auth0 has blocked (WorkOS has no blocked state: they could sign in).").BoolVar(&o.IncludeBlocked)
	cmd.Flag("use-metadata", "Read memberships from app_metadata fields instead of the organizations' members.").BoolVar(&o.UseMetadata)
	cmd.Flag("metadata-org-id-field", "With --use-metadata: the app_metadata field holding the organization id (a string or a list).").StringVar(&o.MetadataOrgIDField)
	cmd.Flag("metadata-org-name-field", "With --use-metadata: the app_metadata field holding the organization name (a string or a list).").StringVar(&o.MetadataOrgNameField)
	cmd.Flag("allow-user-metadata-org", "With --use-metadata: read the fields from user_metadata too, which users can edit themselves.").BoolVar(&o.AllowUserMetadataOrg)
	cmd.Flag("include-secrets", "Stage the SSO connections' client secrets and private keys for the handoff files (left out by default).").BoolVar(&o.IncludeSecrets)
	cmd.Flag("rate-limit", "Management API requests per second at most; -1 for no pacing (429 answers are waited out either way).").
		Default(fmt.Sprint(auth0.DefaultRateLimit)).Float64Var(&o.RateLimit)
	mappingFlags(cmd, auth0.MappingUserColumns, &o.OrgMapping, &o.RoleMapping)
	cmd.Flag("source-tenant", "Name of this Auth0 tenant in staging, to keep two tenants apart in one database.").StringVar(&o.Tenant)
	cmd.Flag("json", "Print the counts as JSON on stdout.").BoolVar(&asJSON)
	settings := ingestSettingsFlags(cmd, true)
	return cmd, func(ctx context.Context, e *env) error {
		o.Entities, o.Orgs = splitList(entities), splitList(orgs)
		if o.RateLimit == 0 {
			return usageError{"--rate-limit 0 would send nothing; give a number of requests per second, or -1 for no pacing"}
		}
		if err := o.Validate(); err != nil {
			return usageError{err.Error()}
		}
		o.Log = e.Log
		o.Settings = settings(e)
		return runIngest(ctx, e, auth0.ProviderName, o.Domain, asJSON, func(db *staging.DB) (ingest.Counts, error) {
			return auth0.Ingest(ctx, db, o)
		})
	}
}

func configureIngestAuth0PasswordsCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var o auth0.PasswordOptions
	var asJSON bool
	cmd := ingestCmd(app).Command("auth0-passwords", "Merge the password hash export Auth0 support sends (NDJSON) into the Auth0 users staged before.")
	cmd.Arg("file", "The password export (- reads standard input).").Required().SetValue(inputFile{&o.File})
	cmd.Flag("match-email", "Join a record whose $oid names no staged user by its email (off: only the Auth0 id joins).").BoolVar(&o.MatchEmail)
	cmd.Flag("source-tenant", "The --source-tenant the users were ingested with.").StringVar(&o.Tenant)
	cmd.Flag("json", "Print the counts as JSON on stdout.").BoolVar(&asJSON)
	settings := ingestSettingsFlags(cmd, false)
	return cmd, func(ctx context.Context, e *env) error {
		o.Log = e.Log
		o.Settings = settings(e)
		return runSupplement(ctx, e, auth0.PasswordsProvider, o.File, asJSON, "mig ingest auth0 (the users first)",
			func(db *staging.DB) (ingest.SupplementCounts, error) { return auth0.IngestPasswords(ctx, db, o) })
	}
}
