package cognito_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/cognito"
)

func fixture(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "fixtures", "cognito", "workos-migrations_"+name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// samplePool is the pool of the samples, with the SAML provider their
// federated users name as one of its connections.
var samplePool = cognito.Pool{ID: "us-east-1_AAAPOOL", Name: "Acme users",
	Connections: map[string]cognito.Connection{"somesamlidp": {Name: "SomeSamlIdP", Type: "SAML"}}}

// TestUserSamples maps every public Cognito user sample and checks that each
// comes out as its name says.
func TestUserSamples(t *testing.T) {
	type want struct {
		skip                   string // part of the skip reason; "" when staged
		id, email, first, last string
		verified               bool
		meta                   map[string]string
		warnings               []string
		org                    string // membership's org external id, "" for none
	}
	tests := map[string]want{
		"users_edge-missing-email": {skip: "phone-only"},
		"users_edge-missing-sub": {id: "nosub-user", email: "nosub@example.com", first: "Noah", last: "Obenauer", verified: true,
			meta: map[string]string{"cognito_username": "nosub-user"}, warnings: []string{"cognito_sub_missing"}, org: "us-east-1_AAAPOOL"},
		"users_edge-multi-word-last-name": {id: "fedcba98-7654-3210-0123-456789abcdef", email: "multi@example.com", first: "Mary", last: "Ann Jones Smith", verified: true,
			meta: map[string]string{"cognito_username": "multi-word-user"}, org: "us-east-1_AAAPOOL"},
		"users_edge-name-only-no-given": {id: "abcdef12-3456-7890-fedc-ba0987654321", email: "onlyname@example.com", first: "Olivia", last: "Rodriguez", verified: true,
			meta: map[string]string{"cognito_username": "onlyname-user"}, org: "us-east-1_AAAPOOL"},
		"users_edge-unicode": {id: "12345678-aaaa-bbbb-cccc-dddd00000000", email: "pablo@example.com", first: "María", last: "García López", verified: true,
			meta: map[string]string{"cognito_username": "unicode-user"}, org: "us-east-1_AAAPOOL"},
		"users_native-database": {id: "5a3b2c1d-0000-4000-8000-abcdef123456", email: "alice@example.com", first: "Alice", last: "Smith", verified: true,
			meta: map[string]string{"cognito_username": "alice@example.com"}, org: "us-east-1_AAAPOOL"},
		"users_oidc-federated": {id: "f0e1d2c3-b4a5-9687-7869-5a4b3c2d1e0f", email: "eve@acme.com", first: "Eve", last: "Parker", verified: true,
			meta: map[string]string{"cognito_username": "AzureOIDC_a74900dd-e48b-47b6-b212-306653d7f33d", "cognito_identity_provider": "AzureOIDC"}, org: "us-east-1_AAAPOOL"},
		"users_saml-federated-full": {id: "9f8e7d6c-5432-4321-8765-fedcba098765", email: "bob@acme.com", first: "Bob", last: "Chen", verified: true,
			meta: map[string]string{"cognito_username": "SomeSamlIdP_bob@acme.com", "cognito_identity_provider": "SomeSamlIdP", "cognito_identity_provider_type": "SAML", "department": "Engineering"}, org: "us-east-1_AAAPOOL"},
		"users_saml-federated-name-only": {id: "11223344-5566-7788-99aa-bbccddeeff00", email: "carol@acme.com", first: "Carol", last: "Williams", verified: true,
			meta: map[string]string{"cognito_username": "SomeSamlIdP_carol@acme.com", "cognito_identity_provider": "SomeSamlIdP", "cognito_identity_provider_type": "SAML"}, org: "us-east-1_AAAPOOL"},
		"users_saml-federated-with-customs": {id: "abc12345-6789-0abc-def1-23456789abcd", email: "dave@acme.com", first: "Dave", last: "Wilson", verified: true,
			meta: map[string]string{"cognito_username": "SomeSamlIdP_dave@acme.com", "cognito_identity_provider": "SomeSamlIdP", "cognito_identity_provider_type": "SAML",
				"department": "Sales", "location": "London", "title": "Sr. Account Executive", "user_status": "Active", "user_type": "FullTime"}, org: "us-east-1_AAAPOOL"},
		"users_social-facebook": {id: "aa000011-2233-4455-6677-8899aabbccdd", email: "gabe@example.com", first: "Gabe", last: "Howard", verified: true,
			meta: map[string]string{"cognito_username": "Facebook_10163424000000", "cognito_identity_provider": "Facebook", "cognito_identity_provider_type": "Facebook"}, org: "us-east-1_AAAPOOL"},
		"users_social-google": {id: "55667788-9900-aabb-ccdd-eeff00112233", email: "fiona@gmail.com", first: "Fiona", last: "Brown", verified: true,
			meta: map[string]string{"cognito_username": "google_109876543210123456789", "cognito_identity_provider": "Google", "cognito_identity_provider_type": "Google"}, org: "us-east-1_AAAPOOL"},
	}
	for name, w := range tests {
		t.Run(name, func(t *testing.T) {
			var u cognito.User
			fixture(t, name, &u)
			res := cognito.MapUser(u, samplePool, cognito.Options{}, "cognito:us-east-1_AAAPOOL/users", 7)
			var codes []string
			for _, x := range res.Warnings {
				codes = append(codes, x.Code)
				if x.Row != 7 || x.File != "cognito:us-east-1_AAAPOOL/users" {
					t.Errorf("warning %s at %s:%d, want the user's file and row", x.Code, x.File, x.Row)
				}
			}
			if !reflect.DeepEqual(codes, w.warnings) {
				t.Errorf("warnings %v, want %v", codes, w.warnings)
			}
			if w.skip != "" {
				if res.User != nil || !strings.Contains(res.SkipReason, w.skip) {
					t.Fatalf("user %v skipped for %q, want skipped for %q", res.User, res.SkipReason, w.skip)
				}
				return
			}
			u2 := res.User
			if u2 == nil {
				t.Fatalf("skipped: %s", res.SkipReason)
			}
			got := want{id: u2.SourceID, email: u2.EmailRaw, first: u2.FirstName, last: u2.LastName, verified: *u2.EmailVerified, meta: u2.Metadata, warnings: w.warnings}
			if len(res.Memberships) == 1 {
				got.org = res.Memberships[0].OrgExternalID
			}
			if !reflect.DeepEqual(got, w) {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
			if u2.ExternalID != u2.SourceID || u2.PasswordHash != "" {
				t.Errorf("external id %q, password hash %q: want the sub and no hash", u2.ExternalID, u2.PasswordHash)
			}
		})
	}
}

// TestFederatedUserLinks checks that a federated user of one of the pool's
// SAML connections is linked to it, and under the connection strategy
// becomes a member of that connection's organization only.
func TestFederatedUserLinks(t *testing.T) {
	var saml, google, native cognito.User
	fixture(t, "users_saml-federated-full", &saml)
	fixture(t, "users_social-google", &google)
	fixture(t, "users_native-database", &native)
	o := cognito.Options{OrgStrategy: cognito.StrategyConnection}
	res := cognito.MapUser(saml, samplePool, o, "f", 1)
	if !res.Connection || res.IdentityProvider != "SomeSamlIdP" {
		t.Errorf("SAML user linked to %q (connection %v), want SomeSamlIdP", res.IdentityProvider, res.Connection)
	}
	want := []ingest.OrgMappingRow{{Row: 1, SourceUserID: "9f8e7d6c-5432-4321-8765-fedcba098765", OrgExternalID: "us-east-1_AAAPOOL:SomeSamlIdP", OrgName: "SomeSamlIdP"}}
	if !reflect.DeepEqual(res.Memberships, want) {
		t.Errorf("memberships %+v, want %+v", res.Memberships, want)
	}
	for _, u := range []cognito.User{google, native} {
		if res := cognito.MapUser(u, samplePool, o, "f", 1); res.Connection || len(res.Memberships) != 0 || res.User == nil {
			t.Errorf("%s: connection %v, memberships %v: want staged with no organization", u.Username, res.Connection, res.Memberships)
		}
	}
	o.SkipExternalProviderUsers = true
	if res := cognito.MapUser(saml, samplePool, o, "f", 1); res.User != nil || !strings.Contains(res.SkipReason, "SomeSamlIdP") {
		t.Errorf("with SkipExternalProviderUsers: user %v, reason %q", res.User, res.SkipReason)
	}
	if res := cognito.MapUser(native, samplePool, o, "f", 1); res.User == nil {
		t.Errorf("a native user skipped with SkipExternalProviderUsers: %s", res.SkipReason)
	}
	if res := cognito.MapUser(saml, samplePool, cognito.Options{OrgStrategy: cognito.StrategyNone}, "f", 1); len(res.Memberships) != 0 {
		t.Errorf("strategy none gave memberships %v", res.Memberships)
	}
}

// TestUserDisabledAndVerified covers the flags read from ListUsers' own
// fields: a disabled user is skipped unless asked for, and an
// email_verified that is neither true nor false is a warning, not a guess.
func TestUserDisabledAndVerified(t *testing.T) {
	off := false
	u := cognito.User{PoolID: "us-east-1_X", Username: "u", Enabled: &off, Attributes: map[string]string{"sub": "s1", "email": "a@example.com", "email_verified": "yes"}}
	if res := cognito.MapUser(u, cognito.Pool{ID: "us-east-1_X"}, cognito.Options{}, "f", 1); res.User != nil || !strings.Contains(res.SkipReason, "--include-disabled") {
		t.Errorf("disabled user: %v, %q", res.User, res.SkipReason)
	}
	res := cognito.MapUser(u, cognito.Pool{ID: "us-east-1_X"}, cognito.Options{IncludeDisabled: true}, "f", 1)
	if res.User == nil || *res.User.EmailVerified || len(res.Warnings) != 1 || res.Warnings[0].Code != "email_verified_unreadable" {
		t.Errorf("disabled user with IncludeDisabled: %+v", res)
	}
}

// TestMetadataLimits checks WorkOS's metadata limits: nothing is cut short,
// every value left out is a warning naming its key.
func TestMetadataLimits(t *testing.T) {
	a := map[string]string{"sub": "s1", "email": "a@example.com"}
	for i := range 60 {
		a[fmt.Sprintf("custom:k%02d", i)] = "v"
	}
	long := strings.Repeat("é", 601)
	a["custom:big"] = long
	a["custom:"+strings.Repeat("x", 41)] = "v"
	a["custom:cognito_username"] = "clash"
	res := cognito.MapUser(cognito.User{PoolID: "us-east-1_X", Username: "alice", Attributes: a}, cognito.Pool{ID: "us-east-1_X"}, cognito.Options{}, "f", 3)
	if n := len(res.User.Metadata); n != 50 {
		t.Errorf("%d metadata keys, want 50", n)
	}
	if res.User.Metadata["cognito_username"] != "alice" {
		t.Errorf("cognito_username = %q: a custom attribute took mig's key", res.User.Metadata["cognito_username"])
	}
	for k, v := range res.User.Metadata {
		if len([]rune(k)) > 40 || len([]rune(v)) > 600 {
			t.Errorf("metadata %q=%q is over the limits", k, v)
		}
	}
	named := map[string]bool{}
	for _, w := range res.Warnings {
		if !strings.HasPrefix(w.Code, "metadata_") {
			t.Errorf("unexpected warning %s", w.Code)
		}
		for _, k := range []string{"big", strings.Repeat("x", 41), "cognito_username", "k49", "k59"} {
			if strings.Contains(w.Message, `"`+k+`"`) || strings.Contains(w.Message, " "+k+" ") {
				named[k] = true
			}
		}
	}
	// cognito_username takes one key, so 49 custom keys fit: k00..k48, and
	// k49..k59 (11) are over; big, the long key and the clash make 14.
	if len(res.Warnings) != 14 || len(named) != 5 {
		t.Errorf("%d warnings naming %v, want 14 naming big, the long key, cognito_username, k49 and k59", len(res.Warnings), named)
	}
}

// TestProviderSamples maps the public identity provider samples.
func TestProviderSamples(t *testing.T) {
	tmpl := cognito.Options{SAMLEntityIDTemplate: cognito.DefaultSAMLEntityIDTemplate,
		SAMLACSURLTemplate:      "https://auth.example.com/{region}/{user_pool_id}/{provider_name}/acs",
		OIDCRedirectURITemplate: "https://auth.example.com/{provider_name}/callback"}
	tests := map[string]struct {
		protocol string
		config   map[string]string
		secrets  map[string]string
		attrs    map[string]string
		warnings []string
	}{
		"connections_saml-metadata-file": {protocol: "saml", config: map[string]string{
			"idpEntityId": "http://www.okta.com/exkabcde1234", "idpUrl": "https://acme.okta.com/app/exkabcde1234/sso/saml",
			"x509Cert":       "MIIDpDCCAoygAwIBAgIGAYpq7ezXMA0GCSqGSIb3DQEBCwUAMIGSOKTA...",
			"emailAttribute": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "firstNameAttribute": "firstName", "lastNameAttribute": "lastName",
			"sourceEntityId": "urn:amazon:cognito:sp:us-east-1_AAAPOOL", "customEntityId": "urn:amazon:cognito:sp:us-east-1_AAAPOOL", "customAcsUrl": "https://auth.example.com/us-east-1/us-east-1_AAAPOOL/okta-saml/acs"}},
		"connections_saml-metadata-url": {protocol: "saml", config: map[string]string{
			"idpMetadataUrl": "https://login.microsoftonline.com/tenant-id/federationmetadata/2007-06/federationmetadata.xml",
			"idpEntityId":    "https://sts.windows.net/tenant-id/", "idpUrl": "https://login.microsoftonline.com/tenant-id/saml2",
			"emailAttribute":     "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
			"firstNameAttribute": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
			"lastNameAttribute":  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
			"sourceEntityId":     "urn:amazon:cognito:sp:us-east-1_AAAPOOL", "customEntityId": "urn:amazon:cognito:sp:us-east-1_AAAPOOL", "customAcsUrl": "https://auth.example.com/us-east-1/us-east-1_AAAPOOL/azure-saml-url/acs"}},
		"connections_saml-name-only-mapping": {protocol: "saml", config: map[string]string{
			"idpEntityId": "https://idp.customer01.example.com/entity", "idpUrl": "https://idp.customer01.example.com/sso", "x509Cert": "MIICUSTOMER01CERTSAMPLE",
			"emailAttribute": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "nameAttribute": "fullName",
			"sourceEntityId": "urn:amazon:cognito:sp:us-east-1_AAAPOOL", "customEntityId": "urn:amazon:cognito:sp:us-east-1_AAAPOOL", "customAcsUrl": "https://auth.example.com/us-east-1/us-east-1_AAAPOOL/customer-tenant-01/acs"},
			attrs: map[string]string{"custom:department": "department", "custom:location": "location", "custom:title": "jobTitle", "custom:user_status": "userStatus", "custom:user_type": "userType"}},
		"connections_saml-no-metadata": {protocol: "saml", config: map[string]string{"emailAttribute": "emailAddress",
			"sourceEntityId": "urn:amazon:cognito:sp:us-east-1_AAAPOOL", "customEntityId": "urn:amazon:cognito:sp:us-east-1_AAAPOOL", "customAcsUrl": "https://auth.example.com/us-east-1/us-east-1_AAAPOOL/bare-saml/acs"},
			warnings: []string{"saml_metadata_missing"}},
		"connections_oidc-azure": {protocol: "oidc", config: map[string]string{"clientId": "5dc7420f-de78-4033-b963-b0553f166d33",
			"discoveryEndpoint": "https://login.microsoftonline.com/a74900dd-e48b-47b6-b212-306653d7f33d/v2.0/.well-known/openid-configuration",
			"scopes":            "openid profile email", "customRedirectUri": "https://auth.example.com/azure-oidc/callback"},
			secrets: map[string]string{"clientSecret": "v3.8Q-fake-secret-for-testing"}},
		"connections_oidc-google": {protocol: "oidc", config: map[string]string{"clientId": "google-workspace-client-id.apps.googleusercontent.com",
			"discoveryEndpoint": "https://accounts.google.com/.well-known/openid-configuration", "scopes": "openid profile email",
			"customRedirectUri": "https://auth.example.com/google-sso/callback"},
			secrets: map[string]string{"clientSecret": "google-client-secret-for-testing"}},
		"connections_oidc-already-discovery-url": {protocol: "oidc", config: map[string]string{"clientId": "pre-normalized-client",
			"discoveryEndpoint": "https://idp.example.com/.well-known/openid-configuration", "customRedirectUri": "https://auth.example.com/oidc-pre-normalized/callback"},
			secrets: map[string]string{"clientSecret": "pre-normalized-secret"}},
	}
	for name, w := range tests {
		t.Run(name, func(t *testing.T) {
			var p cognito.Provider
			fixture(t, name, &p)
			res := cognito.MapProvider(p, tmpl, "file", 2)
			c := res.Connection
			if c == nil {
				t.Fatalf("no connection; warnings %+v", res.Warnings)
			}
			var codes []string
			for _, x := range res.Warnings {
				codes = append(codes, x.Code)
			}
			if !reflect.DeepEqual(codes, w.warnings) {
				t.Errorf("warnings %v, want %v", codes, w.warnings)
			}
			if w.secrets == nil {
				w.secrets = map[string]string{}
			}
			if c.Protocol != w.protocol || !reflect.DeepEqual(c.Config, w.config) || !reflect.DeepEqual(c.Secrets, w.secrets) || !reflect.DeepEqual(c.AttributeMappings, w.attrs) {
				t.Errorf("got %s config %v secrets %v attrs %v\nwant %s config %v secrets %v attrs %v", c.Protocol, c.Config, c.Secrets, c.AttributeMappings, w.protocol, w.config, w.secrets, w.attrs)
			}
			for k, v := range c.Config {
				if strings.Contains(v, "secret") && k != "scopes" {
					t.Errorf("config %s=%q holds a secret", k, v)
				}
			}
			if c.SourceID != "us-east-1_AAAPOOL:"+p.Name || c.Name != p.Name || c.OrgExternalID != "us-east-1_AAAPOOL" {
				t.Errorf("source id %q, name %q, org %q", c.SourceID, c.Name, c.OrgExternalID)
			}
		})
	}
}

// TestSocialProviders checks that Google, Facebook, Apple and Amazon give
// one warning each and no connection, and that the connection strategy
// gives each SAML or OIDC provider its organization.
func TestSocialProviders(t *testing.T) {
	for _, typ := range []string{"Google", "Facebook", "SignInWithApple", "LoginWithAmazon"} {
		res := cognito.MapProvider(cognito.Provider{PoolID: "us-east-1_P", Name: typ, Type: typ, Details: map[string]string{"client_secret": "s"}}, cognito.Options{OrgStrategy: cognito.StrategyConnection}, "f", 1)
		if res.Connection != nil || res.Organization != nil || len(res.Warnings) != 1 || res.Warnings[0].Code != "cognito_social_provider" {
			t.Errorf("%s: %+v", typ, res)
		}
	}
	res := cognito.MapProvider(cognito.Provider{PoolID: "us-east-1_P", Name: "okta", Type: "SAML", Details: map[string]string{"MetadataURL": "https://x/md"},
		IdpIdentifiers: []string{"Acme.com", "not a domain"}}, cognito.Options{OrgStrategy: cognito.StrategyConnection}, "f", 1)
	if res.Organization == nil || res.Organization.ExternalID != "us-east-1_P:okta" || res.Connection.OrgExternalID != "us-east-1_P:okta" {
		t.Errorf("connection strategy: org %+v, connection org %q", res.Organization, res.Connection.OrgExternalID)
	}
	if !reflect.DeepEqual(res.Connection.Domains, []string{"acme.com"}) || len(res.Warnings) != 1 || res.Warnings[0].Code != "cognito_idp_identifier_not_domain" {
		t.Errorf("domains %v, warnings %+v", res.Connection.Domains, res.Warnings)
	}
}

// TestProviderServiceProvider: with the pool's hosted UI domain known, the
// handoff rows carry Cognito's ACS URL or redirect URI as the source values
// (the callback proxy's route); WorkOS's entity ID is Cognito's unless a
// template asks for another, and WorkOS's ACS URL and redirect URI come only
// from the templates.
func TestProviderServiceProvider(t *testing.T) {
	domain := cognito.HostedDomain("eu-west-1", "acme-login", "")
	if domain != "acme-login.auth.eu-west-1.amazoncognito.com" || cognito.HostedDomain("eu-west-1", "acme-login", "login.acme.com") != "login.acme.com" ||
		cognito.HostedDomain("eu-west-1", "", "") != "" {
		t.Fatalf("HostedDomain: %q", domain)
	}
	saml := cognito.Provider{PoolID: "eu-west-1_P", Name: "okta", Type: "SAML", Region: "eu-west-1", Domain: domain, Details: map[string]string{"MetadataURL": "https://x/md"}}
	oidc := cognito.Provider{PoolID: "eu-west-1_P", Name: "azure", Type: "OIDC", Region: "eu-west-1", Domain: domain, Details: map[string]string{"client_id": "c", "oidc_issuer": "https://i"}}
	tests := []struct {
		name string
		p    cognito.Provider
		o    cognito.Options
		want map[string]string
	}{
		{"saml, no template", saml, cognito.Options{}, map[string]string{"sourceEntityId": "urn:amazon:cognito:sp:eu-west-1_P",
			"sourceAcsUrl": "https://acme-login.auth.eu-west-1.amazoncognito.com/saml2/idpresponse", "customEntityId": "urn:amazon:cognito:sp:eu-west-1_P"}},
		{"saml, templates", saml, cognito.Options{SAMLEntityIDTemplate: "https://sso.acme.com/{provider_name}", SAMLACSURLTemplate: "https://proxy.acme.com/{user_pool_id}/acs"},
			map[string]string{"sourceEntityId": "urn:amazon:cognito:sp:eu-west-1_P", "sourceAcsUrl": "https://acme-login.auth.eu-west-1.amazoncognito.com/saml2/idpresponse",
				"customEntityId": "https://sso.acme.com/okta", "customAcsUrl": "https://proxy.acme.com/eu-west-1_P/acs"}},
		{"oidc, no template", oidc, cognito.Options{}, map[string]string{"sourceRedirectUri": "https://acme-login.auth.eu-west-1.amazoncognito.com/oauth2/idpresponse"}},
		{"oidc, template", oidc, cognito.Options{OIDCRedirectURITemplate: "https://proxy.acme.com/{region}/cb"}, map[string]string{
			"sourceRedirectUri": "https://acme-login.auth.eu-west-1.amazoncognito.com/oauth2/idpresponse", "customRedirectUri": "https://proxy.acme.com/eu-west-1/cb"}},
	}
	for _, tc := range tests {
		c := cognito.MapProvider(tc.p, tc.o, "f", 1).Connection
		got := map[string]string{}
		for k, v := range c.Config {
			if strings.HasPrefix(k, "source") || strings.HasPrefix(k, "custom") {
				got[k] = v
			}
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v\nwant %v", tc.name, got, tc.want)
		}
	}
}
