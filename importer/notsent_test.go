package importer_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/workosemu"
)

// TestRoleAssignmentsNoMembershipCarries: a WorkOS role belongs to an
// organization membership, so a role given to a user of no organization,
// or in an organization the user is not a member of, is never sent. The
// plan counts them as not importable, the summary and mig errors name
// them with the fix. (mig import --org-id gives every user a membership,
// and their roles go with it: see testdata/script/import_plan_dryrun.txtar.)
func TestRoleAssignmentsNoMembershipCarries(t *testing.T) {
	ctx := context.Background()
	_, url := emulator(t, workosemu.Options{AllowMultipleRoles: true})
	s := newStage(t)
	one := s.org("name", "", "", "One")
	two := s.org("name", "", "", "Two")
	for i := range 3 {
		loner := s.user(userSpec{email: fmt.Sprintf("loner%d@example.com", i)})
		s.exec(`INSERT INTO role_assignments (user_id, role_slug, source) VALUES (?, 'admin', 'test')`, loner)
	}
	elsewhere := s.user(userSpec{email: "elsewhere@example.com"})
	s.member(elsewhere, one)
	s.exec(`INSERT INTO role_assignments (user_id, role_slug, organization_id, scope_key, source) VALUES (?, 'admin', ?, ?, 'test')`, elsewhere, two, fmt.Sprint(two))

	got := func(ns []importer.NotSent) []string {
		var out []string
		for _, n := range ns {
			if n.Why == "" || n.Fix == "" {
				t.Errorf("%+v lacks a reason or a fix", n)
			}
			out = append(out, fmt.Sprintf("%d %s %s", n.N, n.What, n.Reason))
		}
		return out
	}
	want := []string{"1 role assignments user_not_in_organization", "3 role assignments user_without_organization"}
	plan, err := importer.Run(ctx, s.db, importer.Options{Plan: true})
	if err != nil {
		t.Fatal(err)
	}
	if g := got(plan.Plan.NotImportable); !slices.Equal(g, want) {
		t.Fatalf("plan: not importable %v, want %v", g, want)
	}

	sum, err := importer.Run(ctx, s.db, opts(url))
	if err != nil {
		t.Fatal(err)
	}
	if g := got(sum.NotSent); !slices.Equal(g, want) {
		t.Fatalf("summary: not sent %v, want %v", g, want)
	}
	groups, err := importer.Errors(ctx, s.db)
	if err != nil {
		t.Fatal(err)
	}
	var gs []string
	for _, g := range groups {
		gs = append(gs, fmt.Sprintf("%d %s %s %s", g.Rows, g.Entity, g.Status, g.Code))
	}
	if w := []string{"3 role assignments not_sent user_without_organization", "1 role assignments not_sent user_not_in_organization"}; !slices.Equal(gs, w) {
		t.Fatalf("mig errors groups %v, want %v", gs, w)
	}
}
