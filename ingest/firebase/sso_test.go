package firebase_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mig-tools/mig/ingest/firebase"
)

// fakeGoogle is an in-process Identity Toolkit API with its token endpoint:
// it checks the service account's signed JWT like Google's OAuth server
// does, and answers the list calls only with the token it issued.
type fakeGoogle struct {
	key      *rsa.PublicKey
	email    string
	url      string
	mu       sync.Mutex
	tokens   int
	gets     []string
	projects map[string]fakeProject // project or project/tenants/t -> configs
	tenants  map[string][]string
}

type fakeProject struct {
	saml []map[string]any
	oidc []map[string]any
}

const fakeToken = "ya29.fake-access-token"

func (f *fakeGoogle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/token" {
		f.token(w, r)
		return
	}
	f.gets = append(f.gets, r.URL.Path+"?"+r.URL.RawQuery)
	if r.Header.Get("Authorization") != "Bearer "+fakeToken {
		gerr(w, http.StatusUnauthorized, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/v2/projects/")
	if !ok {
		gerr(w, http.StatusNotFound, "NOT_FOUND", "no such API")
		return
	}
	var items []map[string]any
	var field string
	switch {
	case strings.HasSuffix(path, "/inboundSamlConfigs"):
		p, ok := f.projects[strings.TrimSuffix(path, "/inboundSamlConfigs")]
		if !ok {
			gerr(w, http.StatusNotFound, "NOT_FOUND", "CONFIGURATION_NOT_FOUND")
			return
		}
		items, field = p.saml, "inboundSamlConfigs"
	case strings.HasSuffix(path, "/oauthIdpConfigs"):
		p, ok := f.projects[strings.TrimSuffix(path, "/oauthIdpConfigs")]
		if !ok {
			gerr(w, http.StatusNotFound, "NOT_FOUND", "CONFIGURATION_NOT_FOUND")
			return
		}
		items, field = p.oidc, "oauthIdpConfigs"
	case strings.HasSuffix(path, "/tenants"):
		project := strings.TrimSuffix(path, "/tenants")
		for _, t := range f.tenants[project] {
			items = append(items, map[string]any{"name": "projects/" + project + "/tenants/" + t, "displayName": t})
		}
		field = "tenants"
	default:
		gerr(w, http.StatusNotFound, "NOT_FOUND", "no such collection")
		return
	}
	// Pages of two, whatever pageSize asks: the client must follow tokens.
	off := 0
	fmt.Sscan(r.URL.Query().Get("pageToken"), &off)
	n := min(2, len(items)-off)
	out := map[string]any{field: items[off : off+n]}
	if off+n < len(items) {
		out["nextPageToken"] = fmt.Sprint(off + n)
	}
	json.NewEncoder(w).Encode(out)
}

// token checks a jwt-bearer grant: an RS256 JWT signed by the service
// account's key, issued by its email, for this token URL and the
// cloud-platform scope.
func (f *fakeGoogle) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)
		return
	}
	parts := strings.Split(r.PostForm.Get("assertion"), ".")
	if len(parts) != 3 {
		http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
		return
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(f.key, crypto.SHA256, sum[:], sig); err != nil {
		http.Error(w, `{"error":"invalid_grant","error_description":"Invalid JWT Signature."}`, http.StatusBadRequest)
		return
	}
	var claims struct {
		Iss, Aud, Scope string
		Iat, Exp        int64
	}
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	json.Unmarshal(b, &claims)
	if claims.Iss != f.email || claims.Aud != f.url+"/token" || claims.Scope != "https://www.googleapis.com/auth/cloud-platform" || claims.Exp <= claims.Iat {
		http.Error(w, `{"error":"invalid_grant","error_description":"bad claims"}`, http.StatusBadRequest)
		return
	}
	f.tokens++
	json.NewEncoder(w).Encode(map[string]any{"access_token": fakeToken, "token_type": "Bearer", "expires_in": 3600})
}

func gerr(w http.ResponseWriter, code int, status, msg string) {
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
}

// newFakeGoogle starts the fake and writes a service-account key for it
// (a fresh RSA key, token_uri pointing at the fake); project is the key's
// project_id.
func newFakeGoogle(t *testing.T, project string) (*fakeGoogle, string) {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	f := &fakeGoogle{key: &priv.PublicKey, email: "mig-reader@" + project + ".iam.gserviceaccount.com",
		projects: map[string]fakeProject{}, tenants: map[string][]string{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	key := map[string]string{"type": "service_account", "project_id": project, "private_key_id": "k1",
		"private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "client_email": f.email,
		"client_id": "1", "token_uri": srv.URL + "/token"}
	b, _ := json.Marshal(key)
	path := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return f, path
}

const certPEM = "-----BEGIN CERTIFICATE-----\nMIICertLine1\nMIICertLine2==\n-----END CERTIFICATE-----\n"

func samlConfig(parent, id string, enabled bool) map[string]any {
	return map[string]any{"name": parent + "/inboundSamlConfigs/" + id, "displayName": "SAML " + id, "enabled": enabled,
		"idpConfig": map[string]any{"idpEntityId": "https://idp.example.com/" + id, "ssoUrl": "https://idp.example.com/" + id + "/sso",
			"idpCertificates": []any{map[string]string{"x509Certificate": certPEM}}},
		"spConfig": map[string]any{"spEntityId": "demo-proj-sp", "callbackUri": "https://demo-proj.firebaseapp.com/__/auth/handler"}}
}

// TestFetchSSO reads the project's and a tenant's providers through the
// service-account token exchange, following pages, with the secret kept
// apart.
func TestFetchSSO(t *testing.T) {
	t.Setenv("GOOGLE_CLOUD_PROJECT", "")
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	f, key := newFakeGoogle(t, "demo-proj")
	f.projects["demo-proj"] = fakeProject{
		saml: []map[string]any{samlConfig("projects/demo-proj", "saml.a", true), samlConfig("projects/demo-proj", "saml.b", true), samlConfig("projects/demo-proj", "saml.c", false)},
		oidc: []map[string]any{{"name": "projects/demo-proj/oauthIdpConfigs/oidc.okta", "displayName": "Okta", "enabled": true, "clientId": "cid",
			"clientSecret": "very-secret", "issuer": "https://acme.okta.com"}},
	}
	f.projects["demo-proj/tenants/t-one"] = fakeProject{saml: []map[string]any{samlConfig("projects/demo-proj/tenants/t-one", "saml.t", true)}}
	f.projects["demo-proj/tenants/t-two"] = fakeProject{}
	f.tenants["demo-proj"] = []string{"t-one", "t-two"}

	var rec recorder
	err := firebase.FetchSSO(context.Background(), firebase.SSOOptions{CredentialsFile: key, AllTenants: true, Endpoint: f.url}, &rec)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range rec.conns {
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
	saml := rec.conns[0]
	wantSAML := map[string]string{"idpEntityId": "https://idp.example.com/saml.a", "idpUrl": "https://idp.example.com/saml.a/sso", "x509Cert": "MIICertLine1MIICertLine2==",
		"sourceEntityId": "demo-proj-sp", "sourceAcsUrl": "https://demo-proj.firebaseapp.com/__/auth/handler", "customEntityId": "demo-proj-sp"}
	if saml.Protocol != "saml" || saml.Name != "SAML saml.a" || !reflect.DeepEqual(saml.Config, wantSAML) || len(saml.Secrets) != 0 {
		t.Errorf("SAML connection %+v", saml)
	}
	oidc := rec.conns[3]
	if oidc.Protocol != "oidc" || oidc.Name != "Okta" || oidc.Secrets["clientSecret"] != "very-secret" ||
		!reflect.DeepEqual(oidc.Config, map[string]string{"clientId": "cid", "discoveryEndpoint": "https://acme.okta.com/.well-known/openid-configuration"}) {
		t.Errorf("OIDC connection %+v", oidc)
	}
	if c := rec.codes(); c["sso_provider_disabled"] != 1 || len(rec.warnings) != 1 {
		t.Errorf("warnings %v, want one for the disabled saml.c", c)
	}
	if f.tokens != 1 {
		t.Errorf("%d token exchanges, want 1 (the token is reused)", f.tokens)
	}
	pages := 0
	for _, g := range f.gets {
		if strings.HasPrefix(g, "/v2/projects/demo-proj/inboundSamlConfigs?") {
			pages++
		}
	}
	if pages != 2 {
		t.Errorf("%d pages of SAML configs asked, want 2 (three configs, two a page): %q", pages, f.gets)
	}
}

// TestFetchSSOProject: the project id comes from the option, else
// GOOGLE_CLOUD_PROJECT, else the key; with none, FetchSSO fails before any
// call instead of skipping the connections.
func TestFetchSSOProject(t *testing.T) {
	f, key := newFakeGoogle(t, "key-proj")
	_, noProjectKey := newFakeGoogle(t, "")
	for _, p := range []string{"opt-proj", "env-proj", "key-proj"} {
		f.projects[p] = fakeProject{oidc: []map[string]any{{"name": "projects/" + p + "/oauthIdpConfigs/oidc.x", "enabled": true, "clientId": p, "issuer": "https://i"}}}
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
		f.gets = nil
		var rec recorder
		err := firebase.FetchSSO(context.Background(), firebase.SSOOptions{ProjectID: tc.opt, Endpoint: f.url}, &rec)
		got := ""
		if err != nil {
			got = "error: " + err.Error()
		} else if len(rec.conns) == 1 {
			got = rec.conns[0].Config["clientId"]
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("option %q, env %q: got %q, want %q", tc.opt, tc.env, got, tc.want)
		}
		if strings.Contains(tc.want, "no ") && len(f.gets) != 0 {
			t.Errorf("calls made without a project: %v", f.gets)
		}
	}
}

// TestFetchSSOBadKey: a key the token server refuses stops the fetch with
// the OAuth error, not with an empty list.
func TestFetchSSOBadKey(t *testing.T) {
	f, key := newFakeGoogle(t, "demo-proj")
	f.projects["demo-proj"] = fakeProject{}
	other, _ := newFakeGoogle(t, "demo-proj")
	f.key = other.key // the fake now expects another key's signature
	t.Setenv("GOOGLE_CLOUD_PROJECT", "")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := firebase.FetchSSO(ctx, firebase.SSOOptions{CredentialsFile: key, Endpoint: f.url}, &recorder{})
	if err == nil || !strings.Contains(err.Error(), "Invalid JWT Signature") {
		t.Errorf("error %v, want the token server's refusal", err)
	}
}
