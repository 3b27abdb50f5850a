package ingest

import "context"

// Sink is what a source hands its decoded records to. A source package
// (ingest/clerk, ingest/auth0, ...) knows its provider's format and nothing
// of the database: it turns each provider record into the values below and
// gives them to a Sink. The source kit's run implements Sink and stages
// them; tests give a source a recording Sink.
//
// Every record carries the file (or API resource, such as
// "auth0:/api/v2/users") and row it came from, so that findings and errors
// can point back at it.
type Sink interface {
	// AddUser stages one user, keyed by its SourceID.
	AddUser(ctx context.Context, file string, u *User) error
	// Skip records a source row that is not staged, with the reason.
	Skip(ctx context.Context, file string, row int, sourceID, email, reason string, raw any) error
	// Warn records something a person should know.
	Warn(ctx context.Context, w Warning) error
	// AddOrgMappingRow says a user belongs to an organization; the
	// org-mapping priority rule picks the organization.
	AddOrgMappingRow(ctx context.Context, file string, m OrgMappingRow) error
	// AddRoleMappingRow gives a user a role (in one organization, or in
	// every organization the user belongs to).
	AddRoleMappingRow(ctx context.Context, file string, m RoleMappingRow) error
}

// DefinitionSink is a Sink that also takes what a source knows beyond its
// users: organizations on their own (with no member yet), role and
// permission definitions, and SSO connections for the handoff files.
type DefinitionSink interface {
	Sink
	AddOrganization(ctx context.Context, file string, o Organization) error
	AddRoleDefinition(ctx context.Context, file string, r RoleDefinition) error
	AddSSOConnection(ctx context.Context, file string, c SSOConnection) error
}

// Organization is an organization as a source knows it. ExternalID is the
// provider's own id (an Auth0 org_..., a Cognito user pool id); OrgID is set
// only when the organization already exists in WorkOS.
type Organization struct {
	Row        int
	OrgID      string
	ExternalID string
	Name       string
	Domains    []string
	Metadata   map[string]string
}

// RoleDefinition is a role as a source defines it. OrgExternalID (or OrgID)
// scopes it to one organization; both empty make it an environment role.
// Permissions are permission slugs; each becomes a permission definition.
type RoleDefinition struct {
	Row           int
	Slug          string
	Name          string
	Description   string
	OrgID         string
	OrgExternalID string
	Permissions   []string
}

// SSOConnection is an enterprise SAML or OIDC connection, handed over as
// files (mig never creates connections). Config holds the handoff columns
// (idpEntityId, idpUrl, x509Cert, idpMetadataUrl, clientId,
// discoveryEndpoint, ...); Secrets holds clientSecret and private keys, and
// is staged only when the user asked for secrets.
type SSOConnection struct {
	Row               int
	SourceID          string // the provider's connection id
	Protocol          string // "saml" or "oidc"
	Name              string
	OrgExternalID     string
	Domains           []string
	Config            map[string]string
	Secrets           map[string]string
	AttributeMappings map[string]string
}

// The run stages what a source decodes.
var _ Sink = (*Run)(nil)

// The run stages what a source knows beyond its users too.
var _ DefinitionSink = (*Run)(nil)
