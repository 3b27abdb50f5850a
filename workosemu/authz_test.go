package workosemu_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/mig-tools/mig/workosemu"
	"github.com/workos/workos-go/v4/pkg/mfa"
	"github.com/workos/workos-go/v4/pkg/organizations"
	"github.com/workos/workos-go/v4/pkg/usermanagement"
)

// want checks status and that the body contains each fragment.
func (r response) want(t *testing.T, status int, fragments ...string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d (body %s)", r.Status, status, r.Body)
	}
	for _, f := range fragments {
		if !strings.Contains(string(r.Body), f) {
			t.Fatalf("body %s does not contain %s", r.Body, f)
		}
	}
}

func TestAuthorization(t *testing.T) {
	e := startEmu(t, workosemu.Options{})
	org, err := e.orgs().CreateOrganization(context.Background(), organizations.CreateOrganizationOpts{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	orgRoles := "/authorization/organizations/" + org.ID + "/roles"

	steps := []struct {
		name   string
		method string
		path   string
		body   string
		status int
		want   []string
	}{
		{"create permission", "POST", "/authorization/permissions", `{"slug":"posts:read","name":"Read posts"}`, 201, []string{`"object":"permission"`, `"id":"perm_`, `"description":null`, `"system":false`}},
		{"create second permission", "POST", "/authorization/permissions", `{"slug":"posts:write","name":"Write posts","description":"Write"}`, 201, nil},
		{"permission slug conflict", "POST", "/authorization/permissions", `{"slug":"posts:read","name":"Again"}`, 409, []string{`"code":"permission_slug_conflict"`}},
		{"permission slug invalid", "POST", "/authorization/permissions", `{"slug":"Posts Read","name":"Bad"}`, 422, []string{`"message"`}},
		{"list permissions", "GET", "/authorization/permissions?order=asc", "", 200, []string{`"object":"list"`, `"slug":"posts:read"`, `"list_metadata":{"before":null,"after":null}`}},
		{"create env role", "POST", "/authorization/roles", `{"slug":"editor","name":"Editor"}`, 201, []string{`"object":"role"`, `"id":"role_`, `"type":"EnvironmentRole"`, `"permissions":[]`}},
		{"env role slug conflict", "POST", "/authorization/roles", `{"slug":"editor","name":"Editor again"}`, 409, []string{`"code":"role_slug_conflict"`}},
		{"default roles exist", "GET", "/authorization/roles", "", 200, []string{`"slug":"admin"`, `"slug":"member"`, `"slug":"editor"`}},
		{"set env role permissions", "PUT", "/authorization/roles/editor/permissions", `{"permissions":["posts:read","posts:write"]}`, 200, []string{`"permissions":["posts:read","posts:write"]`}},
		{"set unknown permission", "PUT", "/authorization/roles/editor/permissions", `{"permissions":["ghost"]}`, 422, []string{"ghost"}},
		{"replace env role permissions", "PUT", "/authorization/roles/editor/permissions", `{"permissions":["posts:read"]}`, 200, []string{`"permissions":["posts:read"]`}},
		{"add env role permission", "POST", "/authorization/roles/editor/permissions", `{"slug":"posts:write"}`, 200, []string{`"permissions":["posts:read","posts:write"]`}},
		{"add permission twice is a no-op", "POST", "/authorization/roles/editor/permissions", `{"slug":"posts:write"}`, 200, []string{`"permissions":["posts:read","posts:write"]`}},
		{"unknown env role", "PUT", "/authorization/roles/ghost/permissions", `{"permissions":[]}`, 404, []string{`"message"`}},
		{"create org role", "POST", orgRoles, `{"slug":"org-billing","name":"Billing"}`, 201, []string{`"type":"OrganizationRole"`, `"slug":"org-billing"`}},
		{"org role slug conflict", "POST", orgRoles, `{"slug":"org-billing","name":"Billing 2"}`, 409, []string{`"code":"organization_role_slug_conflict"`}},
		{"org role slug needs org- prefix", "POST", orgRoles, `{"slug":"billing","name":"Billing 3"}`, 422, nil},
		{"org role slug generated", "POST", orgRoles, `{"name":"Support Desk"}`, 201, []string{`"slug":"org-support-desk-`}},
		{"org role for unknown org", "POST", "/authorization/organizations/org_01HXYZ123456789ABCDEFGHIJ/roles", `{"name":"X"}`, 404, nil},
		{"list org roles", "GET", orgRoles, "", 200, []string{`"slug":"admin"`, `"slug":"org-billing"`}},
		{"set org role permissions", "PUT", orgRoles + "/org-billing/permissions", `{"permissions":["posts:read"]}`, 200, []string{`"permissions":["posts:read"]`}},
		{"add org role permission", "POST", orgRoles + "/org-billing/permissions", `{"slug":"posts:write"}`, 200, []string{`"permissions":["posts:read","posts:write"]`}},
		{"env role is not an org role", "PUT", orgRoles + "/editor/permissions", `{"permissions":[]}`, 404, nil},
		{"get permission", "GET", "/authorization/permissions/posts:read", "", 200, []string{`"object":"permission"`, `"slug":"posts:read"`, `"name":"Read posts"`}},
		{"get permission, slug escaped", "GET", "/authorization/permissions/posts%3Awrite", "", 200, []string{`"slug":"posts:write"`, `"description":"Write"`}},
		{"get unknown permission", "GET", "/authorization/permissions/ghost:read", "", 404, []string{`{"message":"Permission not found: 'ghost:read'."}`}},
		{"get env role", "GET", "/authorization/roles/editor", "", 200, []string{`"object":"role"`, `"slug":"editor"`, `"type":"EnvironmentRole"`, `"permissions":["posts:read","posts:write"]`}},
		{"get default env role", "GET", "/authorization/roles/member", "", 200, []string{`"slug":"member"`}},
		{"get unknown env role", "GET", "/authorization/roles/ghost", "", 404, []string{`{"message":"Role not found: 'ghost'."}`}},
		{"org role is not an env role", "GET", "/authorization/roles/org-billing", "", 404, nil},
		{"get org role", "GET", orgRoles + "/org-billing", "", 200, []string{`"type":"OrganizationRole"`, `"slug":"org-billing"`, `"permissions":["posts:read","posts:write"]`}},
		{"get env role through an org", "GET", orgRoles + "/editor", "", 200, []string{`"type":"EnvironmentRole"`, `"slug":"editor"`}},
		{"get unknown org role", "GET", orgRoles + "/org-ghost", "", 404, []string{`{"message":"Role not found: 'org-ghost'."}`}},
		{"get role of unknown org", "GET", "/authorization/organizations/org_01HXYZ123456789ABCDEFGHIJ/roles/admin", "", 404, []string{`Organization not found`}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			var body any
			if st.body != "" {
				body = st.body
			}
			e.do(st.method, st.path, body).want(t, st.status, st.want...)
		})
	}

	// The single-object GETs are spec operations, so the contract check
	// validated each answer above against the spec's schema.
	wantValidated(t, "GET /authorization/permissions/{} 200", "GET /authorization/permissions/{} 404",
		"GET /authorization/roles/{} 200", "GET /authorization/roles/{} 404",
		"GET /authorization/organizations/{}/roles/{} 200", "GET /authorization/organizations/{}/roles/{} 404")

	// The SDK's own ListOrganizationRoles calls the older
	// /organizations/{id}/roles path; it answers the same list.
	roles, err := e.orgs().ListOrganizationRoles(context.Background(), organizations.ListOrganizationRolesOpts{OrganizationID: org.ID})
	if err != nil || len(roles.Data) != 5 {
		t.Fatalf("SDK ListOrganizationRoles = %+v, %v", roles, err)
	}
}

func TestMembershipRoles(t *testing.T) {
	tests := []struct {
		name     string
		multiple bool
		body     string
		status   int
		want     []string
	}{
		{"several roles, multiple roles off", false, `{"role_slugs":["admin","member"]}`, 422, []string{`"code":"multiple_roles_not_enabled"`}},
		{"one role in role_slugs", false, `{"role_slugs":["admin"]}`, 201, []string{`"role":{"slug":"admin"}`}},
		{"several roles, multiple roles on", true, `{"role_slugs":["admin","org-custom"]}`, 201, []string{`"role":{"slug":"admin"}`, `"roles":[{"slug":"admin"},{"slug":"org-custom"}]`}},
		{"custom org role", false, `{"role_slug":"org-custom"}`, 201, []string{`"role":{"slug":"org-custom"}`}},
		{"unknown role in role_slugs", true, `{"role_slugs":["admin","ghost"]}`, 422, []string{`"code":"invalid_role"`, "ghost"}},
		{"both role_slug and role_slugs", true, `{"role_slug":"admin","role_slugs":["admin"]}`, 422, []string{`"code":"invalid_request_parameters"`}},
		{"default role", false, `{}`, 201, []string{`"role":{"slug":"member"}`, `"status":"active"`, `"object":"organization_membership"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			e := startEmu(t, workosemu.Options{AllowMultipleRoles: tc.multiple})
			u, err := e.users().CreateUser(ctx, usermanagement.CreateUserOpts{Email: "r@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			o, err := e.orgs().CreateOrganization(ctx, organizations.CreateOrganizationOpts{Name: "Org"})
			if err != nil {
				t.Fatal(err)
			}
			e.do("POST", "/authorization/organizations/"+o.ID+"/roles", `{"slug":"org-custom","name":"Custom"}`).want(t, 201)
			body := `{"user_id":"` + u.ID + `","organization_id":"` + o.ID + `"`
			if tc.body != "{}" {
				body += "," + strings.TrimPrefix(tc.body, "{")
			} else {
				body += "}"
			}
			res := e.do("POST", "/user_management/organization_memberships", body)
			res.want(t, tc.status, tc.want...)
			if res.Status != http.StatusCreated {
				return
			}
			id := res.json(t)["id"].(string)
			upd := e.do("PUT", "/user_management/organization_memberships/"+id, `{"role_slugs":["member"]}`)
			upd.want(t, 200, `"role":{"slug":"member"}`, `"roles":[{"slug":"member"}]`)
		})
	}
}

func TestSDKAuthFactors(t *testing.T) {
	ctx := context.Background()
	e := startEmu(t, workosemu.Options{})
	um := e.users()
	u, err := um.CreateUser(ctx, usermanagement.CreateUserOpts{Email: "totp@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := um.EnrollAuthFactor(ctx, usermanagement.EnrollAuthFactorOpts{User: u.ID, Type: mfa.TOTP, TOTPSecret: "JBSWY3DPEHPK3PXP", TOTPIssuer: "Acme"})
	if err != nil {
		t.Fatalf("enroll: %v", err)
	}
	if !idRe.MatchString(res.Factor.ID) || !strings.HasPrefix(res.Factor.ID, "auth_factor_") || res.Factor.TOTP.Secret != "JBSWY3DPEHPK3PXP" ||
		!strings.Contains(res.Factor.TOTP.URI, "secret=JBSWY3DPEHPK3PXP") || res.Challenge.FactorID != res.Factor.ID {
		t.Fatalf("enroll = %+v", res)
	}
	if _, err := um.EnrollAuthFactor(ctx, usermanagement.EnrollAuthFactorOpts{User: u.ID, Type: mfa.TOTP}); err != nil {
		t.Fatalf("enroll with a generated secret: %v", err)
	}
	_, err = um.EnrollAuthFactor(ctx, usermanagement.EnrollAuthFactorOpts{User: u.ID, Type: mfa.TOTP, TOTPSecret: "not base32!"})
	wantHTTPErr(t, err, 422, "", "totp_secret")
	_, err = um.EnrollAuthFactor(ctx, usermanagement.EnrollAuthFactorOpts{User: "user_01HXYZ123456789ABCDEFGHIJ", Type: mfa.TOTP})
	wantHTTPErr(t, err, 422, "", "User not found")

	list, err := um.ListAuthFactors(ctx, usermanagement.ListAuthFactorsOpts{User: u.ID})
	if err != nil || len(list.Data) != 2 || list.Data[0].TOTP.Secret != "" {
		t.Fatalf("list = %+v, %v (secrets must not be listed)", list, err)
	}
	st := e.Snapshot()
	if st.Counts.Factors != 2 || st.Factors[0].Secret != "JBSWY3DPEHPK3PXP" || st.Factors[0].Issuer != "Acme" {
		t.Fatalf("snapshot factors = %+v", st.Factors)
	}
}
