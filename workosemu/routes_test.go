package workosemu_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/mig-tools/mig/workosemu"
)

// TestImporterRoutesServed walks every WorkOS operation the importer calls
// (importer/workosapi and the SDK calls in importer/) or may call to look an
// object up, and checks that the emulator serves each with a documented
// answer: no "Cannot GET" route miss, and an exchange the contract check
// matched to a spec path and validated.
func TestImporterRoutesServed(t *testing.T) {
	e := startEmu(t, workosemu.Options{})
	user := e.do("POST", "/user_management/users", `{"email":"routes@example.com","external_id":"ext-r"}`)
	user.want(t, 201)
	org := e.do("POST", "/organizations", `{"name":"Routes","external_id":"org-ext-r"}`)
	org.want(t, 201)
	uid, oid := user.json(t)["id"].(string), org.json(t)["id"].(string)
	e.do("POST", "/authorization/permissions", `{"slug":"docs:read","name":"Read"}`).want(t, 201)
	e.do("POST", "/authorization/organizations/"+oid+"/roles", `{"slug":"org-r","name":"R"}`).want(t, 201)
	mem := e.do("POST", "/user_management/organization_memberships", `{"user_id":"`+uid+`","organization_id":"`+oid+`"}`)
	mem.want(t, 201)
	mid := mem.json(t)["id"].(string)

	tests := []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/user_management/users?email=" + url.QueryEscape("routes@example.com") + "&limit=10", "", 200},
		{"GET", "/user_management/users?limit=1", "", 200},
		{"POST", "/user_management/users", `{"email":"routes2@example.com"}`, 201},
		{"GET", "/user_management/users/" + uid, "", 200},
		{"PUT", "/user_management/users/" + uid, `{"first_name":"R"}`, 200},
		{"GET", "/user_management/users/external_id/ext-r", "", 200},
		{"GET", "/user_management/users/" + uid + "/auth_factors?limit=100", "", 200},
		{"POST", "/user_management/users/" + uid + "/auth_factors", `{"type":"totp","totp_secret":"JBSWY3DPEHPK3PXP"}`, 201},
		{"GET", "/organizations?search=Routes&limit=100&order=asc", "", 200},
		{"POST", "/organizations", `{"name":"Routes 2"}`, 201},
		{"GET", "/organizations/" + oid, "", 200},
		{"GET", "/organizations/external_id/org-ext-r", "", 200},
		{"GET", "/user_management/organization_memberships?user_id=" + uid + "&organization_id=" + oid + "&statuses=active,inactive,pending&limit=10", "", 200},
		{"GET", "/user_management/organization_memberships/" + mid, "", 200},
		{"PUT", "/user_management/organization_memberships/" + mid, `{"role_slug":"admin"}`, 200},
		{"POST", "/user_management/organization_memberships", `{"user_id":"` + uid + `","organization_id":"` + oid + `"}`, 409},
		{"GET", "/authorization/permissions?limit=100&order=asc", "", 200},
		{"POST", "/authorization/permissions", `{"slug":"docs:write","name":"Write"}`, 201},
		{"GET", "/authorization/permissions/docs:read", "", 200},
		{"GET", "/authorization/roles", "", 200},
		{"POST", "/authorization/roles", `{"slug":"viewer","name":"Viewer"}`, 201},
		{"GET", "/authorization/roles/viewer", "", 200},
		{"PUT", "/authorization/roles/viewer/permissions", `{"permissions":["docs:read"]}`, 200},
		{"GET", "/authorization/organizations/" + oid + "/roles", "", 200},
		{"POST", "/authorization/organizations/" + oid + "/roles", `{"slug":"org-w","name":"W"}`, 201},
		{"GET", "/authorization/organizations/" + oid + "/roles/org-w", "", 200},
		{"PUT", "/authorization/organizations/" + oid + "/roles/org-w/permissions", `{"permissions":["docs:read"]}`, 200},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			before := validatedExchanges()
			var body any
			if tc.body != "" {
				body = tc.body
			}
			res := e.do(tc.method, tc.path, body)
			if strings.Contains(string(res.Body), `"Cannot `) {
				t.Fatalf("the emulator does not serve %s %s: %s", tc.method, tc.path, res.Body)
			}
			res.want(t, tc.status)
			if before >= 0 && validatedExchanges() != before+1 {
				t.Fatalf("%s %s matched no operation of the spec, so its answer was not validated", tc.method, tc.path)
			}
		})
	}
}
