package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/cognito"
	"github.com/mig-tools/mig/staging"
)

func init() { register(configureIngestCognitoCmd) }

func configureIngestCognitoCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var o cognito.Options
	var pools, entities []string
	var asJSON bool
	cmd := ingestCmd(app).Command("cognito", "Ingest the users, organizations and SSO connections of AWS Cognito user pools, through the AWS API "+
		"(credentials from the standard AWS chain: environment, shared config or profile, IAM role). Resumable: an ingest that stops goes on after the last page fetched when run again.")
	cmd.Flag("region", "AWS region of the user pools (default: the region the pool ids start with).").StringVar(&o.Region)
	cmd.Flag("user-pool-ids", "Comma-separated user pool ids, e.g. us-east-1_ABC,us-east-1_DEF.").Required().StringsVar(&pools)
	cmd.Flag("entities", "Comma-separated entities to fetch: users, organizations, memberships, sso (sso needs cognito-idp:ListIdentityProviders and DescribeIdentityProvider).").
		Default(strings.Join(cognito.DefaultEntities, ",")).StringsVar(&entities)
	oneOf(cmd.Flag("org-strategy", "One organization per user pool (every user of the pool a member), one per SAML or OIDC identity provider (its federated users the members), or none.").
		Default(cognito.StrategyUserPool), &o.OrgStrategy, cognito.StrategyUserPool, cognito.StrategyConnection, cognito.StrategyNone)
	cmd.Flag("skip-external-provider-users", "Skip federated users (status EXTERNAL_PROVIDER): WorkOS creates them at their first SSO sign-in.").BoolVar(&o.SkipExternalProviderUsers)
	cmd.Flag("include-disabled", "Stage users disabled in Cognito (skipped by default).").BoolVar(&o.IncludeDisabled)
	cmd.Flag("saml-custom-entity-id-template", "Entity ID the WorkOS SAML connections present to the IdP; {user_pool_id}, {provider_name} and {region} are filled in.").
		Default(cognito.DefaultSAMLEntityIDTemplate).StringVar(&o.SAMLEntityIDTemplate)
	cmd.Flag("saml-custom-acs-url-template", "ACS URL of the WorkOS SAML connections (your callback proxy or custom domain); same placeholders.").StringVar(&o.SAMLACSURLTemplate)
	cmd.Flag("oidc-custom-redirect-uri-template", "Redirect URI of the WorkOS OIDC connections; same placeholders.").StringVar(&o.OIDCRedirectURITemplate)
	cmd.Flag("endpoint-url", "Cognito API endpoint instead of AWS's, for an emulator or a fake (plain http allowed).").StringVar(&o.EndpointURL)
	cmd.Flag("include-secrets", "Stage the OIDC client secrets of the SSO connections (left out, with a warning, by default).").BoolVar(&o.IncludeSecrets)
	mappingFlags(cmd, cognito.MappingUserColumns, &o.OrgMapping, &o.RoleMapping)
	cmd.Flag("source-tenant", "Name of this Cognito source, to keep two sets of pools apart in one database.").StringVar(&o.Tenant)
	cmd.Flag("json", "Print the counts as JSON on stdout.").BoolVar(&asJSON)
	settings := ingestSettingsFlags(cmd, true)
	return cmd, func(ctx context.Context, e *env) error {
		o.UserPoolIDs = splitList(pools)
		o.Entities = splitList(entities)
		o.Log = e.Log
		o.Settings = settings(e)
		var c ingest.Counts
		err := runIngest(ctx, e, "cognito", "cognito:"+strings.Join(o.UserPoolIDs, ","), asJSON, func(db *staging.DB) (ingest.Counts, error) {
			var err error
			c, err = cognito.Ingest(ctx, db, o)
			return c, err
		})
		if err == nil && c.New+c.Changed+c.Unchanged > 0 {
			fmt.Fprintln(e.Stderr, "Note: Cognito does not export password hashes: no staged Cognito user has a password; "+
				"they sign in to WorkOS through SSO, social sign-in or a password reset.")
		}
		return err
	}
}
