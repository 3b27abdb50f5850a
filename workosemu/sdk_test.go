package workosemu_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/mig-tools/mig/workosemu"
	"github.com/workos/workos-go/v4/pkg/organizations"
	"github.com/workos/workos-go/v4/pkg/usermanagement"
	"github.com/workos/workos-go/v4/pkg/workos_errors"
)

var idRe = regexp.MustCompile(`^(user|org|om|auth_factor|role|perm)_[0-9A-HJKMNP-TV-Z]{26}$`)

// httpErr unwraps the SDK's error type, failing the test if err is not one.
func httpErr(t *testing.T, err error) workos_errors.HTTPError {
	t.Helper()
	var he workos_errors.HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("error %v (%T) is not an HTTPError", err, err)
	}
	return he
}

func wantHTTPErr(t *testing.T, err error, status int, code, rawContains string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want HTTP %d %s, got success", status, code)
	}
	he := httpErr(t, err)
	if he.Code != status {
		t.Fatalf("status = %d, want %d (body %s)", he.Code, status, he.RawBody)
	}
	if code != "" && he.ErrorCode != code {
		t.Fatalf("code = %q, want %q (body %s)", he.ErrorCode, code, he.RawBody)
	}
	if !strings.Contains(he.RawBody, rawContains) {
		t.Fatalf("body %s does not contain %q", he.RawBody, rawContains)
	}
	if he.RequestID == "" {
		t.Fatalf("no X-Request-ID on error response")
	}
}

func TestSDKUsers(t *testing.T) {
	ctx := context.Background()
	e := startEmu(t, workosemu.Options{})
	um := e.users()

	created, err := um.CreateUser(ctx, usermanagement.CreateUserOpts{
		Email: "Ada@Example.com", FirstName: "Ada", EmailVerified: true, ExternalID: "ext-1",
		PasswordHash: "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", PasswordHashType: usermanagement.Bcrypt,
		Metadata: map[string]string{"source": "clerk"},
	})
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	if !idRe.MatchString(created.ID) || !strings.HasPrefix(created.ID, "user_") {
		t.Fatalf("id %q is not user_ + ULID", created.ID)
	}
	if created.Email != "Ada@Example.com" || created.FirstName != "Ada" || !created.EmailVerified || created.ExternalID != "ext-1" || created.Metadata["source"] != "clerk" {
		t.Fatalf("created user = %+v", created)
	}

	got, err := um.GetUser(ctx, usermanagement.GetUserOpts{User: created.ID})
	if err != nil || got.ID != created.ID {
		t.Fatalf("get user = %+v, %v", got, err)
	}
	got, err = um.GetUserByExternalID(ctx, usermanagement.GetUserByExternalIDOpts{ExternalID: "ext-1"})
	if err != nil || got.ID != created.ID {
		t.Fatalf("get user by external id = %+v, %v", got, err)
	}

	tests := []struct {
		name   string
		opts   usermanagement.CreateUserOpts
		status int
		code   string
		raw    string
	}{
		{"duplicate email differs in case", usermanagement.CreateUserOpts{Email: "ada@EXAMPLE.com"}, 400, "user_creation_error",
			`"errors":[{"code":"email_not_available","message":"This email is not available."}]`},
		{"duplicate external id", usermanagement.CreateUserOpts{Email: "other@example.com", ExternalID: "ext-1"}, 400, "user_creation_error", `"code":"external_id_already_used"`},
		{"unknown hash type", usermanagement.CreateUserOpts{Email: "h1@example.com", PasswordHash: "x", PasswordHashType: "md5"}, 400, "invalid_password_hash", ""},
		{"bcrypt hash malformed", usermanagement.CreateUserOpts{Email: "h2@example.com", PasswordHash: "$2b$10$short", PasswordHashType: "bcrypt"}, 400, "invalid_password_hash", ""},
		{"password and hash", usermanagement.CreateUserOpts{Email: "h3@example.com", Password: "pw-123456789", PasswordHash: "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", PasswordHashType: "bcrypt"}, 400, "password_and_password_hash_provided", ""},
		{"password and hash type", usermanagement.CreateUserOpts{Email: "h4@example.com", Password: "pw-123456789", PasswordHashType: "bcrypt"}, 400, "password_and_password_hash_type_provided", ""},
		{"metadata value too long", usermanagement.CreateUserOpts{Email: "m1@example.com", Metadata: map[string]string{"k": strings.Repeat("v", 601)}}, 400, "invalid_metadata", ""},
		{"metadata key too long", usermanagement.CreateUserOpts{Email: "m2@example.com", Metadata: map[string]string{strings.Repeat("k", 41): "v"}}, 400, "invalid_metadata", ""},
		{"metadata too many keys", usermanagement.CreateUserOpts{Email: "m3@example.com", Metadata: manyKeys(51)}, 400, "invalid_metadata", ""},
		{"external id too long", usermanagement.CreateUserOpts{Email: "x1@example.com", ExternalID: strings.Repeat("x", 129)}, 422, "", `"code":"invalid_request_parameters"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := um.CreateUser(ctx, tc.opts)
			wantHTTPErr(t, err, tc.status, tc.code, tc.raw)
		})
	}

	// The metadata limits are inclusive.
	if _, err := um.CreateUser(ctx, usermanagement.CreateUserOpts{Email: "edge@example.com", ExternalID: strings.Repeat("x", 128),
		Metadata: manyKeys(50)}); err != nil {
		t.Fatalf("create user at the limits: %v", err)
	}

	list, err := um.ListUsers(ctx, usermanagement.ListUsersOpts{Email: "ADA@example.com"})
	if err != nil || len(list.Data) != 1 || list.Data[0].ID != created.ID {
		t.Fatalf("list by email = %+v, %v", list, err)
	}

	updated, err := um.UpdateUser(ctx, usermanagement.UpdateUserOpts{User: created.ID, LastName: "Lovelace", Metadata: map[string]string{"a": "b"}})
	if err != nil || updated.LastName != "Lovelace" || updated.FirstName != "Ada" || updated.Metadata["a"] != "b" {
		t.Fatalf("update = %+v, %v", updated, err)
	}
	_, err = um.UpdateUser(ctx, usermanagement.UpdateUserOpts{User: created.ID, Email: "edge@example.com"})
	wantHTTPErr(t, err, 400, "email_not_available", "")
	_, err = um.UpdateUser(ctx, usermanagement.UpdateUserOpts{User: created.ID, ExternalID: strings.Repeat("x", 128)})
	wantHTTPErr(t, err, 400, "external_id_already_used", "")

	if err := um.DeleteUser(ctx, usermanagement.DeleteUserOpts{User: created.ID}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = um.GetUser(ctx, usermanagement.GetUserOpts{User: created.ID})
	wantHTTPErr(t, err, 404, "", "User not found")
	err = um.DeleteUser(ctx, usermanagement.DeleteUserOpts{User: created.ID})
	wantHTTPErr(t, err, 404, "", "not found")
}

func manyKeys(n int) map[string]string {
	m := map[string]string{}
	for i := range n {
		m["key"+strings.Repeat("_", i%3)+string(rune('a'+i%26))+string(rune('a'+i/26))] = "v"
	}
	return m
}

func TestSDKListUsersPagination(t *testing.T) {
	ctx := context.Background()
	e := startEmu(t, workosemu.Options{})
	um := e.users()
	var ids []string
	for i := range 25 {
		u, err := um.CreateUser(ctx, usermanagement.CreateUserOpts{Email: "p" + string(rune('a'+i)) + "@example.com"})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		ids = append(ids, u.ID)
	}
	for _, order := range []usermanagement.Order{usermanagement.Desc, usermanagement.Asc} {
		var seen []string
		after := ""
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatalf("pagination does not end")
			}
			res, err := um.ListUsers(ctx, usermanagement.ListUsersOpts{Limit: 10, Order: order, After: after})
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			for _, u := range res.Data {
				seen = append(seen, u.ID)
			}
			if res.ListMetadata.After == "" {
				break
			}
			after = res.ListMetadata.After
		}
		if len(seen) != 25 {
			t.Fatalf("order %s: saw %d users, want 25", order, len(seen))
		}
		first, last := ids[0], ids[24]
		if order == usermanagement.Desc {
			first, last = last, first
		}
		if seen[0] != first || seen[24] != last {
			t.Fatalf("order %s: first %s last %s, want %s %s", order, seen[0], seen[24], first, last)
		}
	}
	// Walking back with before from the end gives the previous page.
	res, err := um.ListUsers(ctx, usermanagement.ListUsersOpts{Limit: 5, Order: usermanagement.Asc, Before: ids[10]})
	if err != nil || len(res.Data) != 5 || res.Data[0].ID != ids[5] || res.Data[4].ID != ids[9] {
		t.Fatalf("before page = %+v, %v", res.Data, err)
	}
}

func TestSDKOrganizations(t *testing.T) {
	ctx := context.Background()
	e := startEmu(t, workosemu.Options{})
	oc := e.orgs()

	org, err := oc.CreateOrganization(ctx, organizations.CreateOrganizationOpts{
		Name: "Acme", ExternalID: "acme-1", Metadata: map[string]string{"tier": "gold"},
		DomainData: []organizations.OrganizationDomainData{{Domain: "acme.com", State: organizations.Verified}},
	})
	if err != nil {
		t.Fatalf("create org: %v", err)
	}
	if !strings.HasPrefix(org.ID, "org_") || !idRe.MatchString(org.ID) || org.Name != "Acme" || len(org.Domains) != 1 || org.Domains[0].Domain != "acme.com" {
		t.Fatalf("org = %+v", org)
	}
	_, err = oc.CreateOrganization(ctx, organizations.CreateOrganizationOpts{Name: "Dup", ExternalID: "acme-1"})
	wantHTTPErr(t, err, 400, "external_id_already_used", "")
	_, err = oc.CreateOrganization(ctx, organizations.CreateOrganizationOpts{Name: "Big", Metadata: manyKeys(51)})
	wantHTTPErr(t, err, 400, "invalid_metadata", "")

	got, err := oc.GetOrganization(ctx, organizations.GetOrganizationOpts{Organization: org.ID})
	if err != nil || got.ID != org.ID || got.Metadata["tier"] != "gold" {
		t.Fatalf("get org = %+v, %v", got, err)
	}
	got, err = oc.GetOrganizationByExternalID(ctx, organizations.GetOrganizationByExternalIDOpts{ExternalID: "acme-1"})
	if err != nil || got.ID != org.ID {
		t.Fatalf("get org by external id = %+v, %v", got, err)
	}
	_, err = oc.GetOrganization(ctx, organizations.GetOrganizationOpts{Organization: "org_01HXYZ123456789ABCDEFGHIJ"})
	wantHTTPErr(t, err, 404, "", "Organization not found")

	for i := range 3 {
		if _, err := oc.CreateOrganization(ctx, organizations.CreateOrganizationOpts{Name: "Org " + string(rune('A'+i))}); err != nil {
			t.Fatalf("create: %v", err)
		}
	}
	list, err := oc.ListOrganizations(ctx, organizations.ListOrganizationsOpts{Limit: 2})
	if err != nil || len(list.Data) != 2 || list.ListMetadata.After == "" {
		t.Fatalf("list = %+v, %v", list, err)
	}
	list, err = oc.ListOrganizations(ctx, organizations.ListOrganizationsOpts{Domains: []string{"acme.com"}})
	if err != nil || len(list.Data) != 1 || list.Data[0].ID != org.ID {
		t.Fatalf("list by domain = %+v, %v", list, err)
	}

	// workos-go v4.46.1 sends every field of UpdateOrganizationOpts, with
	// Go names for the untagged ones ("Name"), and production answers 422
	// when ExternalID is left empty (workos/workos-go #467) and ignores
	// the name (#460). The emulator does the same.
	_, err = oc.UpdateOrganization(ctx, organizations.UpdateOrganizationOpts{Organization: org.ID, Name: "Renamed"})
	wantHTTPErr(t, err, 422, "", "external_id")
	upd, err := oc.UpdateOrganization(ctx, organizations.UpdateOrganizationOpts{Organization: org.ID, Name: "Renamed", ExternalID: "acme-2",
		Metadata: map[string]string{"tier": "platinum"}})
	if err != nil || upd.ExternalID != "acme-2" || upd.Name != "Acme" || upd.Metadata["tier"] != "platinum" {
		t.Fatalf("update = %+v, %v", upd, err)
	}

	// DeleteOrganization sends /Organizations/{id}, capitalised.
	if err := oc.DeleteOrganization(ctx, organizations.DeleteOrganizationOpts{Organization: org.ID}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = oc.GetOrganization(ctx, organizations.GetOrganizationOpts{Organization: org.ID})
	wantHTTPErr(t, err, 404, "", "not found")
}

func TestSDKMemberships(t *testing.T) {
	ctx := context.Background()
	e := startEmu(t, workosemu.Options{})
	um, oc := e.users(), e.orgs()
	u, err := um.CreateUser(ctx, usermanagement.CreateUserOpts{Email: "m@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := oc.CreateOrganization(ctx, organizations.CreateOrganizationOpts{Name: "Org"})
	if err != nil {
		t.Fatal(err)
	}

	m, err := um.CreateOrganizationMembership(ctx, usermanagement.CreateOrganizationMembershipOpts{UserID: u.ID, OrganizationID: o.ID})
	if err != nil {
		t.Fatalf("create membership: %v", err)
	}
	if !strings.HasPrefix(m.ID, "om_") || !idRe.MatchString(m.ID) || m.Role.Slug != "member" || m.Status != usermanagement.Active {
		t.Fatalf("membership = %+v", m)
	}
	_, err = um.CreateOrganizationMembership(ctx, usermanagement.CreateOrganizationMembershipOpts{UserID: u.ID, OrganizationID: o.ID})
	wantHTTPErr(t, err, 409, "organization_membership_already_exists", `"message":"The user already belongs to this organization."`)
	_, err = um.CreateOrganizationMembership(ctx, usermanagement.CreateOrganizationMembershipOpts{UserID: "user_01HXYZ123456789ABCDEFGHIJ", OrganizationID: o.ID})
	wantHTTPErr(t, err, 404, "", "User not found")
	_, err = um.CreateOrganizationMembership(ctx, usermanagement.CreateOrganizationMembershipOpts{UserID: u.ID, OrganizationID: "org_01HXYZ123456789ABCDEFGHIJ"})
	wantHTTPErr(t, err, 404, "", "Organization not found")

	u2, err := um.CreateUser(ctx, usermanagement.CreateUserOpts{Email: "m2@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = um.CreateOrganizationMembership(ctx, usermanagement.CreateOrganizationMembershipOpts{UserID: u2.ID, OrganizationID: o.ID, RoleSlug: "ghost"})
	wantHTTPErr(t, err, 422, "invalid_role", "ghost")
	m2, err := um.CreateOrganizationMembership(ctx, usermanagement.CreateOrganizationMembershipOpts{UserID: u2.ID, OrganizationID: o.ID, RoleSlug: "admin"})
	if err != nil || m2.Role.Slug != "admin" {
		t.Fatalf("create admin membership = %+v, %v", m2, err)
	}

	got, err := um.GetOrganizationMembership(ctx, usermanagement.GetOrganizationMembershipOpts{OrganizationMembership: m.ID})
	if err != nil || got.ID != m.ID {
		t.Fatalf("get membership = %+v, %v", got, err)
	}
	list, err := um.ListOrganizationMemberships(ctx, usermanagement.ListOrganizationMembershipsOpts{OrganizationID: o.ID})
	if err != nil || len(list.Data) != 2 {
		t.Fatalf("list by org = %+v, %v", list, err)
	}
	list, err = um.ListOrganizationMemberships(ctx, usermanagement.ListOrganizationMembershipsOpts{UserID: u.ID})
	if err != nil || len(list.Data) != 1 || list.Data[0].ID != m.ID {
		t.Fatalf("list by user = %+v, %v", list, err)
	}
	_, err = um.ListOrganizationMemberships(ctx, usermanagement.ListOrganizationMembershipsOpts{})
	wantHTTPErr(t, err, 400, "missing_user_id_or_organization_id", "")

	upd, err := um.UpdateOrganizationMembership(ctx, m.ID, usermanagement.UpdateOrganizationMembershipOpts{RoleSlug: "admin"})
	if err != nil || upd.Role.Slug != "admin" {
		t.Fatalf("update membership = %+v, %v", upd, err)
	}
	_, err = um.UpdateOrganizationMembership(ctx, m.ID, usermanagement.UpdateOrganizationMembershipOpts{RoleSlug: "ghost"})
	wantHTTPErr(t, err, 422, "invalid_role", "")

	if err := um.DeleteOrganizationMembership(ctx, usermanagement.DeleteOrganizationMembershipOpts{OrganizationMembership: m.ID}); err != nil {
		t.Fatalf("delete membership: %v", err)
	}
	_, err = um.GetOrganizationMembership(ctx, usermanagement.GetOrganizationMembershipOpts{OrganizationMembership: m.ID})
	wantHTTPErr(t, err, 404, "", "not found")

	// Deleting a user removes its memberships.
	if err := um.DeleteUser(ctx, usermanagement.DeleteUserOpts{User: u2.ID}); err != nil {
		t.Fatal(err)
	}
	if n := e.Snapshot().Counts.Memberships; n != 0 {
		t.Fatalf("memberships after deleting their users = %d, want 0", n)
	}
}

func TestSDKUnauthorized(t *testing.T) {
	ctx := context.Background()
	e := startEmu(t, workosemu.Options{Keys: []string{testKey}})
	for _, key := range []string{"", "pk_test_x", "sk_test_other"} {
		c := usermanagement.NewClient(key)
		c.Endpoint = e.URL
		_, err := c.ListUsers(ctx, usermanagement.ListUsersOpts{})
		wantHTTPErr(t, err, 401, "", `{"message":"Unauthorized"}`)
	}
	open := startEmu(t, workosemu.Options{})
	c := usermanagement.NewClient("pk_live_x")
	c.Endpoint = open.URL
	_, err := c.ListUsers(ctx, usermanagement.ListUsersOpts{})
	wantHTTPErr(t, err, 401, "", "Unauthorized")
	c = usermanagement.NewClient("sk_test_anything")
	c.Endpoint = open.URL
	if _, err := c.ListUsers(ctx, usermanagement.ListUsersOpts{}); err != nil {
		t.Fatalf("any sk_ key should be accepted by default: %v", err)
	}
}
