package workosemu_test

import (
	"context"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	"github.com/workos/workos-go/v4/pkg/organizations"

	"github.com/mig-tools/mig/workosemu"
)

// TestIdempotencyKeyWhereSpecSays: by default a key is replayed only where
// the spec documents it, so the same create sent twice with one key is two
// creates, as in production: the second user is refused as a duplicate,
// the second organization (names are not unique) is a second one.
func TestIdempotencyKeyWhereSpecSays(t *testing.T) {
	e := startEmu(t, workosemu.Options{})
	body := `{"email":"idem@example.com"}`
	e.do("POST", "/user_management/users", body, "Idempotency-Key", "k1").want(t, 201)
	e.do("POST", "/user_management/users", body, "Idempotency-Key", "k1").want(t, 400, "email_not_available")
	oc := e.orgs()
	for range 2 {
		if _, err := oc.CreateOrganization(context.Background(), organizations.CreateOrganizationOpts{Name: "Twice", IdempotencyKey: "org-twice"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.Snapshot().Counts.Organizations; n != 2 {
		t.Fatalf("organizations = %d, want 2", n)
	}
	if _, err := workosemu.New(workosemu.Options{Idempotency: "some"}); err == nil {
		t.Fatal("an unknown idempotency mode must be refused")
	}
}

// TestSpecIdempotentOperations keeps the emulator's list of operations
// with a documented Idempotency-Key equal to the spec's.
func TestSpecIdempotentOperations(t *testing.T) {
	raw, err := os.ReadFile(specPath())
	if err != nil {
		t.Skipf("no spec: %v", err)
	}
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		t.Fatal(err)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for path, item := range m.Model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			for _, p := range op.Parameters {
				if p.In == "header" && strings.EqualFold(p.Name, "idempotency-key") {
					got[strings.ToUpper(method)+" "+path] = true
				}
			}
		}
	}
	if want := workosemu.SpecIdempotent(); !maps.Equal(got, want) {
		t.Fatalf("the spec documents Idempotency-Key on %v; the emulator lists %v",
			slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
}
