package main

import (
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/workosemu"
)

const orgIDExport = `id,first_name,last_name,username,primary_email_address,primary_phone_number,verified_email_addresses,unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,totp_secret,password_digest,password_hasher
u1,Ann,A,,ann@example.com,,ann@example.com,,,,,,
u2,Bea,B,,bea@example.com,,bea@example.com,,,,,,
`

// orgIDStage ingests two users into a new database and returns its path.
func orgIDStage(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "mig.db")
	writeFiles(t, dir, map[string]string{"export.csv": orgIDExport})
	if code, _, stderr := migT(t, db, "ingest", "clerk", filepath.Join(dir, "export.csv")); code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, stderr)
	}
	return db
}

// importSummary runs mig import --json and decodes its summary.
func importSummary(t *testing.T, db string, wantCode int, args ...string) importer.Summary {
	t.Helper()
	code, stdout, stderr := migT(t, db, append([]string{"import", "--json"}, args...)...)
	if code != wantCode {
		t.Fatalf("mig import %v: exit %d, want %d: %s", args, code, wantCode, stderr)
	}
	var s importer.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	return s
}

// orgIDMemberships counts the memberships --org-id staged.
func orgIDMemberships(t *testing.T, db string) string {
	t.Helper()
	_, stdout, _ := migT(t, db, "sql", "-f", "csv", "select count(*) as n from memberships where source = 'import'")
	return strings.TrimPrefix(strings.TrimSpace(stdout), "n\n")
}

func orgIDEmulator(t *testing.T, orgs ...string) (*workosemu.Server, string) {
	t.Helper()
	emu, err := workosemu.New(workosemu.Options{RateLimits: workosemu.RateLimitsOff})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range orgs {
		if err := emu.AddOrganization(id, "Everyone"); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() { srv.Close(); emu.Close() })
	return emu, srv.URL
}

// mig import --org-id puts every staged user into the organization: the
// memberships are staged (by ingest) when a run starts and sent with it;
// --plan counts them and leaves the database as it was, and a run that
// is refused before it sends anything stages nothing, so a mistyped id
// does not stay behind for the next plain mig import.
func TestImportOrgID(t *testing.T) {
	const org = "org_01EVERYONE"
	db := orgIDStage(t)

	plan := importSummary(t, db, exitOK, "--plan", "--org-id", org)
	var planned int64
	for _, r := range plan.Plan.Rows {
		if r.Entity == "memberships" {
			planned += r.Rows
		}
	}
	if planned != 2 || orgIDMemberships(t, db) != "0" {
		t.Fatalf("--plan: %d memberships planned, %s staged after; want 2 and 0", planned, orgIDMemberships(t, db))
	}

	dry := importSummary(t, db, exitOK, "--dry-run", "--org-id", org)
	if c := dry.Entities["memberships"]; c.Succeeded != 2 || dry.Entities["organizations"].Adopted != 1 || orgIDMemberships(t, db) != "0" {
		t.Fatalf("--dry-run: %+v, %s staged after", dry.Entities, orgIDMemberships(t, db))
	}

	if code, _, stderr := migT(t, db, "import", "--org-id", "org_01TYPO", "--api-key", "sk_test_x", "--endpoint", "http://127.0.0.1:9"); code != exitFailure || !strings.Contains(stderr, "cannot reach") {
		t.Fatalf("dead endpoint: exit %d: %s", code, stderr)
	}
	if n := orgIDMemberships(t, db); n != "0" {
		t.Fatalf("a run refused before it sent anything staged %s memberships", n)
	}

	emu, url := orgIDEmulator(t, org)
	sum := importSummary(t, db, exitOK, "--org-id", org, "--api-key", "sk_test_x", "--endpoint", url)
	if c := sum.Entities["memberships"]; c.Succeeded != 2 || emu.Snapshot().Counts.Memberships != 2 || orgIDMemberships(t, db) != "2" {
		t.Fatalf("run: %+v, emulator %+v, %s staged", sum.Entities, emu.Snapshot().Counts, orgIDMemberships(t, db))
	}
	// Again: nothing new is staged or sent.
	importSummary(t, db, exitOK, "--org-id", org, "--api-key", "sk_test_x", "--endpoint", url)
	if emu.Snapshot().Counts.Memberships != 2 || orgIDMemberships(t, db) != "2" {
		t.Fatalf("second run: emulator %+v, %s staged", emu.Snapshot().Counts, orgIDMemberships(t, db))
	}
}

// An --org-id WorkOS does not have fails the organization, and the
// memberships with it; the users still go.
func TestImportOrgIDMissing(t *testing.T) {
	db := orgIDStage(t)
	_, url := orgIDEmulator(t)
	sum := importSummary(t, db, exitPartial, "--org-id", "org_missing", "--api-key", "sk_test_x", "--endpoint", url)
	if sum.Entities["organizations"].Failed != 1 || sum.Entities["users"].Succeeded != 2 || sum.Entities["memberships"].Failed != 2 {
		t.Fatalf("summary %+v", sum.Entities)
	}
}
