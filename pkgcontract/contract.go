// Package pkgcontract is the contract of a migration package, the
// provider-neutral directory that workos-migrate's import-package reads and
// `mig emit` writes: which files a package has, where each lives, the exact
// header of each CSV file, and manifest.json. mig emit writes it, the
// package ingest reads it and validate-package checks packages against it,
// all from this one description. It imports nothing of mig, so every stage
// may read it.
package pkgcontract

import "slices"

// SchemaVersion is the package contract version mig writes and reads.
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
	// Secret files hold password hashes, TOTP secrets or SSO keys: mig
	// writes them readable by their owner only, and validate-package warns
	// when others can read them.
	Secret bool
}

// Kind is "csv", "jsonl" or "md", from the path.
func (f File) Kind() string {
	switch {
	case len(f.Header) > 0:
		return "csv"
	case len(f.Path) > len(".jsonl") && f.Path[len(f.Path)-len(".jsonl"):] == ".jsonl":
		return "jsonl"
	default:
		return "md"
	}
}

// The manifest's own key and path.
const (
	ManifestKey  = "manifest"
	ManifestPath = "manifest.json"
)

// Files lists the package files in the order the manifest names them.
// The headers are the contract's, verbatim; a test checks every emit query
// returns exactly these columns.
var Files = []File{
	{Key: "users", Path: "users.csv", Entity: "users", Counted: true, Secret: true, Header: []string{
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
	{Key: "totpSecrets", Path: "totp_secrets.csv", Entity: "totp", Counted: true, Secret: true, Header: []string{
		"email", "totp_secret", "totp_issuer", "totp_user"}},
	{Key: "warnings", Path: "warnings.jsonl", Counted: true},
	{Key: "skippedUsers", Path: "skipped_users.jsonl", Counted: true},
	{Key: "samlConnections", Path: "sso/saml_connections.csv", Entity: "sso", Counted: true, Secret: true, Header: []string{
		"name", "organizationName", "organizationId", "organizationExternalId", "domains", "idpEntityId", "idpUrl",
		"x509Cert", "idpMetadataUrl", "customEntityId", "customAcsUrl", "idpIdAttribute", "emailAttribute",
		"firstNameAttribute", "lastNameAttribute", "nameAttribute", "idpInitiatedEnabled", "requestSigningKey",
		"assertionEncryptionKey", "nameIdEncryptionKey", "externalId"}},
	{Key: "oidcConnections", Path: "sso/oidc_connections.csv", Entity: "sso", Counted: true, Secret: true, Header: []string{
		"name", "organizationName", "organizationId", "organizationExternalId", "domains", "clientId", "clientSecret",
		"discoveryEndpoint", "customRedirectUri", "externalId"}},
	{Key: "customAttributeMappings", Path: "sso/custom_attribute_mappings.csv", Entity: "sso", Counted: true, Header: []string{
		"externalId", "organizationExternalId", "providerType", "userPoolAttribute", "idpClaim"}},
	{Key: "proxyRoutes", Path: "sso/proxy_routes.csv", Entity: "sso", Counted: true, Header: []string{
		"externalId", "organizationExternalId", "provider", "protocol", "sourceAcsUrl", "sourceEntityId",
		"sourceRedirectUri", "customAcsUrl", "customEntityId", "customRedirectUri", "workosConnectionId",
		"workosAcsUrl", "cutoverState", "notes"}},
	{Key: "handoffNotes", Path: "sso/handoff_notes.md", Entity: "sso"},
	{Key: "uploadUsers", Path: "workos_upload/users.csv", Entity: "users", Counted: true, Secret: true, Header: []string{
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

// HeaderAccepted reports whether header is the file's header in the
// contract, or a later variant of it.
func (f File) HeaderAccepted(header []string) bool {
	return slices.Equal(header, f.Header) || slices.Equal(header, laterHeaders[f.Key])
}

// Entities are the names accepted in entitiesRequested, in the order the
// manifest lists them by default.
var Entities = []string{"users", "organizations", "memberships", "roles", "totp", "sso"}

// FileByKey returns the contract entry for a manifest key.
func FileByKey(key string) (File, bool) {
	for _, f := range Files {
		if f.Key == key {
			return f, true
		}
	}
	return File{}, false
}

// Path returns the canonical path of the file with manifest key key. The
// key must be one of the contract's: a wrong one is a mistake in mig.
func Path(key string) string {
	f, ok := FileByKey(key)
	if !ok {
		panic("pkgcontract: no file with key " + key)
	}
	return f.Path
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

// SecretColumns are the SSO columns, by file key, that hold secrets: mig
// emit leaves them empty unless secrets are asked for, and a package whose
// manifest says its secrets are redacted must leave them empty.
var SecretColumns = map[string][]string{
	"samlConnections": {"requestSigningKey", "assertionEncryptionKey", "nameIdEncryptionKey"},
	"oidcConnections": {"clientSecret"},
}
