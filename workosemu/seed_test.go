package workosemu_test

import (
	"context"
	"testing"

	"github.com/workos/workos-go/v4/pkg/organizations"
	"github.com/workos/workos-go/v4/pkg/usermanagement"

	"github.com/mig-tools/mig/workosemu"
)

// An organization added by id answers as one made in the dashboard would:
// it can be read by its id and take memberships, and adding it again
// changes nothing.
func TestAddOrganization(t *testing.T) {
	ctx := context.Background()
	e := startEmu(t, workosemu.Options{})
	if err := e.AddOrganization("org_01GIVEN", "Given"); err != nil {
		t.Fatal(err)
	}
	if err := e.AddOrganization("org_01GIVEN", "Renamed"); err != nil {
		t.Fatal(err)
	}
	got, err := e.orgs().GetOrganization(ctx, organizations.GetOrganizationOpts{Organization: "org_01GIVEN"})
	if err != nil || got.ID != "org_01GIVEN" || got.Name != "Given" {
		t.Fatalf("get: %+v, %v", got, err)
	}
	u, err := e.users().CreateUser(ctx, usermanagement.CreateUserOpts{Email: "a@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.users().CreateOrganizationMembership(ctx, usermanagement.CreateOrganizationMembershipOpts{
		UserID: u.ID, OrganizationID: "org_01GIVEN"}); err != nil {
		t.Fatalf("membership in the added organization: %v", err)
	}
	if n := e.Snapshot().Counts.Organizations; n != 1 {
		t.Fatalf("%d organizations, want 1", n)
	}
	if err := e.AddOrganization("ext-1", "x"); err == nil {
		t.Fatal("an id without org_ was taken")
	}
}
