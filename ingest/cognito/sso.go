package cognito

import (
	"encoding/xml"
	"fmt"
	"sort"
	"strings"

	"github.com/mig-tools/mig/ingest"
)

// DefaultSAMLEntityIDTemplate is the entity id Cognito gives itself as a
// SAML service provider: the handoff rows' sourceEntityId, and by the kit's
// rule their customEntityId too unless another template is given, which
// lets WorkOS answer to the identity providers as Cognito did, so that
// nothing changes on the customer's side. The CLI offers it as the flag's
// default.
const DefaultSAMLEntityIDTemplate = "urn:amazon:cognito:sp:{user_pool_id}"

// ProviderResult is what one identity provider becomes: an SSO connection
// for the handoff files (SAML and OIDC only), the organization it stands for
// under the connection strategy, and warnings.
type ProviderResult struct {
	Connection   *ingest.SSOConnection
	Organization *ingest.Organization
	Warnings     []ingest.Warning
}

// Attributes of Cognito's attribute mapping that have their own column in
// the SAML handoff file; every other mapping is a custom attribute mapping.
var standardAttributes = map[string]string{
	"email":       "emailAttribute",
	"given_name":  "firstNameAttribute",
	"family_name": "lastNameAttribute",
	"name":        "nameAttribute",
}

// MapProvider turns one identity provider of a pool into its handoff
// records. It is pure. SAML and OIDC providers become SSO connections (their
// client secret only in Secrets); Cognito's social providers (Google,
// Facebook, Apple, Amazon) are not SSO in WorkOS and become one warning each.
func MapProvider(p Provider, o Options, file string, row int) ProviderResult {
	var res ProviderResult
	id := connectionID(p.PoolID, p.Name)
	warn := func(code, msg string) {
		res.Warnings = append(res.Warnings, ingest.Warning{Code: code, Message: msg, Entity: "sso_connection", SourceID: id, File: file, Row: row})
	}
	typ := strings.ToUpper(p.Type)
	if social, ok := socialTypes[strings.ToLower(p.Type)]; ok {
		warn("cognito_social_provider", fmt.Sprintf("identity provider %s is %s sign-in, not an SSO connection: WorkOS's own %s sign-in takes its users, who are staged by their email; no SSO connection is handed over", p.Name, social, social))
		return res
	}
	if typ != "SAML" && typ != "OIDC" {
		warn("cognito_provider_unsupported", fmt.Sprintf("identity provider %s has type %q, neither SAML nor OIDC; it is not handed over", p.Name, p.Type))
		return res
	}

	c := &ingest.SSOConnection{Row: row, SourceID: id, Name: p.Name, Config: map[string]string{}, Secrets: map[string]string{}}
	switch o.orgStrategy() {
	case StrategyUserPool:
		c.OrgExternalID = p.PoolID
	case StrategyConnection:
		c.OrgExternalID = id
		res.Organization = &ingest.Organization{Row: row, ExternalID: id, Name: p.Name,
			Metadata: map[string]string{"cognito_user_pool_id": p.PoolID, "cognito_identity_provider": p.Name}}
	}
	d := p.Details
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			c.Config[k] = v
		}
	}
	if typ == "SAML" {
		c.Protocol = "saml"
		set("idpMetadataUrl", d["MetadataURL"])
		set("idpEntityId", d["EntityId"])
		set("idpUrl", d["SSORedirectBindingURI"])
		if xmlText := d["MetadataFile"]; xmlText != "" {
			md, err := parseSAMLMetadata(xmlText)
			if err != nil {
				warn("saml_metadata_unreadable", fmt.Sprintf("the metadata file of %s cannot be read (%v); the connection is handed over without its entity id, sign-in URL and certificate", p.Name, err))
			} else {
				set("idpEntityId", md.entityID)
				set("idpUrl", md.ssoURL)
				set("x509Cert", md.cert)
			}
		}
		if c.Config["idpMetadataUrl"] == "" && c.Config["idpEntityId"] == "" {
			warn("saml_metadata_missing", fmt.Sprintf("identity provider %s has no metadata URL, metadata file or entity id: the connection is handed over, but WorkOS needs the IdP's metadata to finish it", p.Name))
		}
		switch strings.ToLower(d["IDPInit"]) {
		case "true":
			c.Config["idpInitiatedEnabled"] = "true"
		case "false":
			c.Config["idpInitiatedEnabled"] = "false"
		}
		// What the IdP knows of Cognito today, and what WorkOS is asked to
		// be instead, by the kit's rule for the handoff columns.
		sp := ingest.ServiceProvider{EntityID: renderTemplate(DefaultSAMLEntityIDTemplate, p)}
		if p.Domain != "" {
			sp.ACSURL = "https://" + p.Domain + "/saml2/idpresponse"
		}
		c.SetServiceProvider(sp, ingest.ServiceProvider{EntityID: renderTemplate(o.SAMLEntityIDTemplate, p), ACSURL: renderTemplate(o.SAMLACSURLTemplate, p)})
	} else {
		c.Protocol = "oidc"
		set("clientId", d["client_id"])
		set("discoveryEndpoint", discoveryEndpoint(d["oidc_issuer"]))
		set("scopes", d["authorize_scopes"])
		var sp ingest.ServiceProvider
		if p.Domain != "" {
			sp.RedirectURI = "https://" + p.Domain + "/oauth2/idpresponse"
		}
		c.SetServiceProvider(sp, ingest.ServiceProvider{RedirectURI: renderTemplate(o.OIDCRedirectURITemplate, p)})
		if s := d["client_secret"]; s != "" {
			c.Secrets["clientSecret"] = s
		}
		if c.Config["clientId"] == "" || c.Config["discoveryEndpoint"] == "" {
			warn("oidc_config_incomplete", fmt.Sprintf("identity provider %s lacks a client id or an issuer: the connection is handed over, but WorkOS needs both", p.Name))
		}
	}

	// The four attributes with a handoff column go there (SAML only: the
	// OIDC file has none, and OIDC's standard claims need no mapping); the
	// rest are custom attribute mappings, user pool attribute -> IdP claim.
	keys := make([]string, 0, len(p.AttributeMapping))
	for k := range p.AttributeMapping {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		claim := p.AttributeMapping[k]
		if col, ok := standardAttributes[k]; ok {
			if c.Protocol == "saml" {
				set(col, claim)
			}
			continue
		}
		if c.AttributeMappings == nil {
			c.AttributeMappings = map[string]string{}
		}
		c.AttributeMappings[k] = claim
	}
	for _, ident := range p.IdpIdentifiers {
		if isDomain(ident) {
			c.Domains = append(c.Domains, strings.ToLower(ident))
		} else {
			warn("cognito_idp_identifier_not_domain", fmt.Sprintf("identifier %q of %s is not a domain name, so it does not become a connection domain", ident, p.Name))
		}
	}
	res.Connection = c
	return res
}

// renderTemplate fills a custom entity id, ACS URL or redirect URI template
// with the provider's pool, name and region.
func renderTemplate(t string, p Provider) string {
	if t == "" {
		return ""
	}
	return strings.NewReplacer("{user_pool_id}", p.PoolID, "{provider_name}", p.Name, "{region}", p.Region).Replace(t)
}

// discoveryEndpoint is the OIDC discovery document of an issuer. Cognito
// stores the issuer; some pools already hold the full discovery URL.
func discoveryEndpoint(issuer string) string {
	issuer = strings.TrimSpace(issuer)
	const wellKnown = "/.well-known/openid-configuration"
	if issuer == "" || strings.HasSuffix(issuer, wellKnown) {
		return issuer
	}
	return strings.TrimSuffix(issuer, "/") + wellKnown
}

// isDomain reports whether s reads as a DNS domain name (Cognito IdP
// identifiers are often the email domains routed to the provider).
func isDomain(s string) bool {
	if len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// samlMetadata is what a handoff row needs from an IdP's SAML metadata.
type samlMetadata struct{ entityID, ssoURL, cert string }

// The SAML metadata elements read, by local name (encoding/xml matches a
// tag without a namespace against any namespace).
type xmlEntity struct {
	EntityID string `xml:"entityID,attr"`
	IDP      *struct {
		Keys []struct {
			Use  string `xml:"use,attr"`
			Cert string `xml:"KeyInfo>X509Data>X509Certificate"`
		} `xml:"KeyDescriptor"`
		SSO []struct {
			Binding  string `xml:"Binding,attr"`
			Location string `xml:"Location,attr"`
		} `xml:"SingleSignOnService"`
	} `xml:"IDPSSODescriptor"`
}

// parseSAMLMetadata reads an EntityDescriptor, or the first one with an
// IdP role in an EntitiesDescriptor. The sign-in URL is the HTTP-Redirect
// binding's, else HTTP-POST's; the certificate is the first for signing.
func parseSAMLMetadata(text string) (samlMetadata, error) {
	var root struct {
		XMLName xml.Name
		xmlEntity
		Entities []xmlEntity `xml:"EntityDescriptor"`
	}
	if err := xml.Unmarshal([]byte(text), &root); err != nil {
		return samlMetadata{}, err
	}
	entities := []xmlEntity{root.xmlEntity}
	if root.XMLName.Local == "EntitiesDescriptor" {
		entities = root.Entities
	}
	for _, e := range entities {
		if e.IDP == nil {
			continue
		}
		md := samlMetadata{entityID: strings.TrimSpace(e.EntityID)}
		for _, want := range []string{"HTTP-Redirect", "HTTP-POST", ""} {
			for _, s := range e.IDP.SSO {
				if md.ssoURL == "" && strings.HasSuffix(s.Binding, want) {
					md.ssoURL = strings.TrimSpace(s.Location)
				}
			}
		}
		for _, k := range e.IDP.Keys {
			if md.cert == "" && k.Use != "encryption" {
				md.cert = strings.Join(strings.Fields(k.Cert), "")
			}
		}
		return md, nil
	}
	return samlMetadata{}, fmt.Errorf("no %s with an IDPSSODescriptor", root.XMLName.Local)
}
