package auth0_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/mig-tools/mig/ingest/auth0"
)

func TestRoleSlugs(t *testing.T) {
	for name, want := range map[string]string{
		"Admin":             "admin",
		"Billing Manager":   "billing-manager",
		"  Org Admin!! ":    "org-admin",
		"Rôle Éditeur":      "role-editeur",
		"a__b--c":           "a-b-c",
		"read:reports team": "read-reports-team",
		"管理者":               "rol-x1y2",
	} {
		slugs, _ := auth0.RoleSlugs([]auth0.RoleSlug{{ID: "rol_X1Y2", Name: name}})
		if slugs["rol_X1Y2"] != want {
			t.Errorf("%q: slug %q, want %q", name, slugs["rol_X1Y2"], want)
		}
	}
}

// TestRoleSlugCollisions: colliding names are told apart by role id, not by
// the order Auth0 lists them, and a suffix never takes another role's slug.
func TestRoleSlugCollisions(t *testing.T) {
	roles := []auth0.RoleSlug{{ID: "rol_b", Name: "Admin"}, {ID: "rol_a", Name: "admin"}, {ID: "rol_c", Name: "ADMIN"},
		{ID: "rol_d", Name: "Admin 2"}, {ID: "rol_e", Name: "Viewer"}}
	want := map[string]string{"rol_a": "admin", "rol_b": "admin-3", "rol_c": "admin-4", "rol_d": "admin-2", "rol_e": "viewer"}
	for range 5 {
		slugs, collided := auth0.RoleSlugs(roles)
		if !maps.Equal(slugs, want) {
			t.Errorf("order %v: slugs %v, want %v", roles, slugs, want)
		}
		slices.Sort(collided)
		if !slices.Equal(collided, []string{"rol_b", "rol_c"}) {
			t.Errorf("collisions %v", collided)
		}
		roles = append(roles[1:], roles[0]) // another listing order
	}
}
