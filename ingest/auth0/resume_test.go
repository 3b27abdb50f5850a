package auth0_test

import (
	"errors"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/auth0"
	"github.com/mig-tools/mig/ingest/auth0/auth0fake"
)

// reference is an uninterrupted fetch of the same tenant, to compare a
// resumed one with.
func reference(t *testing.T, o auth0.Options, ten *auth0fake.Tenant) recorded {
	t.Helper()
	srv := auth0fake.Start(t, ten)
	o.Domain = srv.URL
	s := &sink{}
	if err := fetch(t, o, s, auth0.Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	return s.committed
}

func sameRecords(t *testing.T, got, want recorded) {
	t.Helper()
	noDuplicates(t, got)
	if g, w := ids(got.Users), ids(want.Users); !slices.Equal(g, w) {
		t.Errorf("users: %d staged, want %d", len(g), len(w))
	}
	if len(got.Skips) != len(want.Skips) {
		t.Errorf("%d skips, want %d", len(got.Skips), len(want.Skips))
	}
	if g, w := codes(got.Warnings), codes(want.Warnings); !maps.Equal(g, w) {
		t.Errorf("warnings by code\n got %v\nwant %v", g, w)
	}
	key := func(r recorded) []string {
		var out []string
		for _, m := range r.OrgRows {
			out = append(out, m.SourceUserID+" "+m.OrgExternalID)
		}
		for _, m := range r.RoleRows {
			out = append(out, m.SourceUserID+" "+m.OrgExternalID+" "+m.RoleSlug)
		}
		for _, o := range r.Orgs {
			out = append(out, o.ExternalID)
		}
		for _, ro := range r.Roles {
			out = append(out, ro.Slug)
		}
		sort.Strings(out)
		return out
	}
	if g, w := key(got), key(want); !slices.Equal(g, w) {
		t.Errorf("organizations, memberships and roles differ: %d records, want %d", len(g), len(w))
	}
}

// TestResumeUsersList kills a management-api fetch in its fourth page of
// users; resumed from the last stored checkpoint, it requests none of the
// stored pages again and ends with every record once.
func TestResumeUsersList(t *testing.T) {
	clk := newClock()
	ten := auth0fake.Generate(auth0fake.GenOptions{Users: 420, Seed: 3})
	srv := auth0fake.Start(t, ten)
	srv.Now = clk.Now
	o := options(srv, clk, 50)
	s := &sink{killKind: "user", killAt: 180}
	if err := fetch(t, o, s, auth0.Checkpoint{}); !errors.Is(err, errKilled) {
		t.Fatalf("first fetch: %v", err)
	}
	s.die()
	if s.last.Page != 3 {
		t.Fatalf("stored checkpoint %+v: want the users phase at page 3", s.last)
	}
	if err := fetch(t, o, s, s.last); err != nil {
		t.Fatal(err)
	}
	for page, want := range map[string]int{"0": 1, "1": 1, "2": 1, "3": 2, "8": 1} {
		if n := srv.Count("GET", "/api/v2/users", "page="+page); n != want {
			t.Errorf("users page %s requested %d times, want %d", page, n, want)
		}
	}
	if n := srv.Count("GET", "/api/v2/roles"); n != 1 {
		t.Errorf("the role catalog, finished before the kill, was requested %d times", n)
	}
	if n := srv.Count("GET", "/api/v2/connections", "page=0"); n != 1 {
		t.Errorf("the connections, finished before the kill, were requested %d times", n)
	}
	sameRecords(t, s.committed, reference(t, o, ten))
}

// TestResumeExport kills a bulk-job read mid-file; read again, it uses the
// same job (the checkpoint keeps its id) and hands every user over once.
func TestResumeExport(t *testing.T) {
	clk := newClock()
	ten := auth0fake.Generate(auth0fake.GenOptions{Users: 3000, Seed: 5})
	srv := auth0fake.Start(t, ten)
	srv.Now = clk.Now
	o := options(srv, clk, 100)
	o.Engine = auth0.EngineBulkJob
	o.Entities = []string{auth0.EntityUsers}
	s := &sink{killKind: "user", killAt: 2500}
	if err := fetch(t, o, s, auth0.Checkpoint{}); !errors.Is(err, errKilled) {
		t.Fatalf("first fetch: %v", err)
	}
	s.die()
	if !s.last.Done() || s.last.JobID == "" || len(s.committed.Users) != 0 {
		t.Fatalf("stored checkpoint %+v, %d users: want the fetch done with its job, no user", s.last, len(s.committed.Users))
	}
	if err := readExport(t, o, s); err != nil {
		t.Fatal(err)
	}
	if n := srv.Count("POST", "/api/v2/jobs/users-exports"); n != 1 {
		t.Errorf("%d export jobs created, want 1: the read again uses the same job", n)
	}
	sameRecords(t, s.committed, reference(t, o, ten))
	for _, sk := range s.committed.Skips {
		if !strings.HasPrefix(sk.File, "auth0:/api/v2/jobs/job_") {
			t.Errorf("skip from %q, want the job's file", sk.File)
		}
	}
}

// TestResumeExportExpired: when Auth0 has dropped the job, a new one is
// created and read: nothing of the first was kept.
func TestResumeExportExpired(t *testing.T) {
	clk := newClock()
	ten := auth0fake.Generate(auth0fake.GenOptions{Users: 3000, Seed: 5})
	srv := auth0fake.Start(t, ten)
	srv.Now = clk.Now
	o := options(srv, clk, 100)
	o.Engine = auth0.EngineBulkJob
	o.Entities = []string{auth0.EntityUsers}
	s := &sink{killKind: "user", killAt: 2500}
	if err := fetch(t, o, s, auth0.Checkpoint{}); !errors.Is(err, errKilled) {
		t.Fatalf("first fetch: %v", err)
	}
	s.die()
	srv.ExpireJobs()
	if err := readExport(t, o, s); err != nil {
		t.Fatal(err)
	}
	if n := srv.Count("POST", "/api/v2/jobs/users-exports"); n != 2 {
		t.Errorf("%d export jobs created, want 2", n)
	}
	sameRecords(t, s.committed, reference(t, o, ten))
	o.Engine = auth0.EngineManagementAPI
	cp := s.last
	cp.Phase = "users"
	if err := fetch(t, o, s, cp); err == nil || !strings.Contains(err.Error(), "same engine") {
		t.Fatalf("resuming a bulk-job checkpoint with the other engine: %v", err)
	}
}

// TestResumeMembers kills a fetch while it reads the second organization's
// members; the resumed fetch goes on from the stored members cursor.
func TestResumeMembers(t *testing.T) {
	clk := newClock()
	ten := auth0fake.Generate(auth0fake.GenOptions{Users: 420, Orgs: 3, Seed: 9})
	srv := auth0fake.Start(t, ten)
	srv.Now = clk.Now
	o := options(srv, clk, 40)
	s := &sink{killKind: "member", killAt: 260}
	if err := fetch(t, o, s, auth0.Checkpoint{}); !errors.Is(err, errKilled) {
		t.Fatalf("first fetch: %v", err)
	}
	s.die()
	if s.last.Phase != "organizations" || s.last.MembersFrom == "" || s.last.Index != 1 {
		t.Fatalf("stored checkpoint %+v: want the second organization's members under way", s.last)
	}
	if err := fetch(t, o, s, s.last); err != nil {
		t.Fatal(err)
	}
	for org, want := range map[string]int{"org_gen00000": 1, "org_gen00001": 1, "org_gen00002": 1} {
		if n := srv.Count("GET", "/api/v2/organizations/"+org+"/members", "from="); n != want {
			t.Errorf("first members page of %s requested %d times, want %d", org, n, want)
		}
	}
	if n := srv.Count("GET", "/api/v2/users", "page=0"); n != 1 {
		t.Errorf("users, finished before the kill, requested again (%d)", n)
	}
	ref := reference(t, o, ten)
	sameRecords(t, s.committed, ref)
	if len(ref.RoleRows) == 0 || len(ref.OrgRows) < 420 {
		t.Fatalf("the tenant should have memberships and member roles: %d, %d", len(ref.OrgRows), len(ref.RoleRows))
	}
}

// TestMemberRolesPerMember: when the members answer leaves roles out, the
// roles of each member are asked for one by one, with the same result.
func TestMemberRolesPerMember(t *testing.T) {
	clk := newClock()
	ten := auth0fake.Generate(auth0fake.GenOptions{Users: 120, Orgs: 3, Seed: 2})
	o := options(nil, clk, 50)
	ref := reference(t, o, ten)
	srv := auth0fake.Start(t, ten)
	srv.IgnoreMemberRolesField = true
	o.Domain = srv.URL
	s := &sink{}
	if err := fetch(t, o, s, auth0.Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	sameRecords(t, s.committed, ref)
	perMember := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/roles") && strings.Contains(r.Path, "/members/") {
			perMember++
		}
	}
	if perMember != len(s.committed.OrgRows) {
		t.Errorf("%d member-roles requests for %d members", perMember, len(s.committed.OrgRows))
	}
}

// TestOnlyOrgs reads the organizations named by Options.Orgs, and nothing
// of the others.
func TestOnlyOrgs(t *testing.T) {
	clk := newClock()
	srv := fixtureServer(t, clk)
	o := options(srv, clk, 100)
	o.Orgs = []string{"org_beta"}
	o.Entities = []string{auth0.EntityOrganizations, auth0.EntityMemberships}
	s := &sink{}
	if err := fetch(t, o, s, auth0.Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	if len(s.committed.Orgs) != 1 || s.committed.Orgs[0].ExternalID != "org_beta" || len(s.committed.OrgRows) != 3 {
		t.Errorf("orgs %+v, %d memberships", s.committed.Orgs, len(s.committed.OrgRows))
	}
	if srv.Count("GET", "/api/v2/organizations") != 0 || srv.Count("GET", "/api/v2/organizations/org_acme/members") != 0 {
		t.Error("organizations not asked for were read")
	}
}
