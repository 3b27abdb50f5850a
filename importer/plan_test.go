package importer_test

import (
	"context"
	"slices"
	"testing"

	"github.com/workos/workos-go/v4/pkg/usermanagement"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/workosemu"
)

func TestPlanChangesNothing(t *testing.T) {
	ctx := context.Background()
	s, members := bigStage(t, 100)
	o := importer.Options{Plan: true}
	sum, err := importer.Run(ctx, s.db, o)
	if err != nil {
		t.Fatal(err)
	}
	var items int
	s.db.Get(&items, `SELECT count(*) FROM import_items`)
	if items != 0 {
		t.Fatalf("--plan left %d import items", items)
	}
	p := sum.Plan
	want := map[string]int64{"organizations name": 4, "users create": 100, "memberships create": int64(members), "totp create": 20}
	for _, r := range p.Rows {
		if want[r.Entity+" "+r.Kind] != r.Rows {
			t.Errorf("plan row %+v, want %d rows", r, want[r.Entity+" "+r.Kind])
		}
		delete(want, r.Entity+" "+r.Kind)
	}
	if len(want) > 0 {
		t.Errorf("plan lacks %v", want)
	}
	if p.Writes != int64(100+members+20) || p.Reads != 0 || p.Other != 8 {
		t.Errorf("plan requests: %d writes, %d reads, %d others", p.Writes, p.Reads, p.Other)
	}
	// 270 writes at 48 per second.
	if p.Seconds != 6 {
		t.Errorf("estimate %v s, want 6", p.Seconds)
	}
}

func TestDryRunShowsDuplicatesAndMissingOrgs(t *testing.T) {
	ctx := context.Background()
	s := newStage(t)
	missing := s.org("external_id", "", "ext-nowhere", "")
	given := s.org("org_id", "org_01GIVEN", "", "")
	a := s.user(userSpec{sourceID: "u1", email: "same@example.com"})
	b := s.user(userSpec{sourceID: "u2", email: "same@example.com"})
	s.member(a, missing)
	s.member(b, given)

	sum, err := importer.Run(ctx, s.db, importer.Options{DryRun: true, Endpoint: "https://api.workos.com"})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	// The second user with the same email is not merged into the first:
	// it fails, and its membership with it.
	if !sum.DryRun || sum.Entities["users"].Succeeded != 1 || sum.Entities["users"].Failed != 1 || sum.Entities["memberships"].Failed != 2 {
		t.Fatalf("dry run summary %+v", sum.Entities)
	}
	var codes []string
	for _, f := range sum.Failures {
		codes = append(codes, f.Entity+" "+f.Code)
	}
	slices.Sort(codes)
	if want := []string{"memberships dependency_failed", "organizations organization_not_found", "users email_belongs_to_other_user"}; !slices.Equal(codes, want) {
		t.Fatalf("failures %v, want %v", codes, want)
	}
	var items int
	s.db.Get(&items, `SELECT count(*) FROM import_items`)
	if items != 0 {
		t.Fatalf("--dry-run wrote %d import items to the real database", items)
	}
}

// The dry run goes through the emulator only: a real WorkOS would have
// to be reachable otherwise. This one has a user the staging also has,
// and must not see a single request.
func TestDryRunSendsNothing(t *testing.T) {
	ctx := context.Background()
	emu, url := emulator(t, workosemu.Options{})
	um := usermanagement.NewClient(testKey)
	um.Endpoint = url
	if _, err := um.CreateUser(ctx, usermanagement.CreateUserOpts{Email: "a@example.com"}); err != nil {
		t.Fatal(err)
	}
	s := newStage(t)
	s.user(userSpec{email: "b@example.com"})
	o := opts(url)
	o.DryRun = true
	if _, err := importer.Run(ctx, s.db, o); err != nil {
		t.Fatal(err)
	}
	if n := emu.Snapshot().Counts.Users; n != 1 {
		t.Fatalf("the dry run reached WorkOS: %d users", n)
	}
}
