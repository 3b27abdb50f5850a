package auth0_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/auth0"
)

// TestMapConnection covers the handoff columns the sample connections do
// not: keys and certificates, custom attributes, domains, Auth0's own
// entity ID, and what is not SSO at all.
func TestMapConnection(t *testing.T) {
	t.Run("SAML with signing and decryption keys", func(t *testing.T) {
		c, w, err := auth0.MapConnection([]byte(`{"id":"con_1","name":"corp","strategy":"samlp","enabled_clients":["app"],"options":{
			"entityId":"https://idp.corp.test/entity","signInEndpoint":"https://idp.corp.test/sso","signingCert":"CERT",
			"signingKey":{"key":"REQ-KEY","cert":"REQ-CERT"},"decryptionKey":{"key":"DEC-KEY","cert":"DEC-CERT"},
			"fieldsMap":{"email":"mail","department":"dept","name":["displayName","cn"]},"domain_aliases":["corp.test","corp.example"]}}`),
			"https://my-tenant.us.auth0.com")
		if err != nil || c == nil {
			t.Fatal(err, w)
		}
		if len(w) != 0 {
			t.Errorf("warnings %+v", w)
		}
		if !maps.Equal(c.Secrets, map[string]string{"requestSigningKey": "REQ-KEY", "assertionEncryptionKey": "DEC-KEY"}) {
			t.Errorf("secrets %v", c.Secrets)
		}
		for k, v := range map[string]string{"idpEntityId": "https://idp.corp.test/entity", "requestSigningCert": "REQ-CERT",
			"assertionEncryptionCert": "DEC-CERT", "emailAttribute": "mail", "nameAttribute": "displayName",
			"sourceAcsUrl": "https://my-tenant.us.auth0.com/login/callback?connection=corp", "sourceEntityId": "urn:auth0:my-tenant:corp", "customEntityId": "urn:auth0:my-tenant:corp"} {
			if c.Config[k] != v {
				t.Errorf("%s = %q, want %q", k, c.Config[k], v)
			}
		}
		for k, v := range c.Config {
			if strings.Contains(v, "KEY") {
				t.Errorf("a key in config %s", k)
			}
		}
		if !maps.Equal(c.AttributeMappings, map[string]string{"department": "dept"}) || !slices.Equal(c.Domains, []string{"corp.test", "corp.example"}) {
			t.Errorf("attributes %v, domains %v", c.AttributeMappings, c.Domains)
		}
	})
	t.Run("PingFederate from its base URL", func(t *testing.T) {
		c, _, _ := auth0.MapConnection([]byte(`{"id":"con_2","name":"ping","strategy":"pingfederate","options":{"pingfederate_base_url":"https://ping.corp.test","signing_cert":"C"}}`), "")
		if c == nil || c.Config["idpUrl"] != "https://ping.corp.test/idp/SSO.saml2" {
			t.Errorf("%+v", c)
		}
	})
	t.Run("SAML without what WorkOS needs", func(t *testing.T) {
		c, w, _ := auth0.MapConnection([]byte(`{"id":"con_3","name":"half","strategy":"samlp","options":{"signInEndpoint":"https://idp/sso"}}`), "")
		if c != nil || len(w) != 1 || !strings.Contains(w[0].Message, "x509Cert") || strings.Contains(w[0].Message, "missing: idpUrl") {
			t.Errorf("%+v %+v", c, w)
		}
	})
	t.Run("OIDC issuer without a scheme", func(t *testing.T) {
		c, _, _ := auth0.MapConnection([]byte(`{"id":"con_4","name":"o","strategy":"oidc","options":{"client_id":"id","client_secret":"s","issuer":"login.corp.test/"}}`), "")
		if c == nil || c.Config["discoveryEndpoint"] != "https://login.corp.test/.well-known/openid-configuration" {
			t.Errorf("%+v", c)
		}
	})
	t.Run("social, database and passwordless connections are not SSO", func(t *testing.T) {
		for _, s := range []string{"auth0", "google-oauth2", "email", "sms"} {
			c, w, _ := auth0.MapConnection([]byte(`{"id":"con_5","name":"x","strategy":"`+s+`","options":{}}`), "")
			if c != nil || len(w) != 0 {
				t.Errorf("%s: %+v %+v", s, c, w)
			}
		}
	})
}
