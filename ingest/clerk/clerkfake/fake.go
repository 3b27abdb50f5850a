// Package clerkfake is an in-process fake of the part of Clerk's Backend API
// that mig reads: GET /v1/enterprise_connections and the older GET
// /v1/saml_connections, both paginated with limit (1 to 500, default 10)
// and offset and answering {"data": [...], "total_count": N}. It listens on
// 127.0.0.1 and stops when the test ends (Start), or when Close is called
// (Listen).
//
// The answers have the shapes Clerk's Backend API reference gives: an
// enterprise connection nests its SAML connection (without attribute
// mapping or IdP metadata XML, which only the older endpoint returns) or
// its OAuth config (without the client secret, which Clerk never gives
// back). Every SAML connection is also an item of /saml_connections, with
// enterprise_connection_id pointing back, unless it is Legacy.
//
// A test can make it refuse the key, answer 429 with Retry-After
// (Throttle) or 5xx (Fail), drop an endpoint, and see the requests it got.
package clerkfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// SecretKey is the key the fake accepts unless Server.Key is changed.
const SecretKey = "sk_test_fakeFAKEfake0123456789abcdefABCDEF"

// Connection is an enterprise connection: SAML when SAML is set, OIDC when
// OIDC is set.
type Connection struct {
	ID               string
	Name             string
	Provider         string // saml_custom, saml_okta, saml_google, saml_microsoft, oidc_custom, ...
	Active           bool
	Domains          []string
	OrganizationID   string
	CustomAttributes []CustomAttribute
	SAML             *SAML
	OIDC             *OIDC
	// Legacy makes a SAML connection exist only in /saml_connections, as
	// one made before enterprise connections.
	Legacy bool
}

// CustomAttribute maps an SSO attribute to a metadata key.
type CustomAttribute struct {
	Name, Key, SSOPath string
}

// SAML is a SAML connection's configuration.
type SAML struct {
	ID                string
	IdpEntityID       string
	IdpSSOURL         string
	IdpCertificate    string
	MoreCertificates  []string // trusted besides IdpCertificate (idp_certificates)
	IdpMetadataURL    string
	IdpMetadata       string
	AcsURL            string
	SpEntityID        string
	AllowIdpInitiated bool
	// AttributeMapping has the keys user_id, email_address, first_name
	// and last_name.
	AttributeMapping map[string]string
}

// OIDC is an OIDC connection's OAuth configuration.
type OIDC struct {
	ID           string
	ClientID     string
	ClientSecret string // never in an answer unless Server.RevealSecrets
	DiscoveryURL string
	AuthURL      string
	TokenURL     string
	UserInfoURL  string
	RequiresPKCE bool
}

// Server is a running fake.
type Server struct {
	// URL is the API's base URL, http://127.0.0.1:PORT/v1: what
	// EnterpriseOptions.BaseURL takes.
	URL string
	// Key is the secret key accepted in "Authorization: Bearer".
	Key string
	// Connections are the instance's connections, newest first (the order
	// the API lists them in).
	Connections []Connection
	// TrimNested leaves the IdP fields (entity ID, SSO URL, certificates,
	// metadata URL) out of the SAML connection nested in an enterprise
	// connection, as an answer without the connection details loaded does;
	// /saml_connections still has them.
	TrimNested bool
	// RevealSecrets puts client_secret in oauth_config, which Clerk's API
	// does not do; it lets a test see where a secret would go.
	RevealSecrets bool
	// EchoKey makes a refusal quote the Authorization header it got.
	EchoKey bool
	// IgnoreOffset makes every list call answer its first page, as a
	// broken proxy in front of the API might.
	IgnoreOffset bool
	// NoBackLink leaves enterprise_connection_id out of /saml_connections,
	// so that only the nested SAML connection's id ties the two together.
	NoBackLink bool
	// NoSAMLEndpoint makes /saml_connections answer 410 Gone, as a retired
	// endpoint may; NoEnterpriseEndpoint makes /enterprise_connections
	// answer 404, as an API older than it does.
	NoSAMLEndpoint       bool
	NoEnterpriseEndpoint bool

	srv        *httptest.Server
	mu         sync.Mutex
	requests   []Request
	throttle   int
	retryAfter string
	fail       int
	failStatus int
}

// Request is one request the fake received.
type Request struct {
	Path          string
	Query         url.Values
	Authorization string
}

// Start serves an instance with these connections until the test ends.
func Start(tb testing.TB, conns ...Connection) *Server {
	s := Listen(conns...)
	tb.Cleanup(s.Close)
	return s
}

// Close stops the fake.
func (s *Server) Close() { s.srv.Close() }

// Listen serves an instance with these connections until Close.
func Listen(conns ...Connection) *Server {
	s := &Server{Key: SecretKey, Connections: conns}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/enterprise_connections", s.listEnterprise)
	mux.HandleFunc("GET /v1/saml_connections", s.listSAML)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, Request{Path: r.URL.Path, Query: r.URL.Query(), Authorization: r.Header.Get("Authorization")})
		throttled, failed := s.throttle > 0, s.fail > 0
		switch {
		case throttled:
			s.throttle--
		case failed:
			s.fail--
		}
		retryAfter, failStatus := s.retryAfter, s.failStatus
		s.mu.Unlock()
		switch {
		case r.Header.Get("Authorization") != "Bearer "+s.Key:
			msg := "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct."
			if s.EchoKey {
				msg = "Key " + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") + " is invalid. " + msg
			}
			clerkError(w, http.StatusUnauthorized, "authentication_invalid", "Unauthorized request", msg)
		case throttled:
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			clerkError(w, http.StatusTooManyRequests, "too_many_requests", "Too many requests", "Too many requests, retry later.")
		case failed:
			clerkError(w, failStatus, "internal_clerk_error", "Oops, an unexpected error occurred", "")
		default:
			mux.ServeHTTP(w, r)
		}
	}))
	s.URL = s.srv.URL + "/v1"
	return s
}

// Throttle makes the next n requests answer 429 with this Retry-After
// header (none when empty).
func (s *Server) Throttle(n int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle, s.retryAfter = n, retryAfter
}

// Fail makes the next n requests (after any throttled ones) answer status.
func (s *Server) Fail(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail, s.failStatus = n, status
}

// Requests lists the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// clerkError writes an error in the Backend API's shape.
func clerkError(w http.ResponseWriter, status int, code, msg, long string) {
	writeJSON(w, status, map[string]any{
		"errors":         []map[string]any{{"code": code, "message": msg, "long_message": long, "meta": map[string]any{}}},
		"clerk_trace_id": "trace_fake",
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// paginate answers items[offset:offset+limit] with the total, checking
// limit and offset as the API does.
func (s *Server) paginate(w http.ResponseWriter, r *http.Request, items []map[string]any) {
	limit, offset := 10, 0
	q := r.URL.Query()
	var err error
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 500 {
			clerkError(w, http.StatusUnprocessableEntity, "form_param_value_invalid", "is invalid", fmt.Sprintf("limit %q must be an integer from 1 to 500", v))
			return
		}
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			clerkError(w, http.StatusUnprocessableEntity, "form_param_value_invalid", "is invalid", fmt.Sprintf("offset %q must be an integer of 0 or more", v))
			return
		}
	}
	if s.IgnoreOffset {
		offset = 0
	}
	page := []map[string]any{}
	if offset < len(items) {
		page = items[offset:min(offset+limit, len(items))]
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": page, "total_count": len(items)})
}

func (s *Server) listEnterprise(w http.ResponseWriter, r *http.Request) {
	if s.NoEnterpriseEndpoint {
		clerkError(w, http.StatusNotFound, "resource_not_found", "not found", "")
		return
	}
	var items []map[string]any
	for _, c := range s.Connections {
		if !c.Legacy {
			items = append(items, s.enterpriseJSON(c))
		}
	}
	s.paginate(w, r, items)
}

func (s *Server) listSAML(w http.ResponseWriter, r *http.Request) {
	if s.NoSAMLEndpoint {
		clerkError(w, http.StatusGone, "gone", "this endpoint is no longer available", "")
		return
	}
	var items []map[string]any
	for _, c := range s.Connections {
		if c.SAML != nil {
			items = append(items, s.legacyJSON(c))
		}
	}
	s.paginate(w, r, items)
}

// enterpriseJSON is an enterprise connection as the API answers it.
func (s *Server) enterpriseJSON(c Connection) map[string]any {
	m := map[string]any{
		"object": "enterprise_connection", "id": c.ID, "name": c.Name, "provider": c.Provider,
		"active": c.Active, "domains": nonNil(c.Domains), "organization_id": nullable(c.OrganizationID),
		"sync_user_attributes": true, "disable_additional_identifications": false,
		"allow_organization_account_linking": false, "authenticatable": true, "disable_jit_provisioning": false,
		"created_at": 1700000000000, "updated_at": 1700000000000, "saml_connection": nil, "oauth_config": nil,
	}
	if len(c.CustomAttributes) > 0 {
		var attrs []map[string]any
		for _, a := range c.CustomAttributes {
			attrs = append(attrs, map[string]any{"name": a.Name, "key": a.Key, "sso_path": a.SSOPath, "scim_path": "", "multi_valued": false})
		}
		m["custom_attributes"] = attrs
	}
	if p := c.SAML; p != nil {
		n := map[string]any{
			"id": p.ID, "name": c.Name, "acs_url": p.AcsURL, "sp_entity_id": p.SpEntityID,
			"sp_metadata_url": "https://clerk.example.com/v1/saml/metadata/" + p.ID, "active": c.Active,
			"allow_subdomains": false, "allow_idp_initiated": p.AllowIdpInitiated, "force_authn": false,
			"login_hint": map[string]any{"mode": "email_address"},
		}
		if !s.TrimNested {
			n["idp_entity_id"], n["idp_sso_url"], n["idp_metadata_url"] = p.IdpEntityID, p.IdpSSOURL, p.IdpMetadataURL
			n["idp_certificate"], n["idp_certificates"] = p.IdpCertificate, certificates(p)
		}
		m["saml_connection"] = n
	}
	if p := c.OIDC; p != nil {
		o := map[string]any{
			"id": p.ID, "name": c.Name, "provider_key": "custom_oidc", "client_id": p.ClientID,
			"discovery_url": p.DiscoveryURL, "auth_url": p.AuthURL, "token_url": p.TokenURL,
			"user_info_url": p.UserInfoURL, "requires_pkce": p.RequiresPKCE,
			"created_at": 1700000000000, "updated_at": 1700000000000,
		}
		if s.RevealSecrets {
			o["client_secret"] = p.ClientSecret
		}
		m["oauth_config"] = o
	}
	return m
}

// legacyJSON is a SAML connection as /saml_connections answers it.
func (s *Server) legacyJSON(c Connection) map[string]any {
	p := c.SAML
	domain := ""
	if len(c.Domains) > 0 {
		domain = c.Domains[0]
	}
	var ecID any
	if !c.Legacy && !s.NoBackLink {
		ecID = c.ID
	}
	id := p.ID
	if c.Legacy && id == "" {
		id = c.ID
	}
	return map[string]any{
		"object": "saml_connection", "id": id, "name": c.Name, "domain": domain, "domains": nonNil(c.Domains),
		"idp_entity_id": nullable(p.IdpEntityID), "idp_sso_url": nullable(p.IdpSSOURL),
		"idp_certificate": nullable(p.IdpCertificate), "idp_metadata_url": nullable(p.IdpMetadataURL),
		"idp_metadata": nullable(p.IdpMetadata), "acs_url": p.AcsURL, "sp_entity_id": p.SpEntityID,
		"sp_metadata_url": "https://clerk.example.com/v1/saml/metadata/" + id,
		"organization_id": nullable(c.OrganizationID), "attribute_mapping": p.AttributeMapping,
		"active": c.Active, "provider": c.Provider, "user_count": 3, "sync_user_attributes": true,
		"allow_subdomains": false, "allow_idp_initiated": p.AllowIdpInitiated,
		"disable_additional_identifications": false, "allow_organization_account_linking": false,
		"force_authn": false, "enterprise_connection_id": ecID,
		"created_at": 1700000000000, "updated_at": 1700000000000,
	}
}

func certificates(p *SAML) []map[string]any {
	var out []map[string]any
	for _, c := range append([]string{p.IdpCertificate}, p.MoreCertificates...) {
		if c != "" {
			out = append(out, map[string]any{"certificate": c, "issued_at": nil, "expires_at": nil})
		}
	}
	return out
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
