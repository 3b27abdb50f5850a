package ingest

import "strings"

// The handoff files of an SSO connection carry two groups of
// service-provider columns, and every source fills them by one rule, the
// one SetServiceProvider applies:
//
//   - source* (sourceEntityId, sourceAcsUrl, sourceRedirectUri) are what the
//     identity provider is configured with today: the old provider's own
//     service-provider entity ID, its ACS URL, its OIDC redirect URI. They
//     are facts about the old provider; sso/proxy_routes.csv lists them, so
//     that a callback proxy can route the IdP's traffic during the cutover.
//   - custom* (customEntityId, customAcsUrl, customRedirectUri) are what to
//     configure on the WorkOS connection. An entity ID is only a name, so
//     WorkOS may answer to the old one: customEntityId is the source's
//     entity ID unless another is asked for, which spares the IdP a change.
//     An ACS URL or redirect URI must reach WorkOS, and the old provider's
//     are on the old provider's domain: customAcsUrl and customRedirectUri
//     are set only when the person migrating names them (Cognito's
//     templates), never copied from the source's.

// ServiceProvider is the service-provider side of an SSO connection: what
// an identity provider sends its users back to.
type ServiceProvider struct {
	EntityID    string // SAML: the SP entity ID (the assertions' audience)
	ACSURL      string // SAML: the assertion consumer service URL
	RedirectURI string // OIDC: the redirect (callback) URI
}

// SetServiceProvider fills c's source* and custom* handoff columns by the
// rule above: old is the old provider's service provider as the IdP knows
// it, custom what the person migrating asked WorkOS's to be. Empty values
// are left out; values already in c.Config are replaced only by non-empty
// ones.
func (c *SSOConnection) SetServiceProvider(old, custom ServiceProvider) {
	if c.Config == nil {
		c.Config = map[string]string{}
	}
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			c.Config[k] = v
		}
	}
	set("sourceEntityId", old.EntityID)
	set("sourceAcsUrl", old.ACSURL)
	set("sourceRedirectUri", old.RedirectURI)
	entityID := custom.EntityID
	if strings.TrimSpace(entityID) == "" {
		entityID = old.EntityID
	}
	set("customEntityId", entityID)
	set("customAcsUrl", custom.ACSURL)
	set("customRedirectUri", custom.RedirectURI)
}
