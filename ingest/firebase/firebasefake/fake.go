// Package firebasefake is an in-process fake of the part of Google's
// Identity Toolkit API (Identity Platform's admin API, v2) that mig reads:
// the project's and its tenants' inbound SAML and OIDC provider
// configurations and its tenants, paginated two to a page whatever
// pageSize asks, so that a client must follow nextPageToken. It has its own
// OAuth token endpoint, which checks a service account's signed JWT as
// Google's does and issues the one token the list calls accept; Listen
// writes a service-account key (a fresh RSA key, token_uri pointing at the
// fake) for it. It listens on 127.0.0.1 only and stops with the test, or
// when the function Listen returns is called.
package firebasefake

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

// token is the access token the fake issues and accepts.
const token = "ya29.fake-access-token"

// Configs are one project's or tenant's provider configurations, as the
// API answers them (see SAMLConfig for the shape of one).
type Configs struct {
	SAML []map[string]any `json:"saml"`
	OIDC []map[string]any `json:"oidc"`
}

// Fake is a running fake.
type Fake struct {
	// URL is the API's base URL (what firebase.SSOOptions.Endpoint takes).
	URL string
	// Email is the service account's, the issuer its JWTs must name.
	Email string
	// Projects holds the configurations by "PROJECT" or
	// "PROJECT/tenants/TENANT"; a parent it does not hold is answered 404
	// CONFIGURATION_NOT_FOUND. Tenants lists each project's tenants.
	Projects map[string]Configs
	Tenants  map[string][]string

	mu     sync.Mutex
	key    *rsa.PublicKey
	tokens int
	gets   []string
}

// Listen starts a fake on a free port of 127.0.0.1 and writes, in dir, a
// service-account key for it whose project_id is project (none when
// empty). It returns the fake, the key's path and the function that stops
// the fake.
func Listen(project, dir string) (*Fake, string, func(), error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, "", nil, err
	}
	name := project
	if name == "" {
		name = "no-project"
	}
	f := &Fake{key: &priv.PublicKey, Email: "mig-reader@" + name + ".iam.gserviceaccount.com",
		Projects: map[string]Configs{}, Tenants: map[string][]string{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, err
	}
	srv := httptest.NewUnstartedServer(f)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	f.URL = srv.URL
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		srv.Close()
		return nil, "", nil, err
	}
	key := map[string]string{"type": "service_account", "project_id": project, "private_key_id": "k1",
		"private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "client_email": f.Email,
		"client_id": "1", "token_uri": srv.URL + "/token"}
	b, _ := json.Marshal(key)
	f2, err := os.CreateTemp(dir, "service-account-*.json")
	if err == nil {
		_, err = f2.Write(b)
		if cerr := f2.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		srv.Close()
		return nil, "", nil, err
	}
	return f, f2.Name(), srv.Close, nil
}

// Start is Listen for a test: the key is written in a temporary directory
// and the fake stops when the test ends.
func Start(tb testing.TB, project string) (*Fake, string) {
	tb.Helper()
	f, key, stop, err := Listen(project, tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(stop)
	return f, key
}

// TrustKeyOf makes the fake accept only JWTs signed by other's key, as
// Google refuses a key it does not know.
func (f *Fake) TrustKeyOf(other *Fake) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.key = other.key
}

// Tokens is how many tokens the fake issued.
func (f *Fake) Tokens() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokens
}

// Gets lists the API calls received (path?query), and ResetGets forgets
// them.
func (f *Fake) Gets() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.gets)
}

// ResetGets forgets the calls received so far.
func (f *Fake) ResetGets() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets = nil
}

// ServeHTTP answers the token endpoint and the list calls.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/token" {
		f.token(w, r)
		return
	}
	f.gets = append(f.gets, r.URL.Path+"?"+r.URL.RawQuery)
	if r.Header.Get("Authorization") != "Bearer "+token {
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
		p, ok := f.Projects[strings.TrimSuffix(path, "/inboundSamlConfigs")]
		if !ok {
			gerr(w, http.StatusNotFound, "NOT_FOUND", "CONFIGURATION_NOT_FOUND")
			return
		}
		items, field = p.SAML, "inboundSamlConfigs"
	case strings.HasSuffix(path, "/oauthIdpConfigs"):
		p, ok := f.Projects[strings.TrimSuffix(path, "/oauthIdpConfigs")]
		if !ok {
			gerr(w, http.StatusNotFound, "NOT_FOUND", "CONFIGURATION_NOT_FOUND")
			return
		}
		items, field = p.OIDC, "oauthIdpConfigs"
	case strings.HasSuffix(path, "/tenants"):
		project := strings.TrimSuffix(path, "/tenants")
		for _, t := range f.Tenants[project] {
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
	off = min(max(off, 0), len(items))
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
func (f *Fake) token(w http.ResponseWriter, r *http.Request) {
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
	if claims.Iss != f.Email || claims.Aud != f.URL+"/token" || claims.Scope != "https://www.googleapis.com/auth/cloud-platform" || claims.Exp <= claims.Iat {
		http.Error(w, `{"error":"invalid_grant","error_description":"bad claims"}`, http.StatusBadRequest)
		return
	}
	f.tokens++
	json.NewEncoder(w).Encode(map[string]any{"access_token": token, "token_type": "Bearer", "expires_in": 3600})
}

func gerr(w http.ResponseWriter, code int, status, msg string) {
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
}

// certPEM is a certificate-shaped PEM block for the samples: the handoff
// keeps its base64 body, MIICertLine1MIICertLine2==.
const certPEM = "-----BEGIN CERTIFICATE-----\nMIICertLine1\nMIICertLine2==\n-----END CERTIFICATE-----\n"

// SAMLConfig is a sample inbound SAML configuration of parent
// ("projects/P" or "projects/P/tenants/T") with id ("saml.x"), in the
// shape the API answers, with Firebase's callback URL of project P.
func SAMLConfig(parent, id string, enabled bool) map[string]any {
	project := strings.Split(strings.TrimPrefix(parent, "projects/"), "/")[0]
	return map[string]any{"name": parent + "/inboundSamlConfigs/" + id, "displayName": "SAML " + id, "enabled": enabled,
		"idpConfig": map[string]any{"idpEntityId": "https://idp.example.com/" + id, "ssoUrl": "https://idp.example.com/" + id + "/sso",
			"idpCertificates": []any{map[string]string{"x509Certificate": certPEM}}},
		"spConfig": map[string]any{"spEntityId": project + "-sp", "callbackUri": "https://" + project + ".firebaseapp.com/__/auth/handler"}}
}
