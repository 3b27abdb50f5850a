package cognito

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/staging"
)

// usersResource is the spool's name for the fetch's cursor: the JSON of the
// last Checkpoint.
const usersResource = "users"

// Ingest fetches the pools of o into the staging database through the
// source kit's spool, then stages them in one transaction. The fetch is
// resumable per page: each page of users is saved with its checkpoint, and
// an ingest that died is started again with the same arguments to go on
// after the last saved page (a fetch that had finished is not fetched
// again). Memberships, and SSO connections when they are asked for, are
// stated in full: what an earlier run staged and this one no longer has is
// removed. Credentials come from the standard AWS chain; nothing secret is
// stored among the run's options.
func Ingest(ctx context.Context, db *staging.DB, o Options) (ingest.Counts, error) {
	if err := o.Validate(); err != nil {
		return ingest.Counts{}, err
	}
	var complete []ingest.Kind
	if o.wants(EntityMemberships) {
		complete = append(complete, ingest.Memberships)
	}
	if o.wants(EntitySSO) {
		complete = append(complete, ingest.SSOConnections)
	}
	spec := ingest.Spec{
		Source:         ingest.Source{Provider: ProviderName, Tenant: o.Tenant},
		Options:        o.runOptions(),
		Settings:       o.Settings,
		Mappings:       ingest.Mappings{OrgMapping: o.OrgMapping, RoleMapping: o.RoleMapping, UserColumns: MappingUserColumns},
		IncludeSecrets: o.IncludeSecrets,
		Complete:       complete,
		Log:            o.Log,
	}
	sp, err := ingest.OpenSpool(ctx, db, spec)
	if err != nil {
		return ingest.Counts{}, err
	}
	if !sp.Fetched() {
		var resume *Checkpoint
		if cursor, ok := sp.Cursor(usersResource); ok {
			resume = &Checkpoint{}
			if err := json.Unmarshal([]byte(cursor), resume); err != nil {
				return ingest.Counts{}, fmt.Errorf("cognito: the saved fetch position %q is unreadable: %w", cursor, err)
			}
			if o.Log != nil {
				o.Log.Info("resuming the interrupted Cognito fetch", "pool", resume.PoolID, "users_fetched", resume.Users, "pool_done", resume.PoolDone)
			}
		}
		err := Fetch(ctx, o, sp, resume, func(ctx context.Context, cp Checkpoint) error {
			b, err := json.Marshal(cp)
			if err != nil {
				return err
			}
			return sp.Checkpoint(ctx, usersResource, string(b))
		})
		if err != nil {
			return ingest.Counts{}, fmt.Errorf("%w (the pages fetched so far are saved: run the same command again to go on from there)", err)
		}
		if err := sp.Done(ctx); err != nil {
			return ingest.Counts{}, err
		}
	}
	spec.Spool = sp
	return ingest.Ingest(ctx, db, spec)
}

// runOptions are what a run is compared by and its spool keyed by: every
// option that changes what is fetched or staged, none of them secret.
func (o Options) runOptions() map[string]any {
	region, _ := o.region()
	entities := o.Entities
	if len(entities) == 0 {
		entities = DefaultEntities
	}
	entities = slices.Sorted(slices.Values(entities))
	return map[string]any{
		"region":                            region,
		"user_pool_ids":                     o.UserPoolIDs,
		"entities":                          entities,
		"org_strategy":                      o.orgStrategy(),
		"skip_external_provider_users":      o.SkipExternalProviderUsers,
		"include_disabled":                  o.IncludeDisabled,
		"saml_custom_entity_id_template":    o.SAMLEntityIDTemplate,
		"saml_custom_acs_url_template":      o.SAMLACSURLTemplate,
		"oidc_custom_redirect_uri_template": o.OIDCRedirectURITemplate,
		"endpoint_url":                      o.EndpointURL,
		"page_size":                         o.PageSize,
	}
}
