package auth0_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/auth0"
	"github.com/mig-tools/mig/ingest/auth0/auth0fake"
)

const fixtures = "../../testdata/fixtures/auth0"

func fixtureServer(t *testing.T, clk *vclock) *auth0fake.Server {
	t.Helper()
	ten, err := auth0fake.FixtureTenant(fixtures)
	if err != nil {
		t.Fatal(err)
	}
	srv := auth0fake.Start(t, ten)
	srv.Now = clk.Now
	return srv
}

func options(srv *auth0fake.Server, clk *vclock, pageSize int) auth0.Options {
	domain := "set later"
	if srv != nil {
		domain = srv.URL
	}
	return auth0.WithClock(auth0.Options{Domain: domain, ClientID: auth0fake.ClientID, ClientSecret: auth0fake.ClientSecret,
		RateLimit: -1, PageSize: pageSize}, clk)
}

// fetch fetches the tenant into s and, for the bulk-job engine, reads the
// export the fetch created, committing its users at the end (as the ingest
// does, in its one transaction).
func fetch(t *testing.T, o auth0.Options, s *sink, resume auth0.Checkpoint) error {
	t.Helper()
	err := auth0.Fetch(context.Background(), o, s, resume, s.commit)
	if err != nil || o.Engine != auth0.EngineBulkJob || !s.last.Done() || !slices.Contains(o.Entities, auth0.EntityUsers) && len(o.Entities) > 0 {
		return err
	}
	return readExport(t, o, s)
}

func readExport(t *testing.T, o auth0.Options, s *sink) error {
	t.Helper()
	if err := auth0.ReadExport(context.Background(), o, s.last, s); err != nil {
		return err
	}
	return s.commit(s.last)
}

func ids(users []*ingest.User) []string {
	var out []string
	for _, u := range users {
		out = append(out, u.SourceID)
	}
	sort.Strings(out)
	return out
}

func codes(ws []ingest.Warning) map[string]int {
	m := map[string]int{}
	for _, w := range ws {
		m[w.Code]++
	}
	return m
}

// TestFetchFixtureTenant fetches every entity of the public sample tenant,
// a few items per page, and checks what the sink was handed.
func TestFetchFixtureTenant(t *testing.T) {
	clk := newClock()
	srv := fixtureServer(t, clk)
	s := &sink{}
	if err := fetch(t, options(srv, clk, 7), s, auth0.Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	if len(s.pending.Users)+len(s.pending.OrgRows)+len(s.pending.Roles) > 0 {
		t.Errorf("records handed after the last checkpoint: %+v", s.pending)
	}
	if !s.last.Done() {
		t.Errorf("last checkpoint %+v is not Done", s.last)
	}
	got := s.committed
	noDuplicates(t, got)

	wantUsers := []string{"auth0|64abc123def4567890abcdef", "auth0|multi_word_user", "auth0|noname_user", "auth0|only_name_user",
		"auth0|primary_karen_id", "auth0|unicode_user", "auth0|unverified_user", "email|user_abc123def456"}
	if g := ids(got.Users); !slices.Equal(g, wantUsers) {
		t.Errorf("staged users\n got %v\nwant %v", g, wantUsers)
	}
	reasons := map[string]string{}
	for _, sk := range got.Skips {
		reasons[sk.SourceID] = sk.Reason
	}
	for id, want := range map[string]string{
		"auth0|blocked_user":                        "blocked",
		"sms|user_sms_xyz789":                       "phone-only",
		"twitter|1234567890":                        "federated user: signs in only through twitter",
		"samlp|acme-saml|eve@acme.com":              "federated user: signs in only through samlp",
		"google-oauth2|109876543210123456789":       "federated",
		"facebook|10163424000000":                   "federated",
		"github|12345678":                           "federated",
		"linkedin|ABCdef123XYZ":                     "federated",
		"waad|a74900dd-e48b-47b6-b212-306653d7f33d": "federated",
		"okta|00ue1234abcd5678":                     "federated",
		"adfs|acme-adfs|hector@acme.com":            "federated",
		"google-apps|grace@acme.com":                "federated",
	} {
		if !strings.Contains(reasons[id], want) {
			t.Errorf("skip of %s: reason %q, want it to say %q", id, reasons[id], want)
		}
	}
	if len(got.Skips) != 12 {
		t.Errorf("%d users skipped, want 12: %v", len(got.Skips), reasons)
	}

	byID := map[string]*ingest.User{}
	for _, u := range got.Users {
		byID[u.SourceID] = u
	}
	alice := byID["auth0|64abc123def4567890abcdef"]
	if alice.EmailRaw != "alice@example.com" || alice.FirstName != "Alice" || alice.LastName != "Smith" || !*alice.EmailVerified ||
		alice.ExternalID != alice.SourceID || alice.Username != "alice" || alice.Metadata["auth0_user_id"] != alice.SourceID {
		t.Errorf("alice mapped as %+v", alice)
	}
	if u := byID["auth0|multi_word_user"]; u.FirstName != "Mary" || u.LastName != "Ann Jones Smith" {
		t.Errorf("name split: %q %q", u.FirstName, u.LastName)
	}
	if u := byID["email|user_abc123def456"]; u.FirstName != "" || u.LastName != "" {
		t.Errorf("a passwordless user's name is its email, not a name: %q %q", u.FirstName, u.LastName)
	}
	if u := byID["auth0|unverified_user"]; *u.EmailVerified {
		t.Error("unverified_user staged as verified")
	}

	// Organizations and memberships.
	orgs := map[string]string{}
	for _, o := range got.Orgs {
		orgs[o.ExternalID] = o.Name
	}
	if !maps.Equal(orgs, map[string]string{"org_acme": "Acme Corp", "org_beta": "beta"}) {
		t.Errorf("organizations %v", orgs)
	}
	members := map[string]int{}
	for _, m := range got.OrgRows {
		members[m.OrgExternalID]++
		if m.OrgName != orgs[m.OrgExternalID] {
			t.Errorf("membership %+v names the org %q", m, m.OrgName)
		}
	}
	if !maps.Equal(members, map[string]int{"org_acme": 7, "org_beta": 3}) {
		t.Errorf("memberships per org %v", members)
	}

	// Roles: "Admin" and "admin" collide; the smaller id keeps the slug.
	slugs := map[string][]string{}
	for _, r := range got.Roles {
		slugs[r.Slug] = r.Permissions
	}
	if !maps.EqualFunc(slugs, map[string][]string{"admin": {"read:reports", "write:reports"}, "admin-2": nil,
		"viewer": {"read:reports"}, "billing-manager": nil}, slices.Equal) {
		t.Errorf("role definitions %v", slugs)
	}
	var assigned []string
	for _, r := range got.RoleRows {
		assigned = append(assigned, r.SourceUserID+" "+r.RoleSlug+" "+r.OrgExternalID)
	}
	sort.Strings(assigned)
	want := []string{"auth0|64abc123def4567890abcdef admin org_acme", "auth0|64abc123def4567890abcdef viewer org_acme",
		"auth0|primary_karen_id viewer org_beta", "samlp|acme-saml|eve@acme.com admin-2 org_acme"}
	if !slices.Equal(assigned, want) {
		t.Errorf("role assignments\n got %v\nwant %v", assigned, want)
	}

	// SSO handoff.
	var staged []string
	for _, c := range got.SSO {
		staged = append(staged, c.Config["externalId"])
	}
	sort.Strings(staged)
	wantSSO := []string{"acme-adfs", "acme-google-apps", "acme-oidc", "acme-oidc-frontchannel", "acme-oidc-metadata", "acme-okta",
		"acme-ping", "acme-saml", "acme-waad", "beta-saml"}
	if !slices.Equal(staged, wantSSO) {
		t.Errorf("SSO connections\n got %v\nwant %v", staged, wantSSO)
	}
	skipped := map[string]string{}
	for _, w := range got.Warnings {
		if w.Code == "sso_connection_skipped" {
			skipped[w.SourceID] = w.Message
		}
	}
	for id, want := range map[string]string{
		"con_orphan_saml":  "enabled_clients is empty",
		"con_oidc_nd":      "discoveryEndpoint",
		"con_waad_missing": "tenant_domain",
		"con_okta_bad":     "options.domain",
		"con_ad_acme":      "Active Directory",
		"con_adldap_acme":  "Active Directory",
	} {
		if !strings.Contains(skipped[id], want) {
			t.Errorf("connection %s: skip warning %q, want it to name %q", id, skipped[id], want)
		}
	}
	if len(skipped) != 6 {
		t.Errorf("%d connections skipped, want 6: %v", len(skipped), skipped)
	}
	c := codes(got.Warnings)
	if c["role_slug_collision"] != 1 || c["sso_oidc_front_channel"] != 1 || c["sso_client_secret_missing"] != 1 || c["bulk_export_no_org_membership"] != 0 {
		t.Errorf("warnings by code: %v", c)
	}
	for _, sc := range got.SSO {
		if sc.Config["clientSecret"] != "" || sc.Config["requestSigningKey"] != "" {
			t.Errorf("connection %s has a secret in Config: %v", sc.SourceID, sc.Config)
		}
	}
	if srv.Count("POST", "/oauth/token") != 1 {
		t.Errorf("%d token requests, want 1 (client credentials, then the token reused)", srv.Count("POST", "/oauth/token"))
	}
}

// TestFetchSSOColumns checks the handoff columns of a few sample
// connections in full.
func TestFetchSSOColumns(t *testing.T) {
	clk := newClock()
	srv := fixtureServer(t, clk)
	s := &sink{}
	o := options(srv, clk, 100)
	o.Entities = []string{auth0.EntitySSO}
	if err := fetch(t, o, s, auth0.Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	by := map[string]ingest.SSOConnection{}
	for _, c := range s.committed.SSO {
		by[c.SourceID] = c
	}
	saml := by["con_samlp_acme"]
	if saml.Protocol != "saml" || saml.Name != "Acme SAML" || !maps.Equal(saml.Config, map[string]string{
		"externalId": "acme-saml", "connectionType": "GenericSAML", "idpUrl": "https://idp.acme.com/sso",
		"x509Cert":            "MIICXjCCAcegAwIBAgIBADANBgkqhkiG9w0BAQ0FADCBhzELMAkGA1UEBhMCVVMx",
		"idpIdAttribute":      "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
		"emailAttribute":      "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
		"firstNameAttribute":  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
		"lastNameAttribute":   "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
		"idpInitiatedEnabled": "true", "sourceAcsUrl": srv.URL + "/login/callback?connection=acme-saml",
	}) {
		t.Errorf("acme-saml: %+v", saml)
	}
	waad := by["con_waad_acme"]
	if waad.Protocol != "oidc" || waad.Config["clientId"] != "azure-client-id-abc" ||
		waad.Config["discoveryEndpoint"] != "https://login.microsoftonline.com/acme.onmicrosoft.com/v2.0/.well-known/openid-configuration" ||
		waad.Secrets["clientSecret"] != "azure-client-secret-placeholder" || waad.Config["connectionType"] != "EntraIdOIDC" {
		t.Errorf("acme-waad: %+v", waad)
	}
	if md := by["con_oidc_mi"]; md.Config["discoveryEndpoint"] != "https://idp.metadata.example.com/.well-known/openid-configuration" {
		t.Errorf("oidc_metadata issuer: %+v", md.Config)
	}
	if a := by["con_adfs_acme"]; a.Config["idpMetadataUrl"] != "https://adfs.acme.com/FederationMetadata/2007-06/FederationMetadata.xml" || a.Config["connectionType"] != "ADFSSAML" {
		t.Errorf("adfs: %+v", a.Config)
	}
	if g := by["con_google_apps_acme"]; !slices.Equal(g.Domains, []string{"acme.com"}) || g.Config["discoveryEndpoint"] != "https://accounts.google.com/.well-known/openid-configuration" {
		t.Errorf("google-apps: %+v", g)
	}
	if ok := by["con_okta_acme"]; ok.Config["discoveryEndpoint"] != "https://acme.okta.com/.well-known/openid-configuration" {
		t.Errorf("okta: %+v", ok.Config)
	}
	// Only enterprise strategies are asked for.
	for _, r := range srv.Requests() {
		if r.Path == "/api/v2/connections" && (slices.Contains(r.Query["strategy"], "auth0") || len(r.Query["strategy"]) < 9) {
			t.Errorf("connections asked for strategies %v", r.Query["strategy"])
		}
	}
}

// TestEnginesAgree reads one tenant with both engines: the staged users,
// the skips and the per-user warnings are the same.
func TestEnginesAgree(t *testing.T) {
	clk := newClock()
	ten := auth0fake.Generate(auth0fake.GenOptions{Users: 420, Seed: 7})
	srv := auth0fake.Start(t, ten)
	srv.Now = clk.Now
	results := map[string]recorded{}
	for _, engine := range []string{auth0.EngineManagementAPI, auth0.EngineBulkJob} {
		s := &sink{}
		o := options(srv, clk, 50)
		o.Engine = engine
		o.Entities = []string{auth0.EntityUsers}
		if err := fetch(t, o, s, auth0.Checkpoint{}); err != nil {
			t.Fatalf("%s: %v", engine, err)
		}
		noDuplicates(t, s.committed)
		results[engine] = s.committed
	}
	api, bulk := results[auth0.EngineManagementAPI], results[auth0.EngineBulkJob]
	if len(api.Users) < 300 || len(api.Skips) < 5 {
		t.Fatalf("the tenant should give users and skips: %d users, %d skips", len(api.Users), len(api.Skips))
	}
	strip := func(us []*ingest.User) map[string]ingest.User {
		m := map[string]ingest.User{}
		for _, u := range us {
			c := ingest.User{SourceID: u.SourceID, Row: u.Row, EmailRaw: u.EmailRaw, FirstName: u.FirstName, LastName: u.LastName,
				EmailVerified: u.EmailVerified, ExternalID: u.ExternalID, Username: u.Username, Metadata: u.Metadata, Emails: u.Emails, Phones: u.Phones}
			m[u.SourceID] = c
		}
		return m
	}
	a, b := strip(api.Users), strip(bulk.Users)
	if len(a) != len(b) {
		t.Errorf("management-api staged %d users, bulk-job %d", len(a), len(b))
	}
	for id, ua := range a {
		ub, ok := b[id]
		if !ok {
			t.Errorf("%s staged by management-api only", id)
			continue
		}
		if ua.EmailRaw != ub.EmailRaw || ua.FirstName != ub.FirstName || ua.LastName != ub.LastName || *ua.EmailVerified != *ub.EmailVerified ||
			ua.ExternalID != ub.ExternalID || ua.Username != ub.Username || !maps.Equal(ua.Metadata, ub.Metadata) ||
			!slices.Equal(ua.Emails, ub.Emails) || !slices.Equal(ua.Phones, ub.Phones) || ua.Row != ub.Row {
			t.Errorf("%s differs:\n api  %+v\n bulk %+v", id, ua, ub)
		}
	}
	skips := func(r recorded) []string {
		var out []string
		for _, s := range r.Skips {
			out = append(out, s.SourceID+": "+s.Reason)
		}
		sort.Strings(out)
		return out
	}
	if !slices.Equal(skips(api), skips(bulk)) {
		t.Errorf("skips differ:\n api  %v\n bulk %v", skips(api), skips(bulk))
	}
	ca, cb := codes(api.Warnings), codes(bulk.Warnings)
	if cb["bulk_export_no_org_membership"] != 1 {
		t.Errorf("the bulk engine should say once that the export has no memberships: %v", cb)
	}
	delete(cb, "bulk_export_no_org_membership")
	if !maps.Equal(ca, cb) {
		t.Errorf("warnings differ:\n api  %v\n bulk %v", ca, cb)
	}
	if srv.Count("POST", "/api/v2/jobs/users-exports") != 1 {
		t.Errorf("%d export jobs created", srv.Count("POST", "/api/v2/jobs/users-exports"))
	}
}

// TestUsersListLimit: the users list serves 1,000 users, so the
// management-api engine refuses a bigger tenant before handing any user
// over, and the bulk-job engine reads it whole.
func TestUsersListLimit(t *testing.T) {
	clk := newClock()
	srv := auth0fake.Start(t, auth0fake.Generate(auth0fake.GenOptions{Users: 1500, Seed: 1}))
	srv.Now = clk.Now
	s := &sink{}
	o := options(srv, clk, 100)
	o.Entities = []string{auth0.EntityUsers}
	err := fetch(t, o, s, auth0.Checkpoint{})
	if !errors.Is(err, auth0.ErrUsersListLimit) || !strings.Contains(err.Error(), "1500") || !strings.Contains(err.Error(), "bulk-job") {
		t.Fatalf("management-api on 1,500 users: %v", err)
	}
	if n := len(s.committed.Users) + len(s.pending.Users); n != 0 {
		t.Errorf("%d users handed over before the error", n)
	}
	s = &sink{}
	o.Engine = auth0.EngineBulkJob
	if err := fetch(t, o, s, auth0.Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	if n := len(s.committed.Users) + len(s.committed.Skips); n != 1500 {
		t.Errorf("bulk-job handed %d users and skips, want 1500", n)
	}
}

// TestRateLimit: 429 answers are waited out until X-RateLimit-Reset, on the
// virtual clock, and the fetch completes.
func TestRateLimit(t *testing.T) {
	clk := newClock()
	srv := fixtureServer(t, clk)
	srv.Throttle(3, 7*time.Second)
	s := &sink{}
	o := options(srv, clk, 100)
	o.Entities = []string{auth0.EntityRoles}
	if err := fetch(t, o, s, auth0.Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	if got := clk.Sleeps(); !slices.Equal(got, []time.Duration{7 * time.Second, 7 * time.Second, 7 * time.Second}) {
		t.Errorf("waits %v, want three of 7s (until each X-RateLimit-Reset)", got)
	}
	if len(s.committed.Roles) != 4 {
		t.Errorf("%d roles after the 429s, want 4", len(s.committed.Roles))
	}
	if n := srv.Count("GET", "/api/v2/roles"); n != 4 {
		t.Errorf("GET /api/v2/roles sent %d times, want 4 (3 answered 429)", n)
	}
}

// TestRateLimitTooFar: a reset further away than the fetch will wait stops
// it with an error saying when to try again.
func TestRateLimitTooFar(t *testing.T) {
	clk := newClock()
	srv := fixtureServer(t, clk)
	srv.Throttle(1, 3*time.Hour)
	o := options(srv, clk, 100)
	o.Entities = []string{auth0.EntityRoles}
	err := fetch(t, o, &sink{}, auth0.Checkpoint{})
	if err == nil || !strings.Contains(err.Error(), "resets in 3h0m0s") {
		t.Fatalf("got %v", err)
	}
}

// TestPacing: requests keep under --rate-limit. At 4 per second each
// request after the first waits a quarter second on the virtual clock.
func TestPacing(t *testing.T) {
	clk := newClock()
	srv := fixtureServer(t, clk)
	o := options(srv, clk, 100)
	o.RateLimit = 4
	o.Entities = []string{auth0.EntityRoles}
	if err := fetch(t, o, &sink{}, auth0.Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	n := len(srv.Requests()) // the token request is paced too
	sleeps := clk.Sleeps()
	if len(sleeps) != n-1 {
		t.Fatalf("%d waits for %d requests: %v", len(sleeps), n, sleeps)
	}
	for _, d := range sleeps {
		if d != 250*time.Millisecond {
			t.Errorf("wait %v, want 250ms", d)
		}
	}
}

// TestSecretNeverLogged: the client secret appears in no log line, in
// neither formatting of the options.
func TestSecretNeverLogged(t *testing.T) {
	clk := newClock()
	srv := fixtureServer(t, clk)
	srv.Throttle(1, time.Second)
	var logs bytes.Buffer
	o := options(srv, clk, 5)
	o.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.Log.Info("starting", "options", o)
	if err := fetch(t, o, &sink{}, auth0.Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	text := logs.String() + o.String()
	if strings.Contains(text, auth0fake.ClientSecret) {
		t.Errorf("the client secret was logged:\n%s", text)
	}
	if !strings.Contains(logs.String(), "rate limit") {
		t.Errorf("the 429 wait was not logged:\n%s", logs.String())
	}
}

// TestWrongCredentials: a rejected client says so, without the secret.
func TestWrongCredentials(t *testing.T) {
	clk := newClock()
	srv := fixtureServer(t, clk)
	o := options(srv, clk, 100)
	o.ClientSecret = "not-the-secret"
	err := fetch(t, o, &sink{}, auth0.Checkpoint{})
	if err == nil || !strings.Contains(err.Error(), "access_denied") || strings.Contains(err.Error(), "not-the-secret") {
		t.Fatalf("got %v", err)
	}
}

// TestOptionsValidate names every problem at once.
func TestOptionsValidate(t *testing.T) {
	err := auth0.Options{Entities: []string{"users", "groups"}, Engine: "scim", MetadataOrgIDField: "org"}.Validate()
	for _, want := range []string{"AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET", `"groups"`, `"scim"`, "--use-metadata"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: %v; want it to mention %s", err, want)
		}
	}
}

// TestConnectionFilter: --connection-id reads the users of one connection,
// the same ones through both engines.
func TestConnectionFilter(t *testing.T) {
	clk := newClock()
	srv := fixtureServer(t, clk)
	for _, engine := range []string{auth0.EngineManagementAPI, auth0.EngineBulkJob} {
		s := &sink{}
		o := options(srv, clk, 5)
		o.Engine, o.ConnectionID, o.Entities = engine, "con_db_up", []string{auth0.EntityUsers}
		if err := fetch(t, o, s, auth0.Checkpoint{}); err != nil {
			t.Fatal(engine, err)
		}
		want := []string{"auth0|64abc123def4567890abcdef", "auth0|multi_word_user", "auth0|noname_user", "auth0|only_name_user",
			"auth0|primary_karen_id", "auth0|unicode_user", "auth0|unverified_user"}
		if got := ids(s.committed.Users); !slices.Equal(got, want) || len(s.committed.Skips) != 1 {
			t.Errorf("%s: users %v, %d skips", engine, got, len(s.committed.Skips))
		}
	}
}

// TestJobPolling: the export job is polled with back-off, using the time
// Auth0 says is left, and a failed job stops the fetch.
func TestJobPolling(t *testing.T) {
	clk := newClock()
	srv := fixtureServer(t, clk)
	srv.PollsBeforeDone = 3
	o := options(srv, clk, 100)
	o.Engine, o.Entities = auth0.EngineBulkJob, []string{auth0.EntityUsers}
	if err := fetch(t, o, &sink{}, auth0.Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	if got := clk.Sleeps(); !slices.Equal(got, []time.Duration{3 * time.Second, 2 * time.Second, time.Second}) {
		t.Errorf("waits between polls %v", got)
	}
	srv.FailJobs = true
	err := fetch(t, o, &sink{}, auth0.Checkpoint{})
	if err == nil || !strings.Contains(err.Error(), "failed") {
		t.Fatalf("a failed job: %v", err)
	}
}

// TestMembershipsFromMetadata: with --use-metadata, memberships come from
// app_metadata and the members endpoints are not read.
func TestMembershipsFromMetadata(t *testing.T) {
	clk := newClock()
	srv := auth0fake.Start(t, auth0fake.Generate(auth0fake.GenOptions{Users: 60, Orgs: 4, Seed: 4}))
	srv.Now = clk.Now
	o := options(srv, clk, 100)
	o.UseMetadata, o.MetadataOrgIDField = true, "org_id"
	s := &sink{}
	if err := fetch(t, o, s, auth0.Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	staged := map[string]bool{}
	for _, u := range s.committed.Users {
		staged[u.SourceID] = true
	}
	if len(s.committed.OrgRows) != len(staged) {
		t.Errorf("%d memberships for %d staged users", len(s.committed.OrgRows), len(staged))
	}
	for _, m := range s.committed.OrgRows {
		if !staged[m.SourceUserID] || !strings.HasPrefix(m.OrgExternalID, "org_gen") {
			t.Errorf("membership %+v", m)
		}
	}
	if len(s.committed.Orgs) != 4 || len(s.committed.RoleRows) != 0 || codes(s.committed.Warnings)["metadata_no_member_roles"] != 1 {
		t.Errorf("%d orgs, %d role rows, warnings %v", len(s.committed.Orgs), len(s.committed.RoleRows), codes(s.committed.Warnings))
	}
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path, "/members") {
			t.Errorf("read %s", r.Path)
		}
	}
}

// TestDownloadErrorHidesSignature: the export file's URL carries a
// signature that grants the file; an error names the file without it.
func TestDownloadErrorHidesSignature(t *testing.T) {
	clk := newClock()
	srv := fixtureServer(t, clk)
	srv.DenyDownloads = true
	o := options(srv, clk, 100)
	o.Engine, o.Entities = auth0.EngineBulkJob, []string{auth0.EntityUsers}
	err := fetch(t, o, &sink{}, auth0.Checkpoint{})
	if err == nil || !strings.Contains(err.Error(), "/exports/job_") || !strings.Contains(err.Error(), "403") || strings.Contains(err.Error(), "Signature") {
		t.Fatalf("got %v", err)
	}
	srv.ExportHost = "http://127.0.0.1:1" // nothing listens there
	err = fetch(t, o, &sink{}, auth0.Checkpoint{})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1/exports/job_") || strings.Contains(err.Error(), "Signature") {
		t.Fatalf("got %v", err)
	}
}
