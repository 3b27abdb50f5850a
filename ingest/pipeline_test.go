package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/ingesttest"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/staging"
)

func get[T any](t *testing.T, db *staging.DB, q string, args ...any) T {
	t.Helper()
	var v T
	if err := db.Get(&v, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// tenant is what a fake API source knows: users in pages, organizations
// with members, roles and SSO connections.
type tenant struct {
	users int
	conns []ingest.SSOConnection
}

// decode hands the whole tenant over, as an API source's decoder does.
func (tn tenant) decode(ctx context.Context, _ ingest.Inputs, sink ingest.DefinitionSink) error {
	const file = "fake:/users"
	for _, o := range []ingest.Organization{
		{Row: 1, ExternalID: "org_a", Name: "Org A", Domains: []string{"a.example"}, Metadata: map[string]string{"tier": "gold"}},
		{Row: 2, ExternalID: "org_b", Name: "Org B"},
	} {
		if err := sink.AddOrganization(ctx, "fake:/organizations", o); err != nil {
			return err
		}
	}
	if err := sink.AddRoleDefinition(ctx, "fake:/roles", ingest.RoleDefinition{Row: 1, Slug: "admin", Name: "Admin", Permissions: []string{"users:read", "users:write"}}); err != nil {
		return err
	}
	if err := sink.AddRoleDefinition(ctx, "fake:/roles", ingest.RoleDefinition{Row: 2, Slug: "billing", OrgExternalID: "org_b", Permissions: []string{"invoices:read"}}); err != nil {
		return err
	}
	for _, c := range tn.conns {
		if err := sink.AddSSOConnection(ctx, "fake:/connections", c); err != nil {
			return err
		}
	}
	for i := range tn.users {
		id := fmt.Sprintf("u%04d", i)
		if i%10 == 9 {
			if err := sink.Skip(ctx, file, i+1, id, "", "no email address: WorkOS users need one", map[string]string{"id": id}); err != nil {
				return err
			}
			continue
		}
		u := &ingest.User{SourceID: id, Row: i + 1, EmailRaw: id + "@example.com", ExternalID: id, Raw: map[string]any{"id": id, "n": i}}
		if err := sink.AddUser(ctx, file, u); err != nil {
			return err
		}
		org := "org_a"
		if i%2 == 1 {
			org = "org_b"
		}
		if err := sink.AddOrgMappingRow(ctx, file, ingest.OrgMappingRow{Row: i + 1, SourceUserID: id, OrgExternalID: org}); err != nil {
			return err
		}
		if i%3 == 0 {
			if err := sink.AddRoleMappingRow(ctx, file, ingest.RoleMappingRow{Row: i + 1, SourceUserID: id, RoleSlug: "admin"}); err != nil {
				return err
			}
		}
	}
	return sink.Warn(ctx, ingest.Warning{Code: "fake_done", File: file, Message: "the fake tenant is read", Context: map[string]any{"users": tn.users}})
}

var samlConn = ingest.SSOConnection{Row: 1, SourceID: "fake:con_1", Protocol: "saml", Name: "Acme SAML", OrgExternalID: "org_a",
	Domains: []string{"acme.example"}, Config: map[string]string{"idpEntityId": "urn:acme", "idpUrl": "https://idp.acme.example/sso"},
	Secrets: map[string]string{"requestSigningKey": "PRIVATE-KEY"}, AttributeMappings: map[string]string{"department": "dept"}}

var oidcConn = ingest.SSOConnection{Row: 2, SourceID: "fake:con_2", Protocol: "oidc", Name: "Beta OIDC",
	Config:  map[string]string{"clientId": "client-1", "discoveryEndpoint": "https://beta.example/.well-known/openid-configuration"},
	Secrets: map[string]string{"clientSecret": "s3cret"}}

func fakeSpec(tn tenant) ingest.Spec {
	return ingest.Spec{Source: ingest.Source{Provider: "fake", Tenant: "t1"}, Options: map[string]any{"users": tn.users}, Decode: tn.decode}
}

// A decoder's records, of every kind, reach their tables through the
// pipeline: users and skips counted as rows, mapping lines turned into
// memberships and role assignments, organizations, roles with their
// permissions and connections staged.
func TestPipelineStagesEveryRecord(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	c, err := ingest.Ingest(ctx, db, fakeSpec(tenant{users: 3000, conns: []ingest.SSOConnection{samlConn, oidcConn}}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Rows != 3000 || c.New != 2700 || c.Skipped != 300 || c.Members != 2700 || c.Roles != 900 || c.Orgs != 2 {
		t.Fatalf("counts = %+v", c)
	}
	for q, want := range map[string]string{
		`SELECT group_concat(org_key || ':' || resolution || ':' || name || ':' || domains || ':' || metadata || ':' || source_org_id, ' ') FROM organizations ORDER BY id`:                         `ext:org_a:external_id_create:Org A:["a.example"]:{"tier":"gold"}:org_a ext:org_b:external_id_create:Org B:[]:{}:org_b`,
		`SELECT group_concat(slug || ':' || type || ':' || scope_key || ':' || permissions, ' ') FROM roles ORDER BY id`:                                                                            `admin:environment::["users:read","users:write"] billing:organization:ext:org_b:["invoices:read"]`,
		`SELECT group_concat(slug, ' ') FROM (SELECT slug FROM permissions ORDER BY id)`:                                                                                                            `users:read users:write invoices:read`,
		`SELECT group_concat(source_connection_id || ':' || protocol || ':' || coalesce(organization_id, '-') || ':' || config || ':' || attribute_mappings, ' ') FROM sso_connections ORDER BY id`: `fake:con_1:saml:1:{"idpEntityId":"urn:acme","idpUrl":"https://idp.acme.example/sso"}:[{"idpClaim":"dept","providerType":"SAML","userPoolAttribute":"department"}] fake:con_2:oidc:-:{"clientId":"client-1","discoveryEndpoint":"https://beta.example/.well-known/openid-configuration"}:[]`,
		`SELECT count(*) FROM sso_connections WHERE secrets IS NOT NULL`:                                                                                                                            `0`,
		`SELECT group_concat(code || ':' || source_id, ' ') FROM warnings WHERE code = 'sso_secret_redacted' ORDER BY id`:                                                                           `sso_secret_redacted:fake:con_1 sso_secret_redacted:fake:con_2`,
		`SELECT context FROM warnings WHERE code = 'fake_done'`:                                                                                                                                     `{"users":3000}`,
		`SELECT raw FROM users WHERE source_id = 'u0001'`:                                                                                                                                           `{"id":"u0001","n":1}`,
	} {
		if got := get[string](t, db, q); got != want {
			t.Errorf("%s\n got %s\nwant %s", q, got, want)
		}
	}
	// The secrets themselves are nowhere in the database.
	for _, secret := range []string{"PRIVATE-KEY", "s3cret"} {
		if n := get[int](t, db, `SELECT count(*) FROM sso_connections, warnings WHERE instr(sso_connections.secrets || sso_connections.config || warnings.message, ?) > 0`, secret); n != 0 {
			t.Errorf("secret %q is in the database", secret)
		}
	}
}

// With secrets asked for, they are staged; a re-run that no longer hands
// over a connection removes it, since the run states them all.
func TestPipelineSecretsAndStaleConnections(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	s := fakeSpec(tenant{users: 20, conns: []ingest.SSOConnection{samlConn, oidcConn}})
	s.IncludeSecrets = true
	if _, err := ingest.Ingest(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	if got := get[string](t, db, `SELECT group_concat(secrets, ' ') FROM sso_connections ORDER BY id`); got != `{"requestSigningKey":"PRIVATE-KEY"} {"clientSecret":"s3cret"}` {
		t.Fatalf("secrets = %s", got)
	}
	if n := get[int](t, db, `SELECT count(*) FROM warnings WHERE code = 'sso_secret_redacted'`); n != 0 {
		t.Fatalf("%d redaction warnings with secrets asked for", n)
	}
	s = fakeSpec(tenant{users: 20, conns: []ingest.SSOConnection{oidcConn}})
	if _, err := ingest.Ingest(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	if got := get[string](t, db, `SELECT group_concat(source_connection_id || ':' || coalesce(secrets, 'none'), ' ') FROM sso_connections`); got != "fake:con_2:none" {
		t.Fatalf("connections after the re-run = %s", got)
	}
}

// A decoder's error, and an error writing what it handed over, both leave
// the database as it was; the writer's error stops a decoder that would
// otherwise never end.
func TestPipelineErrorsRollBack(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	if _, err := ingest.Ingest(ctx, db, fakeSpec(tenant{users: 10})); err != nil {
		t.Fatal(err)
	}
	before := get[string](t, db, `SELECT group_concat(id || source_id || ingest_run_id) FROM users`)
	bad := errors.New("the export is cut short")
	s := fakeSpec(tenant{users: 10})
	s.Options = map[string]any{"other": true}
	s.Decode = func(ctx context.Context, in ingest.Inputs, sink ingest.DefinitionSink) error {
		for i := range 5000 {
			if err := sink.AddUser(ctx, "f", &ingest.User{SourceID: fmt.Sprint("n", i), Row: i + 1, EmailRaw: "x@example.com"}); err != nil {
				return err
			}
		}
		return bad
	}
	if _, err := ingest.Ingest(ctx, db, s); !errors.Is(err, bad) {
		t.Fatalf("decoder error: got %v", err)
	}
	s.Decode = func(ctx context.Context, in ingest.Inputs, sink ingest.DefinitionSink) error {
		if err := sink.AddRoleDefinition(ctx, "roles", ingest.RoleDefinition{Row: 1, Slug: "a"}); err != nil {
			return err
		}
		if err := sink.AddRoleDefinition(ctx, "roles", ingest.RoleDefinition{Row: 2, Slug: "a"}); err != nil {
			return err
		}
		for i := 0; ; i++ { // until the run stops it
			if err := sink.Warn(ctx, ingest.Warning{Code: "w", Message: fmt.Sprint(i)}); err != nil {
				return err
			}
		}
	}
	_, err := ingest.Ingest(ctx, db, s)
	if err == nil || !strings.Contains(err.Error(), `roles:2: field "role_slug": role "a" is already defined on line 1`) {
		t.Fatalf("writer error: got %v", err)
	}
	if after := get[string](t, db, `SELECT group_concat(id || source_id || ingest_run_id) FROM users`); after != before {
		t.Fatal("a failed ingest changed the users")
	}
	if n := get[int](t, db, `SELECT count(*) FROM ingest_runs`); n != 1 {
		t.Fatalf("%d runs recorded; want the first only", n)
	}
}

// The mapping readers take the user columns a source accepts: its own id
// column, the user's external id or email (looked up among the source's
// users), and say which they found. A file with none of them is refused.
func TestMappingUserColumns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := writeFile(p, content); err != nil {
			t.Fatal(err)
		}
		return p
	}
	orgs := write("orgs.csv", "email,fake_uid,org_name\n,u0001,Acme\nU0002@Example.com,,Acme\n,u0003,Beta\nnobody@example.com,,Beta\n")
	roles := write("roles.csv", "external_id,role_slug\nu0001,admin\nu0004,viewer\nx9,viewer\n")
	db := ingesttest.OpenDB(t)
	s := fakeSpec(tenant{users: 6})
	s.Decode = func(ctx context.Context, in ingest.Inputs, sink ingest.DefinitionSink) error {
		for i := range 6 {
			id := fmt.Sprintf("u%04d", i)
			if err := sink.AddUser(ctx, "f", &ingest.User{SourceID: id, Row: i + 1, EmailRaw: id + "@example.com", ExternalID: id}); err != nil {
				return err
			}
		}
		return nil
	}
	s.Mappings = ingest.Mappings{OrgMapping: orgs, RoleMapping: roles,
		UserColumns: []string{"fake_uid", ingest.UserIDColumn, ingest.ExternalIDColumn, ingest.EmailColumn}}
	if _, err := ingest.Ingest(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	got := get[string](t, db, `SELECT group_concat(u.source_id || '@' || o.name, ' ') FROM memberships m
		JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id ORDER BY u.source_id`)
	if got != "u0001@Acme u0002@Acme u0003@Beta" {
		t.Errorf("memberships = %s", got)
	}
	if got := get[string](t, db, `SELECT group_concat(u.source_id || ':' || a.role_slug, ' ') FROM role_assignments a JOIN users u ON u.id = a.user_id ORDER BY u.source_id`); got != "u0001:admin u0004:viewer" {
		t.Errorf("role assignments = %s", got)
	}
	if got := get[string](t, db, `SELECT group_concat(code || ':' || source_id, ' ') FROM warnings ORDER BY id`); got != "org_mapping_unknown_user:nobody@example.com role_mapping_unknown_user:x9" {
		t.Errorf("warnings = %s", got)
	}

	// The reader reports the columns it found, in the source's order.
	run, err := ingest.Begin(ctx, db, ingest.Source{Provider: "fake", Tenant: "t1"}, nil, map[string]any{"again": true})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Rollback()
	m, err := run.StageOrgMapping(ctx, orgs, []string{"fake_uid", ingest.ExternalIDColumn, ingest.EmailColumn})
	if err != nil || m.Rows != 4 || strings.Join(m.UserColumns, ",") != "fake_uid,email" {
		t.Errorf("StageOrgMapping = %+v, %v", m, err)
	}
	if _, err := run.StageRoleMapping(ctx, roles, []string{"fake_uid", ingest.EmailColumn}); err == nil ||
		!strings.Contains(err.Error(), `roles.csv:1: field "fake_uid": header has no user column: one of fake_uid, email is needed`) {
		t.Errorf("role mapping without a user column: %v", err)
	}
	if _, err := run.StageRoleMapping(ctx, roles, []string{"fake_uid"}); err == nil ||
		!strings.Contains(err.Error(), `roles.csv:1: field "fake_uid": header has no "fake_uid" column`) {
		t.Errorf("role mapping without the one user column: %v", err)
	}
}

func writeFile(p, content string) error { return os.WriteFile(p, []byte(content), 0o600) }

// An API source has no files to compare: the same ingest again reads the
// API again (its data changes by itself) instead of doing nothing.
func TestPipelineAPISourceIsReadAgain(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	if _, err := ingest.Ingest(ctx, db, fakeSpec(tenant{users: 20})); err != nil {
		t.Fatal(err)
	}
	c, err := ingest.Ingest(ctx, db, fakeSpec(tenant{users: 20}))
	if err != nil || c.Unchanged != 18 || c.NoOp {
		t.Fatalf("second ingest: %+v, %v", c, err)
	}
}
