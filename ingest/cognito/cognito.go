// Package cognito reads users, organizations and SSO connections from AWS
// Cognito user pools and hands them to an ingest.DefinitionSink. It knows
// Cognito's API and data and nothing of the database: the source kit's run
// stages what it is given.
//
// The glue calls
//
//	err := cognito.Fetch(ctx, opts, sink, resume, onCheckpoint)
//
// Fetch asks Cognito, for each pool, DescribeUserPool, then (when SSO
// connections or the connection strategy are asked for)
// ListIdentityProviders and DescribeIdentityProvider, then ListUsers page by
// page. The IAM permissions it needs are cognito-idp:DescribeUserPool,
// cognito-idp:ListUsers and, for those two cases,
// cognito-idp:ListIdentityProviders and cognito-idp:DescribeIdentityProvider.
//
// MapUser and MapProvider, the pure mapping from Cognito's records to the
// kit's, are exported for tests and for readers of saved Cognito data.
package cognito

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/mig-tools/mig/ingest"
)

// ProviderName is the source name staged rows of Cognito carry.
const ProviderName = "cognito"

// MappingUserColumn is the user-id column of org- and role-mapping files for
// Cognito users: the user's sub, which is its external id.
const MappingUserColumn = "cognito_sub"

// MappingUserColumns are the columns a mapping file may name a Cognito user
// by: its sub, or the kit's generic columns (ingest.Mappings).
var MappingUserColumns = []string{MappingUserColumn, ingest.UserIDColumn, ingest.ExternalIDColumn, ingest.EmailColumn}

// Entities that Options.Entities may name.
const (
	EntityUsers         = "users"
	EntityOrganizations = "organizations"
	EntityMemberships   = "memberships"
	EntitySSO           = "sso"
)

// DefaultEntities are fetched when Options.Entities is empty. SSO
// connections are opt-in: they need two more IAM permissions.
var DefaultEntities = []string{EntityUsers, EntityOrganizations, EntityMemberships}

// Organization strategies: how Cognito users are grouped into WorkOS
// organizations.
const (
	// StrategyUserPool makes one organization per user pool (named after
	// the pool, external id the pool id) with every staged user of the pool
	// a member.
	StrategyUserPool = "user-pool"
	// StrategyConnection makes one organization per SAML or OIDC identity
	// provider (external id "<pool id>:<provider name>"); the federated
	// users who signed in through one are its members, other users belong
	// to no organization.
	StrategyConnection = "connection"
	// StrategyNone makes no organization.
	StrategyNone = "none"
)

// maxPageSize is the largest Limit ListUsers and ListIdentityProviders take.
const maxPageSize = 60

// Options are the inputs of one Cognito fetch.
type Options struct {
	// Region of the user pools; empty takes it from the pool ids, which
	// start with it ("us-east-1_AbCdEf").
	Region      string
	UserPoolIDs []string
	// Entities to fetch: users, organizations, memberships, sso. Empty
	// means DefaultEntities. Memberships need users.
	Entities []string
	// OrgStrategy is user-pool (the default), connection or none.
	OrgStrategy string
	// SkipExternalProviderUsers skips federated users (EXTERNAL_PROVIDER),
	// whom WorkOS can create at their first SSO sign-in instead.
	SkipExternalProviderUsers bool
	// IncludeDisabled stages users disabled in Cognito; by default they are
	// skipped with that reason.
	IncludeDisabled bool
	// Templates of the handoff rows' custom entity id, ACS URL and redirect
	// URI, with {user_pool_id}, {provider_name} and {region} filled in.
	// Empty leaves the column empty (see DefaultSAMLEntityIDTemplate).
	SAMLEntityIDTemplate    string
	SAMLACSURLTemplate      string
	OIDCRedirectURITemplate string
	// EndpointURL replaces Cognito's endpoint, for emulators and fakes;
	// plain http is allowed there.
	EndpointURL string
	// PageSize is ListUsers' Limit: 1 to 60, 0 meaning 60.
	PageSize int32
	Log      *slog.Logger

	// What Ingest needs besides the fetch: the optional org- and
	// role-mapping files, the tenant that keeps two Cognito sources apart
	// in one database, whether SSO secrets are staged, and the settings of
	// the run.
	OrgMapping, RoleMapping string
	Tenant                  string
	IncludeSecrets          bool
	Settings                ingest.Settings
}

func (o Options) wants(entity string) bool {
	if len(o.Entities) == 0 {
		return slices.Contains(DefaultEntities, entity)
	}
	return slices.Contains(o.Entities, entity)
}

func (o Options) orgStrategy() string {
	if o.OrgStrategy == "" {
		return StrategyUserPool
	}
	return o.OrgStrategy
}

// region is the pools' region: Options.Region, or the one every pool id
// starts with.
func (o Options) region() (string, error) {
	region := o.Region
	for _, id := range o.UserPoolIDs {
		prefix, _, ok := strings.Cut(id, "_")
		if !ok || prefix == "" {
			return "", fmt.Errorf("user pool id %q is not <region>_<id>", id)
		}
		if region == "" {
			region = prefix
		}
		if prefix != region {
			return "", fmt.Errorf("user pool %s is in region %s, not %s: fetch each region's pools separately", id, prefix, region)
		}
	}
	return region, nil
}

// Validate checks the options before anything is asked of Cognito, so that
// a typing mistake fails at once with a message naming the option.
func (o Options) Validate() error {
	if len(o.UserPoolIDs) == 0 {
		return errors.New("no user pool id: name at least one")
	}
	seen := map[string]bool{}
	for _, id := range o.UserPoolIDs {
		if seen[id] {
			return fmt.Errorf("user pool %s is named twice", id)
		}
		seen[id] = true
	}
	if _, err := o.region(); err != nil {
		return err
	}
	for _, e := range o.Entities {
		if !slices.Contains([]string{EntityUsers, EntityOrganizations, EntityMemberships, EntitySSO}, e) {
			return fmt.Errorf("entity %q is not one of users, organizations, memberships, sso", e)
		}
	}
	if o.wants(EntityMemberships) && !o.wants(EntityUsers) {
		return errors.New("memberships need users: add users to the entities")
	}
	if !slices.Contains([]string{StrategyUserPool, StrategyConnection, StrategyNone}, o.orgStrategy()) {
		return fmt.Errorf("org strategy %q is not one of user-pool, connection, none", o.OrgStrategy)
	}
	if o.PageSize < 0 || o.PageSize > maxPageSize {
		return fmt.Errorf("page size %d is not from 1 to %d", o.PageSize, maxPageSize)
	}
	if o.EndpointURL != "" {
		u, err := url.Parse(o.EndpointURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("endpoint URL %q is not an http or https URL", o.EndpointURL)
		}
	}
	return nil
}

// Checkpoint says how far a fetch got: the users of PoolID were handed to
// the sink up to the page that NextToken continues after (Users of them),
// or all of them when PoolDone. Pools listed before PoolID in
// Options.UserPoolIDs are done.
type Checkpoint struct {
	PoolID    string `json:"pool_id"`
	NextToken string `json:"next_token,omitempty"`
	Users     int    `json:"users"`
	PoolDone  bool   `json:"pool_done,omitempty"`
}

// Fetch reads the pools named in o and hands their records to sink, in this
// order per pool: the pool's organization, its identity providers'
// organizations and connections, then its users page by page with their
// memberships. Cognito keeps no password hashes: one warning says so per
// fetch, none per user.
//
// After every page of users it calls onCheckpoint (when not nil) with where
// the fetch stands; the kit commits what it staged there, so that a fetch
// that dies can be resumed. Given that checkpoint as resume, Fetch skips the
// pools that were done and asks ListUsers for the next page of the pool it
// stopped in. The pool's organization and connections are handed over again
// on resume (the sink stages them by external id, so nothing doubles); the
// users of the finished pages are not.
//
// Credentials come from the standard AWS chain (environment, shared config
// and profile, IAM role). Errors name the pool and the call that failed.
func Fetch(ctx context.Context, o Options, sink ingest.DefinitionSink, resume *Checkpoint, onCheckpoint func(context.Context, Checkpoint) error) error {
	if err := o.Validate(); err != nil {
		return err
	}
	start := 0
	if resume != nil {
		start = slices.Index(o.UserPoolIDs, resume.PoolID)
		if start < 0 {
			return fmt.Errorf("the checkpoint is for user pool %s, which is not among the pools asked for", resume.PoolID)
		}
		if resume.PoolDone {
			start++
			resume = nil
		}
	}
	client, err := newClient(ctx, o)
	if err != nil {
		return err
	}
	f := &fetcher{o: o, client: client, sink: sink, onCheckpoint: onCheckpoint, log: o.Log}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	f.region, _ = o.region()
	if o.wants(EntityUsers) && start < len(o.UserPoolIDs) {
		if err := sink.Warn(ctx, ingest.Warning{Code: "cognito_no_password_hashes", Entity: "user", File: "cognito:" + strings.Join(o.UserPoolIDs, ","),
			Message: "Cognito does not export password hashes: every Cognito user is staged without a password and signs in to WorkOS through SSO, social sign-in or a password reset"}); err != nil {
			return err
		}
	}
	for _, id := range o.UserPoolIDs[start:] {
		var from *Checkpoint
		if resume != nil && resume.PoolID == id {
			from = resume
		}
		if err := f.pool(ctx, id, from); err != nil {
			return err
		}
	}
	return nil
}

// newClient builds the Cognito client: the standard credential chain, the
// pools' region, and the SDK's retries (with backoff on throttling) raised
// from 3 to 8 attempts, as ListUsers' quota is low.
func newClient(ctx context.Context, o Options) (*cip.Client, error) {
	region, _ := o.region()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region), config.WithRetryMaxAttempts(8))
	if err != nil {
		return nil, fmt.Errorf("cognito: load AWS configuration: %w", err)
	}
	return cip.NewFromConfig(cfg, func(co *cip.Options) {
		if o.EndpointURL != "" {
			co.BaseEndpoint = aws.String(o.EndpointURL)
		}
	}), nil
}

// fetcher is one Fetch in progress.
type fetcher struct {
	o            Options
	client       *cip.Client
	sink         ingest.DefinitionSink
	onCheckpoint func(context.Context, Checkpoint) error
	log          *slog.Logger
	region       string
}

// pool fetches one user pool, from a checkpoint within it when from is set.
func (f *fetcher) pool(ctx context.Context, id string, from *Checkpoint) error {
	desc, err := f.client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(id)})
	if err != nil {
		return fmt.Errorf("cognito %s: DescribeUserPool: %w", id, err)
	}
	pool := Pool{ID: id, Connections: map[string]Connection{}}
	if up := desc.UserPool; up != nil {
		pool.Name = aws.ToString(up.Name)
		pool.Domain = HostedDomain(f.region, aws.ToString(up.Domain), aws.ToString(up.CustomDomain))
	}
	if f.o.wants(EntityOrganizations) && f.o.orgStrategy() == StrategyUserPool {
		if err := f.sink.AddOrganization(ctx, "cognito:"+id, ingest.Organization{Row: 1, ExternalID: id, Name: poolOrgName(pool),
			Metadata: map[string]string{"cognito_user_pool_id": id}}); err != nil {
			return err
		}
	}
	if f.o.wants(EntitySSO) || f.o.orgStrategy() == StrategyConnection {
		if err := f.providers(ctx, &pool); err != nil {
			return err
		}
	}
	if !f.o.wants(EntityUsers) {
		return nil
	}
	return f.users(ctx, pool, from)
}

// providers fetches the pool's identity providers, hands over their
// organizations and connections as asked, and records the SAML and OIDC
// ones in pool so that federated users are linked to them.
func (f *fetcher) providers(ctx context.Context, pool *Pool) error {
	file := "cognito:" + pool.ID + "/identity-providers"
	pages := cip.NewListIdentityProvidersPaginator(f.client, &cip.ListIdentityProvidersInput{UserPoolId: aws.String(pool.ID), MaxResults: aws.Int32(maxPageSize)})
	row := 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("cognito %s: ListIdentityProviders: %w", pool.ID, err)
		}
		for _, pd := range page.Providers {
			row++
			name := aws.ToString(pd.ProviderName)
			out, err := f.client.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{UserPoolId: aws.String(pool.ID), ProviderName: aws.String(name)})
			if err != nil {
				return fmt.Errorf("cognito %s: DescribeIdentityProvider %s: %w", pool.ID, name, err)
			}
			p := providerFrom(pool.ID, f.region, name, out.IdentityProvider)
			p.Domain = pool.Domain
			res := MapProvider(p, f.o, file, row)
			for _, w := range res.Warnings {
				if err := f.sink.Warn(ctx, w); err != nil {
					return err
				}
			}
			if res.Connection == nil {
				continue
			}
			pool.Connections[strings.ToLower(p.Name)] = Connection{Name: p.Name, Type: strings.ToUpper(p.Type)}
			if res.Organization != nil && f.o.wants(EntityOrganizations) {
				if err := f.sink.AddOrganization(ctx, file, *res.Organization); err != nil {
					return err
				}
			}
			if f.o.wants(EntitySSO) {
				if err := f.sink.AddSSOConnection(ctx, file, *res.Connection); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func providerFrom(poolID, region, name string, idp *types.IdentityProviderType) Provider {
	p := Provider{PoolID: poolID, Name: name, Region: region}
	if idp != nil {
		p.Type = string(idp.ProviderType)
		p.Details = idp.ProviderDetails
		p.AttributeMapping = idp.AttributeMapping
		p.IdpIdentifiers = idp.IdpIdentifiers
		if n := aws.ToString(idp.ProviderName); n != "" {
			p.Name = n
		}
	}
	return p
}

// users fetches the pool's users page by page, handing each page to the
// sink and then reporting the checkpoint after it.
func (f *fetcher) users(ctx context.Context, pool Pool, from *Checkpoint) error {
	file := "cognito:" + pool.ID + "/users"
	in := &cip.ListUsersInput{UserPoolId: aws.String(pool.ID), Limit: aws.Int32(maxPageSize)}
	if f.o.PageSize > 0 {
		in.Limit = aws.Int32(f.o.PageSize)
	}
	row := 0
	if from != nil {
		in.PaginationToken = aws.String(from.NextToken)
		row = from.Users
	}
	// The paginator follows PaginationToken until Cognito stops giving one,
	// whatever the size of each page: pages are often shorter than Limit.
	pages := cip.NewListUsersPaginator(f.client, in)
	orphans := 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("cognito %s: ListUsers after user %d: %w", pool.ID, row, err)
		}
		for _, ut := range page.Users {
			row++
			u := userFrom(pool.ID, ut)
			res := MapUser(u, pool, f.o, file, row)
			if err := f.stage(ctx, file, row, u, res); err != nil {
				return err
			}
			if res.User != nil && f.o.orgStrategy() == StrategyConnection && !res.Connection {
				orphans++
			}
		}
		f.log.Debug("cognito page", "pool", pool.ID, "users", len(page.Users), "total", row)
		next := aws.ToString(page.PaginationToken)
		if f.onCheckpoint != nil && next != "" {
			if err := f.onCheckpoint(ctx, Checkpoint{PoolID: pool.ID, NextToken: next, Users: row}); err != nil {
				return err
			}
		}
	}
	if orphans > 0 && f.o.wants(EntityMemberships) {
		if err := f.sink.Warn(ctx, ingest.Warning{Code: "cognito_users_without_connection", Entity: "user", File: file,
			Message: fmt.Sprintf("%d users of pool %s did not sign in through one of its SAML or OIDC providers, so the connection strategy puts them in no organization", orphans, pool.ID)}); err != nil {
			return err
		}
	}
	if f.onCheckpoint != nil {
		return f.onCheckpoint(ctx, Checkpoint{PoolID: pool.ID, Users: row, PoolDone: true})
	}
	return nil
}

// stage hands one mapped user to the sink.
func (f *fetcher) stage(ctx context.Context, file string, row int, u User, res UserResult) error {
	for _, w := range res.Warnings {
		if err := f.sink.Warn(ctx, w); err != nil {
			return err
		}
	}
	if res.User == nil {
		return f.sink.Skip(ctx, file, row, res.SkipID, u.Attributes["email"], res.SkipReason, rawUser(u))
	}
	if err := f.sink.AddUser(ctx, file, res.User); err != nil {
		return err
	}
	for _, m := range res.Memberships {
		if err := f.sink.AddOrgMappingRow(ctx, file, m); err != nil {
			return err
		}
	}
	return nil
}

func userFrom(poolID string, ut types.UserType) User {
	u := User{PoolID: poolID, Username: aws.ToString(ut.Username), Status: string(ut.UserStatus),
		Enabled: aws.Bool(ut.Enabled), Attributes: make(map[string]string, len(ut.Attributes)),
		Created: ut.UserCreateDate, Modified: ut.UserLastModifiedDate}
	for _, a := range ut.Attributes {
		u.Attributes[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return u
}
