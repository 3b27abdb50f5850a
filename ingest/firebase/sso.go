package firebase

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/mig-tools/mig/ingest"
)

// The Identity Toolkit API (Identity Platform's admin API, v2) and the
// OAuth scope a service account needs for it.
const (
	DefaultIdentityToolkitEndpoint = "https://identitytoolkit.googleapis.com/"
	cloudPlatformScope             = "https://www.googleapis.com/auth/cloud-platform"
	// Largest page sizes the list calls take.
	configPageSize = 100
	tenantPageSize = 1000
)

// SSOOptions are the inputs of FetchSSO.
type SSOOptions struct {
	// ProjectID is the Firebase (Google Cloud) project; empty takes
	// GOOGLE_CLOUD_PROJECT, then the service-account key's project_id.
	ProjectID string
	// CredentialsFile is a service-account key (JSON); empty takes
	// GOOGLE_APPLICATION_CREDENTIALS. Its private key signs the token
	// request (a JWT sent to the key's token_uri).
	CredentialsFile string
	// Tenants are Identity Platform tenant ids whose providers are read
	// besides the project's own; AllTenants lists the project's tenants
	// and reads every one.
	Tenants    []string
	AllTenants bool
	// Endpoint replaces the Identity Toolkit API's base URL (for fakes).
	Endpoint string
	// HTTPClient makes the token request and the API calls; nil is a
	// client that gives up on a call after a minute.
	HTTPClient *http.Client
}

// FetchSSO reads the project's Identity Platform inbound SAML and OIDC
// provider configurations (and those of the tenants asked for) and hands
// them to sink as SSO connections, known as "firebase:<configId>" or
// "firebase:<tenant>:<configId>". An OIDC client secret goes only to the
// connection's Secrets. A project id that cannot be resolved is an error:
// nothing is skipped silently.
func FetchSSO(ctx context.Context, o SSOOptions, sink ingest.DefinitionSink) error {
	keyPath := o.CredentialsFile
	if keyPath == "" {
		keyPath = os.Getenv("GOOGLE_APPLICATION_CREDENTIALS")
	}
	if keyPath == "" {
		return errors.New("firebase sso: no service-account key: pass its file, or set GOOGLE_APPLICATION_CREDENTIALS")
	}
	key, err := os.ReadFile(keyPath)
	if err != nil {
		return fmt.Errorf("firebase sso: %w", err)
	}
	var keyInfo struct {
		Type      string `json:"type"`
		ProjectID string `json:"project_id"`
	}
	if err := json.Unmarshal(key, &keyInfo); err != nil {
		return fmt.Errorf("firebase sso: %s is not a service-account key (JSON): %w", keyPath, err)
	}
	project := o.ProjectID
	if project == "" {
		project = os.Getenv("GOOGLE_CLOUD_PROJECT")
	}
	if project == "" {
		project = keyInfo.ProjectID
	}
	if project == "" {
		return fmt.Errorf("firebase sso: no project id: pass it, set GOOGLE_CLOUD_PROJECT, or use a key whose project_id is set (%s has none)", keyPath)
	}
	cfg, err := google.JWTConfigFromJSON(key, cloudPlatformScope)
	if err != nil {
		return fmt.Errorf("firebase sso: %s: %w", keyPath, err)
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: time.Minute}
	}
	// The token request and the API calls both go through hc.
	tctx := context.WithValue(ctx, oauth2.HTTPClient, hc)
	endpoint := o.Endpoint
	if endpoint == "" {
		endpoint = DefaultIdentityToolkitEndpoint
	}
	api := &toolkit{client: oauth2.NewClient(tctx, cfg.TokenSource(tctx)), base: strings.TrimSuffix(endpoint, "/") + "/v2/"}

	parents := []struct{ path, tenant string }{{"projects/" + project, ""}}
	tenants := o.Tenants
	if o.AllTenants {
		listed, err := api.tenants(ctx, project)
		if err != nil {
			return err
		}
		tenants = append(tenants, listed...)
	}
	seen := map[string]bool{}
	for _, t := range tenants {
		if !seen[t] {
			seen[t] = true
			parents = append(parents, struct{ path, tenant string }{"projects/" + project + "/tenants/" + t, t})
		}
	}
	for _, p := range parents {
		if err := api.samlConfigs(ctx, p.path, p.tenant, sink); err != nil {
			return err
		}
		if err := api.oidcConfigs(ctx, p.path, p.tenant, sink); err != nil {
			return err
		}
	}
	return nil
}

// toolkit calls the Identity Toolkit v2 REST API.
type toolkit struct {
	client *http.Client
	base   string
}

// list GETs every page of a list call, each into a fresh P, and calls
// each with it; next reads the page's nextPageToken.
func list[P any](ctx context.Context, t *toolkit, path string, size int, next func(*P) string, each func(*P) error) error {
	token := ""
	for {
		q := url.Values{"pageSize": {fmt.Sprint(size)}}
		if token != "" {
			q.Set("pageToken", token)
		}
		var page P
		if err := t.get(ctx, path+"?"+q.Encode(), &page); err != nil {
			return err
		}
		if err := each(&page); err != nil {
			return err
		}
		if token = next(&page); token == "" {
			return nil
		}
	}
}

func (t *toolkit) get(ctx context.Context, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.base+path, nil)
	if err != nil {
		return err
	}
	res, err := t.client.Do(req)
	if err != nil {
		return fmt.Errorf("firebase sso: GET %s: %w", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("firebase sso: GET %s: %w", path, err)
	}
	if res.StatusCode != http.StatusOK {
		var e struct {
			Error struct {
				Message string `json:"message"`
				Status  string `json:"status"`
			} `json:"error"`
		}
		json.Unmarshal(body, &e)
		return fmt.Errorf("firebase sso: GET %s: %s %s: %s", path, res.Status, e.Error.Status, e.Error.Message)
	}
	if err := json.Unmarshal(body, into); err != nil {
		return fmt.Errorf("firebase sso: GET %s: the answer is not the expected JSON: %w", path, err)
	}
	return nil
}

type tenantPage struct {
	Tenants []struct {
		Name string `json:"name"`
	} `json:"tenants"`
	NextPageToken string `json:"nextPageToken"`
}

func (t *toolkit) tenants(ctx context.Context, project string) ([]string, error) {
	var ids []string
	err := list(ctx, t, "projects/"+project+"/tenants", tenantPageSize, func(p *tenantPage) string { return p.NextPageToken }, func(page *tenantPage) error {
		for _, tn := range page.Tenants {
			ids = append(ids, lastSegment(tn.Name))
		}
		return nil
	})
	return ids, err
}

// SAMLConfig is an Identity Platform inbound SAML provider configuration.
type SAMLConfig struct {
	Name        string `json:"name"` // projects/{p}[/tenants/{t}]/inboundSamlConfigs/saml.{id}
	DisplayName string `json:"displayName"`
	Enabled     bool   `json:"enabled"`
	IdpConfig   struct {
		IdpEntityID     string `json:"idpEntityId"`
		SsoURL          string `json:"ssoUrl"`
		SignRequest     bool   `json:"signRequest"`
		IdpCertificates []struct {
			X509Certificate string `json:"x509Certificate"`
		} `json:"idpCertificates"`
	} `json:"idpConfig"`
	SpConfig struct {
		SpEntityID  string `json:"spEntityId"`
		CallbackURI string `json:"callbackUri"`
	} `json:"spConfig"`
}

// OIDCConfig is an Identity Platform OIDC provider configuration.
type OIDCConfig struct {
	Name         string `json:"name"` // projects/{p}[/tenants/{t}]/oauthIdpConfigs/oidc.{id}
	DisplayName  string `json:"displayName"`
	Enabled      bool   `json:"enabled"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	Issuer       string `json:"issuer"`
}

type samlPage struct {
	Configs       []SAMLConfig `json:"inboundSamlConfigs"`
	NextPageToken string       `json:"nextPageToken"`
}

type oidcPage struct {
	Configs       []OIDCConfig `json:"oauthIdpConfigs"`
	NextPageToken string       `json:"nextPageToken"`
}

func (t *toolkit) samlConfigs(ctx context.Context, parent, tenant string, sink ingest.DefinitionSink) error {
	file := "firebase:" + parent + "/inboundSamlConfigs"
	row := 0
	return list(ctx, t, parent+"/inboundSamlConfigs", configPageSize, func(p *samlPage) string { return p.NextPageToken }, func(page *samlPage) error {
		for _, c := range page.Configs {
			row++
			conn, warnings := MapSAMLConfig(c, tenant, file, row)
			if err := handOver(ctx, sink, file, conn, warnings); err != nil {
				return err
			}
		}
		return nil
	})
}

func (t *toolkit) oidcConfigs(ctx context.Context, parent, tenant string, sink ingest.DefinitionSink) error {
	file := "firebase:" + parent + "/oauthIdpConfigs"
	row := 0
	return list(ctx, t, parent+"/oauthIdpConfigs", configPageSize, func(p *oidcPage) string { return p.NextPageToken }, func(page *oidcPage) error {
		for _, c := range page.Configs {
			row++
			conn, warnings := MapOIDCConfig(c, tenant, file, row)
			if err := handOver(ctx, sink, file, conn, warnings); err != nil {
				return err
			}
		}
		return nil
	})
}

func handOver(ctx context.Context, sink ingest.DefinitionSink, file string, c ingest.SSOConnection, warnings []ingest.Warning) error {
	for _, w := range warnings {
		if err := sink.Warn(ctx, w); err != nil {
			return err
		}
	}
	return sink.AddSSOConnection(ctx, file, c)
}

// connectionSourceID is how a provider configuration is known in staging
// and the handoff files: "firebase:[<tenant>:]<configId>".
func connectionSourceID(tenant, configID string) string {
	if tenant == "" {
		return "firebase:" + configID
	}
	return "firebase:" + tenant + ":" + configID
}

// MapSAMLConfig turns an inbound SAML configuration into a handoff
// connection. Firebase's service-provider entity id and callback URL are
// what the identity provider knows today: they go to the handoff's source
// columns by the kit's rule (ingest.SSOConnection.SetServiceProvider), the
// entity id also to the custom one WorkOS presents. It is pure.
func MapSAMLConfig(c SAMLConfig, tenant, file string, row int) (ingest.SSOConnection, []ingest.Warning) {
	id := lastSegment(c.Name)
	conn := ingest.SSOConnection{Row: row, SourceID: connectionSourceID(tenant, id), Protocol: "saml", Name: orDefault(c.DisplayName, id),
		Config: map[string]string{}, Secrets: map[string]string{}}
	var warnings []ingest.Warning
	warn := func(code, msg string) {
		warnings = append(warnings, ingest.Warning{Code: code, Message: msg, Entity: "sso_connection", SourceID: conn.SourceID, File: file, Row: row})
	}
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			conn.Config[k] = v
		}
	}
	set("idpEntityId", c.IdpConfig.IdpEntityID)
	set("idpUrl", c.IdpConfig.SsoURL)
	if certs := c.IdpConfig.IdpCertificates; len(certs) > 0 {
		set("x509Cert", pemBody(certs[0].X509Certificate))
		if len(certs) > 1 {
			warn("sso_extra_certificates", fmt.Sprintf("%s has %d IdP certificates; the handoff takes one, the first", id, len(certs)))
		}
	}
	conn.SetServiceProvider(ingest.ServiceProvider{EntityID: c.SpConfig.SpEntityID, ACSURL: c.SpConfig.CallbackURI}, ingest.ServiceProvider{})
	if !c.Enabled {
		warn("sso_provider_disabled", fmt.Sprintf("%s is disabled in Identity Platform; it is handed over all the same", id))
	}
	return conn, warnings
}

// MapOIDCConfig turns an OIDC configuration into a handoff connection; the
// client secret goes only to Secrets. It is pure.
func MapOIDCConfig(c OIDCConfig, tenant, file string, row int) (ingest.SSOConnection, []ingest.Warning) {
	id := lastSegment(c.Name)
	conn := ingest.SSOConnection{Row: row, SourceID: connectionSourceID(tenant, id), Protocol: "oidc", Name: orDefault(c.DisplayName, id),
		Config: map[string]string{}, Secrets: map[string]string{}}
	var warnings []ingest.Warning
	warn := func(code, msg string) {
		warnings = append(warnings, ingest.Warning{Code: code, Message: msg, Entity: "sso_connection", SourceID: conn.SourceID, File: file, Row: row})
	}
	if v := strings.TrimSpace(c.ClientID); v != "" {
		conn.Config["clientId"] = v
	}
	if v := discoveryEndpoint(c.Issuer); v != "" {
		conn.Config["discoveryEndpoint"] = v
	}
	if c.ClientSecret != "" {
		conn.Secrets["clientSecret"] = c.ClientSecret
	}
	if !c.Enabled {
		warn("sso_provider_disabled", fmt.Sprintf("%s is disabled in Identity Platform; it is handed over all the same", id))
	}
	return conn, warnings
}

// discoveryEndpoint is the OIDC discovery document of an issuer.
func discoveryEndpoint(issuer string) string {
	issuer = strings.TrimSpace(issuer)
	const wellKnown = "/.well-known/openid-configuration"
	if issuer == "" || strings.HasSuffix(issuer, wellKnown) {
		return issuer
	}
	return strings.TrimSuffix(issuer, "/") + wellKnown
}

// pemBody is a certificate's base64 without the PEM armour and line
// breaks, the form SAML metadata and the handoff files hold.
func pemBody(pem string) string {
	var b strings.Builder
	for _, line := range strings.Split(pem, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "-----") {
			b.WriteString(line)
		}
	}
	return b.String()
}

func lastSegment(name string) string { return name[strings.LastIndex(name, "/")+1:] }

func orDefault(s, d string) string {
	if s = strings.TrimSpace(s); s != "" {
		return s
	}
	return d
}
