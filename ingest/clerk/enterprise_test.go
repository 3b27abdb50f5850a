package clerk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/clerk"
	"github.com/mig-tools/mig/ingest/clerk/clerkfake"
)

// ssoRecorder is a DefinitionSink that keeps the SSO connections and
// warnings it is given; anything else a test did not expect fails it.
type ssoRecorder struct {
	t        *testing.T
	mu       sync.Mutex
	conns    []ingest.SSOConnection
	files    []string
	warnings []ingest.Warning
}

func (r *ssoRecorder) AddUser(context.Context, string, *ingest.User) error {
	r.t.Error("AddUser called by the SSO fetch")
	return nil
}

func (r *ssoRecorder) Skip(context.Context, string, int, string, string, string, any) error {
	r.t.Error("Skip called by the SSO fetch: connections are skipped with a warning")
	return nil
}

func (r *ssoRecorder) Warn(_ context.Context, w ingest.Warning) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings = append(r.warnings, w)
	return nil
}

func (r *ssoRecorder) AddOrgMappingRow(context.Context, string, ingest.OrgMappingRow) error {
	r.t.Error("AddOrgMappingRow called by the SSO fetch")
	return nil
}

func (r *ssoRecorder) AddRoleMappingRow(context.Context, string, ingest.RoleMappingRow) error {
	r.t.Error("AddRoleMappingRow called by the SSO fetch")
	return nil
}

func (r *ssoRecorder) AddOrganization(context.Context, string, ingest.Organization) error {
	r.t.Error("AddOrganization called by the SSO fetch")
	return nil
}

func (r *ssoRecorder) AddRoleDefinition(context.Context, string, ingest.RoleDefinition) error {
	r.t.Error("AddRoleDefinition called by the SSO fetch")
	return nil
}

func (r *ssoRecorder) AddSSOConnection(_ context.Context, file string, c ingest.SSOConnection) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.conns = append(r.conns, c)
	r.files = append(r.files, file)
	return nil
}

func (r *ssoRecorder) ids() []string {
	var ids []string
	for _, c := range r.conns {
		ids = append(ids, c.SourceID)
	}
	return ids
}

func (r *ssoRecorder) conn(id string) *ingest.SSOConnection {
	for i := range r.conns {
		if r.conns[i].SourceID == id {
			return &r.conns[i]
		}
	}
	return nil
}

// codes lists "code source_id" of every warning.
func (r *ssoRecorder) codes() []string {
	var out []string
	for _, w := range r.warnings {
		out = append(out, w.Code+" "+w.SourceID)
	}
	return out
}

func (r *ssoRecorder) warning(code, sourceID string) *ingest.Warning {
	for i := range r.warnings {
		if r.warnings[i].Code == code && r.warnings[i].SourceID == sourceID {
			return &r.warnings[i]
		}
	}
	return nil
}

// fetched is what one FetchEnterpriseConnections call did.
type fetched struct {
	rec   *ssoRecorder
	waits []time.Duration
	log   string
	err   error
}

// fetch runs FetchEnterpriseConnections against srv with o (its BaseURL
// and, when empty, SecretKey filled in), recording the waits instead of
// waiting and the log.
func fetch(t *testing.T, srv *clerkfake.Server, o clerk.EnterpriseOptions) fetched {
	t.Helper()
	if o.BaseURL == "" && srv != nil {
		o.BaseURL = srv.URL
	}
	if o.SecretKey == "" {
		o.SecretKey = clerkfake.SecretKey
	}
	var f fetched
	var logBuf bytes.Buffer
	o.Log = slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o = clerk.WithSleep(o, func(ctx context.Context, d time.Duration) error {
		f.waits = append(f.waits, d)
		return ctx.Err()
	})
	f.rec = &ssoRecorder{t: t}
	f.err = clerk.FetchEnterpriseConnections(context.Background(), o, f.rec)
	f.log = logBuf.String()
	return f
}

const (
	certPEM  = "-----BEGIN CERTIFICATE-----\nMIIBcertOne\nAAAA\n-----END CERTIFICATE-----\n"
	certBody = "MIIBcertOneAAAA"
)

func samlCustom() clerkfake.Connection {
	return clerkfake.Connection{
		ID: "entconn_saml1", Name: "Acme Okta", Provider: "saml_custom", Active: true,
		Domains: []string{"acme.com", " acme.io "}, OrganizationID: "org_acme",
		CustomAttributes: []clerkfake.CustomAttribute{
			{Name: "Employee number", Key: "employee_number", SSOPath: "user.employeeNumber"},
			{Name: "SCIM only", Key: "cost_center", SSOPath: ""},
		},
		SAML: &clerkfake.SAML{
			ID: "samlc_1", IdpEntityID: "http://www.okta.com/exk1", IdpSSOURL: "https://acme.okta.com/app/sso/saml",
			IdpCertificate: certPEM, AcsURL: "https://clerk.acme.com/v1/saml/acs/samlc_1",
			SpEntityID: "https://clerk.acme.com/saml/samlc_1", AllowIdpInitiated: true,
			AttributeMapping: map[string]string{"user_id": "uid", "email_address": "mail", "first_name": "givenName", "last_name": "sn"},
		},
	}
}

func samlMetadataOnly() clerkfake.Connection {
	return clerkfake.Connection{
		ID: "entconn_saml2", Name: "Globex Entra", Provider: "saml_microsoft", Active: true, Domains: []string{"globex.com"},
		SAML: &clerkfake.SAML{
			ID: "samlc_2", IdpMetadataURL: "https://login.microsoftonline.com/t/federationmetadata/2007-06/federationmetadata.xml",
			AcsURL: "https://clerk.acme.com/v1/saml/acs/samlc_2", SpEntityID: "https://clerk.acme.com/saml/samlc_2",
		},
	}
}

func oidcCustom() clerkfake.Connection {
	return clerkfake.Connection{
		ID: "entconn_oidc1", Name: "Initech OIDC", Provider: "oidc_custom", Active: true, Domains: []string{"initech.com"},
		OIDC: &clerkfake.OIDC{
			ID: "eaoc_1", ClientID: "client_abc", ClientSecret: "oidc-client-s3cret",
			DiscoveryURL: "https://id.initech.com/.well-known/openid-configuration",
			AuthURL:      "https://id.initech.com/authorize", TokenURL: "https://id.initech.com/token",
		},
	}
}

func TestEnterpriseConnectionsMapEachProtocol(t *testing.T) {
	srv := clerkfake.Start(t, samlCustom(), samlMetadataOnly(), oidcCustom())
	f := fetch(t, srv, clerk.EnterpriseOptions{})
	if f.err != nil {
		t.Fatal(f.err)
	}
	want := []ingest.SSOConnection{
		{Row: 1, SourceID: "clerk:entconn_saml1", Protocol: "saml", Name: "Acme Okta", OrgExternalID: "org_acme",
			Domains: []string{"acme.com", "acme.io"},
			Config: map[string]string{
				"connectionType": "GenericSAML", "idpEntityId": "http://www.okta.com/exk1",
				"idpUrl": "https://acme.okta.com/app/sso/saml", "x509Cert": certBody,
				"customEntityId": "https://clerk.acme.com/saml/samlc_1", "sourceEntityId": "https://clerk.acme.com/saml/samlc_1",
				"sourceAcsUrl": "https://clerk.acme.com/v1/saml/acs/samlc_1", "idpInitiatedEnabled": "true",
				"idpIdAttribute": "uid", "emailAttribute": "mail", "firstNameAttribute": "givenName", "lastNameAttribute": "sn",
			},
			Secrets: map[string]string{}, AttributeMappings: map[string]string{"employee_number": "user.employeeNumber"}},
		{Row: 2, SourceID: "clerk:entconn_saml2", Protocol: "saml", Name: "Globex Entra", Domains: []string{"globex.com"},
			Config: map[string]string{
				"connectionType": "AzureSAML",
				"idpMetadataUrl": "https://login.microsoftonline.com/t/federationmetadata/2007-06/federationmetadata.xml",
				"customEntityId": "https://clerk.acme.com/saml/samlc_2", "sourceEntityId": "https://clerk.acme.com/saml/samlc_2",
				"sourceAcsUrl": "https://clerk.acme.com/v1/saml/acs/samlc_2", "idpInitiatedEnabled": "false",
			},
			Secrets: map[string]string{}, AttributeMappings: map[string]string{}},
		{Row: 3, SourceID: "clerk:entconn_oidc1", Protocol: "oidc", Name: "Initech OIDC", Domains: []string{"initech.com"},
			Config: map[string]string{
				"connectionType": "GenericOIDC", "clientId": "client_abc",
				"discoveryEndpoint": "https://id.initech.com/.well-known/openid-configuration",
			},
			Secrets: map[string]string{}, AttributeMappings: map[string]string{}},
	}
	if !reflect.DeepEqual(f.rec.conns, want) {
		got, _ := json.MarshalIndent(f.rec.conns, "", "  ")
		t.Errorf("connections:\n%s", got)
	}
	for _, file := range f.rec.files {
		if file != "clerk:/enterprise_connections" {
			t.Errorf("file %q, want clerk:/enterprise_connections", file)
		}
	}
	// Clerk never gives out the client secret: the OIDC connection says so.
	if w := f.rec.warning("sso_client_secret_missing", "clerk:entconn_oidc1"); w == nil || w.Row != 3 || w.Entity != "sso_connection" {
		t.Errorf("no sso_client_secret_missing warning on row 3: %v", f.rec.codes())
	}
	if len(f.rec.warnings) != 1 {
		t.Errorf("warnings %v, want only the missing client secret", f.rec.codes())
	}
	for _, r := range srv.Requests() {
		if r.Authorization != "Bearer "+clerkfake.SecretKey {
			t.Errorf("%s sent Authorization %q", r.Path, r.Authorization)
		}
	}
}

func TestEnterpriseConnectionsPagination(t *testing.T) {
	for _, n := range []int{7, 6, 0} {
		t.Run(fmt.Sprint(n, " connections"), func(t *testing.T) {
			var conns []clerkfake.Connection
			var want []string
			for i := range n {
				c := samlMetadataOnly()
				c.ID, c.SAML.ID = fmt.Sprintf("entconn_%02d", i), fmt.Sprintf("samlc_%02d", i)
				conns = append(conns, c)
				want = append(want, "clerk:"+c.ID)
			}
			srv := clerkfake.Start(t, conns...)
			f := fetch(t, srv, clerk.EnterpriseOptions{PageSize: 3})
			if f.err != nil {
				t.Fatal(f.err)
			}
			if got := f.rec.ids(); !slices.Equal(got, want) {
				t.Errorf("connections %v, want %v", got, want)
			}
			for i, c := range f.rec.conns {
				if c.Row != i+1 {
					t.Errorf("%s row %d, want %d", c.SourceID, c.Row, i+1)
				}
			}
			// A short page or total_count ends the list: 7 takes pages at
			// 0, 3, 6; 6 stops at its total; 0 needs one call.
			wantOffsets := map[int][]string{7: {"0", "3", "6"}, 6: {"0", "3"}, 0: {"0"}}[n]
			var offsets []string
			for _, r := range srv.Requests() {
				if r.Path == "/v1/enterprise_connections" {
					if r.Query.Get("limit") != "3" {
						t.Errorf("limit %q, want 3", r.Query.Get("limit"))
					}
					offsets = append(offsets, r.Query.Get("offset"))
				}
			}
			if !slices.Equal(offsets, wantOffsets) {
				t.Errorf("offsets asked %v, want %v", offsets, wantOffsets)
			}
		})
	}
}

func TestEnterpriseConnectionsRepeatedPageIsAnError(t *testing.T) {
	var conns []clerkfake.Connection
	for i := range 5 {
		c := oidcCustom()
		c.ID = fmt.Sprintf("entconn_%d", i)
		conns = append(conns, c)
	}
	srv := clerkfake.Start(t, conns...)
	srv.IgnoreOffset = true
	f := fetch(t, srv, clerk.EnterpriseOptions{PageSize: 2})
	if f.err == nil || !strings.Contains(f.err.Error(), "already given") {
		t.Fatalf("err = %v, want the repeated page named", f.err)
	}
}

func TestEnterpriseConnectionsIncompleteAreSkipped(t *testing.T) {
	noCert := samlCustom()
	noCert.ID, noCert.SAML.ID, noCert.Name = "entconn_nocert", "samlc_nocert", "No cert"
	noCert.SAML.IdpCertificate, noCert.SAML.IdpSSOURL = "", ""
	noCert.SAML.IdpMetadata = "<EntityDescriptor/>"
	noDiscovery := oidcCustom()
	noDiscovery.ID, noDiscovery.Name, noDiscovery.Provider = "entconn_ghe", "GitHub Enterprise", "oidc_github_enterprise"
	noDiscovery.OIDC.DiscoveryURL = ""
	noClient := oidcCustom()
	noClient.ID, noClient.Name = "entconn_noclient", "No client"
	noClient.OIDC.ClientID = ""
	other := clerkfake.Connection{ID: "entconn_easie", Name: "EASIE", Provider: "oauth_microsoft", Active: true}
	srv := clerkfake.Start(t, noCert, samlCustom(), noDiscovery, noClient, other)
	f := fetch(t, srv, clerk.EnterpriseOptions{})
	if f.err != nil {
		t.Fatal(f.err)
	}
	if got := f.rec.ids(); !slices.Equal(got, []string{"clerk:entconn_saml1"}) {
		t.Errorf("handed over %v, want only the complete one", got)
	}
	for _, c := range []struct {
		id      string
		row     int
		missing []string
		says    []string
	}{
		{"clerk:entconn_nocert", 1, []string{"idpUrl", "x509Cert", "idpMetadataUrl"}, []string{"missing: idpUrl, x509Cert", "XML document"}},
		{"clerk:entconn_ghe", 3, []string{"discoveryEndpoint (oauth_config.discovery_url)"}, []string{"discovery endpoint", "only the authorization"}},
		{"clerk:entconn_noclient", 4, []string{"clientId (oauth_config.client_id)"}, []string{"missing: clientId"}},
		{"clerk:entconn_easie", 5, nil, []string{`provider "oauth_microsoft" is neither SAML nor OIDC`}},
	} {
		w := f.rec.warning("sso_connection_skipped", c.id)
		if w == nil {
			t.Errorf("%s: no sso_connection_skipped warning; warnings %v", c.id, f.rec.codes())
			continue
		}
		if w.Row != c.row || w.File != "clerk:/enterprise_connections" || w.Entity != "sso_connection" {
			t.Errorf("%s: warning at %s row %d (%s), want row %d", c.id, w.File, w.Row, w.Entity, c.row)
		}
		if got, _ := w.Context["missing"].([]string); !slices.Equal(got, c.missing) {
			t.Errorf("%s: missing %v, want %v", c.id, got, c.missing)
		}
		for _, s := range c.says {
			if !strings.Contains(w.Message, s) {
				t.Errorf("%s: message %q does not say %q", c.id, w.Message, s)
			}
		}
	}
}

func TestEnterpriseConnectionsInactiveAndExtraCertificates(t *testing.T) {
	off := samlCustom()
	off.Active = false
	off.SAML.MoreCertificates = []string{"MIIBnextCert"}
	srv := clerkfake.Start(t, off)
	f := fetch(t, srv, clerk.EnterpriseOptions{})
	if f.err != nil {
		t.Fatal(f.err)
	}
	// Inactive connections are handed over (someone switched them off in
	// Clerk; whether to switch them on in WorkOS is theirs to decide).
	c := f.rec.conn("clerk:entconn_saml1")
	if c == nil {
		t.Fatalf("the inactive connection was not handed over: %v", f.rec.codes())
	}
	if c.Config["x509Cert"] != certBody {
		t.Errorf("x509Cert %q, want the primary certificate", c.Config["x509Cert"])
	}
	want := []string{"sso_extra_certificates clerk:entconn_saml1", "sso_provider_disabled clerk:entconn_saml1"}
	if got := f.rec.codes(); !slices.Equal(got, want) {
		t.Errorf("warnings %v, want %v", got, want)
	}
}

func TestEnterpriseConnectionsDetailsFromTheSAMLEndpoint(t *testing.T) {
	legacy := clerkfake.Connection{ID: "samlc_old", Name: "Old SAML", Provider: "saml_okta", Active: true, Legacy: true,
		Domains: []string{"old.example"},
		SAML: &clerkfake.SAML{IdpEntityID: "http://www.okta.com/old", IdpSSOURL: "https://old.okta.com/sso", IdpCertificate: "MIIBold",
			AcsURL: "https://clerk.acme.com/v1/saml/acs/samlc_old", SpEntityID: "https://clerk.acme.com/saml/samlc_old"}}
	srv := clerkfake.Start(t, samlCustom(), oidcCustom(), legacy)
	// The nested SAML connection without its IdP details: the older
	// endpoint's copy fills them in.
	srv.TrimNested = true
	srv.NoBackLink = true
	f := fetch(t, srv, clerk.EnterpriseOptions{})
	if f.err != nil {
		t.Fatal(f.err)
	}
	if got, want := f.rec.ids(), []string{"clerk:entconn_saml1", "clerk:entconn_oidc1", "clerk:samlc_old"}; !slices.Equal(got, want) {
		t.Fatalf("handed over %v, want %v", got, want)
	}
	c := f.rec.conn("clerk:entconn_saml1")
	for k, v := range map[string]string{"idpEntityId": "http://www.okta.com/exk1", "idpUrl": "https://acme.okta.com/app/sso/saml",
		"x509Cert": certBody, "emailAttribute": "mail"} {
		if c.Config[k] != v {
			t.Errorf("%s = %q, want %q", k, c.Config[k], v)
		}
	}
	old := f.rec.conn("clerk:samlc_old")
	if old.Config["connectionType"] != "OktaSAML" || old.Config["idpEntityId"] != "http://www.okta.com/old" ||
		!slices.Equal(old.Domains, []string{"old.example"}) || old.Row != 2 {
		t.Errorf("legacy connection: %+v", *old)
	}
	if f.rec.files[2] != "clerk:/saml_connections" {
		t.Errorf("legacy connection's file %q", f.rec.files[2])
	}
}

func TestEnterpriseConnectionsWithOneEndpointMissing(t *testing.T) {
	t.Run("no /saml_connections", func(t *testing.T) {
		srv := clerkfake.Start(t, samlCustom())
		srv.NoSAMLEndpoint = true
		f := fetch(t, srv, clerk.EnterpriseOptions{})
		if f.err != nil {
			t.Fatal(f.err)
		}
		c := f.rec.conn("clerk:entconn_saml1")
		if c == nil || c.Config["idpEntityId"] == "" || c.Config["emailAttribute"] != "" {
			t.Errorf("connection from the nested SAML object alone: %+v", c)
		}
		if f.rec.warning("clerk_saml_endpoint_missing", "") == nil {
			t.Errorf("warnings %v, want clerk_saml_endpoint_missing", f.rec.codes())
		}
	})
	t.Run("no /enterprise_connections", func(t *testing.T) {
		srv := clerkfake.Start(t, samlCustom(), oidcCustom())
		srv.NoEnterpriseEndpoint = true
		f := fetch(t, srv, clerk.EnterpriseOptions{})
		if f.err != nil {
			t.Fatal(f.err)
		}
		if got := f.rec.ids(); !slices.Equal(got, []string{"clerk:entconn_saml1"}) {
			t.Errorf("handed over %v, want the SAML connection from /saml_connections", got)
		}
		if f.rec.warning("clerk_enterprise_endpoint_missing", "") == nil {
			t.Errorf("warnings %v, want clerk_enterprise_endpoint_missing", f.rec.codes())
		}
	})
	t.Run("neither", func(t *testing.T) {
		srv := clerkfake.Start(t, samlCustom())
		srv.NoEnterpriseEndpoint, srv.NoSAMLEndpoint = true, true
		f := fetch(t, srv, clerk.EnterpriseOptions{})
		if f.err == nil || !strings.Contains(f.err.Error(), "404") {
			t.Errorf("err = %v, want the 404", f.err)
		}
	})
}

// TestEnterpriseConnectionsSecrets: a secret an answer carries goes to the
// connection's Secrets, where the kit decides whether it is staged
// (TestIngestEnterpriseSecrets); it never reaches the config, the
// warnings or the log.
func TestEnterpriseConnectionsSecrets(t *testing.T) {
	const secret = "oidc-client-s3cret"
	srv := clerkfake.Start(t, oidcCustom())
	srv.RevealSecrets = true // as if Clerk gave the secret out
	f := fetch(t, srv, clerk.EnterpriseOptions{})
	if f.err != nil {
		t.Fatal(f.err)
	}
	c := f.rec.conn("clerk:entconn_oidc1")
	if c.Secrets["clientSecret"] != secret {
		t.Errorf("secrets %v, want the client secret", c.Secrets)
	}
	if len(f.rec.warnings) != 0 {
		t.Errorf("warnings %v", f.rec.codes())
	}
	c.Secrets = nil
	all, _ := json.Marshal([]any{c, f.rec.warnings})
	if bytes.Contains(all, []byte(secret)) || strings.Contains(f.log, secret) {
		t.Errorf("the client secret reached the config, a warning or the log")
	}
}

func TestEnterpriseConnectionsRefusedKey(t *testing.T) {
	const wrong = "sk_test_wrongWRONGwrong9876543210"
	srv := clerkfake.Start(t, samlCustom())
	srv.EchoKey = true // the refusal quotes the key it got
	f := fetch(t, srv, clerk.EnterpriseOptions{SecretKey: wrong})
	if !errors.Is(f.err, clerk.ErrSecretKeyRefused) {
		t.Fatalf("err = %v, want ErrSecretKeyRefused", f.err)
	}
	msg := f.err.Error()
	if !strings.Contains(msg, "CLERK_SECRET_KEY") || !strings.Contains(msg, "401") {
		t.Errorf("error %q does not name the status and CLERK_SECRET_KEY", msg)
	}
	if strings.Contains(msg, wrong) || strings.Contains(msg, "wrongWRONG") {
		t.Errorf("error %q carries the secret key", msg)
	}
	if len(f.rec.conns) != 0 || len(f.waits) != 0 {
		t.Errorf("a refused key handed over %d connections after %d waits", len(f.rec.conns), len(f.waits))
	}
}

func TestEnterpriseConnectionsRateLimit(t *testing.T) {
	for _, c := range []struct {
		name       string
		n          int
		retryAfter string
		want       []time.Duration
	}{
		{"Retry-After seconds", 2, "7", []time.Duration{7 * time.Second, 7 * time.Second}},
		{"no Retry-After", 3, "", []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		{"Retry-After 0", 1, "0", []time.Duration{time.Second}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := clerkfake.Start(t, samlCustom(), oidcCustom())
			srv.Throttle(c.n, c.retryAfter)
			f := fetch(t, srv, clerk.EnterpriseOptions{})
			if f.err != nil {
				t.Fatal(f.err)
			}
			if !slices.Equal(f.waits, c.want) {
				t.Errorf("waits %v, want %v", f.waits, c.want)
			}
			if len(f.rec.conns) != 2 {
				t.Errorf("handed over %v", f.rec.ids())
			}
			if !strings.Contains(f.log, "rate limited") || strings.Contains(f.log, clerkfake.SecretKey) {
				t.Errorf("log:\n%s", f.log)
			}
		})
	}
	t.Run("a wait of an hour is an error", func(t *testing.T) {
		srv := clerkfake.Start(t, samlCustom())
		srv.Throttle(1, "3600")
		f := fetch(t, srv, clerk.EnterpriseOptions{})
		if f.err == nil || !strings.Contains(f.err.Error(), "1h0m0s") || len(f.waits) != 0 {
			t.Errorf("err = %v after waits %v, want an error naming the hour, without waiting", f.err, f.waits)
		}
	})
	t.Run("throttled for good", func(t *testing.T) {
		srv := clerkfake.Start(t, samlCustom())
		srv.Throttle(1000, "1")
		f := fetch(t, srv, clerk.EnterpriseOptions{})
		if f.err == nil || !strings.Contains(f.err.Error(), "still rate limited") || len(f.waits) != 10 {
			t.Errorf("err = %v after %d waits", f.err, len(f.waits))
		}
	})
}

func TestEnterpriseConnectionsServerErrors(t *testing.T) {
	t.Run("retried with back-off", func(t *testing.T) {
		srv := clerkfake.Start(t, samlCustom())
		srv.Fail(2, http.StatusServiceUnavailable)
		f := fetch(t, srv, clerk.EnterpriseOptions{})
		if f.err != nil {
			t.Fatal(f.err)
		}
		if want := []time.Duration{time.Second, 2 * time.Second}; !slices.Equal(f.waits, want) {
			t.Errorf("waits %v, want %v", f.waits, want)
		}
		if len(f.rec.conns) != 1 {
			t.Errorf("handed over %v", f.rec.ids())
		}
	})
	t.Run("given up after a few tries", func(t *testing.T) {
		srv := clerkfake.Start(t, samlCustom())
		srv.Fail(100, http.StatusInternalServerError)
		f := fetch(t, srv, clerk.EnterpriseOptions{})
		if f.err == nil || !strings.Contains(f.err.Error(), "500") || !strings.Contains(f.err.Error(), "tried 4 times") {
			t.Errorf("err = %v", f.err)
		}
		if len(srv.Requests()) != 4 || strings.Contains(f.err.Error(), clerkfake.SecretKey) {
			t.Errorf("%d requests; err %v", len(srv.Requests()), f.err)
		}
	})
}

func TestEnterpriseConnectionsKeyAndURLChecks(t *testing.T) {
	srv := clerkfake.Start(t, samlCustom())
	for _, c := range []struct {
		name string
		o    clerk.EnterpriseOptions
		says string
	}{
		{"no key", clerk.EnterpriseOptions{SecretKey: " "}, "CLERK_SECRET_KEY"},
		{"publishable key", clerk.EnterpriseOptions{SecretKey: "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k"}, "publishable key"},
		{"plain http to another host", clerk.EnterpriseOptions{BaseURL: "http://api.clerk.example/v1"}, "plain http"},
		{"page size over 500", clerk.EnterpriseOptions{PageSize: 501}, "1..500"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(srv.Requests())
			f := fetch(t, srv, c.o)
			if f.err == nil || !strings.Contains(f.err.Error(), c.says) {
				t.Errorf("err = %v, want it to say %q", f.err, c.says)
			}
			if strings.Contains(fmt.Sprint(f.err), "Y2xlcmsuZXhhbXBsZS5jb20k") {
				t.Errorf("err %v carries the key", f.err)
			}
			if len(srv.Requests()) != before {
				t.Errorf("a request was sent")
			}
		})
	}
}
