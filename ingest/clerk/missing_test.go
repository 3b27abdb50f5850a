package clerk_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/clerk"
	"github.com/mig-tools/mig/ingest/ingesttest"
)

// A user a newer export no longer has, whose mapping lines the mapping
// files still give, is "not in the export" for those lines, as in a fresh
// ingest of the newer export: each line warns, and no membership or role
// is made for the user.
func TestReingestOfAUserRemovedFromTheExportButNotFromTheMappings(t *testing.T) {
	ctx := context.Background()
	users, orgs, roles := smallExport(50)
	a := clerk.Options{UsersFile: write(t, "u.csv", users.String()), OrgMapping: write(t, "o.csv", orgs.String()),
		RoleMapping: write(t, "r.csv", roles.String())}
	b := a
	b.UsersFile = write(t, "u2.csv", strings.Replace(users.String(), "user_7,Ann,A,,u7@example.com,,u7@example.com,,,,,,\n", "", 1))
	db := ingesttest.OpenDB(t)
	if _, err := clerk.Ingest(ctx, db, a); err != nil {
		t.Fatal(err)
	}
	c, err := clerk.Ingest(ctx, db, b)
	if err != nil {
		t.Fatal(err)
	}
	if c.Missing != 1 {
		t.Fatalf("counts = %+v, want one missing user", c)
	}
	fresh := ingesttest.OpenDB(t)
	want, err := clerk.Ingest(ctx, fresh, b)
	if err != nil {
		t.Fatal(err)
	}
	sameAsFresh(t, db, fresh)
	if c.Warnings != want.Warnings {
		t.Errorf("the re-ingest counts %d warnings, a fresh ingest %d", c.Warnings, want.Warnings)
	}
}

// smallExport is a Clerk export of n users (user_0, user_1, ...) with an
// org mapping (Team 0 to Team 6) and a role mapping (member), as
// strings.Builders a test may add lines to.
func smallExport(n int) (users, orgs, roles *strings.Builder) {
	users, orgs, roles = &strings.Builder{}, &strings.Builder{}, &strings.Builder{}
	users.WriteString(header)
	orgs.WriteString("clerk_user_id,org_name\n")
	roles.WriteString("clerk_user_id,role_slug\n")
	for i := range n {
		fmt.Fprintf(users, "user_%d,Ann,A,,u%d@example.com,,u%d@example.com,,,,,,\n", i, i, i)
		fmt.Fprintf(orgs, "user_%d,Team %d\n", i, i%7)
		fmt.Fprintf(roles, "user_%d,member\n", i)
	}
	return users, orgs, roles
}
