package importer_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/workos/workos-go/v4/pkg/organizations"
	"github.com/workos/workos-go/v4/pkg/usermanagement"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/workosemu"
)

func wantItems(t *testing.T, s *stage, want map[string]int) {
	t.Helper()
	got := s.items()
	if !maps.Equal(got, want) {
		keys := slices.Sorted(maps.Keys(got))
		var b strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&b, "\n  %q: %d,", k, got[k])
		}
		t.Fatalf("import items:%s\nwant %v", b.String(), want)
	}
}

// membershipsOf maps "email org-name" to the membership's role slugs.
func membershipsOf(st workosemu.State) map[string]string {
	users := map[string]string{}
	for _, u := range st.Users {
		users[u.ID] = u.Email
	}
	orgs := map[string]string{}
	for _, o := range st.Organizations {
		orgs[o.ID] = o.Name
	}
	out := map[string]string{}
	for _, m := range st.Memberships {
		out[users[m.UserID]+" "+orgs[m.OrganizationID]] = strings.Join(m.RoleSlugs, ",")
	}
	return out
}

func TestImportEveryEntity(t *testing.T) {
	ctx := context.Background()
	emu, url := emulator(t, workosemu.Options{AllowMultipleRoles: true})
	// Organizations that exist in WorkOS before the import.
	oc := &organizations.Client{APIKey: testKey, Endpoint: url}
	given, err := oc.CreateOrganization(ctx, organizations.CreateOrganizationOpts{Name: "Given"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oc.CreateOrganization(ctx, organizations.CreateOrganizationOpts{Name: "Existing", ExternalID: "ext-existing"}); err != nil {
		t.Fatal(err)
	}

	s := newStage(t)
	s.permission("posts:read")
	s.permission("posts:write")
	s.role("editor", `["posts:read","posts:write"]`, 0)
	oGiven := s.org("org_id", given.ID, "", "")
	oExisting := s.org("external_id", "", "ext-existing", "")
	oCreate := s.org("external_id_create", "", "ext-new", "New Co")
	oName := s.org("name", "", "", "Named Co")
	s.org("name", "", "", "Empty Co") // no members: created all the same
	s.role("org-reviewer", `["posts:read"]`, oCreate)

	ada := s.user(userSpec{email: "ada@example.com", first: "Ada", externalID: "ext-ada"})
	bob := s.user(userSpec{email: "bob@example.com", first: "Bob"})
	cy := s.user(userSpec{email: "cy@example.com"})
	s.member(ada, oGiven, "admin")
	s.member(ada, oExisting, "editor")
	s.member(ada, oCreate, "editor", "org-reviewer")
	s.member(ada, oName)
	s.member(bob, oName, "member")
	s.member(cy, oCreate)
	s.totp(ada, "JBSWY3DPEHPK3PXP")

	sum, err := importer.Run(ctx, s.db, opts(url))
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	wantItems(t, s, map[string]int{
		"permission done created":   2,
		"role done created":         2,
		"organization done adopted": 2,
		"organization done created": 3,
		"user done created":         3,
		"membership done created":   6,
		"totp done created":         1,
	})
	st := emu.Snapshot()
	if st.Counts.Users != 3 || st.Counts.Organizations != 5 || st.Counts.Memberships != 6 || st.Counts.Factors != 1 {
		t.Fatalf("emulator counts %+v", st.Counts)
	}
	want := map[string]string{
		"ada@example.com Given":    "admin",
		"ada@example.com Existing": "editor",
		"ada@example.com New Co":   "editor,org-reviewer",
		"ada@example.com Named Co": "member",
		"bob@example.com Named Co": "member",
		"cy@example.com New Co":    "member",
	}
	if got := membershipsOf(st); !maps.Equal(got, want) {
		t.Fatalf("memberships %v\nwant %v", got, want)
	}
	for _, u := range st.Users {
		if u.PasswordHash != bcryptHash || u.PasswordHashType != "bcrypt" {
			t.Errorf("user %s: password hash %q %q not carried over", u.Email, u.PasswordHash, u.PasswordHashType)
		}
	}
	if f := st.Factors[0]; f.Secret != "JBSWY3DPEHPK3PXP" || f.Issuer != "Acme" || f.User != "ada@example.com" {
		t.Errorf("factor %+v", f)
	}
	var editor []string
	for _, r := range st.Roles {
		if r.Slug == "editor" {
			editor = r.Permissions
		}
	}
	if !slices.Equal(editor, []string{"posts:read", "posts:write"}) {
		t.Errorf("editor permissions %v", editor)
	}
	// Happy path: one request per user and per membership, nothing else
	// under /user_management/ (TOTP is one more write).
	if sum.Requests.Writes != 3+6+1 || sum.Requests.Reads != 0 {
		t.Errorf("user-management requests: %d writes, %d reads; want 10 and 0", sum.Requests.Writes, sum.Requests.Reads)
	}
	if c := sum.Entities["users"]; c.Total != 3 || c.Succeeded != 3 || c.Failed != 0 {
		t.Errorf("summary users %+v", c)
	}

	// A second run finds nothing to do and sends nothing.
	sum, err = importer.Run(ctx, s.db, opts(url))
	if err != nil {
		t.Fatalf("second import: %v", err)
	}
	if sum.Requests.Requests != 0 {
		t.Errorf("second run sent %d requests", sum.Requests.Requests)
	}
	if st2 := emu.Snapshot(); st2.Counts != st.Counts {
		t.Errorf("second run changed WorkOS: %+v -> %+v", st.Counts, st2.Counts)
	}
}

func TestAdoptExistingUser(t *testing.T) {
	ctx := context.Background()
	emu, url := emulator(t, workosemu.Options{})
	um := usermanagement.NewClient(testKey)
	um.Endpoint = url
	pre, err := um.CreateUser(ctx, usermanagement.CreateUserOpts{Email: "Ada@Example.com", FirstName: "Already"})
	if err != nil {
		t.Fatal(err)
	}
	s := newStage(t)
	o1 := s.org("name", "", "", "One")
	o2 := s.org("name", "", "", "Two")
	ada := s.user(userSpec{email: "ada@example.com", first: "Ada"})
	s.member(ada, o1)
	s.member(ada, o2, "admin")
	s.totp(ada, "JBSWY3DPEHPK3PXP")

	if _, err := importer.Run(ctx, s.db, opts(url)); err != nil {
		t.Fatalf("import: %v", err)
	}
	wantItems(t, s, map[string]int{
		"organization done created": 2,
		"user done adopted":         1,
		"membership done created":   2,
		"totp done created":         1,
	})
	st := emu.Snapshot()
	if st.Counts.Users != 1 || st.Users[0].ID != pre.ID || *st.Users[0].FirstName != "Already" {
		t.Fatalf("users %+v", st.Users)
	}
	want := map[string]string{"Ada@Example.com One": "member", "Ada@Example.com Two": "admin"}
	if got := membershipsOf(st); !maps.Equal(got, want) {
		t.Fatalf("memberships %v, want %v", got, want)
	}
	if st.Counts.Factors != 1 {
		t.Fatalf("factors %d", st.Counts.Factors)
	}
}

func TestMultipleRolesNotEnabled(t *testing.T) {
	ctx := context.Background()
	emu, url := emulator(t, workosemu.Options{AllowMultipleRoles: false})
	s := newStage(t)
	o := s.org("name", "", "", "One")
	for i := range 3 {
		u := s.user(userSpec{email: fmt.Sprintf("u%d@example.com", i)})
		s.member(u, o, "admin", "member")
	}
	o1 := opts(url)
	o1.Concurrency = 1
	sum, err := importer.Run(ctx, s.db, o1)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	wantItems(t, s, map[string]int{"organization done created": 1, "user done created": 3, "membership done created": 3})
	for k, v := range membershipsOf(emu.Snapshot()) {
		if v != "admin" {
			t.Errorf("%s: roles %s, want admin", k, v)
		}
	}
	if sum.Warnings != 3 {
		t.Errorf("warnings %d, want 3", sum.Warnings)
	}
	// Only the first membership tried both roles.
	if sum.Requests.Writes != 3+3+1 {
		t.Errorf("writes %d, want 7", sum.Requests.Writes)
	}
}

func TestFailuresAreClassified(t *testing.T) {
	ctx := context.Background()
	_, url := emulator(t, workosemu.Options{})
	s := newStage(t)
	o := s.org("external_id", "", "ext-missing", "")
	ok := s.org("name", "", "", "Fine")
	bad := s.user(userSpec{email: "bad@example.com", hash: "$2b$10$short", hashType: "bcrypt"})
	good := s.user(userSpec{email: "good@example.com"})
	s.member(bad, ok)
	s.member(good, o)
	s.member(good, ok, "no-such-role")
	s.totp(bad, "JBSWY3DPEHPK3PXP")

	sum, err := importer.Run(ctx, s.db, opts(url))
	var pe *importer.PartialError
	if !errors.As(err, &pe) || pe.Retryable != 0 {
		t.Fatalf("err = %v, want a partial import with nothing retryable", err)
	}
	wantItems(t, s, map[string]int{
		"organization failed organization_not_found": 1,
		"organization done created":                  1,
		"user failed invalid_password_hash":          1,
		"user done created":                          1,
		"membership failed dependency_failed":        2,
		"membership failed invalid_role":             1,
		"totp failed dependency_failed":              1,
	})
	if sum.Failed() != 6 {
		t.Errorf("summary failed = %d", sum.Failed())
	}
	groups, err := importer.Errors(ctx, s.db)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range groups {
		got = append(got, fmt.Sprintf("%s %s %d %s x%d", g.Entity, g.Status, g.HTTPStatus, g.Code, g.Rows))
		if g.Fix == "" || g.ExampleMessage == "" {
			t.Errorf("group %+v lacks a fix or a message", g)
		}
	}
	want := []string{
		"memberships failed 0 dependency_failed x2",
		"memberships failed 422 invalid_role x1",
		"organizations failed 404 organization_not_found x1",
		"totp failed 0 dependency_failed x1",
		"users failed 400 invalid_password_hash x1",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("error groups\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var csv strings.Builder
	n, err := importer.WriteRetryCSV(ctx, s.db, &csv)
	if err != nil || n != 6 || !strings.Contains(csv.String(), "bad@example.com") {
		t.Fatalf("retry csv (%d rows, %v):\n%s", n, err, csv.String())
	}
}

func TestUnauthorized(t *testing.T) {
	ctx := context.Background()
	_, url := emulator(t, workosemu.Options{Keys: []string{"sk_test_other"}})
	s := newStage(t)
	s.user(userSpec{email: "a@example.com"})
	_, err := importer.Run(ctx, s.db, opts(url))
	var ae *importer.AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want an AuthError", err)
	}
	// Found out before the first write: nothing is marked, the row is
	// sent with a good key.
	wantItems(t, s, map[string]int{})
}

// olderDuplicateCode answers a duplicate user the way some environments
// still do: 409 user_already_exists instead of 400 email_not_available.
type olderDuplicateCode struct{ h http.Handler }

func (o olderDuplicateCode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	o.h.ServeHTTP(rec, r)
	if r.Method == http.MethodPost && strings.Contains(rec.Body.String(), "email_not_available") {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		io.WriteString(w, `{"code":"user_already_exists","message":"A user with this email already exists."}`)
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func TestAdoptOnOlderConflictCode(t *testing.T) {
	ctx := context.Background()
	emu, err := workosemu.New(workosemu.Options{RateLimits: workosemu.RateLimitsOff, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	ts := httptest.NewServer(olderDuplicateCode{emu})
	defer ts.Close()
	um := usermanagement.NewClient(testKey)
	um.Endpoint = ts.URL
	if _, err := um.CreateUser(ctx, usermanagement.CreateUserOpts{Email: "a@example.com"}); err != nil {
		t.Fatal(err)
	}
	s := newStage(t)
	o := s.org("name", "", "", "One")
	s.member(s.user(userSpec{email: "a@example.com"}), o)
	if _, err := importer.Run(ctx, s.db, opts(ts.URL)); err != nil {
		t.Fatal(err)
	}
	wantItems(t, s, map[string]int{"organization done created": 1, "user done adopted": 1, "membership done created": 1})
	if st := emu.Snapshot(); st.Counts.Users != 1 || st.Counts.Memberships != 1 {
		t.Fatalf("counts %+v", st.Counts)
	}
}
