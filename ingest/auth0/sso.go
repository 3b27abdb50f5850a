package auth0

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/mig-tools/mig/ingest"
)

// apiConnection is an Auth0 connection. Its options differ by strategy, so
// they are read as a plain object.
type apiConnection struct {
	ID             string         `json:"id"`
	Name           string         `json:"name"`
	DisplayName    string         `json:"display_name"`
	Strategy       string         `json:"strategy"`
	EnabledClients *[]string      `json:"enabled_clients"`
	Options        map[string]any `json:"options"`
}

// Enterprise strategies handed off as SAML or OIDC connections, and those
// that are enterprise but have no SAML or OIDC form to hand off. The
// connections list is asked for these strategies only.
var (
	samlStrategies  = map[string]string{"samlp": "GenericSAML", "adfs": "ADFSSAML", "pingfederate": "PingFederateSAML"}
	oidcStrategies  = map[string]string{"oidc": "GenericOIDC", "waad": "EntraIdOIDC", "okta": "OktaOIDC", "google-apps": "GoogleOIDC"}
	otherEnterprise = map[string]string{
		"ad":           "an on-premises Active Directory/LDAP connector connection",
		"auth0-adldap": "an on-premises Active Directory/LDAP connector connection",
	}
)

// ssoStrategies is the strategy filter of the connections list.
func ssoStrategies() []string {
	var s []string
	for _, m := range []map[string]string{samlStrategies, oidcStrategies, otherEnterprise} {
		for k := range m {
			s = append(s, k)
		}
	}
	sort.Strings(s)
	return s
}

// opt returns the first non-empty string option among keys.
func (c apiConnection) opt(keys ...string) string {
	for _, k := range keys {
		if s, ok := c.Options[k].(string); ok && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// sub returns the object option key.
func (c apiConnection) sub(key string) map[string]any {
	m, _ := c.Options[key].(map[string]any)
	return m
}

// mapConnection turns an enterprise connection into an SSO handoff row.
// A connection that cannot be handed off (an unsupported strategy, no
// application using it, or missing what WorkOS needs) gives no row and a
// warning naming what is missing. base is the tenant's scheme and host,
// for the callback URLs the IdP now sends users to.
func mapConnection(c apiConnection, row int, base, file string) (*ingest.SSOConnection, []ingest.Warning) {
	var warnings []ingest.Warning
	warn := func(code, msg string, ctx map[string]any) {
		warnings = append(warnings, ingest.Warning{Code: code, Message: msg, Entity: "sso_connection", SourceID: c.ID, File: file, Row: row, Context: ctx})
	}
	skip := func(missing []string, why string) (*ingest.SSOConnection, []ingest.Warning) {
		warn("sso_connection_skipped", fmt.Sprintf("%s connection %q is not handed off: %s", c.Strategy, c.Name, why),
			map[string]any{"strategy": c.Strategy, "missing": missing})
		return nil, warnings
	}
	if what, ok := otherEnterprise[c.Strategy]; ok {
		return skip(nil, what+"; WorkOS has no such connection to hand it off to, so set it up again by hand")
	}
	samlType, isSAML := samlStrategies[c.Strategy]
	oidcType, isOIDC := oidcStrategies[c.Strategy]
	if !isSAML && !isOIDC {
		return nil, nil // social, database and passwordless connections are not SSO
	}
	if c.EnabledClients != nil && len(*c.EnabledClients) == 0 {
		return skip(nil, "no application uses it (enabled_clients is empty)")
	}
	s := &ingest.SSOConnection{Row: row, SourceID: c.ID, Name: c.Name, Config: map[string]string{"externalId": c.Name},
		Secrets: map[string]string{}, AttributeMappings: map[string]string{}}
	if c.DisplayName != "" {
		s.Name = c.DisplayName
	}
	if d, ok := c.Options["domain_aliases"].([]any); ok {
		for _, v := range d {
			if str, ok := v.(string); ok && str != "" {
				s.Domains = append(s.Domains, str)
			}
		}
	}
	if isSAML {
		s.Protocol = "saml"
		s.Config["connectionType"] = samlType
		if missing := mapSAML(c, s, base); len(missing) > 0 {
			return skip(missing, "WorkOS needs the IdP metadata URL, or the IdP sign-in URL and signing certificate; missing: "+strings.Join(missing, ", "))
		}
		if s.Config["idpEntityId"] == "" && s.Config["idpMetadataUrl"] == "" {
			warn("sso_idp_entity_id_missing", fmt.Sprintf("connection %q: Auth0 keeps no IdP entity ID for it; read it from the IdP's metadata when setting up the WorkOS connection", c.Name), nil)
		}
		return s, warnings
	}
	s.Protocol = "oidc"
	s.Config["connectionType"] = oidcType
	missing := mapOIDC(c, s, base)
	if len(missing) > 0 {
		return skip(missing, "WorkOS needs the client id and the discovery endpoint; missing: "+strings.Join(missing, ", "))
	}
	if c.opt("type") == "front_channel" {
		warn("sso_oidc_front_channel", fmt.Sprintf("connection %q uses the front channel (implicit flow) in Auth0; WorkOS uses the authorization code flow, so the IdP application must allow it and have a client secret", c.Name), nil)
	}
	if s.Secrets["clientSecret"] == "" {
		warn("sso_client_secret_missing", fmt.Sprintf("connection %q has no client secret in Auth0 (a Google Workspace connection may use Auth0's developer keys); create one at the IdP for the WorkOS connection", c.Name), nil)
	}
	return s, warnings
}

// mapSAML fills the SAML handoff columns and returns what is missing.
func mapSAML(c apiConnection, s *ingest.SSOConnection, base string) []string {
	put := func(k, v string) {
		if v != "" {
			s.Config[k] = v
		}
	}
	put("idpEntityId", c.opt("issuer", "entityId", "entityID", "idpEntityId"))
	put("x509Cert", c.opt("signingCert", "cert", "signing_cert", "x509cert"))
	put("idpUrl", c.opt("signInEndpoint", "signInUrl"))
	put("idpMetadataUrl", c.opt("metadataUrl", "metadataURL", "federationMetadataUrl"))
	switch c.Strategy {
	case "adfs":
		// adfs_server is the ADFS host or its federation metadata URL.
		if srv := c.opt("adfs_server"); srv != "" && s.Config["idpMetadataUrl"] == "" {
			if !strings.HasSuffix(strings.ToLower(srv), ".xml") {
				srv = strings.TrimRight(srv, "/") + "/FederationMetadata/2007-06/FederationMetadata.xml"
			}
			put("idpMetadataUrl", srv)
		}
	case "pingfederate":
		// Auth0 signs in at the server's /idp/SSO.saml2 when given only its
		// base URL.
		if base := c.opt("pingfederate_base_url"); base != "" && s.Config["idpUrl"] == "" {
			if u, err := url.Parse(base); err == nil && strings.Trim(u.Path, "/") == "" {
				base = strings.TrimRight(base, "/") + "/idp/SSO.saml2"
			}
			put("idpUrl", base)
		}
	}
	if ii := c.sub("idpinitiated"); ii != nil {
		if v, ok := ii["enabled"].(bool); ok {
			put("idpInitiatedEnabled", fmt.Sprint(v))
		}
	}
	for field, key := range map[string]string{"requestSigning": "signingKey", "assertionEncryption": "decryptionKey"} {
		if k := c.sub(key); k != nil {
			if v, _ := k["key"].(string); v != "" {
				s.Secrets[field+"Key"] = v
			}
			if v, _ := k["cert"].(string); v != "" {
				put(field+"Cert", v)
			}
		}
	}
	standard := map[string]string{"email": "emailAttribute", "given_name": "firstNameAttribute", "family_name": "lastNameAttribute",
		"name": "nameAttribute", "user_id": "idpIdAttribute", "id": "idpIdAttribute", "sub": "idpIdAttribute"}
	for k, v := range c.sub("fieldsMap") {
		claim := ""
		switch t := v.(type) {
		case string:
			claim = t
		case []any:
			if len(t) > 0 {
				claim, _ = t[0].(string)
			}
		}
		if claim == "" {
			continue
		}
		if col, ok := standard[k]; ok {
			put(col, claim)
		} else {
			s.AttributeMappings[k] = claim
		}
	}
	if base != "" {
		// What the IdP knows of Auth0 today, by the kit's rule for the
		// handoff's source and custom columns.
		sp := ingest.ServiceProvider{ACSURL: base + "/login/callback?connection=" + url.QueryEscape(c.Name)}
		if u, err := url.Parse(base); err == nil {
			if tenant, ok := strings.CutSuffix(u.Hostname(), ".auth0.com"); ok {
				// Auth0's own service provider entity ID for SAML connections.
				sp.EntityID = "urn:auth0:" + strings.Split(tenant, ".")[0] + ":" + c.Name
			}
		}
		s.SetServiceProvider(sp, ingest.ServiceProvider{})
	}
	if s.Config["idpMetadataUrl"] != "" {
		return nil
	}
	var missing []string
	for _, k := range []string{"idpUrl", "x509Cert"} {
		if s.Config[k] == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		missing = append(missing, "(or idpMetadataUrl)")
	}
	return missing
}

// mapOIDC fills the OIDC handoff columns and returns what is missing.
func mapOIDC(c apiConnection, s *ingest.SSOConnection, base string) []string {
	var missing []string
	if id := c.opt("client_id"); id != "" {
		s.Config["clientId"] = id
	} else {
		missing = append(missing, "clientId (options.client_id)")
	}
	if sec := c.opt("client_secret"); sec != "" {
		s.Secrets["clientSecret"] = sec
	}
	discovery, from := "", ""
	switch c.Strategy {
	case "oidc":
		discovery, from = c.opt("discovery_url"), "options.discovery_url or options.issuer"
		if discovery == "" {
			if md := c.sub("oidc_metadata"); md != nil {
				iss, _ := md["issuer"].(string)
				discovery = wellKnown(iss)
			}
		}
		if discovery == "" {
			discovery = wellKnown(c.opt("issuer"))
		}
	case "waad":
		from = "options.tenant_domain"
		if t := c.opt("tenant_domain", "domain", "tenantId"); t != "" {
			discovery = "https://login.microsoftonline.com/" + url.PathEscape(t) + "/v2.0/.well-known/openid-configuration"
		}
	case "okta":
		from = "options.domain"
		discovery = wellKnown(c.opt("domain"))
	case "google-apps":
		discovery = "https://accounts.google.com/.well-known/openid-configuration"
		if d := c.opt("domain", "tenant_domain"); d != "" && !slicesContains(s.Domains, d) {
			s.Domains = append(s.Domains, d)
		}
	}
	if discovery == "" {
		missing = append(missing, "discoveryEndpoint ("+from+")")
	} else {
		s.Config["discoveryEndpoint"] = discovery
	}
	if base != "" {
		s.SetServiceProvider(ingest.ServiceProvider{RedirectURI: base + "/login/callback"}, ingest.ServiceProvider{})
	}
	return missing
}

// wellKnown is the OpenID discovery URL of an issuer, which may come
// without a scheme or already be the discovery URL.
func wellKnown(issuer string) string {
	issuer = strings.TrimSpace(issuer)
	if issuer == "" {
		return ""
	}
	if !strings.Contains(issuer, "://") {
		issuer = "https://" + issuer
	}
	if strings.HasSuffix(issuer, "/.well-known/openid-configuration") {
		return issuer
	}
	return strings.TrimRight(issuer, "/") + "/.well-known/openid-configuration"
}

func slicesContains(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// decodeConnection reads one connection of a list page.
func decodeConnection(raw json.RawMessage) (apiConnection, error) {
	var c apiConnection
	err := json.Unmarshal(raw, &c)
	return c, err
}
