package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/workos/workos-go/v4/pkg/usermanagement"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/workosemu"
)

// migT runs one mig command in-process on the database at db and returns
// its exit code, stdout and stderr.
func migT(t *testing.T, db string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"--db", db}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// writeFiles writes name→content files into dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

const dryRunExport = `id,first_name,last_name,username,primary_email_address,primary_phone_number,verified_email_addresses,unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,totp_secret,password_digest,password_hasher
u1,Ann,A,,same@example.com,,same@example.com,,,,,,
u2,Bea,B,,same@example.com,,same@example.com,,,,,,
`

// The dry run shows what a real run would meet: the second person with an
// address is not merged into the first (her row fails, and her membership
// with it), and an organization referenced by an external id an empty
// WorkOS lacks is not found. An organization given by id stands in the
// emulator, as in the environment, so it is adopted. The staging database
// gets no import row.
func TestDryRunShowsDuplicatesAndMissingOrgs(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "mig.db")
	writeFiles(t, dir, map[string]string{
		"export.csv": dryRunExport,
		"orgs.csv":   "clerk_user_id,org_id,org_external_id\nu1,,ext-nowhere\nu2,org_01GIVEN,\n",
	})
	if code, _, stderr := migT(t, db, "ingest", "clerk", filepath.Join(dir, "export.csv"), "--org-mapping", filepath.Join(dir, "orgs.csv")); code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := migT(t, db, "import", "--dry-run", "--json")
	// What the rows meet is the dry run's report, not its failure.
	if code != exitOK {
		t.Fatalf("dry run: exit %d: %s", code, stderr)
	}
	var sum importer.Summary
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	users, orgs, mems := sum.Entities["users"], sum.Entities["organizations"], sum.Entities["memberships"]
	if !sum.DryRun || sum.Endpoint != importer.DefaultEndpoint || users.Succeeded != 1 || users.Failed != 1 || mems.Failed != 2 ||
		orgs.Adopted != 1 || orgs.Failed != 1 {
		t.Fatalf("dry run summary %+v", sum)
	}
	var codes []string
	for _, f := range sum.Failures {
		codes = append(codes, f.Entity+" "+f.Code)
	}
	slices.Sort(codes)
	if want := []string{"memberships dependency_failed", "organizations organization_not_found", "users email_belongs_to_other_user"}; !slices.Equal(codes, want) {
		t.Fatalf("failures %v, want %v", codes, want)
	}
	if _, stdout, _ := migT(t, db, "sql", "-f", "csv", "select count(*) as n from import_items"); strings.TrimSpace(stdout) != "n\n0" {
		t.Fatalf("--dry-run wrote import items to the real database: %q", stdout)
	}
}

// The dry run goes to the in-process emulator only, never to --endpoint:
// this WorkOS has a user the staging also has and must not see a request.
func TestDryRunSendsNothing(t *testing.T) {
	emu, err := workosemu.New(workosemu.Options{RateLimits: workosemu.RateLimitsOff})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	srv := httptest.NewServer(emu)
	defer srv.Close()
	um := usermanagement.NewClient("sk_test_x")
	um.Endpoint = srv.URL
	if _, err := um.CreateUser(context.Background(), usermanagement.CreateUserOpts{Email: "same@example.com"}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "mig.db")
	writeFiles(t, dir, map[string]string{"export.csv": dryRunExport})
	if code, _, stderr := migT(t, db, "ingest", "clerk", filepath.Join(dir, "export.csv")); code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, stderr)
	}
	migT(t, db, "import", "--dry-run", "--endpoint", srv.URL, "--api-key", "sk_test_x")
	if c := emu.Snapshot().Counts; c.Users != 1 {
		t.Fatalf("the dry run reached WorkOS: %+v", c)
	}
}
