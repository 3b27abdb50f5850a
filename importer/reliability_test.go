package importer_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mig-tools/mig/staging"
	"github.com/mig-tools/mig/workosemu"
)

// The reliability suite runs in a short form by default (go test ./...)
// and in a long form with MIG_RELIABILITY=long; MIG_RELIABILITY_SEED
// replays the random choices of a run that failed (every test prints the
// seed it used).
const (
	reliabilityEnv = "MIG_RELIABILITY"
	seedEnv        = "MIG_RELIABILITY_SEED"
)

// longForm reports whether the long form was asked for.
func longForm() bool { return os.Getenv(reliabilityEnv) == "long" }

// pick returns the long form's value or the short form's.
func pick[T any](short, long T) T {
	if longForm() {
		return long
	}
	return short
}

// reliabilitySeed is the seed of a test's random choices: MIG_RELIABILITY_SEED
// when set, otherwise the clock. It is logged, so a failure can be replayed.
func reliabilitySeed(t testing.TB) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(seedEnv); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: want a number", seedEnv, s)
		}
		seed = n
	}
	t.Logf("seed %d (replay with %s=%d)", seed, seedEnv, seed)
	return seed
}

// richStage stages n users the way the crash and fault tests need them:
// two permissions and two environment roles that carry them, four
// organizations, one or two memberships per user with zero, one or two
// role slugs, a TOTP secret for every fifth user, and names and external
// ids to compare.
func richStage(t testing.TB, n int) *stage {
	t.Helper()
	s := newStage(t)
	s.permission("docs:read")
	s.permission("docs:write")
	s.role("editor", `["docs:read","docs:write"]`, 0)
	s.role("viewer", `["docs:read"]`, 0)
	var orgs []int64
	for i := range 4 {
		orgs = append(orgs, s.org("name", "", "", fmt.Sprintf("Org %d", i)))
	}
	tx, err := s.db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	exec := func(q string, args ...any) int64 {
		res, err := tx.Exec(q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	roleSets := [][]string{nil, {"viewer"}, {"editor"}, {"editor", "viewer"}}
	for i := range n {
		uid := exec(`INSERT INTO users (source, source_id, ingest_run_id, first_run_id, last_seen_run_id, row_number,
			email_raw, email, first_name, last_name, email_verified, password_hash, password_hash_type, external_id, raw, content_hash)
			VALUES ('test', ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, 'bcrypt', ?, '{}', ?)`,
			fmt.Sprintf("user_%d", i), s.runID, s.runID, s.runID, i+1, fmt.Sprintf("U%d@Example.com", i),
			fmt.Sprintf("u%d@example.com", i), fmt.Sprintf("First%d", i), fmt.Sprintf("Last%d", i),
			bcryptHash, fmt.Sprintf("ext-%d", i), fmt.Sprintf("h%d", i))
		for j := range 1 + i%2 {
			org := orgs[(i+j)%4]
			exec(`INSERT INTO memberships (user_id, organization_id, source) VALUES (?, ?, 'test')`, uid, org)
			for _, r := range roleSets[(i/2+j)%4] {
				exec(`INSERT INTO role_assignments (user_id, role_slug, organization_id, scope_key, source) VALUES (?, ?, ?, ?, 'test')`,
					uid, r, org, fmt.Sprint(org))
			}
		}
		if i%5 == 0 {
			exec(`INSERT INTO totp_secrets (user_id, secret, issuer, source) VALUES (?, 'JBSWY3DPEHPK3PXP', 'Acme', 'test')`, uid)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return s
}

// reconcile compares what the staging database says is done with what
// WorkOS (the emulator's state) holds, and returns every difference: each
// staged user done exactly once by email and by external_id, with its
// names; each organization once; each membership once with its role
// slugs; each user's factors; and, whatever the rows' state, no object
// twice and nothing in WorkOS that was not staged. A row not done yet (in
// flight when a run stopped) may or may not have its object in WorkOS:
// either is fine, two is not. It is the check `mig reconcile` makes against
// any WorkOS; these tests make it on the emulator's state directly until
// that command is merged, and can then call it instead. Whether every row
// is done is asserted separately (assertClean).
func reconcile(t testing.TB, db *staging.DB, st workosemu.State) []string {
	t.Helper()
	var diffs []string
	diff := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }

	type itemState struct {
		Status   string `db:"status"`
		WorkOSID string `db:"workos_id"`
	}
	var users []struct {
		Email      string `db:"email"`
		ExternalID string `db:"external_id"`
		First      string `db:"first_name"`
		Last       string `db:"last_name"`
		itemState
	}
	must(t, db.Select(&users, `SELECT coalesce(u.email_raw, u.email, '') AS email, coalesce(u.external_id, '') AS external_id,
		coalesce(u.first_name, '') AS first_name, coalesce(u.last_name, '') AS last_name, i.status, coalesce(i.workos_id, '') AS workos_id
		FROM users u JOIN import_items i ON i.entity = 'user' AND i.entity_id = u.id`))
	byEmail, byExt := map[string][]workosemu.User{}, map[string][]workosemu.User{}
	for _, u := range st.Users {
		byEmail[strings.ToLower(u.Email)] = append(byEmail[strings.ToLower(u.Email)], u)
		if u.ExternalID != nil {
			byExt[*u.ExternalID] = append(byExt[*u.ExternalID], u)
		}
	}
	stagedEmail := map[string]bool{}
	for _, u := range users {
		stagedEmail[strings.ToLower(u.Email)] = true
		e, x := byEmail[strings.ToLower(u.Email)], byExt[u.ExternalID]
		switch {
		case len(e) > 1 || len(x) > 1:
			diff("user %s (%s): %d WorkOS users with its email, %d with its external_id", u.Email, u.Status, len(e), len(x))
		case u.Status != "done":
		case len(e) != 1 || len(x) != 1:
			diff("user %s: %d WorkOS users with its email, %d with its external_id %s", u.Email, len(e), len(x), u.ExternalID)
		case e[0].ID != x[0].ID || e[0].ID != u.WorkOSID:
			diff("user %s: WorkOS user %s by email, %s by external_id, %s in import_items", u.Email, e[0].ID, x[0].ID, u.WorkOSID)
		case deref(e[0].FirstName) != u.First || deref(e[0].LastName) != u.Last:
			diff("user %s: WorkOS has %q %q, staged %q %q", u.Email, deref(e[0].FirstName), deref(e[0].LastName), u.First, u.Last)
		}
	}
	for _, u := range st.Users {
		if !stagedEmail[strings.ToLower(u.Email)] {
			diff("WorkOS user %s (%s) is no staged user's", u.ID, u.Email)
		}
	}

	var orgs []struct {
		Name string `db:"name"`
		itemState
	}
	must(t, db.Select(&orgs, `SELECT coalesce(o.name, '') AS name, i.status, coalesce(i.workos_id, '') AS workos_id
		FROM organizations o JOIN import_items i ON i.entity = 'organization' AND i.entity_id = o.id`))
	orgByName := map[string][]workosemu.Organization{}
	for _, o := range st.Organizations {
		orgByName[o.Name] = append(orgByName[o.Name], o)
	}
	stagedOrg := map[string]bool{}
	for _, o := range orgs {
		stagedOrg[o.Name] = true
		got := orgByName[o.Name]
		if len(got) > 1 || (o.Status == "done" && (len(got) != 1 || got[0].ID != o.WorkOSID)) {
			diff("organization %s (%s): %d in WorkOS, import_items says %s", o.Name, o.Status, len(got), o.WorkOSID)
		}
	}
	for _, o := range st.Organizations {
		if !stagedOrg[o.Name] {
			diff("WorkOS organization %s (%s) is no staged organization", o.ID, o.Name)
		}
	}

	var members []struct {
		Email     string `db:"email"`
		OrgName   string `db:"org_name"`
		RoleSlugs string `db:"role_slugs"`
		UserWID   string `db:"user_wid"`
		OrgWID    string `db:"org_wid"`
		itemState
	}
	must(t, db.Select(&members, `SELECT sm.email, coalesce(sm.org_name, '') AS org_name, sm.role_slugs, i.status, coalesce(i.workos_id, '') AS workos_id,
		coalesce(ui.workos_id, '') AS user_wid, coalesce(oi.workos_id, sm.workos_org_id, '') AS org_wid
		FROM staged_memberships sm JOIN import_items i ON i.entity = 'membership' AND i.entity_id = sm.id
		LEFT JOIN import_items ui ON ui.entity = 'user' AND ui.entity_id = sm.user_id
		LEFT JOIN import_items oi ON oi.entity = 'organization' AND oi.entity_id = sm.organization_id`))
	memberOf := map[[2]string][]workosemu.Membership{}
	for _, m := range st.Memberships {
		k := [2]string{m.UserID, m.OrganizationID}
		memberOf[k] = append(memberOf[k], m)
	}
	stagedMember := map[[2]string]bool{}
	for _, m := range members {
		k := [2]string{m.UserWID, m.OrgWID}
		stagedMember[k] = true
		got := memberOf[k]
		if len(got) > 1 {
			diff("membership %s in %s (%s): %d in WorkOS", m.Email, m.OrgName, m.Status, len(got))
			continue
		}
		if m.Status != "done" {
			continue
		}
		if len(got) != 1 || got[0].ID != m.WorkOSID {
			diff("membership %s in %s: %d in WorkOS, import_items says %s", m.Email, m.OrgName, len(got), m.WorkOSID)
			continue
		}
		var want []string
		must(t, json.Unmarshal([]byte(m.RoleSlugs), &want))
		if len(want) == 0 {
			want = []string{"member"} // the environment's default role
		}
		have := slices.Sorted(slices.Values(got[0].RoleSlugs))
		if !slices.Equal(have, want) {
			diff("membership %s in %s: WorkOS roles %v, staged %v", m.Email, m.OrgName, have, want)
		}
	}
	for _, m := range st.Memberships {
		if !stagedMember[[2]string{m.UserID, m.OrganizationID}] {
			diff("WorkOS membership %s (user %s, organization %s) is no staged membership", m.ID, m.UserID, m.OrganizationID)
		}
	}

	// A user's factors in WorkOS: at least the staged ones done, at most
	// every staged one.
	var factors []struct {
		UserWID string `db:"user_wid"`
		Staged  int    `db:"staged"`
		Done    int    `db:"done"`
	}
	must(t, db.Select(&factors, `SELECT ui.workos_id AS user_wid, count(*) AS staged, sum(i.status = 'done') AS done
		FROM totp_secrets t JOIN import_items i ON i.entity = 'totp' AND i.entity_id = t.id
		JOIN import_items ui ON ui.entity = 'user' AND ui.entity_id = t.user_id
		WHERE ui.workos_id IS NOT NULL GROUP BY 1`))
	have := map[string]int{}
	for _, f := range st.Factors {
		have[f.UserID]++
	}
	for _, f := range factors {
		if n := have[f.UserWID]; n < f.Done || n > f.Staged {
			diff("WorkOS user %s has %d TOTP factors; %d staged, %d done", f.UserWID, n, f.Staged, f.Done)
		}
		delete(have, f.UserWID)
	}
	for u, n := range have {
		diff("WorkOS user %s has %d TOTP factors, none staged", u, n)
	}
	return diffs
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// assertClean fails t with every difference reconcile finds, and every
// import row that is not done.
func assertClean(t testing.TB, db *staging.DB, st workosemu.State) {
	t.Helper()
	diffs := reconcile(t, db, st)
	for i, d := range diffs {
		if i == 20 {
			t.Errorf("... and %d more differences", len(diffs)-i)
			break
		}
		t.Error(d)
	}
	var notDone []string
	must(t, db.Select(&notDone, `SELECT entity || ' ' || status || ' ' || coalesce(error_code, '') || ': ' || count(*)
		FROM import_items WHERE status <> 'done' GROUP BY entity, status, error_code`))
	for _, n := range notDone {
		t.Errorf("import rows not done: %s", n)
	}
}

// gate sits in front of the emulator and counts requests; a test sets
// hook to act on the n-th one (start a storm, break a connection) before
// the emulator sees it. A hook that returns false answers nothing more:
// the request is left as if lost before reaching WorkOS.
type gate struct {
	next http.Handler
	n    atomic.Int64
	mu   sync.Mutex
	hook func(n int64, w http.ResponseWriter, r *http.Request) bool
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := g.n.Add(1)
	g.mu.Lock()
	hook := g.hook
	g.mu.Unlock()
	if hook != nil && !hook(n, w, r) {
		return
	}
	g.next.ServeHTTP(w, r)
}

func (g *gate) set(hook func(n int64, w http.ResponseWriter, r *http.Request) bool) {
	g.mu.Lock()
	g.hook = hook
	g.mu.Unlock()
}

// gatedEmulator serves a fresh emulator behind a gate on 127.0.0.1.
func gatedEmulator(t testing.TB, o workosemu.Options) (*workosemu.Server, *gate, string) {
	t.Helper()
	if o.RateLimits == "" {
		o.RateLimits = workosemu.RateLimitsOff
	}
	o.AllowMultipleRoles = true
	emu, err := workosemu.New(o)
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{next: emu}
	ts := httptest.NewServer(g)
	t.Cleanup(func() { ts.Close(); emu.Close() })
	return emu, g, ts.URL
}

// clock is the emulator's clock, which the storm tests move by hand to
// start and end a storm at a chosen request.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// runStatus is the status of the last import run.
func runStatus(t testing.TB, db *staging.DB) string {
	t.Helper()
	var s string
	must(t, db.Get(&s, `SELECT status FROM import_runs ORDER BY id DESC LIMIT 1`))
	return s
}
