package auth0

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/staging"
)

// ProviderName is Auth0's name in staging (users.source, ingest_runs).
const ProviderName = "auth0"

// MappingUserColumn is the column of an org- or role-mapping file that
// names an Auth0 user by its user_id.
const MappingUserColumn = "auth0_user_id"

// MappingUserColumns are the columns a mapping file may name a user by:
// the Auth0 user_id, or the generic ones.
var MappingUserColumns = []string{MappingUserColumn, ingest.UserIDColumn, ingest.ExternalIDColumn, ingest.EmailColumn}

// fetchResource is the spool resource the fetch's Checkpoint is saved
// under: the fetch goes through the tenant in one fixed order of phases,
// so one cursor says how far it got.
const fetchResource = "fetch"

// Ingest reads the tenant o names and stages it in one transaction.
//
// The staging database is the checkpoint: the fetch hands its records to
// the kit's spool, saving them with the Checkpoint after every page, so an
// ingest interrupted mid-way and started again with the same options goes
// on from the last saved page instead of fetching the tenant again. With
// the bulk-job engine the users are not spooled: the fetch only creates
// the users-exports job (its id is saved, so the job is not created again)
// and the export file is streamed into the ingest's transaction by
// ReadExport; an interrupted ingest reads the same job's file again from
// its start.
//
// The client secret is used for the token request only: it is not among
// the options the run records and keys its spool by.
func Ingest(ctx context.Context, db *staging.DB, o Options) (ingest.Counts, error) {
	if err := o.Validate(); err != nil {
		return ingest.Counts{}, err
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	spec := o.spec()
	sp, err := ingest.OpenSpool(ctx, db, spec)
	if err != nil {
		return ingest.Counts{}, err
	}
	var cp Checkpoint
	if c, ok := sp.Cursor(fetchResource); ok {
		if err := json.Unmarshal([]byte(c), &cp); err != nil {
			return ingest.Counts{}, fmt.Errorf("auth0: the saved position of the interrupted fetch cannot be read: %w", err)
		}
	}
	switch {
	case sp.Fetched():
		o.Log.Info("auth0: the tenant was fetched by an earlier try; staging it")
	case sp.Resumed() && cp.Phase != "":
		o.Log.Info("auth0: going on with the interrupted fetch", "phase", cp.Phase)
	}
	if !sp.Fetched() {
		err := Fetch(ctx, o, sp, cp, func(c Checkpoint) error {
			b, err := json.Marshal(c)
			if err != nil {
				return err
			}
			cp = c
			return sp.Checkpoint(ctx, fetchResource, string(b))
		})
		if err != nil {
			return ingest.Counts{}, err
		}
		if err := sp.Done(ctx); err != nil {
			return ingest.Counts{}, err
		}
	}
	spec.Spool = sp
	if o.engine() == EngineBulkJob && o.wants(EntityUsers) {
		spec.Decode = func(ctx context.Context, _ ingest.Inputs, sink ingest.DefinitionSink) error {
			return ReadExport(ctx, o, cp, sink)
		}
	}
	return ingest.Ingest(ctx, db, spec)
}

// spec is the kit's Spec of an ingest of o. Its Options are everything
// that changes what is fetched (never a secret): another value starts a
// new fetch rather than resuming one.
func (o Options) spec() ingest.Spec {
	opts := map[string]any{
		"domain":   strings.TrimRight(strings.TrimSpace(o.Domain), "/"),
		"entities": o.entities(),
		"engine":   o.engine(),
	}
	put := func(k string, v any, set bool) {
		if set {
			opts[k] = v
		}
	}
	put("orgs", o.Orgs, len(o.Orgs) > 0)
	put("connection_id", o.ConnectionID, o.ConnectionID != "")
	put("include_federated_users", true, o.IncludeFederated)
	put("include_blocked", true, o.IncludeBlocked)
	put("use_metadata", true, o.UseMetadata)
	put("metadata_org_id_field", o.MetadataOrgIDField, o.MetadataOrgIDField != "")
	put("metadata_org_name_field", o.MetadataOrgNameField, o.MetadataOrgNameField != "")
	put("allow_user_metadata_org", true, o.AllowUserMetadataOrg)
	// What the run states in full even when the tenant has none of it:
	// memberships, member roles, the role catalog and the SSO connections
	// it was asked for replace those an earlier ingest staged.
	var complete []ingest.Kind
	if o.wants(EntityMemberships) {
		complete = append(complete, ingest.Memberships)
		if o.wants(EntityRoles) {
			complete = append(complete, ingest.RoleAssignments)
		}
	}
	if o.wants(EntityRoles) {
		complete = append(complete, ingest.RoleDefinitions)
	}
	if o.wants(EntitySSO) {
		complete = append(complete, ingest.SSOConnections)
	}
	return ingest.Spec{
		Source:         ingest.Source{Provider: ProviderName, Tenant: o.Tenant},
		Options:        opts,
		Settings:       o.Settings,
		Mappings:       ingest.Mappings{OrgMapping: o.OrgMapping, RoleMapping: o.RoleMapping, UserColumns: MappingUserColumns},
		IncludeSecrets: o.IncludeSecrets,
		Complete:       complete,
		WithoutUsers:   !o.wants(EntityUsers),
		Log:            o.Log,
	}
}

// PasswordOptions are the inputs of `mig ingest auth0-passwords`.
type PasswordOptions struct {
	File string // the NDJSON password export Auth0 support sends (ingest.Stdin reads standard input)
	// Tenant is the tenant the users were staged under (--source-tenant of
	// `mig ingest auth0`).
	Tenant string
	// MatchEmail joins a record to a user by email when its $oid names no
	// staged user. Off, only the Auth0 id joins: an email can have moved
	// from one account to another.
	MatchEmail bool
	Settings   ingest.Settings
	Log        *slog.Logger
}

// PasswordsProvider is the name of a password merge in ingest_runs and
// warnings.
const PasswordsProvider = ProviderName + "-passwords"

// IngestPasswords merges the password export into the Auth0 users staged
// before (the kit's supplement): each record joins the user whose user_id
// is "auth0|" and its $oid (by email only with MatchEmail), its bcrypt hash
// becomes the user's password hash, and every record not merged (no such
// user, an unsupported hash, a second record for the user) is a warning
// naming its line.
func IngestPasswords(ctx context.Context, db *staging.DB, o PasswordOptions) (ingest.SupplementCounts, error) {
	return ingest.Supplement(ctx, db, ingest.SupplementSpec{
		Name: PasswordsProvider, Tenant: o.Tenant, Kind: ingest.PasswordSupplement, File: o.File,
		Users:      ingest.Source{Provider: ProviderName, Tenant: o.Tenant},
		MatchEmail: o.MatchEmail,
		Settings:   o.Settings,
		Log:        o.Log,
		Read: func(ctx context.Context, in ingest.Inputs, add func(ingest.SupplementRecord) error) error {
			return ReadPasswords(ctx, in, o.File, func(r PasswordRecord) error {
				return add(ingest.SupplementRecord{Row: r.Line, SourceID: r.UserID, Email: r.Email,
					PasswordHash: r.Hash, PasswordHashType: r.HashType, Problem: r.Unsupported})
			})
		},
	})
}
