package emit_test

// These tests stage real samples with the ingest packages (a test-only
// import: the emit package itself never imports ingest), emit them, compare
// the package with the golden one under testdata/emit/<case>/package, ingest
// the package into a fresh database and emit it again: the two packages
// must be byte-identical. Run with -update to rewrite the golden files.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mig-tools/mig/emit"
	"github.com/mig-tools/mig/ingest/auth0"
	"github.com/mig-tools/mig/ingest/auth0/auth0fake"
	"github.com/mig-tools/mig/ingest/clerk"
	"github.com/mig-tools/mig/ingest/migpackage"
	"github.com/mig-tools/mig/ingest/roles"
	"github.com/mig-tools/mig/ingest/totp"
	"github.com/mig-tools/mig/pkgcontract"
	"github.com/mig-tools/mig/staging"
)

var update = flag.Bool("update", false, "rewrite the golden packages under testdata/emit")

var pinned = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const fixtures = "../testdata/fixtures"

func openDB(t testing.TB) *staging.DB {
	t.Helper()
	db, err := staging.Open(context.Background(), filepath.Join(t.TempDir(), "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

type counts struct {
	users, orgs, memberships, roleDefs, assignments, totp, warnings, skipped int
}

func TestEmitRoundTrip(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		stage func(t *testing.T, db *staging.DB)
		want  counts
	}{
		{"clerk-anchor", func(t *testing.T, db *staging.DB) {
			must[any](t)(clerk.Ingest(ctx, db, clerk.Options{UsersFile: fixtures + "/clerk/anchor-export.csv",
				OrgMapping: fixtures + "/clerk/anchor-org-mapping.csv", RoleMapping: fixtures + "/clerk/anchor-role-mapping.csv"}))
		}, counts{users: 25, orgs: 4, memberships: 20, assignments: 26, warnings: 1}},
		{"clerk-anchor-role-definitions", func(t *testing.T, db *staging.DB) {
			must[any](t)(clerk.Ingest(ctx, db, clerk.Options{UsersFile: fixtures + "/clerk/anchor-export.csv",
				OrgMapping: fixtures + "/clerk/anchor-org-mapping.csv"}))
			must[any](t)(roles.Ingest(ctx, db, roles.Options{Definitions: fixtures + "/common/role-definitions.csv",
				UserMapping: fixtures + "/common/user-role-mapping.csv"}))
		}, counts{users: 25, orgs: 4, memberships: 20, roleDefs: 15, assignments: 26, warnings: 1}},
		{"csv-workos-multi-org", func(t *testing.T, db *staging.DB) {
			must[any](t)(migpackage.IngestCSV(ctx, db, migpackage.CSVOptions{File: fixtures + "/workos-package/workos-migrations_test-fixtures_multi-org.csv"}))
		}, counts{users: 4, orgs: 2, memberships: 4, assignments: 5}},
		{"csv-workos-simple-totp", func(t *testing.T, db *staging.DB) {
			must[any](t)(migpackage.IngestCSV(ctx, db, migpackage.CSVOptions{File: fixtures + "/workos-package/workos-migrations_test-fixtures_simple.csv",
				TOTPFile: fixtures + "/common/example-totp-secrets.csv"}))
		}, counts{users: 3, totp: 3}},
		{"csv-multi-org-multi-membership", func(t *testing.T, db *staging.DB) {
			must[any](t)(migpackage.IngestCSV(ctx, db, migpackage.CSVOptions{File: fixtures + "/common/multi-org-multi-membership.csv"}))
		}, counts{users: 5, orgs: 4, memberships: 9}},
		{"csv-multi-org-simple", func(t *testing.T, db *staging.DB) {
			must[any](t)(migpackage.IngestCSV(ctx, db, migpackage.CSVOptions{File: fixtures + "/common/multi-org-simple.csv"}))
		}, counts{users: 10, orgs: 4, memberships: 10}},
		{"csv-example-input", func(t *testing.T, db *staging.DB) {
			must[any](t)(migpackage.IngestCSV(ctx, db, migpackage.CSVOptions{File: fixtures + "/common/example-input.csv"}))
		}, counts{users: 4}},
		{"csv-validation-errors", func(t *testing.T, db *staging.DB) {
			must[any](t)(migpackage.IngestCSV(ctx, db, migpackage.CSVOptions{File: fixtures + "/common/validation-test-errors.csv"}))
		}, counts{users: 4, orgs: 4, memberships: 4, warnings: 3, skipped: 1}},
		// issue 11: addresses are written as staged, capitals and all, in
		// every file that names the user (the TOTP file names Ada in lower
		// case, and is matched without case); the round trip keeps them.
		{"csv-mixed-case", func(t *testing.T, db *staging.DB) {
			must[any](t)(migpackage.IngestCSV(ctx, db, migpackage.CSVOptions{File: "../testdata/emit/csv-mixed-case/users.csv",
				TOTPFile: "../testdata/emit/csv-mixed-case/totp.csv"}))
		}, counts{users: 3, orgs: 1, memberships: 3, assignments: 3, totp: 1}},
		// issue 13: the Auth0 sample tenant from the fake Management API,
		// with the public password samples and TOTP secrets merged.
		{"auth0-fixtures", stageAuth0Fixtures,
			counts{users: 14, orgs: 2, memberships: 4, roleDefs: 4, assignments: 3, totp: 2, warnings: 26, skipped: 12}},
		{"package-handbuilt-sso", func(t *testing.T, db *staging.DB) {
			must[any](t)(migpackage.IngestPackage(ctx, db, migpackage.Options{Dir: "../testdata/packages/handbuilt-sso"}))
		}, counts{users: 3, orgs: 2, memberships: 4, roleDefs: 3, assignments: 3, totp: 1, warnings: 1, skipped: 1}},
		// issue 14: the three sources of the issue, each with its SSO handoff.
		{"cognito-samples", func(t *testing.T, db *staging.DB) {
			stageCognitoSamples(t, db)
		}, counts{users: 11, orgs: 1, memberships: 11, warnings: 6, skipped: 1}},
		{"firebase-samples", func(t *testing.T, db *staging.DB) {
			stageFirebaseSamples(t, db)
		}, counts{users: 42, orgs: 2, memberships: 3, skipped: 8}},
		{"clerk-sso", func(t *testing.T, db *staging.DB) {
			stageClerkSSO(t, db)
		}, counts{users: 25, orgs: 5, memberships: 20, warnings: 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := openDB(t)
			c.stage(t, db)
			out := filepath.Join(t.TempDir(), "pkg")
			res := must[*emit.Result](t)(emit.Write(ctx, db, emit.Options{Dir: out, GeneratedAt: pinned}))
			e := res.Manifest.EntitiesExported
			got := counts{e.Users, e.Organizations, e.Memberships, e.RoleDefinitions, e.UserRoleAssignments, e.TOTPSecrets, e.Warnings, e.SkippedUsers}
			if got != c.want {
				t.Errorf("counts = %+v, want %+v", got, c.want)
			}
			golden(t, out, filepath.Join("../testdata/emit", c.name, "package"))

			rep := migpackage.NewReport(out, 100)
			must[any](t)(nil, migpackage.Check(ctx, rep, migpackage.CheckOptions{}))
			b, _ := json.MarshalIndent(rep, "", "  ")
			b = bytes.ReplaceAll(b, []byte(out), []byte("PKG"))
			goldenFile(t, append(b, '\n'), filepath.Join("../testdata/emit", c.name, "validation.json"))

			// The round trip: the package read back and written again.
			db2 := openDB(t)
			must[any](t)(migpackage.IngestPackage(ctx, db2, migpackage.Options{Dir: out}))
			// users.csv repeats each user's first membership, which
			// organization_memberships.csv lists too: it is read once.
			var fromUsers, mapped int
			must[any](t)(nil, db2.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE file LIKE '%users.csv'), count(*) FROM org_mapping_rows`).Scan(&fromUsers, &mapped))
			if fromUsers != 0 || mapped != e.Memberships {
				t.Errorf("ingest package made %d org-mapping lines from users.csv and %d in all; want 0 and one per membership (%d)", fromUsers, mapped, e.Memberships)
			}
			out2 := filepath.Join(t.TempDir(), "pkg")
			must[*emit.Result](t)(emit.Write(ctx, db2, emit.Options{Dir: out2, GeneratedAt: pinned}))
			sameTree(t, out, out2)
		})
	}
}

// stageAuth0Fixtures stages the Auth0 sample tenant (public user and
// connection objects, and the profiles of the public password samples)
// from an in-process fake of the Management API, merges two password
// samples and a TOTP file. The fake listens on a port of its own each
// time: the SSO rows name it, and are given one fixed base URL.
func stageAuth0Fixtures(t *testing.T, db *staging.DB) {
	ctx := context.Background()
	dir := fixtures + "/auth0"
	ten := must[*auth0fake.Tenant](t)(auth0fake.FixtureTenant(dir))
	must[any](t)(nil, ten.AddUserFiles(dir+"/zitadel-tools_auth0_users.ndjson", dir+"/zitadel-docs_auth0_profiles_sample.ndjson"))
	srv := auth0fake.Start(t, ten)
	must[any](t)(auth0.Ingest(ctx, db, auth0.Options{Domain: srv.URL, ClientID: auth0fake.ClientID, ClientSecret: auth0fake.ClientSecret, RateLimit: -1}))
	for _, f := range []string{"zitadel-tools_auth0_passwords.ndjson", "zitadel-docs_auth0_passwords_sample.ndjson"} {
		must[any](t)(auth0.IngestPasswords(ctx, db, auth0.PasswordOptions{File: dir + "/" + f}))
	}
	must[any](t)(totp.Ingest(ctx, db, totp.Options{File: fixtures + "/common/example-totp-secrets.csv"}))
	must[any](t)(db.ExecContext(ctx, `UPDATE sso_connections SET config = replace(config, ?, 'https://fake-tenant.auth0.test')`, srv.URL))
}

// timestamps of warnings and skipped rows are when the test ingested them;
// golden files hold a placeholder.
var timestampRe = regexp.MustCompile(`"timestamp":"[^"]*"`)

func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out
}

func golden(t *testing.T, got, want string) {
	t.Helper()
	if *update {
		os.RemoveAll(want)
	}
	for _, rel := range files(t, got) {
		b, err := os.ReadFile(filepath.Join(got, rel))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(rel, ".jsonl") {
			b = timestampRe.ReplaceAll(b, []byte(`"timestamp":"TIMESTAMP"`))
		}
		goldenFile(t, b, filepath.Join(want, rel))
	}
	if g, w := files(t, got), files(t, want); !slices.Equal(g, w) {
		t.Errorf("package files = %v, golden has %v", g, w)
	}
}

func goldenFile(t *testing.T, got []byte, path string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./emit -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func sameTree(t *testing.T, a, b string) {
	t.Helper()
	fa, fb := files(t, a), files(t, b)
	if !slices.Equal(fa, fb) {
		t.Fatalf("round trip files %v, want %v", fb, fa)
	}
	for _, rel := range fa {
		x, _ := os.ReadFile(filepath.Join(a, rel))
		y, _ := os.ReadFile(filepath.Join(b, rel))
		if !bytes.Equal(x, y) {
			t.Errorf("round trip changed %s:\n--- first emit\n%s\n--- after ingest package + emit\n%s", rel, x, y)
		}
	}
}

func TestEmitEmptyDatabaseIsAValidPackage(t *testing.T) {
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "pkg")
	res := must[*emit.Result](t)(emit.Write(ctx, openDB(t), emit.Options{Dir: out, GeneratedAt: pinned}))
	if res.Manifest.Provider != "mig" {
		t.Errorf("provider = %q", res.Manifest.Provider)
	}
	for _, f := range pkgcontract.Files {
		b, err := os.ReadFile(filepath.Join(out, f.Path))
		if err != nil {
			t.Fatal(err)
		}
		if f.Kind() == "csv" && string(b) != strings.Join(f.Header, ",")+"\n" {
			t.Errorf("%s = %q, want the header alone", f.Path, b)
		}
	}
	rep := migpackage.NewReport(out, 0)
	must[any](t)(nil, migpackage.Check(ctx, rep, migpackage.CheckOptions{}))
	if !rep.Importable() || rep.Errors+rep.Warnings != 0 {
		t.Errorf("empty package: %+v", rep.Issues)
	}
}

func TestEmitPermissionsAndReplace(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	must[any](t)(migpackage.IngestCSV(ctx, db, migpackage.CSVOptions{File: fixtures + "/common/example-input.csv"}))
	parent := t.TempDir()
	out := filepath.Join(parent, "pkg")
	must[*emit.Result](t)(emit.Write(ctx, db, emit.Options{Dir: out, GeneratedAt: pinned}))
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		info, _ := d.Info()
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s mode %v, want %v", p, info.Mode().Perm(), want)
		}
		return nil
	})

	if _, err := emit.Write(ctx, db, emit.Options{Dir: out}); err == nil {
		t.Error("second emit into an existing package without Overwrite succeeded")
	}
	must[*emit.Result](t)(emit.Write(ctx, db, emit.Options{Dir: out, Overwrite: true, GeneratedAt: pinned.Add(time.Hour)}))
	m, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	if !bytes.Contains(m, []byte("2026-01-02T04:04:05.000Z")) {
		t.Errorf("overwrite did not replace the manifest:\n%s", m)
	}

	other := filepath.Join(parent, "notes")
	os.Mkdir(other, 0o755)
	os.WriteFile(filepath.Join(other, "todo.txt"), []byte("x"), 0o644)
	if _, err := emit.Write(ctx, db, emit.Options{Dir: other, Overwrite: true}); err == nil {
		t.Error("emit replaced a directory that is not a package")
	}
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary directory %s left behind", e.Name())
		}
	}
}

func TestEmitEntitiesAndSecrets(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	must[any](t)(migpackage.IngestPackage(ctx, db, migpackage.Options{Dir: "../testdata/packages/handbuilt-sso"}))

	out := filepath.Join(t.TempDir(), "users-only")
	res := must[*emit.Result](t)(emit.Write(ctx, db, emit.Options{Dir: out, EntitiesRequested: []string{"users"}}))
	if e := res.Manifest.EntitiesExported; e.Users != 3 || e.Organizations != 0 || e.Memberships != 0 || e.SAMLConnections != 0 {
		t.Errorf("users only: %+v", e)
	}
	users, _ := os.ReadFile(filepath.Join(out, "users.csv"))
	if bytes.Contains(users, []byte("Acme Inc")) || bytes.Contains(users, []byte("admin")) {
		t.Errorf("users.csv carries organizations or roles that were not requested:\n%s", users)
	}

	redacted := filepath.Join(t.TempDir(), "redacted")
	res = must[*emit.Result](t)(emit.Write(ctx, db, emit.Options{Dir: redacted}))
	if !res.Manifest.SecretsRedacted || res.Manifest.SecretRedaction.Mode != "redacted" {
		t.Errorf("default emit: secretsRedacted %v, mode %q", res.Manifest.SecretsRedacted, res.Manifest.SecretRedaction.Mode)
	}
	for _, f := range []string{"sso/oidc_connections.csv", "sso/saml_connections.csv"} {
		b, _ := os.ReadFile(filepath.Join(redacted, f))
		if bytes.Contains(b, []byte("s3cret")) || bytes.Contains(b, []byte("PRIVATE KEY")) {
			t.Errorf("%s holds a secret although secrets were not asked for:\n%s", f, b)
		}
	}
	included := filepath.Join(t.TempDir(), "included")
	res = must[*emit.Result](t)(emit.Write(ctx, db, emit.Options{Dir: included, IncludeSecrets: true}))
	b, _ := os.ReadFile(filepath.Join(included, "sso/oidc_connections.csv"))
	if res.Manifest.SecretsRedacted || res.Manifest.SecretRedaction.Mode != "included" || !bytes.Contains(b, []byte("s3cret")) {
		t.Errorf("--include-secrets: mode %q, oidc file:\n%s", res.Manifest.SecretRedaction.Mode, b)
	}
}

// A user whose upload key (its external id, else its source id) is an
// earlier user's external id is left out of the upload files, once; the
// package files keep every user.
func TestEmitUploadFilesListEachUserIDOnce(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	users := filepath.Join(t.TempDir(), "users.csv")
	csv := "email,external_id,org_external_id,org_name\n" +
		"a@example.com,,acme,Acme\n" +
		"k@example.com,,acme,Acme\n" +
		"b@example.com,b-1,acme,Acme\n"
	if err := os.WriteFile(users, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	must[any](t)(migpackage.IngestCSV(ctx, db, migpackage.CSVOptions{File: users}))
	// a's external id is k's source id, so k's upload key repeats a's.
	must[any](t)(db.ExecContext(ctx, `UPDATE users SET external_id = 'k@example.com' WHERE email = 'a@example.com'`))
	out := filepath.Join(t.TempDir(), "pkg")
	res := must[*emit.Result](t)(emit.Write(ctx, db, emit.Options{Dir: out, GeneratedAt: pinned}))
	e := res.Manifest.EntitiesExported
	if e.Users != 3 || e.Memberships != 3 || e.UploadUsers != 2 || e.UploadMemberships != 2 {
		t.Errorf("users %d, memberships %d, upload users %d, upload memberships %d; want 3, 3, 2, 2",
			e.Users, e.Memberships, e.UploadUsers, e.UploadMemberships)
	}
	b := must[[]byte](t)(os.ReadFile(filepath.Join(out, "workos_upload", "users.csv")))
	if want := "user_id,email,email_verified,first_name,last_name,password_hash\n" +
		"k@example.com,a@example.com,,,,\nb-1,b@example.com,,,,\n"; string(b) != want {
		t.Errorf("workos_upload/users.csv =\n%s\nwant\n%s", b, want)
	}
}
