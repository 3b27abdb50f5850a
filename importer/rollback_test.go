package importer_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/workosemu"
)

func (a *anchorRun) rollbackOpts() importer.RollbackOptions {
	o := importer.RollbackOptions{Endpoint: a.url, APIKey: testKey, Concurrency: 4, RateLimit: -1}
	importer.SetRollbackBackoff(&o, time.Millisecond)
	return o
}

// created is every WorkOS id the anchor import recorded as created.
func (a *anchorRun) created() map[string]string {
	a.t.Helper()
	var rows []struct {
		Entity   string `db:"entity"`
		WorkOSID string `db:"workos_id"`
	}
	if err := a.db.Select(&rows, `SELECT entity, workos_id FROM import_items WHERE status = 'done' AND outcome = 'created'`); err != nil {
		a.t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.WorkOSID] = r.Entity
	}
	return out
}

// heldIDs is every id the emulator holds.
func heldIDs(st workosemu.State) map[string]bool {
	ids := map[string]bool{}
	for _, u := range st.Users {
		ids[u.ID] = true
	}
	for _, o := range st.Organizations {
		ids[o.ID] = true
	}
	for _, m := range st.Memberships {
		ids[m.ID] = true
	}
	for _, r := range st.Roles {
		ids[r.ID] = true
	}
	for _, p := range st.Permissions {
		ids[p.ID] = true
	}
	for _, f := range st.Factors {
		ids[f.ID] = true
	}
	return ids
}

// wantRolledBack checks that the emulator holds none of the objects the
// import created except those a rollback keeps on purpose (environment
// roles, which no API deletes, and the permissions they hold), still holds
// what the import adopted, and that no object was deleted twice.
func (a *anchorRun) wantRolledBack(created map[string]string, kept ...string) {
	a.t.Helper()
	st := a.emu.Snapshot()
	ids := heldIDs(st)
	envRoles := map[string]bool{}
	for _, r := range st.Roles {
		if r.OrganizationID == "" {
			envRoles[r.ID] = true
		}
	}
	// The permissions a rollback keeps are those a role that stays holds.
	var held []string
	a.db.Select(&held, `SELECT workos_id FROM rollback_items WHERE entity = 'permission' AND status = 'kept' AND reason LIKE 'held by roles that stay%'`)
	for id, entity := range created {
		if !ids[id] {
			continue
		}
		switch {
		case entity == "role" && envRoles[id], entity == "permission" && keptOnPurpose(held, id), keptOnPurpose(kept, id):
		default:
			a.t.Errorf("the emulator still holds %s %s, which the import created", entity, id)
		}
	}
	for _, p := range st.Permissions {
		var holders int
		for _, r := range st.Roles {
			if keptOnPurpose(r.Permissions, p.Slug) {
				holders++
			}
		}
		if holders == 0 && created[p.ID] != "" && !keptOnPurpose(kept, p.ID) {
			a.t.Errorf("permission %s was kept, but no role that stays holds it", p.Slug)
		}
	}
	if u := st.UsersByEmail("bob.martinez@acme.com"); len(u) != 1 {
		a.t.Errorf("the adopted user is gone: %v", u)
	}
	var acme bool
	for _, o := range st.Organizations {
		acme = acme || (o.ExternalID != nil && *o.ExternalID == "acme-corp")
	}
	if !acme {
		a.t.Errorf("the adopted organization acme-corp is gone")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for path, n := range a.deletes {
		if n > 1 {
			a.t.Errorf("%s deleted %d times", path, n)
		}
	}
}

func keptOnPurpose(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestRollbackDeletesWhatTheImportCreated: a rollback leaves WorkOS as it
// was before the import (but for the environment roles no API deletes),
// keeps what the import adopted, puts the rolled-back import rows back to
// pending, and a later import recreates them: reconcile is clean again.
func TestRollbackDeletesWhatTheImportCreated(t *testing.T) {
	a := importAnchor(t)
	created := a.created()
	s, err := importer.Rollback(context.Background(), a.db, a.rollbackOpts())
	if err != nil {
		t.Fatalf("rollback: %v", err)
	}
	a.wantRolledBack(created)
	counts := map[string]importer.RollbackCounts{}
	for _, c := range s.Entities {
		counts[c.Entity] = c
	}
	if c := counts["users"]; c.Total != 24 || c.Deleted != 24 {
		t.Errorf("users %+v, want 24 created and deleted (bob was adopted)", c)
	}
	if c := counts["memberships"]; c.Deleted != 20 {
		t.Errorf("memberships %+v, want 20 deleted (19 with their user)", c)
	}
	if c := counts["roles"]; c.Deleted != 12 || c.Kept != 3 {
		t.Errorf("roles %+v, want the 12 organization roles deleted, the 3 environment roles kept", c)
	}
	var pending, adopted int
	a.db.Get(&pending, `SELECT count(*) FROM import_items WHERE status = 'pending' AND workos_id IS NULL AND entity IN ('user', 'membership', 'organization')`)
	a.db.Get(&adopted, `SELECT count(*) FROM import_items WHERE status = 'done' AND outcome = 'adopted'`)
	if pending != 24+20+3 || adopted != 2 {
		t.Errorf("%d import rows pending again (want 47), %d adopted rows left done (want 2)", pending, adopted)
	}

	var leaks int
	a.db.Get(&leaks, `SELECT (SELECT count(*) FROM rollback_runs WHERE options || summary LIKE '%' || ? || '%')
		+ (SELECT count(*) FROM reconcile_runs WHERE options || summary LIKE '%' || ? || '%')
		+ (SELECT count(*) FROM rollback_items WHERE coalesce(reason, '') LIKE '%' || ? || '%')`, testKey, testKey, testKey)
	if leaks != 0 {
		t.Fatalf("the API key reached the database (%d rows)", leaks)
	}

	// The run again finds nothing left to delete.
	again, err := importer.Rollback(context.Background(), a.db, a.rollbackOpts())
	if err != nil || again.Requests.Writes != 0 {
		t.Fatalf("second rollback: %v, %d writes", err, again.Requests.Writes)
	}

	if _, err := importer.Run(context.Background(), a.db, opts(a.url)); err != nil {
		t.Fatalf("import after the rollback: %v", err)
	}
	if st := a.emu.Snapshot(); len(st.Users) != 25 || len(st.Memberships) != 20 || len(st.Organizations) != 4 {
		t.Fatalf("after the import again: %+v", st.Counts)
	}
	if rs, err := a.reconcile(); err != nil || !rs.Clean {
		t.Fatalf("reconcile after rollback and import: %v", err)
	}
}

// TestRollbackResumes: a rollback stopped after a few deletes (as Ctrl-C
// or a crash would) and run again finishes without an error and without
// deleting anything twice.
func TestRollbackResumes(t *testing.T) {
	a := importAnchor(t)
	created := a.created()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := a.rollbackOpts()
	var n atomic.Int32
	importer.AfterRollbackDelete(&o, func() {
		if n.Add(1) == 7 {
			cancel()
		}
	})
	if _, err := importer.Rollback(ctx, a.db, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted rollback = %v, want context.Canceled", err)
	}
	var inFlight, deleted int
	a.db.Get(&inFlight, `SELECT count(*) FROM rollback_items WHERE status = 'in_flight'`)
	a.db.Get(&deleted, `SELECT count(*) FROM rollback_items WHERE status = 'deleted'`)
	if deleted == 0 || deleted >= len(created) {
		t.Fatalf("after the interruption %d deleted, %d in flight: the test did not stop it part way", deleted, inFlight)
	}
	if _, err := importer.Rollback(context.Background(), a.db, a.rollbackOpts()); err != nil {
		t.Fatalf("resumed rollback: %v", err)
	}
	a.wantRolledBack(created)
	var left int
	a.db.Get(&left, `SELECT count(*) FROM rollback_items WHERE status IN ('live', 'in_flight', 'failed')`)
	if left != 0 {
		t.Fatalf("%d rows left to do after the resumed rollback", left)
	}
}

// TestRollbackResumesAfterCrash: a rollback that died after WorkOS
// deleted a page of users but before it recorded them finds them in flight
// when run again: gone already counts as deleted, their memberships with
// them, and their import rows go back to pending.
func TestRollbackResumesAfterCrash(t *testing.T) {
	a := importAnchor(t)
	created := a.created()
	o := a.rollbackOpts()
	var pages atomic.Int32
	// Page 1 is the adopted user's membership, page 2 the 24 users.
	importer.CrashRollbackBeforeWrite(&o, func() bool { return pages.Add(1) == 2 })
	if _, err := importer.Rollback(context.Background(), a.db, o); err == nil || !strings.Contains(err.Error(), "simulated crash") {
		t.Fatalf("rollback = %v, want the simulated crash", err)
	}
	var inFlight int
	a.db.Get(&inFlight, `SELECT count(*) FROM rollback_items WHERE entity = 'user' AND status = 'in_flight'`)
	if inFlight != 24 || len(a.emu.Snapshot().Users) != 1 {
		t.Fatalf("after the crash: %d users in flight (want 24), the emulator holds %d users (want 1)", inFlight, len(a.emu.Snapshot().Users))
	}
	if _, err := importer.Rollback(context.Background(), a.db, a.rollbackOpts()); err != nil {
		t.Fatalf("resumed rollback: %v", err)
	}
	a.wantRolledBack(created)
	var gone, pending int
	a.db.Get(&gone, `SELECT count(*) FROM rollback_items WHERE entity = 'user' AND status = 'deleted' AND reason = 'gone already'`)
	a.db.Get(&pending, `SELECT count(*) FROM import_items WHERE entity IN ('user', 'membership') AND status = 'pending' AND workos_id IS NULL`)
	if gone != 24 || pending != 24+20 {
		t.Fatalf("%d users recorded gone already (want 24), %d user and membership rows pending (want 44)", gone, pending)
	}
}

// TestRollbackKeepsActiveUsers: a user who signed in since the import is
// kept, with its membership and the organization that holds it, each with
// the reason; --include-active deletes them.
func TestRollbackKeepsActiveUsers(t *testing.T) {
	a := importAnchor(t)
	created := a.created()
	active := a.userID("user_10")
	if !a.emu.SignIn(active, time.Now()) {
		t.Fatal("sign in")
	}
	if _, err := importer.Rollback(context.Background(), a.db, a.rollbackOpts()); err != nil {
		t.Fatalf("rollback: %v", err)
	}
	var reasons []string
	a.db.Select(&reasons, `SELECT entity || ': ' || reason FROM rollback_items WHERE status = 'kept' AND entity IN ('user', 'membership', 'organization') ORDER BY entity`)
	if len(reasons) != 3 || !strings.Contains(reasons[2], "user: the user signed in at") ||
		!strings.Contains(reasons[0], "membership: kept with its user "+active) || !strings.Contains(reasons[1], "organization: 1 memberships") {
		t.Fatalf("kept: %q", reasons)
	}
	mid := a.workosID(`SELECT workos_membership_id FROM staged_memberships WHERE user_source_id = 'user_10'`)
	oid := a.workosID(`SELECT workos_org_id_resolved FROM staged_organizations WHERE org_key = 'ext:globex-io'`)
	var roleID string
	for _, r := range a.emu.Snapshot().Roles {
		if r.OrganizationID == oid && r.Slug == "org-viewer" {
			roleID = r.ID
		}
	}
	a.wantRolledBack(created, active, mid, oid, roleID)
	var done int
	a.db.Get(&done, `SELECT count(*) FROM import_items i JOIN users u ON u.id = i.entity_id WHERE i.entity = 'user' AND u.source_id = 'user_10' AND i.status = 'done'`)
	if done != 1 {
		t.Fatal("the kept user's import row is not done any more")
	}

	o := a.rollbackOpts()
	o.IncludeActive = true
	if _, err := importer.Rollback(context.Background(), a.db, o); err != nil {
		t.Fatalf("rollback --include-active: %v", err)
	}
	a.wantRolledBack(created)
}

// TestRollbackDeletesUpdatedUsers: a user the import created and a later
// import updated (outcome "updated") is still one mig created, and goes.
func TestRollbackDeletesUpdatedUsers(t *testing.T) {
	s := newStage(t)
	id := s.user(userSpec{email: "changes@example.com", first: "Old", externalID: "ext-changes"})
	_, url := emulator(t, workosemu.Options{})
	if _, err := importer.Run(context.Background(), s.db, opts(url)); err != nil {
		t.Fatal(err)
	}
	s.exec(`UPDATE users SET first_name = 'New', content_hash = 'changed', change = 'changed' WHERE id = ?`, id)
	if _, err := importer.Run(context.Background(), s.db, opts(url)); err != nil {
		t.Fatal(err)
	}
	if got := s.items()["user done updated"]; got != 1 {
		t.Fatalf("items %v, want the user updated", s.items())
	}
	o := importer.RollbackOptions{Endpoint: url, APIKey: testKey, RateLimit: -1}
	if _, err := importer.Rollback(context.Background(), s.db, o); err != nil {
		t.Fatal(err)
	}
	var n int
	s.db.Get(&n, `SELECT count(*) FROM rollback_items WHERE entity = 'user' AND status = 'deleted'`)
	if n != 1 {
		t.Fatalf("%d users deleted, want the one created then updated", n)
	}
}

// TestRollbackDryRun lists what would go, with counts, sending nothing.
func TestRollbackDryRun(t *testing.T) {
	a := importAnchor(t)
	var out bytes.Buffer
	o := importer.RollbackOptions{Endpoint: a.url, DryRun: true, PlanTo: &out,
		HTTPClient: &http.Client{Transport: failTransport{t}}}
	s, err := importer.Rollback(context.Background(), a.db, o)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var del, keep int
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "delete\t"):
			del++
		case strings.HasPrefix(l, "keep\t"):
			keep++
		}
	}
	// 24 users, 1 membership of the adopted user, 12 organization roles, 3
	// organizations, the 6 permissions no environment role holds; kept: 3
	// environment roles and the 11 permissions they hold.
	if del != 24+1+12+3+6 || keep != 3+11 {
		t.Fatalf("dry run: %d to delete, %d to keep\n%s", del, keep, out.String())
	}
	for _, c := range s.Entities {
		if c.Entity == "memberships" && (c.Pending != 1 || c.WithParent != 19) {
			t.Errorf("memberships %+v, want 1 to delete and 19 with their user", c)
		}
	}
	var live int
	a.db.Get(&live, `SELECT count(*) FROM rollback_items WHERE status <> 'live'`)
	if live != 0 {
		t.Fatalf("the dry run changed %d rows", live)
	}
}

// failTransport fails the test on any request.
type failTransport struct{ t *testing.T }

func (f failTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("a dry run sent %s %s", r.Method, r.URL)
	return nil, errors.New("no requests in a dry run")
}

// TestRollbackRefusesAnotherEnvironment: with the key of an environment
// that holds none of the imported objects, the rollback stops before it
// marks anything; --accept-missing records them as gone.
func TestRollbackRefusesAnotherEnvironment(t *testing.T) {
	a := importAnchor(t)
	other, err := workosemu.New(workosemu.Options{RateLimits: workosemu.RateLimitsOff})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	o := a.rollbackOpts()
	o.HTTPClient = &http.Client{Transport: emuTransport{other}}
	_, err = importer.Rollback(context.Background(), a.db, o)
	var me *importer.MissingError
	if !errors.As(err, &me) || len(me.Checked) != 3 {
		t.Fatalf("rollback against another environment = %v, want a MissingError after 3 lookups", err)
	}
	var touched int
	a.db.Get(&touched, `SELECT count(*) FROM rollback_items WHERE status <> 'live'`)
	if touched != 0 {
		t.Fatalf("%d rows marked", touched)
	}
	o.AcceptMissing = true
	if _, err := importer.Rollback(context.Background(), a.db, o); err != nil {
		t.Fatalf("rollback --accept-missing: %v", err)
	}
	var gone int
	a.db.Get(&gone, `SELECT count(*) FROM rollback_items WHERE entity = 'user' AND status = 'deleted' AND reason = 'gone already'`)
	if gone != 24 {
		t.Fatalf("%d users recorded as gone, want 24", gone)
	}
}

// emuTransport serves requests with an in-process handler.
type emuTransport struct{ h http.Handler }

func (t emuTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := newEmuRecorder()
	if req.Body == nil {
		req = req.Clone(req.Context())
		req.Body = http.NoBody
	}
	t.h.ServeHTTP(rec, req)
	return rec.Result(), nil
}

func newEmuRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// TestRollbackDeletesUnstagedMembership: a membership WorkOS got whose
// staged row a later mapping pruned is still deleted: its WorkOS id is all
// a delete needs.
func TestRollbackDeletesUnstagedMembership(t *testing.T) {
	s := newStage(t)
	u := s.user(userSpec{email: "stays@example.com"})
	o := s.org("external_id_create", "", "org-prune", "Prune")
	m := s.member(u, o)
	emu, url := emulator(t, workosemu.Options{})
	req, _ := http.NewRequest("POST", url+"/user_management/users", strings.NewReader(`{"email":"stays@example.com"}`))
	req.Header.Set("Authorization", "Bearer "+testKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 201 {
		t.Fatalf("create the user to adopt: %v %v", res, err)
	}
	res.Body.Close()
	if _, err := importer.Run(context.Background(), s.db, opts(url)); err != nil {
		t.Fatal(err)
	}
	s.exec(`UPDATE import_items SET status = 'pending' WHERE entity = 'membership'`)
	s.exec(`DELETE FROM memberships WHERE id = ?`, m)
	ro := importer.RollbackOptions{Endpoint: url, APIKey: testKey, RateLimit: -1}
	if _, err := importer.Rollback(context.Background(), s.db, ro); err != nil {
		t.Fatal(err)
	}
	if st := emu.Snapshot(); len(st.Memberships) != 0 || len(st.Users) != 1 || len(st.Organizations) != 0 {
		t.Fatalf("after the rollback the emulator holds %+v, want only the adopted user", st.Counts)
	}
}
