package cognito

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mig-tools/mig/ingest"
)

// User is one Cognito user as ListUsers returns it, with its attributes
// flattened into a map (every Cognito attribute value is a string). The JSON
// names are those of the flattened samples in testdata/fixtures/cognito.
type User struct {
	PoolID     string            `json:"userPoolId"`
	Username   string            `json:"username"`
	Status     string            `json:"userStatus"` // CONFIRMED, EXTERNAL_PROVIDER, ...
	Enabled    *bool             `json:"enabled"`    // nil reads as enabled
	Attributes map[string]string `json:"attributes"`
	Created    *time.Time        `json:"userCreateDate,omitempty"`
	Modified   *time.Time        `json:"userLastModifiedDate,omitempty"`
}

// Provider is one identity provider of a user pool as
// DescribeIdentityProvider returns it. The JSON names are those of the
// connection samples in testdata/fixtures/cognito.
type Provider struct {
	PoolID           string            `json:"userPoolId"`
	Name             string            `json:"providerName"`
	Type             string            `json:"providerType"` // SAML, OIDC, Google, Facebook, SignInWithApple, LoginWithAmazon
	Region           string            `json:"region"`
	Details          map[string]string `json:"providerDetails"`
	AttributeMapping map[string]string `json:"attributeMapping"`
	IdpIdentifiers   []string          `json:"idpIdentifiers"`
	// Domain is the host name of the pool's hosted UI, which the identity
	// provider sends its users back to (see HostedDomain); empty when the
	// pool has none or it is not known.
	Domain string `json:"domain,omitempty"`
}

// HostedDomain is the host name of a pool's hosted UI: its custom domain
// when it has one, else its prefix domain under amazoncognito.com; empty
// when it has neither.
func HostedDomain(region, prefix, custom string) string {
	switch {
	case custom != "":
		return custom
	case prefix != "":
		return prefix + ".auth." + region + ".amazoncognito.com"
	}
	return ""
}

// Pool is what the mapping knows of a user pool beyond one user: its id and
// name, and the SAML and OIDC connections its federated users sign in with.
type Pool struct {
	ID   string
	Name string
	// Domain is the host name of the pool's hosted UI (HostedDomain).
	Domain string
	// Connections holds the pool's SAML and OIDC providers, keyed by the
	// lower-cased name (Cognito prefixes a federated user's username with
	// the provider name, not always in the same case).
	Connections map[string]Connection
}

// Connection names one SAML or OIDC provider of a pool.
type Connection struct {
	Name string // the provider name, as Cognito spells it
	Type string // SAML or OIDC
}

// statusExternal is the UserStatus of a user created by a federated sign-in.
const statusExternal = "EXTERNAL_PROVIDER"

// socialTypes are Cognito's social identity provider types, keyed by the
// lower-cased form Cognito uses in the usernames of their users. They are
// not SSO connections in WorkOS: its own social sign-in takes their users.
var socialTypes = map[string]string{
	"google":          "Google",
	"facebook":        "Facebook",
	"signinwithapple": "SignInWithApple",
	"loginwithamazon": "LoginWithAmazon",
}

// Metadata keys mig sets on a Cognito user. custom:* attributes go in under
// their name without the "custom:" prefix, after these.
const (
	metaUsername     = "cognito_username"
	metaPhone        = "phone_number"
	metaIdentity     = "cognito_identity_provider"
	metaIdentityType = "cognito_identity_provider_type"
)

// UserResult is what one Cognito user becomes: a user to stage (with the
// organizations it belongs to) or a reason to skip it, and the warnings to
// record either way.
type UserResult struct {
	User        *ingest.User
	Memberships []ingest.OrgMappingRow
	SkipID      string // the id the skipped row is known by
	SkipReason  string
	Warnings    []ingest.Warning
	// IdentityProvider is the provider a federated user signed in with
	// ("" for a user of the pool's own directory); Connection says it is
	// one of the pool's SAML or OIDC connections.
	IdentityProvider string
	Connection       bool
}

// MapUser turns one Cognito user into the staging record. It is pure: the
// same user, pool and options always give the same result. file and row
// place the user in the run (see Fetch).
func MapUser(u User, pool Pool, o Options, file string, row int) UserResult {
	var res UserResult
	a := u.Attributes
	id := strings.TrimSpace(a["sub"])
	warn := func(code, msg string) {
		res.Warnings = append(res.Warnings, ingest.Warning{Code: code, Message: msg, Entity: "user", SourceID: id, File: file, Row: row})
	}
	if id == "" {
		id = strings.TrimSpace(u.Username)
		if id == "" {
			res.SkipReason = "no sub attribute and no username: the user cannot be told apart from others"
			return res
		}
		warn("cognito_sub_missing", fmt.Sprintf("the user has no sub attribute; it is keyed by its username %q instead", id))
	}
	res.SkipID = id

	var idpType string
	if u.Status == statusExternal {
		res.IdentityProvider, idpType, res.Connection = identityProvider(u, pool, warn)
	}
	if o.SkipExternalProviderUsers && u.Status == statusExternal {
		res.SkipReason = fmt.Sprintf("federated user (EXTERNAL_PROVIDER, identity provider %s) skipped as asked: WorkOS creates it at its first sign-in", orUnknown(res.IdentityProvider))
		return res
	}
	if u.Enabled != nil && !*u.Enabled && !o.IncludeDisabled {
		res.SkipReason = "disabled in Cognito: not imported unless --include-disabled is given"
		return res
	}
	email := strings.TrimSpace(a["email"])
	if email == "" {
		res.SkipReason = "no email address: WorkOS users need one"
		if a["phone_number"] != "" {
			res.SkipReason = "no email address (phone-only user): WorkOS users need an email"
		}
		return res
	}

	usr := &ingest.User{SourceID: id, Row: row, EmailRaw: email, ExternalID: id, Raw: rawUser(u)}
	verified := false
	switch v := strings.TrimSpace(a["email_verified"]); {
	case strings.EqualFold(v, "true"):
		verified = true
	case v == "" || strings.EqualFold(v, "false"):
	default:
		warn("email_verified_unreadable", fmt.Sprintf("email_verified is %q, neither true nor false; the email is staged as not verified", v))
	}
	usr.EmailVerified = &verified
	usr.Emails = []ingest.Email{{Email: email, Verified: verified, Primary: true}}
	if p := strings.TrimSpace(a["phone_number"]); p != "" {
		usr.Phones = []ingest.Phone{{Phone: p, Verified: strings.EqualFold(a["phone_number_verified"], "true"), Primary: true}}
	}

	// given_name and family_name are the parts; name fills whichever is
	// missing, split at its first space.
	usr.FirstName, usr.LastName = strings.TrimSpace(a["given_name"]), strings.TrimSpace(a["family_name"])
	if usr.FirstName == "" || usr.LastName == "" {
		first, last := splitName(a["name"])
		if usr.FirstName == "" {
			usr.FirstName = first
		}
		if usr.LastName == "" {
			usr.LastName = last
		}
	}

	entries := []ingest.MetadataEntry{
		{Key: metaUsername, Value: u.Username},
		{Key: metaPhone, Value: strings.TrimSpace(a["phone_number"])},
		{Key: metaIdentity, Value: res.IdentityProvider},
		{Key: metaIdentityType, Value: idpType},
	}
	var custom []string
	for k := range a {
		if strings.HasPrefix(k, "custom:") {
			custom = append(custom, k)
		}
	}
	sort.Strings(custom)
	for _, k := range custom {
		entries = append(entries, ingest.MetadataEntry{Key: strings.TrimPrefix(k, "custom:"), Value: a[k]})
	}
	meta, problems := ingest.FitMetadata(entries)
	for _, p := range problems {
		warn(p.Code, p.Message)
	}
	usr.Metadata = meta
	res.User = usr

	if o.wants(EntityMemberships) {
		switch o.orgStrategy() {
		case StrategyUserPool:
			res.Memberships = append(res.Memberships, ingest.OrgMappingRow{Row: row, SourceUserID: id, OrgExternalID: pool.ID, OrgName: poolOrgName(pool)})
		case StrategyConnection:
			if res.Connection {
				res.Memberships = append(res.Memberships, ingest.OrgMappingRow{Row: row, SourceUserID: id,
					OrgExternalID: connectionID(pool.ID, res.IdentityProvider), OrgName: res.IdentityProvider})
			}
		}
	}
	return res
}

// identityProvider finds the provider a federated user signed in with, and
// its type: the primary entry of its identities attribute, else the prefix
// of its username (Cognito names federated users "<provider>_<id>").
// connection says the provider is one of the pool's SAML or OIDC providers.
func identityProvider(u User, pool Pool, warn func(code, msg string)) (name, typ string, connection bool) {
	if s := u.Attributes["identities"]; s != "" {
		var ids []struct {
			ProviderName string `json:"providerName"`
			ProviderType string `json:"providerType"`
			Primary      any    `json:"primary"` // a boolean, or "true" in older pools
		}
		if err := json.Unmarshal([]byte(s), &ids); err != nil {
			warn("cognito_identities_unreadable", fmt.Sprintf("the identities attribute is not the JSON list Cognito writes (%v); the identity provider is read from the username", err))
		}
		for i, id := range ids {
			if id.ProviderName != "" && (i == 0 || id.Primary == true || id.Primary == "true") {
				name, typ = id.ProviderName, id.ProviderType
			}
		}
	}
	if name == "" {
		if prefix, _, ok := strings.Cut(u.Username, "_"); ok {
			name = prefix
		}
	}
	if name == "" {
		warn("cognito_identity_provider_unknown", fmt.Sprintf("the user is federated (EXTERNAL_PROVIDER) but neither its identities attribute nor its username %q names the identity provider", u.Username))
		return "", "", false
	}
	if c, ok := pool.Connections[strings.ToLower(name)]; ok {
		return c.Name, c.Type, true
	}
	if social, ok := socialTypes[strings.ToLower(name)]; ok {
		return social, social, false
	}
	return name, typ, false
}

// splitName splits a full name at its first run of spaces: the first word
// is the first name and the rest, however many words, the last name.
func splitName(name string) (first, last string) {
	f := strings.Fields(name)
	if len(f) == 0 {
		return "", ""
	}
	return f[0], strings.Join(f[1:], " ")
}

// rawUser is the copy of the user kept in users.raw: everything ListUsers
// said, so nothing is lost when a field has no WorkOS column.
func rawUser(u User) map[string]any {
	raw := map[string]any{"username": u.Username, "user_status": u.Status, "user_pool_id": u.PoolID, "attributes": u.Attributes}
	if u.Enabled != nil {
		raw["enabled"] = *u.Enabled
	}
	if u.Created != nil {
		raw["user_create_date"] = u.Created.UTC().Format(time.RFC3339)
	}
	if u.Modified != nil {
		raw["user_last_modified_date"] = u.Modified.UTC().Format(time.RFC3339)
	}
	return raw
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// poolOrgName is the name of a pool's organization: the pool's name, or its
// id when DescribeUserPool gave none.
func poolOrgName(p Pool) string {
	if p.Name != "" {
		return p.Name
	}
	return p.ID
}

// connectionID is how a connection of a pool is known in staging and in the
// handoff files: "<user pool id>:<provider name>", as the reference tool's
// packages name it, so that packages of both tools line up.
func connectionID(poolID, provider string) string { return poolID + ":" + provider }
