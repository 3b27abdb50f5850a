package workosemu_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/mig-tools/mig/workosemu"
)

// TestReconcileRollbackRoutesServed walks every WorkOS operation `mig
// reconcile` and `mig rollback` call (importer/workosapi's list, get and
// delete calls) and checks that the emulator serves each with the status
// the spec documents, matched to a spec operation and validated.
func TestReconcileRollbackRoutesServed(t *testing.T) {
	e := startEmu(t, workosemu.Options{AllowMultipleRoles: true})
	user := e.do("POST", "/user_management/users", `{"email":"rb@example.com","external_id":"ext-rb"}`)
	user.want(t, 201)
	org := e.do("POST", "/organizations", `{"name":"Rollback","external_id":"org-rb"}`)
	org.want(t, 201)
	uid, oid := user.json(t)["id"].(string), org.json(t)["id"].(string)
	e.do("POST", "/authorization/permissions", `{"slug":"docs:read","name":"Read"}`).want(t, 201)
	e.do("POST", "/authorization/organizations/"+oid+"/roles", `{"slug":"org-rb","name":"RB"}`).want(t, 201)
	e.do("PUT", "/authorization/organizations/"+oid+"/roles/org-rb/permissions", `{"permissions":["docs:read"]}`).want(t, 200)
	mem := e.do("POST", "/user_management/organization_memberships", `{"user_id":"`+uid+`","organization_id":"`+oid+`","role_slugs":["org-rb","admin"]}`)
	mem.want(t, 201)
	mid := mem.json(t)["id"].(string)
	enr := e.do("POST", "/user_management/users/"+uid+"/auth_factors", `{"type":"totp","totp_secret":"JBSWY3DPEHPK3PXP"}`)
	enr.want(t, 201)
	fid := enr.json(t)["authentication_factor"].(map[string]any)["id"].(string)

	tests := []struct {
		method, path string
		status       int
		fragments    []string
	}{
		{"GET", "/user_management/users?limit=100&order=asc", 200, []string{`"last_sign_in_at":null`}},
		{"GET", "/organizations?limit=100&order=asc", 200, nil},
		{"GET", "/user_management/organization_memberships?organization_id=" + oid + "&statuses=" + url.QueryEscape("active,inactive,pending") + "&limit=100&order=asc", 200, []string{`"slug":"org-rb"`}},
		{"GET", "/user_management/users/" + uid + "/auth_factors?limit=100&order=asc", 200, []string{fid}},
		{"GET", "/auth/factors/" + fid, 200, []string{`"type":"totp"`}},
		{"GET", "/organizations/" + oid, 200, nil},
		{"GET", "/user_management/users/" + uid, 200, nil},
		// A role that memberships hold cannot go; the membership first.
		{"DELETE", "/authorization/organizations/" + oid + "/roles/org-rb", 409, []string{"role_has_assignments"}},
		{"DELETE", "/auth/factors/" + fid, 200, nil},
		{"DELETE", "/auth/factors/" + fid, 404, nil},
		{"DELETE", "/user_management/organization_memberships/" + mid, 200, nil},
		{"DELETE", "/user_management/organization_memberships/" + mid, 404, nil},
		{"DELETE", "/authorization/organizations/" + oid + "/roles/org-rb", 204, nil},
		{"DELETE", "/authorization/organizations/" + oid + "/roles/org-rb", 404, nil},
		// Environment roles are not deleted through an organization.
		{"DELETE", "/authorization/organizations/" + oid + "/roles/admin", 404, nil},
		{"DELETE", "/authorization/permissions/docs:read", 204, nil},
		{"DELETE", "/authorization/permissions/docs:read", 404, nil},
		{"DELETE", "/user_management/users/" + uid, 200, nil},
		{"DELETE", "/user_management/users/" + uid, 404, nil},
		{"DELETE", "/organizations/" + oid, 200, nil},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			before := validatedExchanges()
			res := e.do(tc.method, tc.path, nil)
			if strings.Contains(string(res.Body), `"Cannot `) {
				t.Fatalf("the emulator does not serve %s %s: %s", tc.method, tc.path, res.Body)
			}
			res.want(t, tc.status, tc.fragments...)
			if before >= 0 && validatedExchanges() != before+1 {
				t.Fatalf("%s %s matched no operation of the spec, so its answer was not validated", tc.method, tc.path)
			}
		})
	}
	wantValidated(t, "DELETE /auth/factors/{} 200", "DELETE /authorization/organizations/{}/roles/{} 204",
		"DELETE /authorization/permissions/{} 204", "GET /auth/factors/{} 200")
	if c := e.Snapshot().Counts; c.Users != 0 || c.Organizations != 0 || c.Memberships != 0 || c.Factors != 0 || c.Permissions != 0 {
		t.Fatalf("after the deletes the emulator holds %+v", c)
	}
}

// TestDeletesCascade: deleting a user takes its memberships and factors
// with it, deleting an organization its memberships and custom roles, and
// deleting a permission takes it out of every role, as `mig rollback`
// counts on.
func TestDeletesCascade(t *testing.T) {
	e := startEmu(t, workosemu.Options{})
	uid := e.do("POST", "/user_management/users", `{"email":"c1@example.com"}`).json(t)["id"].(string)
	uid2 := e.do("POST", "/user_management/users", `{"email":"c2@example.com"}`).json(t)["id"].(string)
	oid := e.do("POST", "/organizations", `{"name":"Cascade"}`).json(t)["id"].(string)
	e.do("POST", "/authorization/permissions", `{"slug":"p:x","name":"X"}`).want(t, 201)
	e.do("POST", "/authorization/roles", `{"slug":"viewer","name":"Viewer"}`).want(t, 201)
	e.do("PUT", "/authorization/roles/viewer/permissions", `{"permissions":["p:x"]}`).want(t, 200)
	e.do("POST", "/authorization/organizations/"+oid+"/roles", `{"slug":"org-c","name":"C"}`).want(t, 201)
	e.do("POST", "/user_management/organization_memberships", `{"user_id":"`+uid+`","organization_id":"`+oid+`"}`).want(t, 201)
	e.do("POST", "/user_management/organization_memberships", `{"user_id":"`+uid2+`","organization_id":"`+oid+`"}`).want(t, 201)
	e.do("POST", "/user_management/users/"+uid+"/auth_factors", `{"type":"totp"}`).want(t, 201)

	e.do("DELETE", "/user_management/users/"+uid, nil).want(t, 200)
	c := e.Snapshot().Counts
	if c.Memberships != 1 || c.Factors != 0 {
		t.Fatalf("after deleting the user: %+v, want its membership and factor gone", c)
	}
	e.do("DELETE", "/organizations/"+oid, nil).want(t, 200)
	st := e.Snapshot()
	if st.Counts.Memberships != 0 {
		t.Fatalf("after deleting the organization: %+v", st.Counts)
	}
	for _, r := range st.Roles {
		if r.Slug == "org-c" {
			t.Fatalf("the organization's role outlived it")
		}
	}
	e.do("DELETE", "/authorization/permissions/p:x", nil).want(t, 204)
	e.do("GET", "/authorization/roles/viewer", nil).want(t, 200, `"permissions":[]`)
}

// TestSignIn: the emulator-only sign-in sets last_sign_in_at, which the
// API then shows; an unknown user is a 404.
func TestSignIn(t *testing.T) {
	e := startEmu(t, workosemu.Options{})
	uid := e.do("POST", "/user_management/users", `{"email":"active@example.com"}`).json(t)["id"].(string)
	e.do("GET", "/user_management/users/"+uid, nil).want(t, 200, `"last_sign_in_at":null`)
	e.do("POST", "/_emulator/users/"+uid+"/sign_in", nil).want(t, 200, `"last_sign_in_at":"20`)
	e.do("GET", "/user_management/users/"+uid, nil).want(t, 200, `"last_sign_in_at":"20`)
	e.do("POST", "/_emulator/users/user_nope/sign_in", nil).want(t, 404)
	e.do("GET", "/_emulator/users/"+uid+"/sign_in", nil).want(t, 404, "Cannot GET")
}
