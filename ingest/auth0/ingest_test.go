package auth0_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mig-tools/mig/ingest/ingesttest"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/auth0"
	"github.com/mig-tools/mig/ingest/auth0/auth0fake"
	"github.com/mig-tools/mig/passhash"
	"github.com/mig-tools/mig/staging"
)

func query[T any](t *testing.T, db *staging.DB, q string, args ...any) T {
	t.Helper()
	var v T
	if err := db.Get(&v, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

func list(t *testing.T, db *staging.DB, q string, args ...any) []string {
	t.Helper()
	var v []string
	if err := db.Select(&v, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// profileTenant is the sample tenant with the profiles of the users whose
// password exports are public samples.
func profileTenant(t *testing.T) *auth0fake.Tenant {
	t.Helper()
	ten, err := auth0fake.FixtureTenant(fixtures)
	if err != nil {
		t.Fatal(err)
	}
	if err := ten.AddUserFiles(filepath.Join(fixtures, "zitadel-tools_auth0_users.ndjson"),
		filepath.Join(fixtures, "zitadel-docs_auth0_profiles_sample.ndjson")); err != nil {
		t.Fatal(err)
	}
	return ten
}

func ingestAuth0(t *testing.T, db *staging.DB, o auth0.Options) ingest.Counts {
	t.Helper()
	c, err := auth0.Ingest(context.Background(), db, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestIngestFixtureTenant stages the sample tenant: users, skips with
// their reasons, organizations, memberships of the staged users, the role
// catalog, member roles and the SSO handoff rows, with no secret staged.
func TestIngestFixtureTenant(t *testing.T) {
	clk := newClock()
	srv := auth0fake.Start(t, profileTenant(t))
	srv.Now = clk.Now
	db := ingesttest.OpenDB(t)
	c := ingestAuth0(t, db, options(srv, clk, 7))
	if c.New != 14 || c.Skipped != 12 || c.Orgs != 2 || c.Members != 4 || c.Roles != 3 {
		t.Errorf("counts %+v", c)
	}
	if got := list(t, db, `SELECT source_id || ' ' || email FROM users WHERE source_id LIKE 'auth0|60425%' ORDER BY 1`); !slices.Equal(got, []string{
		"auth0|60425da93519d90068f82966 jane@example.com", "auth0|60425da93519d90068f82967 minimal@example.com",
		"auth0|60425da93519d90068f82968 bob@example.com", "auth0|60425da93519d90068f82969 onlyname@example.com",
		"auth0|60425dc43519d90068f82973 john@example.com"}) {
		t.Errorf("the zitadel users: %v", got)
	}
	if got := list(t, db, `SELECT u.source_id || ' ' || o.external_id FROM memberships m JOIN users u ON u.id = m.user_id
		JOIN organizations o ON o.id = m.organization_id ORDER BY 1`); !slices.Equal(got, []string{
		"auth0|64abc123def4567890abcdef org_acme", "auth0|64abc123def4567890abcdef org_beta",
		"auth0|multi_word_user org_acme", "auth0|primary_karen_id org_beta"}) {
		t.Errorf("memberships %v", got)
	}
	if got := list(t, db, `SELECT slug FROM roles ORDER BY slug`); !slices.Equal(got, []string{"admin", "admin-2", "billing-manager", "viewer"}) {
		t.Errorf("roles %v", got)
	}
	if n := query[int](t, db, `SELECT count(*) FROM sso_connections WHERE secrets IS NULL`); n != 10 {
		t.Errorf("%d SSO connections without secrets, want all 10", n)
	}
	if n := query[int](t, db, `SELECT count(*) FROM warnings WHERE code = 'sso_secret_redacted'`); n == 0 {
		t.Error("the redacted secrets are not said")
	}
	noSecretInDB(t, db, auth0fake.ClientSecret, "azure-client-secret-placeholder")
	if n := query[int](t, db, `SELECT count(*) FROM ingest_spools`); n != 0 {
		t.Errorf("%d spools left after the ingest committed", n)
	}
}

// noSecretInDB fails when any text of the database holds one of secrets.
func noSecretInDB(t *testing.T, db *staging.DB, secrets ...string) {
	t.Helper()
	for _, table := range list(t, db, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`) {
		var cols []string
		if err := db.Select(&cols, `SELECT name FROM pragma_table_info(?)`, table); err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			var conds []string
			for _, c := range cols {
				conds = append(conds, fmt.Sprintf(`instr(CAST("%s" AS TEXT), ?) > 0`, c))
			}
			args := make([]any, len(cols))
			for i := range args {
				args[i] = s
			}
			if n := query[int](t, db, `SELECT count(*) FROM "`+table+`" WHERE `+strings.Join(conds, " OR "), args...); n > 0 {
				t.Errorf("table %s holds the secret %q", table, s)
			}
		}
	}
}

// TestIngestSecretsOnlyWhenAsked: --include-secrets stages the connections'
// client secrets; the client secret of the Management API never is.
func TestIngestSecretsOnlyWhenAsked(t *testing.T) {
	clk := newClock()
	srv := auth0fake.Start(t, profileTenant(t))
	srv.Now = clk.Now
	db := ingesttest.OpenDB(t)
	o := options(srv, clk, 100)
	o.Entities, o.IncludeSecrets = []string{auth0.EntitySSO}, true
	ingestAuth0(t, db, o)
	if s := query[string](t, db, `SELECT secrets FROM sso_connections WHERE source_connection_id = 'con_waad_acme'`); !strings.Contains(s, "azure-client-secret-placeholder") {
		t.Errorf("secrets %s", s)
	}
	noSecretInDB(t, db, auth0fake.ClientSecret)
}

// TestIngestPasswordSamples merges the public password samples into the
// tenant staged from the matching profiles: by the Auth0 id, never by
// email unless asked; the known passwords verify against what is staged.
func TestIngestPasswordSamples(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	srv := auth0fake.Start(t, profileTenant(t))
	srv.Now = clk.Now
	db := ingesttest.OpenDB(t)
	ingestAuth0(t, db, options(srv, clk, 100))
	merge := func(file string, matchEmail bool) ingest.SupplementCounts {
		t.Helper()
		c, err := auth0.IngestPasswords(ctx, db, auth0.PasswordOptions{File: filepath.Join(fixtures, file), MatchEmail: matchEmail})
		if err != nil {
			t.Fatal(file, err)
		}
		return c
	}
	if c := merge("zitadel-tools_auth0_passwords.ndjson", false); c.Merged != 5 || c.BySourceID != 5 || c.Records != 5 {
		t.Errorf("zitadel-tools: %+v", c)
	}
	if c := merge("zitadel-docs_auth0_passwords_sample.ndjson", false); c.Merged != 1 {
		t.Errorf("zitadel docs: %+v", c)
	}
	// Its $oid values carry the prefix and name no staged user, by id or
	// by email.
	if c := merge("workos-migrate-auth0-users_example-input.ndjson", true); c.Merged != 0 || c.NotFound != 2 {
		t.Errorf("workos-migrate: %+v", c)
	}
	// admin@localhost has the $oid of jane@example.com: the id joins it,
	// and a warning says the emails differ.
	if c := merge("rust-auth0-ndjson-test_passwords.ndjson", false); c.Merged != 3 || c.EmailDiffers != 1 {
		t.Errorf("rust sample: %+v", c)
	}
	for email, password := range map[string]string{"tommie_krajcik85@hotmail.com": "Password1!", "jane@example.com": "secret"} {
		var u struct {
			Hash string `db:"password_hash"`
			Type string `db:"password_hash_type"`
		}
		if err := db.Get(&u, `SELECT password_hash, password_hash_type FROM users WHERE email = ?`, email); err != nil {
			t.Fatal(err)
		}
		if ok, err := passhash.Verify(u.Type, u.Hash, password); !ok || err != nil {
			t.Errorf("%s: the known password does not verify (%s, %v)", email, u.Type, err)
		}
	}
	if n := query[int](t, db, `SELECT count(*) FROM users WHERE password_hash IS NOT NULL`); n != 6 {
		t.Errorf("%d users with a password, want 6", n)
	}
	// A new fetch of the tenant keeps the merged passwords.
	c := ingestAuth0(t, db, options(srv, clk, 100))
	if n := query[int](t, db, `SELECT count(*) FROM users WHERE password_hash IS NOT NULL`); n != 6 || c.Changed != 0 {
		t.Errorf("after a re-ingest: %d users with a password, %d changed", n, c.Changed)
	}
}

// interrupt stops the ingest's context when the fake receives the request
// method path with the query, the n-th time.
func interrupt(srv *auth0fake.Server, cancel context.CancelFunc, n int, method, path string, query ...string) {
	var mu sync.Mutex
	seen := 0
	srv.OnRequest = func(r auth0fake.Request) {
		if r.Method != method || r.Path != path {
			return
		}
		for _, kv := range query {
			k, v, _ := strings.Cut(kv, "=")
			if r.Query.Get(k) != v {
				return
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if seen++; seen == n {
			cancel()
		}
	}
}

// stagedState is what an ingest staged, to compare two ingests of one
// tenant.
func stagedState(t *testing.T, db *staging.DB) map[string][]string {
	return map[string][]string{
		"users": list(t, db, `SELECT source_id || ' ' || coalesce(email, '') || ' ' || coalesce(first_name, '') || ' ' || coalesce(last_name, '')
			|| ' ' || coalesce(email_verified, '-') || ' ' || metadata || ' ' || emails || ' ' || phones || ' ' || content_hash FROM users ORDER BY source_id`),
		"skipped":     list(t, db, `SELECT coalesce(source_id, '') || ': ' || reason FROM skipped_users ORDER BY 1`),
		"memberships": list(t, db, `SELECT u.source_id || ' ' || o.org_key FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id ORDER BY 1`),
		"roles":       list(t, db, `SELECT u.source_id || ' ' || r.role_slug || ' ' || r.scope_key FROM role_assignments r JOIN users u ON u.id = r.user_id ORDER BY 1`),
		"warnings":    list(t, db, `SELECT code || ' ' || coalesce(source_id, '') || ' ' || coalesce(row_number, '') || ' ' || message FROM warnings WHERE code <> 'bulk_export_no_org_membership' ORDER BY 1`),
	}
}

func sameState(t *testing.T, got, want map[string][]string) {
	t.Helper()
	for k, w := range want {
		if g := got[k]; !slices.Equal(g, w) {
			t.Errorf("%s differ: %d rows, want %d", k, len(g), len(w))
			for i := range min(len(g), len(w)) {
				if g[i] != w[i] {
					t.Errorf("first difference:\n got %s\nwant %s", g[i], w[i])
					break
				}
			}
		}
	}
}

// TestIngestResumesInterrupted stops an ingest in the fourth page of users;
// started again with the same options it requests none of the pages it
// staged in the spool again, and stages the tenant once, as an ingest that
// was never stopped does.
func TestIngestResumesInterrupted(t *testing.T) {
	clk := newClock()
	ten := auth0fake.Generate(auth0fake.GenOptions{Users: 420, Orgs: 3, Seed: 3})
	ref := ingesttest.OpenDB(t)
	refSrv := auth0fake.Start(t, ten)
	refSrv.Now = clk.Now
	o := options(refSrv, clk, 50)
	ingestAuth0(t, ref, o)

	srv := auth0fake.Start(t, ten)
	srv.Now = clk.Now
	o.Domain = srv.URL
	db := ingesttest.OpenDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	interrupt(srv, cancel, 1, "GET", "/api/v2/users", "page=3")
	if _, err := auth0.Ingest(ctx, db, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("the interrupted ingest: %v", err)
	}
	if n := query[int](t, db, `SELECT count(*) FROM users`); n != 0 {
		t.Fatalf("%d users staged by the interrupted ingest", n)
	}
	srv.OnRequest = nil
	c := ingestAuth0(t, db, o)
	for page, want := range map[string]int{"0": 1, "1": 1, "2": 1, "3": 2, "8": 1} {
		if n := srv.Count("GET", "/api/v2/users", "page="+page); n != want {
			t.Errorf("users page %s requested %d times, want %d", page, n, want)
		}
	}
	if n := srv.Count("GET", "/api/v2/roles"); n != 1 {
		t.Errorf("the role catalog, fetched before the interruption, was requested %d times", n)
	}
	if c.New != query[int](t, ref, `SELECT count(*) FROM users`) {
		t.Errorf("counts %+v", c)
	}
	sameState(t, stagedState(t, db), stagedState(t, ref))
	if n := query[int](t, db, `SELECT count(*) FROM ingest_spools`); n != 0 {
		t.Errorf("%d spools left", n)
	}
}

// TestIngestBulkResumes stops a bulk-job ingest when it starts the
// download; started again, it reads the same job (none is created again)
// and fetches no organization page again.
func TestIngestBulkResumes(t *testing.T) {
	clk := newClock()
	ten := auth0fake.Generate(auth0fake.GenOptions{Users: 1500, Orgs: 4, Seed: 8})
	srv := auth0fake.Start(t, ten)
	srv.Now = clk.Now
	o := options(srv, clk, 100)
	o.Engine = auth0.EngineBulkJob
	db := ingesttest.OpenDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	interrupt(srv, cancel, 1, "GET", "/exports/job_fake00000001.json.gz")
	if _, err := auth0.Ingest(ctx, db, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("the interrupted ingest: %v", err)
	}
	srv.OnRequest = nil
	c := ingestAuth0(t, db, o)
	if n := srv.Count("POST", "/api/v2/jobs/users-exports"); n != 1 {
		t.Errorf("%d export jobs created, want 1", n)
	}
	if n := srv.Count("GET", "/api/v2/organizations", "from="); n != 1 {
		t.Errorf("the first page of organizations requested %d times, want 1", n)
	}
	if c.New+c.Skipped != 1500 || c.Members == 0 {
		t.Errorf("counts %+v", c)
	}
	if n := query[int](t, db, `SELECT count(*) FROM warnings WHERE code = 'bulk_export_no_org_membership'`); n != 1 {
		t.Errorf("%d warnings that the export has no memberships", n)
	}
}

// TestIngestEnginesAgree stages one tenant with each engine: the users,
// skips, memberships, member roles and warnings are the same.
func TestIngestEnginesAgree(t *testing.T) {
	clk := newClock()
	ten := auth0fake.Generate(auth0fake.GenOptions{Users: 420, Orgs: 3, Seed: 7})
	srv := auth0fake.Start(t, ten)
	srv.Now = clk.Now
	states := map[string]map[string][]string{}
	for _, engine := range []string{auth0.EngineManagementAPI, auth0.EngineBulkJob} {
		db := ingesttest.OpenDB(t)
		o := options(srv, clk, 50)
		o.Engine = engine
		ingestAuth0(t, db, o)
		states[engine] = stagedState(t, db)
	}
	if len(states[auth0.EngineManagementAPI]["users"]) < 300 || len(states[auth0.EngineManagementAPI]["memberships"]) < 300 {
		t.Fatalf("the tenant should give users and memberships: %d, %d", len(states[auth0.EngineManagementAPI]["users"]),
			len(states[auth0.EngineManagementAPI]["memberships"]))
	}
	sameState(t, states[auth0.EngineBulkJob], states[auth0.EngineManagementAPI])
}

// TestIngestWithoutUsers: an ingest of the connections only leaves the
// users staged before as they are: none is missing.
func TestIngestWithoutUsers(t *testing.T) {
	clk := newClock()
	srv := auth0fake.Start(t, profileTenant(t))
	srv.Now = clk.Now
	db := ingesttest.OpenDB(t)
	ingestAuth0(t, db, options(srv, clk, 100))
	before := stagedState(t, db)
	o := options(srv, clk, 100)
	o.Entities = []string{auth0.EntitySSO}
	c := ingestAuth0(t, db, o)
	if c.Missing != 0 || query[int](t, db, `SELECT count(*) FROM users WHERE change = 'missing'`) != 0 {
		t.Errorf("an SSO-only ingest marked users missing: %+v", c)
	}
	after := stagedState(t, db)
	delete(before, "warnings")
	sameState(t, after, before)
	if n := query[int](t, db, `SELECT count(*) FROM sso_connections`); n != 10 {
		t.Errorf("%d connections", n)
	}
	codes := list(t, db, `SELECT DISTINCT code FROM warnings ORDER BY 1`)
	if !maps.Equal(map[string]bool{"x": slices.Contains(codes, "sso_connection_skipped")}, map[string]bool{"x": true}) {
		t.Errorf("warnings %v", codes)
	}
}

// TestIngestSignInsChangeNothing: users who only signed in since the last
// fetch (last_login, logins_count, updated_at moved) are unchanged: those
// fields stay in raw (as the user was staged: an unchanged user is not
// written again), out of metadata, or every fetch would count every active
// user changed and send it to WorkOS again.
func TestIngestSignInsChangeNothing(t *testing.T) {
	clk := newClock()
	tenant := func(login string, count int) *auth0fake.Tenant {
		users, err := auth0fake.NewUsers([]byte(fmt.Sprintf(`{"user_id":"auth0|1","email":"a@x.test","email_verified":true,
			"identities":[{"connection":"Username-Password-Authentication","provider":"auth0","user_id":"1","isSocial":false}],
			"created_at":"2023-01-01T00:00:00.000Z","updated_at":"%s","last_login":"%s","logins_count":%d}`, login, login, count)))
		if err != nil {
			t.Fatal(err)
		}
		return &auth0fake.Tenant{Users: users}
	}
	db := ingesttest.OpenDB(t)
	o := options(auth0fake.Start(t, tenant("2024-01-01T00:00:00.000Z", 3)), clk, 100)
	o.Entities = []string{auth0.EntityUsers}
	ingestAuth0(t, db, o)
	o.Domain = auth0fake.Start(t, tenant("2024-06-01T00:00:00.000Z", 9)).URL
	if c := ingestAuth0(t, db, o); c.Changed != 0 || c.Unchanged != 1 {
		t.Errorf("after sign-ins only: %+v", c)
	}
	if m := query[string](t, db, `SELECT metadata FROM users`); !strings.Contains(m, `"auth0_created_at":"2023-01-01T00:00:00.000Z"`) {
		t.Errorf("metadata %s", m)
	}
	if r := query[string](t, db, `SELECT raw FROM users`); !strings.Contains(r, `"last_login":"2024-01-01T00:00:00.000Z"`) {
		t.Errorf("raw %s", r)
	}
}
