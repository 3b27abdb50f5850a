// Package emit writes the staging database out as a migration package, the
// provider-neutral directory that workos-migrate's import-package reads, and
// validates packages (mig's own or anyone's) far beyond the reference
// validator: row-level rules and references between files.
//
// Each package file is produced by a query in sqlqueries/emit and streamed
// to disk. The five per-user files (users.csv, organization_memberships.csv,
// user_role_assignments.csv and the upload users and memberships) come from
// merging queries in user order (userRows or userKeys, membershipRows,
// roleAssignmentRows), in two passes that run side by side: reading each
// table once instead of looking rows up per user is what makes a million
// users take seconds. Memory holds the organizations and a Bloom filter of
// external ids, not the users.
package emit

// SchemaVersion is the package contract version this package writes and reads.
const SchemaVersion = 1

// File is one file of the package contract.
type File struct {
	// Key names the file in manifest.files and, for counted files, in
	// manifest.entitiesExported.
	Key string
	// Path is the canonical path inside the package. The contract does not
	// allow another.
	Path string
	// Header is the exact CSV header, in order; nil for non-CSV files.
	Header []string
	// Entity is the entity that must be requested for the file to get rows
	// ("" for files written whatever was asked for).
	Entity string
	// Counted files have a count in manifest.entitiesExported.
	Counted bool
}

// Kind is "csv", "jsonl" or "md", from the path.
func (f File) Kind() string {
	switch {
	case len(f.Header) > 0:
		return "csv"
	case hasSuffix(f.Path, ".jsonl"):
		return "jsonl"
	default:
		return "md"
	}
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }

// The manifest's own key and path.
const (
	ManifestKey  = "manifest"
	ManifestPath = "manifest.json"
)

// Contract lists the package files in the order the manifest names them.
// The headers are the contract's, verbatim; a test checks every emit query
// returns exactly these columns.
var Contract = []File{
	{Key: "users", Path: "users.csv", Entity: "users", Counted: true, Header: []string{
		"email", "password", "password_hash", "password_hash_type", "first_name", "last_name", "email_verified",
		"external_id", "metadata", "org_id", "org_external_id", "org_name", "role_slugs"}},
	{Key: "organizations", Path: "organizations.csv", Entity: "organizations", Counted: true, Header: []string{
		"org_id", "org_external_id", "org_name", "domains", "metadata"}},
	{Key: "memberships", Path: "organization_memberships.csv", Entity: "memberships", Counted: true, Header: []string{
		"email", "external_id", "user_id", "org_id", "org_external_id", "org_name", "role_slugs", "metadata"}},
	{Key: "roleDefinitions", Path: "role_definitions.csv", Entity: "roles", Counted: true, Header: []string{
		"role_slug", "role_name", "role_type", "permissions", "org_id", "org_external_id"}},
	{Key: "userRoleAssignments", Path: "user_role_assignments.csv", Entity: "roles", Counted: true, Header: []string{
		"email", "user_id", "external_id", "role_slug", "org_id", "org_external_id"}},
	{Key: "totpSecrets", Path: "totp_secrets.csv", Entity: "totp", Counted: true, Header: []string{
		"email", "totp_secret", "totp_issuer", "totp_user"}},
	{Key: "warnings", Path: "warnings.jsonl", Counted: true},
	{Key: "skippedUsers", Path: "skipped_users.jsonl", Counted: true},
	{Key: "samlConnections", Path: "sso/saml_connections.csv", Entity: "sso", Counted: true, Header: []string{
		"name", "organizationName", "organizationId", "organizationExternalId", "domains", "idpEntityId", "idpUrl",
		"x509Cert", "idpMetadataUrl", "customEntityId", "customAcsUrl", "idpIdAttribute", "emailAttribute",
		"firstNameAttribute", "lastNameAttribute", "nameAttribute", "idpInitiatedEnabled", "requestSigningKey",
		"assertionEncryptionKey", "nameIdEncryptionKey", "externalId"}},
	{Key: "oidcConnections", Path: "sso/oidc_connections.csv", Entity: "sso", Counted: true, Header: []string{
		"name", "organizationName", "organizationId", "organizationExternalId", "domains", "clientId", "clientSecret",
		"discoveryEndpoint", "customRedirectUri", "externalId"}},
	{Key: "customAttributeMappings", Path: "sso/custom_attribute_mappings.csv", Entity: "sso", Counted: true, Header: []string{
		"externalId", "organizationExternalId", "providerType", "userPoolAttribute", "idpClaim"}},
	{Key: "proxyRoutes", Path: "sso/proxy_routes.csv", Entity: "sso", Counted: true, Header: []string{
		"externalId", "organizationExternalId", "provider", "protocol", "sourceAcsUrl", "sourceEntityId",
		"sourceRedirectUri", "customAcsUrl", "customEntityId", "customRedirectUri", "workosConnectionId",
		"workosAcsUrl", "cutoverState", "notes"}},
	{Key: "handoffNotes", Path: "sso/handoff_notes.md", Entity: "sso"},
	{Key: "uploadUsers", Path: "workos_upload/users.csv", Entity: "users", Counted: true, Header: []string{
		"user_id", "email", "email_verified", "first_name", "last_name", "password_hash"}},
	{Key: "uploadOrganizations", Path: "workos_upload/organizations.csv", Entity: "organizations", Counted: true, Header: []string{
		"organization_id", "name"}},
	{Key: "uploadMemberships", Path: "workos_upload/organization_memberships.csv", Entity: "memberships", Counted: true, Header: []string{
		"organization_id", "user_id"}},
}

// laterHeaders are header variants that newer versions of the reference
// tool write for the same file (its docs say columns were added after
// schema 1 shipped, and that packages without them still validate). A
// package with one of these is read and validated like the canonical one.
var laterHeaders = map[string][]string{
	"samlConnections": {
		"name", "organizationName", "organizationId", "organizationExternalId", "domains", "idpEntityId", "idpUrl",
		"x509Cert", "idpMetadataUrl", "customEntityId", "customAcsUrl", "idpIdAttribute", "emailAttribute",
		"firstNameAttribute", "lastNameAttribute", "nameAttribute", "idpInitiatedEnabled", "requestSigningKey",
		"requestSigningCert", "assertionEncryptionKey", "assertionEncryptionCert", "nameIdEncryptionKey",
		"externalId", "connectionType"},
	"oidcConnections": {
		"name", "organizationName", "organizationId", "organizationExternalId", "domains", "clientId", "clientSecret",
		"discoveryEndpoint", "customRedirectUri", "externalId", "connectionType"},
}

// Entities are the names accepted in entitiesRequested, in the order the
// manifest lists them by default.
var Entities = []string{"users", "organizations", "memberships", "roles", "totp", "sso"}

// FileByKey returns the contract entry for a manifest key.
func FileByKey(key string) (File, bool) {
	for _, f := range Contract {
		if f.Key == key {
			return f, true
		}
	}
	return File{}, false
}

// Templates maps the names `mig template` accepts to contract files.
var Templates = map[string]string{
	"users":                     "users",
	"organizations":             "organizations",
	"organization_memberships":  "memberships",
	"role_definitions":          "roleDefinitions",
	"user_role_assignments":     "userRoleAssignments",
	"totp_secrets":              "totpSecrets",
	"saml_connections":          "samlConnections",
	"oidc_connections":          "oidcConnections",
	"custom_attribute_mappings": "customAttributeMappings",
	"proxy_routes":              "proxyRoutes",
}

// secretColumns are the SSO columns redacted unless secrets are asked for.
var secretColumns = map[string][]string{
	"samlConnections": {"requestSigningKey", "assertionEncryptionKey", "nameIdEncryptionKey"},
	"oidcConnections": {"clientSecret"},
}
