// # Enterprise SSO connections
//
// FetchEnterpriseConnections reads an instance's enterprise SAML and OIDC
// connections through Clerk's Backend API and hands each to an
// ingest.DefinitionSink as an SSO connection for the handoff files, known
// as "clerk:<id>". It is what `mig ingest clerk --secret-key sk_...` (or
// CLERK_SECRET_KEY) runs besides the CSV ingest:
//
//	err := clerk.FetchEnterpriseConnections(ctx, clerk.EnterpriseOptions{SecretKey: key}, sink)
//
// It lists GET /enterprise_connections page by page (limit and offset),
// and GET /saml_connections, the older SAML endpoint, for what only that one
// returns: each SAML connection's attribute mapping, and SAML connections
// that belong to no enterprise connection. SAML connections become
// idpEntityId, idpUrl, x509Cert, idpMetadataUrl and the attribute columns;
// Clerk's ACS URL and entity ID, what the IdP knows today, become
// sourceAcsUrl and sourceEntityId (the callback proxy's route), and the
// entity ID customEntityId too, by the kit's rule
// (ingest.SSOConnection.SetServiceProvider). OIDC connections become
// clientId and discoveryEndpoint.
// Custom attributes (key and SSO path) become attribute mappings.
//
// Clerk's Backend API gives out no client secret and no private key, so an
// OIDC connection comes with a warning that its secret must be supplied;
// a secret that an answer does carry goes to the connection's Secrets,
// which the source kit stages only when secrets were asked for (and
// otherwise drops with a warning). A connection
// without what WorkOS needs is not handed over: a warning names what is
// missing. An inactive one is handed over with a warning, because being
// switched off in Clerk is a decision for the person setting up WorkOS,
// not a reason to lose the configuration.
//
// The secret key goes only into the Authorization header: errors and logs
// never carry it. A refused key (401 or 403) is ErrSecretKeyRefused; a 429
// is waited out for its Retry-After; a 5xx or a broken connection is tried
// again a few times, with back-off.
package clerk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mig-tools/mig/ingest"
)

// DefaultBackendAPI is the base URL of Clerk's Backend API.
const DefaultBackendAPI = "https://api.clerk.com/v1"

// SecretKeyEnv is the environment variable the secret key is read from;
// errors about the key name it.
const SecretKeyEnv = "CLERK_SECRET_KEY"

// ErrSecretKeyRefused is returned (wrapped) when the Backend API answers 401
// or 403: the key is wrong, revoked, or belongs to another instance.
var ErrSecretKeyRefused = errors.New("the Clerk Backend API refused the secret key")

// Limits of the list calls and of waiting.
const (
	// DefaultEnterprisePageSize is how many connections one list call asks
	// for; the Backend API takes at most maxPageSize.
	DefaultEnterprisePageSize = 100
	maxPageSize               = 500
	// maxRateLimitWaits is how many 429 answers one request waits out.
	maxRateLimitWaits = 10
	// maxRateLimitWait is the longest Retry-After waited for; a longer one
	// is a quota, not a burst, and the ingest is better run again later.
	maxRateLimitWait = 10 * time.Minute
	// serverRetries is how many times a request is sent again after a 5xx
	// answer or a broken connection, waiting 1 s, 2 s, 4 s, ...
	serverRetries = 3
	// maxBody bounds one answer: a page of 500 connections with their
	// certificates is about 2 MiB.
	maxBody = 32 << 20
)

// EnterpriseOptions are the inputs of FetchEnterpriseConnections.
type EnterpriseOptions struct {
	// BaseURL is the Backend API's base URL, DefaultBackendAPI when empty.
	// Plain http is refused except on a loopback address (a test's fake),
	// because the secret key travels in every request.
	BaseURL string
	// SecretKey is the instance's secret key (sk_live_... or sk_test_...).
	SecretKey string
	// HTTPClient sends the requests; nil is a client that gives up on a
	// request after a minute.
	HTTPClient *http.Client
	// PageSize is the limit of each list call, DefaultEnterprisePageSize
	// when 0; at most 500.
	PageSize int
	// Log receives the waits for rate limits and retries; nil discards.
	Log *slog.Logger

	// sleep waits between attempts; tests replace it to record the waits.
	sleep func(context.Context, time.Duration) error
}

// Where the handed-over connections come from, as record files.
const (
	enterpriseFile = "clerk:/enterprise_connections"
	samlFile       = "clerk:/saml_connections"
)

// FetchEnterpriseConnections hands every enterprise SAML and OIDC connection
// of the instance to sink (see the package documentation). It returns an
// error, and hands over nothing more, when a request fails for good.
func FetchEnterpriseConnections(ctx context.Context, o EnterpriseOptions, sink ingest.DefinitionSink) error {
	api, err := newBackendAPI(o)
	if err != nil {
		return err
	}

	// The older SAML endpoint first: its connections are merged into the
	// enterprise connections they belong to. An instance has tens of them,
	// not millions, so they are held until the merge.
	legacy := map[string]*samlConnection{} // by its id and its enterprise connection's
	type listed struct {
		s   *samlConnection
		row int
	}
	var legacyOrder []listed
	err = listAll(ctx, api, "/saml_connections", api.pageSize, func(s *samlConnection) string { return s.ID },
		func(row int, s *samlConnection) error {
			legacy[s.ID] = s
			if s.EnterpriseConnectionID != "" {
				legacy[s.EnterpriseConnectionID] = s
			}
			legacyOrder = append(legacyOrder, listed{s, row})
			return nil
		})
	var notFound *notFoundError
	legacyAvailable := true
	switch {
	case errors.As(err, &notFound):
		legacyAvailable = false
		if err := sink.Warn(ctx, ingest.Warning{Code: "clerk_saml_endpoint_missing", File: samlFile,
			Message: "the Backend API has no /saml_connections endpoint any more: SAML connections are handed over without their attribute mapping"}); err != nil {
			return err
		}
	case err != nil:
		return err
	}

	claimed := map[*samlConnection]bool{}
	err = listAll(ctx, api, "/enterprise_connections", api.pageSize, func(ec *enterpriseConnection) string { return ec.ID },
		func(row int, ec *enterpriseConnection) error {
			var detail *samlConnection
			if ec.SAML != nil {
				detail = legacy[ec.SAML.ID]
			}
			if detail == nil {
				detail = legacy[ec.ID]
			}
			if detail != nil {
				claimed[detail] = true
			}
			return handOver(ctx, sink, enterpriseFile, mapEnterprise(ec, detail, row))
		})
	switch {
	case errors.As(err, &notFound) && legacyAvailable:
		if err := sink.Warn(ctx, ingest.Warning{Code: "clerk_enterprise_endpoint_missing", File: enterpriseFile,
			Message: "the Backend API has no /enterprise_connections endpoint: only SAML connections (from /saml_connections) are handed over, no OIDC connection"}); err != nil {
			return err
		}
	case err != nil:
		return err
	}

	// SAML connections that no enterprise connection claimed are handed
	// over on their own, rather than lost.
	for _, l := range legacyOrder {
		if !claimed[l.s] {
			if err := handOver(ctx, sink, samlFile, mapLegacySAML(l.s, l.row)); err != nil {
				return err
			}
		}
	}
	return nil
}

// enterpriseConnection is an item of GET /enterprise_connections, in the
// shape Clerk's Backend API reference gives.
type enterpriseConnection struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	Provider         string            `json:"provider"`
	Active           bool              `json:"active"`
	Domains          []string          `json:"domains"`
	OrganizationID   string            `json:"organization_id"`
	CustomAttributes []customAttribute `json:"custom_attributes"`
	SAML             *samlConnection   `json:"saml_connection"`
	OAuth            *oauthConfig      `json:"oauth_config"`
}

// customAttribute is a custom attribute of a connection: the metadata key
// Clerk stores it under and where the SSO assertion or claims hold it.
type customAttribute struct {
	Key     string `json:"key"`
	SSOPath string `json:"sso_path"`
}

// samlConnection is both the saml_connection object nested in an
// enterprise connection and an item of the older GET /saml_connections;
// the two share their field names. Only the older endpoint returns
// attribute_mapping, idp_metadata, domains, provider and
// enterprise_connection_id.
type samlConnection struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	IdpEntityID     string `json:"idp_entity_id"`
	IdpSSOURL       string `json:"idp_sso_url"`
	IdpCertificate  string `json:"idp_certificate"`
	IdpCertificates []struct {
		Certificate string `json:"certificate"`
	} `json:"idp_certificates"`
	IdpMetadataURL         string            `json:"idp_metadata_url"`
	IdpMetadata            string            `json:"idp_metadata"`
	AcsURL                 string            `json:"acs_url"`
	SpEntityID             string            `json:"sp_entity_id"`
	Active                 *bool             `json:"active"`
	AllowIdpInitiated      *bool             `json:"allow_idp_initiated"`
	AttributeMapping       *attributeMapping `json:"attribute_mapping"`
	Provider               string            `json:"provider"`
	Domain                 string            `json:"domain"`
	Domains                []string          `json:"domains"`
	OrganizationID         string            `json:"organization_id"`
	EnterpriseConnectionID string            `json:"enterprise_connection_id"`
}

// attributeMapping is which assertion attribute Clerk reads each user
// field from.
type attributeMapping struct {
	UserID       string `json:"user_id"`
	EmailAddress string `json:"email_address"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
}

// oauthConfig is the oauth_config object of an OIDC enterprise connection.
// ClientSecret is not in Clerk's reference (the API takes it and never
// gives it back); it is read in case an answer carries it.
type oauthConfig struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	DiscoveryURL string `json:"discovery_url"`
	AuthURL      string `json:"auth_url"`
}

// fill sets the fields s lacks from the older endpoint's copy of the same
// connection.
func (s *samlConnection) fill(d *samlConnection) {
	for _, f := range []struct {
		to   *string
		from string
	}{
		{&s.IdpEntityID, d.IdpEntityID}, {&s.IdpSSOURL, d.IdpSSOURL}, {&s.IdpCertificate, d.IdpCertificate},
		{&s.IdpMetadataURL, d.IdpMetadataURL}, {&s.IdpMetadata, d.IdpMetadata}, {&s.AcsURL, d.AcsURL},
		{&s.SpEntityID, d.SpEntityID}, {&s.Name, d.Name},
	} {
		if strings.TrimSpace(*f.to) == "" {
			*f.to = f.from
		}
	}
	if len(s.IdpCertificates) == 0 {
		s.IdpCertificates = d.IdpCertificates
	}
	if s.AllowIdpInitiated == nil {
		s.AllowIdpInitiated = d.AllowIdpInitiated
	}
	if s.AttributeMapping == nil {
		s.AttributeMapping = d.AttributeMapping
	}
}

// WorkOS connection types of Clerk's providers. A provider not listed but
// named saml_... or oidc_... is a generic one.
var connectionTypes = map[string]string{
	"saml_custom":    "GenericSAML",
	"saml_okta":      "OktaSAML",
	"saml_google":    "GoogleSAML",
	"saml_microsoft": "AzureSAML",
	"oidc_custom":    "GenericOIDC",
}

// mapped is one connection's outcome: the connection, or nil when it is
// not handed over, and the warnings that go with it.
type mapped struct {
	conn     *ingest.SSOConnection
	warnings []ingest.Warning
}

// mapEnterprise turns an enterprise connection (with the older endpoint's
// copy of its SAML connection, if any) into a handoff connection.
func mapEnterprise(ec *enterpriseConnection, detail *samlConnection, row int) mapped {
	c := &ingest.SSOConnection{Row: row, SourceID: "clerk:" + ec.ID, Name: orDefault(ec.Name, ec.ID),
		OrgExternalID: strings.TrimSpace(ec.OrganizationID), Domains: cleanDomains(ec.Domains),
		Config: map[string]string{}, Secrets: map[string]string{}, AttributeMappings: map[string]string{}}
	out := mapped{conn: c}
	provider := strings.TrimSpace(ec.Provider)
	w := warner{out: &out, sourceID: c.SourceID, provider: provider, file: enterpriseFile, row: row}
	isSAML := strings.HasPrefix(provider, "saml_") || provider == "" && ec.SAML != nil
	isOIDC := strings.HasPrefix(provider, "oidc_") || provider == "" && ec.OAuth != nil
	if !isSAML && !isOIDC {
		return w.skip(nil, fmt.Sprintf("provider %q is neither SAML nor OIDC, so WorkOS has no connection to hand it to; set it up again by hand", provider))
	}
	for _, a := range ec.CustomAttributes {
		if k, p := strings.TrimSpace(a.Key), strings.TrimSpace(a.SSOPath); k != "" && p != "" {
			c.AttributeMappings[k] = p
		}
	}
	if isSAML {
		s := samlConnection{}
		if ec.SAML != nil {
			s = *ec.SAML
		}
		if detail != nil {
			s.fill(detail)
		}
		c.Protocol = "saml"
		c.Config["connectionType"] = connectionType(provider, "GenericSAML")
		mapSAML(&s, c, &w)
	} else {
		c.Protocol = "oidc"
		c.Config["connectionType"] = connectionType(provider, "GenericOIDC")
		o := oauthConfig{}
		if ec.OAuth != nil {
			o = *ec.OAuth
		}
		mapOIDC(&o, c, &w)
	}
	if out.conn != nil && !ec.Active {
		w.warn("sso_provider_disabled", fmt.Sprintf("connection %q is inactive in Clerk; it is handed over all the same", c.Name), nil)
	}
	return out
}

// mapLegacySAML turns a SAML connection that belongs to no enterprise
// connection into a handoff connection.
func mapLegacySAML(s *samlConnection, row int) mapped {
	domains := s.Domains
	if len(domains) == 0 && s.Domain != "" {
		domains = []string{s.Domain}
	}
	// Known by its enterprise connection's id when it has one, as it would
	// be had /enterprise_connections listed it.
	id := orDefault(s.EnterpriseConnectionID, s.ID)
	c := &ingest.SSOConnection{Row: row, SourceID: "clerk:" + id, Protocol: "saml", Name: orDefault(s.Name, id),
		OrgExternalID: strings.TrimSpace(s.OrganizationID), Domains: cleanDomains(domains),
		Config:  map[string]string{"connectionType": connectionType(strings.TrimSpace(s.Provider), "GenericSAML")},
		Secrets: map[string]string{}, AttributeMappings: map[string]string{}}
	out := mapped{conn: c}
	w := warner{out: &out, sourceID: c.SourceID, provider: s.Provider, file: samlFile, row: row}
	mapSAML(s, c, &w)
	if out.conn != nil && s.Active != nil && !*s.Active {
		w.warn("sso_provider_disabled", fmt.Sprintf("connection %q is inactive in Clerk; it is handed over all the same", c.Name), nil)
	}
	return out
}

// mapSAML fills the SAML handoff columns, or skips the connection when
// WorkOS could not use them.
func mapSAML(s *samlConnection, c *ingest.SSOConnection, w *warner) {
	put := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			c.Config[k] = v
		}
	}
	put("idpEntityId", s.IdpEntityID)
	put("idpUrl", s.IdpSSOURL)
	cert := s.IdpCertificate
	if strings.TrimSpace(cert) == "" && len(s.IdpCertificates) > 0 {
		cert = s.IdpCertificates[0].Certificate
	}
	put("x509Cert", pemBody(cert))
	put("idpMetadataUrl", s.IdpMetadataURL)
	// Clerk's entity ID and ACS URL are what the IdP knows today (the kit's
	// rule: the handoff's source columns, and the entity ID kept for WorkOS).
	c.SetServiceProvider(ingest.ServiceProvider{EntityID: s.SpEntityID, ACSURL: s.AcsURL}, ingest.ServiceProvider{})
	if s.AllowIdpInitiated != nil {
		put("idpInitiatedEnabled", strconv.FormatBool(*s.AllowIdpInitiated))
	}
	if m := s.AttributeMapping; m != nil {
		put("idpIdAttribute", m.UserID)
		put("emailAttribute", m.EmailAddress)
		put("firstNameAttribute", m.FirstName)
		put("lastNameAttribute", m.LastName)
	}
	if c.Config["idpMetadataUrl"] == "" {
		var missing []string
		for _, k := range []string{"idpEntityId", "idpUrl", "x509Cert"} {
			if c.Config[k] == "" {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			why := "WorkOS needs the IdP metadata URL, or the IdP entity ID, sign-in URL and signing certificate; missing: " +
				strings.Join(missing, ", ") + " (or idpMetadataUrl)"
			if strings.TrimSpace(s.IdpMetadata) != "" {
				why += "; Clerk holds the IdP metadata as an XML document, which the handoff has no column for: upload it to the WorkOS connection by hand"
			}
			w.skip(append(missing, "idpMetadataUrl"), why)
			return
		}
	}
	if len(s.IdpCertificates) > 1 {
		w.warn("sso_extra_certificates", fmt.Sprintf("connection %q trusts %d IdP certificates; the handoff takes one, the primary", c.Name, len(s.IdpCertificates)), nil)
	}
}

// mapOIDC fills the OIDC handoff columns, or skips the connection when
// WorkOS could not use them.
func mapOIDC(o *oauthConfig, c *ingest.SSOConnection, w *warner) {
	var missing []string
	if v := strings.TrimSpace(o.ClientID); v != "" {
		c.Config["clientId"] = v
	} else {
		missing = append(missing, "clientId (oauth_config.client_id)")
	}
	if v := strings.TrimSpace(o.DiscoveryURL); v != "" {
		c.Config["discoveryEndpoint"] = v
	} else {
		missing = append(missing, "discoveryEndpoint (oauth_config.discovery_url)")
	}
	if len(missing) > 0 {
		why := "WorkOS needs the client ID and the discovery endpoint; missing: " + strings.Join(missing, ", ")
		if strings.TrimSpace(o.AuthURL) != "" && strings.TrimSpace(o.DiscoveryURL) == "" {
			why += "; Clerk has only the authorization, token and userinfo URLs, and a WorkOS OIDC connection reads a discovery document"
		}
		w.skip(missing, why)
		return
	}
	if o.ClientSecret == "" {
		w.warn("sso_client_secret_missing", fmt.Sprintf("connection %q: Clerk's Backend API does not give out client secrets; supply the secret at import, or create one at the IdP for the WorkOS connection", c.Name), nil)
		return
	}
	// The kit stages it only when secrets were asked for (Spec.IncludeSecrets).
	c.Secrets["clientSecret"] = o.ClientSecret
}

// warner collects one connection's warnings.
type warner struct {
	out      *mapped
	sourceID string
	provider string
	file     string
	row      int
}

func (w *warner) warn(code, msg string, ctx map[string]any) {
	w.out.warnings = append(w.out.warnings, ingest.Warning{Code: code, Message: msg, Entity: "sso_connection",
		SourceID: w.sourceID, File: w.file, Row: w.row, Context: ctx})
}

// skip drops the connection, with a warning saying why.
func (w *warner) skip(missing []string, why string) mapped {
	name := w.sourceID
	if w.out.conn != nil {
		name = w.out.conn.Name
	}
	w.warn("sso_connection_skipped", fmt.Sprintf("connection %q is not handed over: %s", name, why),
		map[string]any{"provider": w.provider, "missing": missing})
	w.out.conn = nil
	return *w.out
}

// handOver gives sink a connection's warnings, then the connection.
func handOver(ctx context.Context, sink ingest.DefinitionSink, file string, r mapped) error {
	for _, w := range r.warnings {
		if err := sink.Warn(ctx, w); err != nil {
			return err
		}
	}
	if r.conn == nil {
		return nil
	}
	return sink.AddSSOConnection(ctx, file, *r.conn)
}

func connectionType(provider, generic string) string {
	if t, ok := connectionTypes[provider]; ok {
		return t
	}
	return generic
}

func cleanDomains(in []string) []string {
	var out []string
	for _, d := range in {
		if d = strings.TrimSpace(d); d != "" {
			out = append(out, d)
		}
	}
	return out
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

func orDefault(s, d string) string {
	if s = strings.TrimSpace(s); s != "" {
		return s
	}
	return d
}

// backendAPI sends GET requests to the Backend API with the secret key,
// waiting out rate limits and retrying server errors.
type backendAPI struct {
	base     string
	key      string
	client   *http.Client
	log      *slog.Logger
	sleep    func(context.Context, time.Duration) error
	pageSize int
}

func newBackendAPI(o EnterpriseOptions) (*backendAPI, error) {
	key := strings.TrimSpace(o.SecretKey)
	switch {
	case key == "":
		return nil, fmt.Errorf("clerk: no secret key: pass --secret-key or set %s", SecretKeyEnv)
	case strings.HasPrefix(key, "pk_"):
		return nil, fmt.Errorf("clerk: the key given (--secret-key or %s) is a publishable key (pk_...); the Backend API takes the instance's secret key (sk_...)", SecretKeyEnv)
	}
	base := strings.TrimRight(strings.TrimSpace(o.BaseURL), "/")
	if base == "" {
		base = DefaultBackendAPI
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("clerk: Backend API URL %q is not an http(s) URL", base)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("clerk: Backend API URL %q is plain http: the secret key would cross the network unencrypted; use https", base)
	}
	size := o.PageSize
	if size == 0 {
		size = DefaultEnterprisePageSize
	}
	if size < 1 || size > maxPageSize {
		return nil, fmt.Errorf("clerk: page size %d is outside 1..%d, what the Backend API takes", size, maxPageSize)
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: time.Minute}
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sleep := o.sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	return &backendAPI{base: base, key: key, client: hc, log: log, sleep: sleep, pageSize: size}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// page is one answer of a list call.
type page[T any] struct {
	Data       []T `json:"data"`
	TotalCount int `json:"total_count"`
}

// listAll calls each with every item of a list endpoint and its 1-based
// row, page by page, until a short page or total_count. An item seen
// already (the list shifted while it was read) is not given twice.
func listAll[T any](ctx context.Context, api *backendAPI, path string, limit int, id func(T) string, each func(row int, item T) error) error {
	seen := map[string]bool{}
	for offset := 0; ; offset += limit {
		q := url.Values{"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(offset)}}
		var p page[T]
		if err := api.get(ctx, path, q, &p); err != nil {
			return err
		}
		fresh := 0
		for i, item := range p.Data {
			k := id(item)
			if seen[k] {
				continue
			}
			seen[k] = true
			fresh++
			if err := each(offset+i+1, item); err != nil {
				return err
			}
		}
		if len(p.Data) > 0 && fresh == 0 {
			return fmt.Errorf("clerk GET %s?%s: the Backend API answered a page it had already given; the list cannot be read to its end", path, q.Encode())
		}
		if len(p.Data) < limit || (p.TotalCount > 0 && offset+limit >= p.TotalCount) {
			return nil
		}
	}
}

// notFoundError is a 404 or 410 answer: the endpoint does not exist, or no
// longer.
type notFoundError struct{ what string }

func (e *notFoundError) Error() string { return e.what }

// get sends GET base+path?q and decodes a 200 answer into into.
func (api *backendAPI) get(ctx context.Context, path string, q url.Values, into any) error {
	where := "clerk GET " + path + "?" + q.Encode()
	rateWaits, retries := 0, 0
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, api.base+path+"?"+q.Encode(), nil)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		req.Header.Set("Authorization", "Bearer "+api.key)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "mig (github.com/mig-tools/mig)")
		res, err := api.client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if retries == serverRetries {
				return fmt.Errorf("%s: %s (tried %d times)", where, api.scrub(err.Error()), retries+1)
			}
			retries++
			if err := api.wait(ctx, where, backoff(retries), "the connection failed", api.scrub(err.Error())); err != nil {
				return err
			}
			continue
		}
		body, readErr := io.ReadAll(io.LimitReader(res.Body, maxBody+1))
		res.Body.Close()
		switch {
		case res.StatusCode == http.StatusOK:
			if readErr != nil {
				return fmt.Errorf("%s: reading the answer: %s", where, api.scrub(readErr.Error()))
			}
			if len(body) > maxBody {
				return fmt.Errorf("%s: the answer is over %d MiB; ask for smaller pages", where, maxBody>>20)
			}
			if err := json.Unmarshal(body, into); err != nil {
				return fmt.Errorf("%s: the answer is not the list Clerk's reference describes: %w", where, err)
			}
			return nil
		case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden:
			return fmt.Errorf("%s: %s%s: %w; check --secret-key or %s (the instance's sk_live_... or sk_test_... key)",
				where, res.Status, api.clerkMessage(body), ErrSecretKeyRefused, SecretKeyEnv)
		case res.StatusCode == http.StatusTooManyRequests:
			if rateWaits == maxRateLimitWaits {
				return fmt.Errorf("%s: still rate limited after %d waits; run the ingest again later", where, rateWaits)
			}
			rateWaits++
			d := retryAfter(res.Header, time.Now(), backoff(rateWaits))
			if d > maxRateLimitWait {
				return fmt.Errorf("%s: the Backend API rate limit lifts in %s; run the ingest again after that", where, d.Round(time.Second))
			}
			if err := api.wait(ctx, where, d, "rate limited", ""); err != nil {
				return err
			}
		case res.StatusCode >= 500:
			if retries == serverRetries {
				return fmt.Errorf("%s: %s%s (tried %d times)", where, res.Status, api.clerkMessage(body), retries+1)
			}
			retries++
			d := retryAfter(res.Header, time.Now(), backoff(retries))
			if err := api.wait(ctx, where, min(d, maxRateLimitWait), "server error", res.Status); err != nil {
				return err
			}
		case res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusGone:
			return &notFoundError{what: fmt.Sprintf("%s: %s%s", where, res.Status, api.clerkMessage(body))}
		default:
			return fmt.Errorf("%s: %s%s", where, res.Status, api.clerkMessage(body))
		}
	}
}

func (api *backendAPI) wait(ctx context.Context, where string, d time.Duration, why, detail string) error {
	api.log.Info("clerk backend API: waiting before trying again", "request", where, "why", why, "detail", detail, "wait", d)
	return api.sleep(ctx, d)
}

// clerkMessage is the message of a Backend API error answer
// ({"errors": [{"message", "long_message", "code"}]}), without the key.
func (api *backendAPI) clerkMessage(body []byte) string {
	var e struct {
		Errors []struct {
			Message     string `json:"message"`
			LongMessage string `json:"long_message"`
			Code        string `json:"code"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil || len(e.Errors) == 0 {
		return ""
	}
	msg := orDefault(e.Errors[0].LongMessage, e.Errors[0].Message)
	if msg == "" {
		return ""
	}
	s := ": " + ingest.Excerpt(api.scrub(msg))
	if code := strings.TrimSpace(e.Errors[0].Code); code != "" {
		s += " (" + ingest.Excerpt(api.scrub(code)) + ")"
	}
	return s
}

// scrub takes the secret key out of text that came from elsewhere.
func (api *backendAPI) scrub(s string) string {
	return strings.ReplaceAll(s, api.key, "[secret key]")
}

// backoff is the n-th wait (from 1) when the answer names none: 1 s, 2 s,
// 4 s, ... up to 32 s.
func backoff(n int) time.Duration {
	return min(time.Second<<(n-1), 32*time.Second)
}

// retryAfter is the wait a Retry-After header asks for (seconds, or an
// HTTP date), at least a second; def without one.
func retryAfter(h http.Header, now time.Time, def time.Duration) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return def
	}
	if s, err := strconv.Atoi(v); err == nil {
		return max(time.Duration(s)*time.Second, time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), time.Second)
	}
	return def
}
