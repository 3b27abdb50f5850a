package firebase_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mig-tools/mig/ingest/firebase"
	"github.com/mig-tools/mig/ingest/firebase/firebasefake"
	"github.com/mig-tools/mig/ingest/ingesttest"
)

// TestFetchSSO reads the project's and a tenant's providers through the
// service-account token exchange, following pages, with the secret kept
// apart.
func TestFetchSSO(t *testing.T) {
	t.Setenv("GOOGLE_CLOUD_PROJECT", "")
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	f, key := firebasefake.Start(t, "demo-proj")
	f.Projects["demo-proj"] = firebasefake.Configs{
		SAML: []map[string]any{firebasefake.SAMLConfig("projects/demo-proj", "saml.a", true), firebasefake.SAMLConfig("projects/demo-proj", "saml.b", true), firebasefake.SAMLConfig("projects/demo-proj", "saml.c", false)},
		OIDC: []map[string]any{{"name": "projects/demo-proj/oauthIdpConfigs/oidc.okta", "displayName": "Okta", "enabled": true, "clientId": "cid",
			"clientSecret": "very-secret", "issuer": "https://acme.okta.com"}},
	}
	f.Projects["demo-proj/tenants/t-one"] = firebasefake.Configs{SAML: []map[string]any{firebasefake.SAMLConfig("projects/demo-proj/tenants/t-one", "saml.t", true)}}
	f.Projects["demo-proj/tenants/t-two"] = firebasefake.Configs{}
	f.Tenants["demo-proj"] = []string{"t-one", "t-two"}

	var rec ingesttest.Recorder
	err := firebase.FetchSSO(context.Background(), firebase.SSOOptions{CredentialsFile: key, AllTenants: true, Endpoint: f.URL}, &rec)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range rec.Connections {
		ids = append(ids, c.SourceID)
		for k, v := range c.Config {
			if strings.Contains(v, "secret") {
				t.Errorf("%s config %s holds the secret", c.SourceID, k)
			}
		}
	}
	if want := []string{"firebase:saml.a", "firebase:saml.b", "firebase:saml.c", "firebase:oidc.okta", "firebase:t-one:saml.t"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("connections %v, want %v", ids, want)
	}
	saml := rec.Connections[0]
	wantSAML := map[string]string{"idpEntityId": "https://idp.example.com/saml.a", "idpUrl": "https://idp.example.com/saml.a/sso", "x509Cert": "MIICertLine1MIICertLine2==",
		"sourceEntityId": "demo-proj-sp", "sourceAcsUrl": "https://demo-proj.firebaseapp.com/__/auth/handler", "customEntityId": "demo-proj-sp"}
	if saml.Protocol != "saml" || saml.Name != "SAML saml.a" || !reflect.DeepEqual(saml.Config, wantSAML) || len(saml.Secrets) != 0 {
		t.Errorf("SAML connection %+v", saml)
	}
	oidc := rec.Connections[3]
	if oidc.Protocol != "oidc" || oidc.Name != "Okta" || oidc.Secrets["clientSecret"] != "very-secret" ||
		!reflect.DeepEqual(oidc.Config, map[string]string{"clientId": "cid", "discoveryEndpoint": "https://acme.okta.com/.well-known/openid-configuration"}) {
		t.Errorf("OIDC connection %+v", oidc)
	}
	if c := rec.Codes(); c["sso_provider_disabled"] != 1 || len(rec.Warnings) != 1 {
		t.Errorf("warnings %v, want one for the disabled saml.c", c)
	}
	if f.Tokens() != 1 {
		t.Errorf("%d token exchanges, want 1 (the token is reused)", f.Tokens())
	}
	pages := 0
	for _, g := range f.Gets() {
		if strings.HasPrefix(g, "/v2/projects/demo-proj/inboundSamlConfigs?") {
			pages++
		}
	}
	if pages != 2 {
		t.Errorf("%d pages of SAML configs asked, want 2 (three configs, two a page): %q", pages, f.Gets())
	}
}

// TestFetchSSOProject: the project id comes from the option, else
// GOOGLE_CLOUD_PROJECT, else the key; with none, FetchSSO fails before any
// call instead of skipping the connections.
func TestFetchSSOProject(t *testing.T) {
	f, key := firebasefake.Start(t, "key-proj")
	_, noProjectKey := firebasefake.Start(t, "")
	for _, p := range []string{"opt-proj", "env-proj", "key-proj"} {
		f.Projects[p] = firebasefake.Configs{OIDC: []map[string]any{{"name": "projects/" + p + "/oauthIdpConfigs/oidc.x", "enabled": true, "clientId": p, "issuer": "https://i"}}}
	}
	tests := []struct {
		opt, env, key, want string
	}{
		{"opt-proj", "env-proj", key, "opt-proj"},
		{"", "env-proj", key, "env-proj"},
		{"", "", key, "key-proj"},
		{"", "", noProjectKey, "error: firebase sso: no project id"},
		{"", "", "", "error: firebase sso: no service-account key"},
		{"nope", "", key, "error: firebase sso: GET projects/nope/inboundSamlConfigs?pageSize=100: 404 Not Found NOT_FOUND: CONFIGURATION_NOT_FOUND"},
	}
	for _, tc := range tests {
		t.Setenv("GOOGLE_CLOUD_PROJECT", tc.env)
		t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", tc.key)
		f.ResetGets()
		var rec ingesttest.Recorder
		err := firebase.FetchSSO(context.Background(), firebase.SSOOptions{ProjectID: tc.opt, Endpoint: f.URL}, &rec)
		got := ""
		if err != nil {
			got = "error: " + err.Error()
		} else if len(rec.Connections) == 1 {
			got = rec.Connections[0].Config["clientId"]
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("option %q, env %q: got %q, want %q", tc.opt, tc.env, got, tc.want)
		}
		if strings.Contains(tc.want, "no ") && len(f.Gets()) != 0 {
			t.Errorf("calls made without a project: %v", f.Gets())
		}
	}
}

// TestFetchSSOBadKey: a key the token server refuses stops the fetch with
// the OAuth error, not with an empty list.
func TestFetchSSOBadKey(t *testing.T) {
	f, key := firebasefake.Start(t, "demo-proj")
	f.Projects["demo-proj"] = firebasefake.Configs{}
	other, _ := firebasefake.Start(t, "demo-proj")
	f.TrustKeyOf(other) // the fake now expects another key's signature
	t.Setenv("GOOGLE_CLOUD_PROJECT", "")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := firebase.FetchSSO(ctx, firebase.SSOOptions{CredentialsFile: key, Endpoint: f.URL}, &ingesttest.Recorder{})
	if err == nil || !strings.Contains(err.Error(), "Invalid JWT Signature") {
		t.Errorf("error %v, want the token server's refusal", err)
	}
}
