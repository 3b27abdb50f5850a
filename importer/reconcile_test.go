package importer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/ingest/clerk"
	"github.com/mig-tools/mig/ingest/roles"
	"github.com/mig-tools/mig/staging"
	"github.com/mig-tools/mig/workosemu"
)

// anchorRun is the anchor Clerk fixture (25 users, 4 organizations, 20
// memberships, with the demo's role definitions) imported into an emulator
// that held one of its organizations (acme-corp) and one of its users
// (bob.martinez@acme.com) already, which the import adopts.
type anchorRun struct {
	t   *testing.T
	db  *staging.DB
	emu *workosemu.Server
	url string
	// deletes counts, per path, the DELETEs the emulator answered 2xx.
	mu      sync.Mutex
	deletes map[string]int
}

func importAnchor(t *testing.T) *anchorRun {
	t.Helper()
	ctx := context.Background()
	db, err := staging.Open(ctx, filepath.Join(t.TempDir(), "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	const fx = "../testdata/fixtures/clerk/"
	if _, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: fx + "anchor-export.csv",
		OrgMapping: fx + "anchor-org-mapping.csv", RoleMapping: fx + "anchor-role-mapping.csv"}); err != nil {
		t.Fatal(err)
	}
	if _, err := roles.Ingest(ctx, db, roles.Options{Definitions: "../cmd/mig/demo/role-definitions.csv"}); err != nil {
		t.Fatal(err)
	}
	emu, err := workosemu.New(workosemu.Options{RateLimits: workosemu.RateLimitsOff, Seed: 1, AllowMultipleRoles: true})
	if err != nil {
		t.Fatal(err)
	}
	a := &anchorRun{t: t, db: db, emu: emu, deletes: map[string]int{}}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusRecorder{ResponseWriter: w}
		emu.ServeHTTP(sw, r)
		if r.Method == http.MethodDelete && sw.status/100 == 2 {
			a.mu.Lock()
			a.deletes[r.URL.Path]++
			a.mu.Unlock()
		}
	}))
	t.Cleanup(func() { ts.Close(); emu.Close() })
	a.url = ts.URL
	a.api("POST", "/organizations", `{"name":"Acme Corporation","external_id":"acme-corp"}`, 201)
	a.api("POST", "/user_management/users", `{"email":"bob.martinez@acme.com"}`, 201)

	if _, err := importer.Run(ctx, db, opts(a.url)); err != nil {
		t.Fatalf("import the anchor fixture: %v", err)
	}
	return a
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// api sends one request to the emulator, as someone working in the WorkOS
// dashboard would, and returns the decoded answer.
func (a *anchorRun) api(method, path, body string, want int) map[string]any {
	a.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, a.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+testKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		a.t.Fatalf("%s %s: %d %s, want %d", method, path, res.StatusCode, b, want)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

// workosID is the WorkOS id import_items records for a staged row.
func (a *anchorRun) workosID(query string, args ...any) string {
	a.t.Helper()
	var id string
	if err := a.db.Get(&id, query, args...); err != nil {
		a.t.Fatalf("%s: %v", query, err)
	}
	return id
}

func (a *anchorRun) userID(sourceID string) string {
	return a.workosID(`SELECT i.workos_id FROM import_items i JOIN users u ON u.id = i.entity_id
		WHERE i.entity = 'user' AND u.source_id = ?`, sourceID)
}

func (a *anchorRun) reconcile() (*importer.ReconcileSummary, error) {
	a.t.Helper()
	o := importer.ReconcileOptions{Endpoint: a.url, APIKey: testKey, Concurrency: 4, RateLimit: -1}
	importer.SetReconcileBackoff(&o, time.Millisecond)
	return importer.Reconcile(context.Background(), a.db, o)
}

type finding struct {
	Rule     string `db:"rule"`
	Kind     string `db:"kind"`
	Severity string `db:"severity"`
	Field    string `db:"field"`
	Source   string `db:"source"`
	Staged   string `db:"staged_value"`
	WorkOS   string `db:"workos_value"`
}

func (a *anchorRun) findings(runID int64) []finding {
	a.t.Helper()
	var fs []finding
	if err := a.db.Select(&fs, `SELECT f.rule, f.kind, f.severity, coalesce(f.field, '') AS field,
		coalesce(CASE f.entity WHEN 'user' THEN u.source_id WHEN 'membership' THEN mu.source_id END, '') AS source,
		coalesce(f.staged_value, '') AS staged_value, coalesce(f.workos_value, '') AS workos_value
		FROM reconcile_findings f
		LEFT JOIN users u ON f.entity = 'user' AND u.id = f.staged_id
		LEFT JOIN memberships m ON f.entity = 'membership' AND m.id = f.staged_id
		LEFT JOIN users mu ON mu.id = m.user_id
		WHERE f.run_id = ? ORDER BY f.id`, runID); err != nil {
		a.t.Fatal(err)
	}
	return fs
}

// TestReconcileCleanAfterImport: right after an import, WorkOS is what was
// staged: exit 0, every imported row compared, and the adopted user's
// profile (which mig never sent) only as information.
func TestReconcileCleanAfterImport(t *testing.T) {
	a := importAnchor(t)
	s, err := a.reconcile()
	if err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	if !s.Clean || s.Errors != 0 {
		t.Fatalf("not clean: %+v\n%+v", s, a.findings(s.RunID))
	}
	compared := map[string]int64{}
	for _, c := range s.Compared {
		compared[c.Entity] = c.Compared
	}
	if compared["user"] != 25 || compared["organization"] != 4 || compared["membership"] != 20 {
		t.Fatalf("compared %+v, want 25 users, 4 organizations, 20 memberships", s.Compared)
	}
	if s.Read.Users != 25 || s.Read.Organizations != 4 || s.Read.Memberships != 20 {
		t.Fatalf("read %+v", s.Read)
	}
	for _, f := range a.findings(s.RunID) {
		if f.Severity != "info" || f.Source != "user_02" {
			t.Errorf("unexpected finding %+v", f)
		}
	}
	var left int
	a.db.Get(&left, `SELECT count(*) FROM reconcile_workos_users`)
	if left != 0 {
		t.Errorf("%d WorkOS users left in the scratch table after the run", left)
	}
	var buf bytes.Buffer
	if err := importer.WriteReconcileReport(context.Background(), a.db, s, &buf); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Summary  importer.ReconcileSummary `json:"summary"`
		Findings []map[string]any          `json:"findings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, buf.String())
	}
	if !rep.Summary.Clean || len(rep.Findings) != int(s.Infos) {
		t.Fatalf("report: clean %v, %d findings, want %d", rep.Summary.Clean, len(rep.Findings), s.Infos)
	}
}

// TestReconcileFindsEachKind tampers with WorkOS after an import, as people
// and other tools do, and expects every change reported with its kind: a
// user deleted (with its membership), a name changed, a second user given
// an imported user's external id, a role slug removed, a factor enrolled,
// a user signed up; the exit code says "differences".
func TestReconcileFindsEachKind(t *testing.T) {
	a := importAnchor(t)
	a.api("DELETE", "/user_management/users/"+a.userID("user_03"), "", 200)
	a.api("PUT", "/user_management/users/"+a.userID("user_04"), `{"first_name":"Dave"}`, 200)
	a.api("PUT", "/user_management/users/"+a.userID("user_06"), `{"external_id":null}`, 200)
	a.api("POST", "/user_management/users", `{"email":"impostor@example.com","external_id":"user_06"}`, 201)
	mid := a.workosID(`SELECT workos_membership_id FROM staged_memberships WHERE user_source_id = 'user_01'`)
	a.api("PUT", "/user_management/organization_memberships/"+mid, `{"role_slug":"org-admin"}`, 200)
	a.api("POST", "/user_management/users/"+a.userID("user_05")+"/auth_factors", `{"type":"totp"}`, 201)
	a.api("POST", "/user_management/users", `{"email":"signed.up@example.com"}`, 201)

	s, err := a.reconcile()
	var de *importer.DifferencesError
	if !errors.As(err, &de) {
		t.Fatalf("reconcile = %v, want a DifferencesError", err)
	}
	got := map[string]finding{}
	for _, f := range a.findings(s.RunID) {
		got[f.Rule+" "+f.Field+" "+f.Source] = f
	}
	for _, want := range []struct {
		key, severity, staged, workos string
	}{
		{"user_missing  user_03", "error", "carol.williams@acme.com", ""},
		{"membership_missing  user_03", "error", "", ""},
		{"user_different first_name user_04", "error", "David", "Dave"},
		{"user_different external_id user_06", "error", "user_06", ""},
		{"user_duplicate external_id user_06", "error", "user_06", "user_06"},
		{"membership_different role_slugs user_01", "error", `["org-admin","super-admin"]`, `["org-admin"]`},
		{"user_totp_factors totp_factors user_05", "error", "0", "1"},
		{"user_not_staged  ", "info", "", "signed.up@example.com"},
	} {
		f, ok := got[want.key]
		if !ok {
			t.Errorf("no finding %q; got %v", want.key, findingKeys(got))
			continue
		}
		if f.Severity != want.severity || (want.staged != "" && f.Staged != want.staged) || (want.workos != "" && f.WorkOS != want.workos) {
			t.Errorf("%s: %+v, want severity %s, staged %q, WorkOS %q", want.key, f, want.severity, want.staged, want.workos)
		}
	}
	for _, f := range a.findings(s.RunID) {
		if strings.Contains(f.Staged+f.WorkOS, "$2a$") {
			t.Errorf("a password hash reached a finding: %+v", f)
		}
	}
	if s.Errors != 7 {
		t.Errorf("%d error findings, want 7: %+v", s.Errors, a.findings(s.RunID))
	}
}

func findingKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestReconcileTOTP: an imported factor deleted in WorkOS is missing, and
// the user's count of factors says so too.
func TestReconcileTOTP(t *testing.T) {
	s := newStage(t)
	u := s.user(userSpec{email: "mfa@example.com", externalID: "ext-mfa"})
	s.totp(u, "JBSWY3DPEHPK3PXP")
	emu, url := emulator(t, workosemu.Options{})
	if _, err := importer.Run(context.Background(), s.db, opts(url)); err != nil {
		t.Fatal(err)
	}
	o := importer.ReconcileOptions{Endpoint: url, APIKey: testKey, RateLimit: -1, StagedFactorsOnly: true}
	if _, err := importer.Reconcile(context.Background(), s.db, o); err != nil {
		t.Fatalf("clean reconcile: %v", err)
	}
	f := emu.Snapshot().Factors[0]
	req, _ := http.NewRequest("DELETE", url+"/auth/factors/"+f.ID, nil)
	req.Header.Set("Authorization", "Bearer "+testKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("delete the factor: %v %v", res, err)
	}
	res.Body.Close()
	sum, err := importer.Reconcile(context.Background(), s.db, o)
	if !errors.As(err, new(*importer.DifferencesError)) {
		t.Fatalf("reconcile = %v, want differences", err)
	}
	var rules []string
	s.db.Select(&rules, `SELECT rule || ' ' || coalesce(staged_value, '') || '/' || coalesce(workos_value, '') FROM reconcile_findings WHERE run_id = ? ORDER BY rule`, sum.RunID)
	if strings.Join(rules, "; ") != "totp_missing /; user_totp_factors 1/0" {
		t.Fatalf("findings %q", rules)
	}
}
