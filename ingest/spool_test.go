package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/mig-tools/mig/ingest/ingesttest"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/staging"
)

// fakeAPI is an API source in pages, as Auth0's and Cognito's fetchers see
// theirs: the organization and connections first, handed over again by
// every try (as Cognito's fetcher does on resume), then users page by page.
type fakeAPI struct {
	pages, perPage int
	fetched        []int // pages fetched, over every try
}

var errKilled = errors.New("killed")

// fetch hands the tenant to sp from where its cursor says, checkpointing
// after every page, and stops with errKilled after handing over stopAfter
// users of the page after page stopPage (stopPage < 0: never).
func (f *fakeAPI) fetch(ctx context.Context, sp *ingest.Spool, stopPage, stopAfter int) error {
	if err := sp.AddOrganization(ctx, "fake:/orgs", ingest.Organization{Row: 1, ExternalID: "org_a", Name: "Org A"}); err != nil {
		return err
	}
	if err := sp.AddSSOConnection(ctx, "fake:/connections", oidcConn); err != nil {
		return err
	}
	next := 0
	if c, ok := sp.Cursor("users"); ok {
		n, err := strconv.Atoi(c)
		if err != nil {
			return err
		}
		next = n
	}
	for p := next; p < f.pages; p++ {
		f.fetched = append(f.fetched, p)
		for i := range f.perPage {
			if stopPage >= 0 && p == stopPage+1 && i == stopAfter {
				return errKilled
			}
			n := p*f.perPage + i
			id := fmt.Sprintf("u%06d", n)
			if err := sp.AddUser(ctx, "fake:/users", &ingest.User{SourceID: id, Row: n + 1, EmailRaw: id + "@example.com", ExternalID: id,
				Metadata: map[string]string{"page": strconv.Itoa(p)}, Raw: map[string]any{"id": id, "logins": n}}); err != nil {
				return err
			}
			if err := sp.AddOrgMappingRow(ctx, "fake:/users", ingest.OrgMappingRow{Row: n + 1, SourceUserID: id, OrgExternalID: "org_a"}); err != nil {
				return err
			}
		}
		if err := sp.Checkpoint(ctx, "users", strconv.Itoa(p+1)); err != nil {
			return err
		}
	}
	return sp.Done(ctx)
}

func apiSpec(pages int) ingest.Spec {
	return ingest.Spec{Source: ingest.Source{Provider: "fakeapi", Tenant: "t"}, Options: map[string]any{"pages": pages}}
}

// ingestAPI opens the spool, fetches (stopping as told), and ingests what
// the spool holds when the fetch completes.
func ingestAPI(t *testing.T, db *staging.DB, f *fakeAPI, s ingest.Spec, stopPage, stopAfter int) error {
	t.Helper()
	ctx := context.Background()
	sp, err := ingest.OpenSpool(ctx, db, s)
	if err != nil {
		t.Fatal(err)
	}
	if !sp.Fetched() {
		if err := f.fetch(ctx, sp, stopPage, stopAfter); err != nil {
			return err
		}
	}
	s.Spool = sp
	_, err = ingest.Ingest(ctx, db, s)
	return err
}

// staged is the staged users and memberships, without the run ids.
func staged(t *testing.T, db *staging.DB) string {
	t.Helper()
	return get[string](t, db, `SELECT group_concat(x, '|') FROM (
		SELECT u.source_id || ',' || u.row_number || ',' || u.email || ',' || u.metadata || ',' || u.raw || ',' || u.content_hash || ',' ||
		       (SELECT group_concat(o.org_key) FROM memberships m JOIN organizations o ON o.id = m.organization_id WHERE m.user_id = u.id) AS x
		FROM users u ORDER BY u.source_id)`)
}

// An ingest killed after page k and started again fetches from page k+1
// on, and stages exactly what an uninterrupted ingest stages: every user
// once, no page fetched twice, the records handed over again by the second
// try (an organization, a connection) kept once. The spool is gone when the
// run commits.
func TestSpoolResumesAfterTheLastSavedPage(t *testing.T) {
	const pages, perPage = 6, 2500 // a page is more than the spool holds in memory
	whole := ingesttest.OpenDB(t)
	f := &fakeAPI{pages: pages, perPage: perPage}
	if err := ingestAPI(t, whole, f, apiSpec(pages), -1, 0); err != nil {
		t.Fatal(err)
	}
	want := staged(t, whole)

	db := ingesttest.OpenDB(t)
	f = &fakeAPI{pages: pages, perPage: perPage}
	// Killed in page 3 (0-based), after pages 0-2 were saved and after
	// 2,200 users of page 3 were written to the spool unsaved.
	if err := ingestAPI(t, db, f, apiSpec(pages), 2, 2200); !errors.Is(err, errKilled) {
		t.Fatalf("first try: %v", err)
	}
	if n := get[int](t, db, `SELECT count(*) FROM users`); n != 0 {
		t.Fatalf("%d users staged by an interrupted fetch", n)
	}
	if n := get[int](t, db, `SELECT count(*) FROM ingest_spool_records WHERE kind = 'user'`); n <= 3*perPage {
		t.Fatalf("%d users in the spool; want the 3 saved pages and some of the fourth", n)
	}
	// Started again, the spool drops what no checkpoint saved: it will be
	// fetched again, and may have changed meanwhile.
	if _, err := ingest.OpenSpool(context.Background(), db, apiSpec(pages)); err != nil {
		t.Fatal(err)
	}
	if n := get[int](t, db, `SELECT count(*) FROM ingest_spool_records WHERE kind = 'user'`); n != 3*perPage {
		t.Fatalf("%d users in the spool after it was opened again; want the 3 saved pages", n)
	}
	if err := ingestAPI(t, db, f, apiSpec(pages), -1, 0); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(f.fetched) != "[0 1 2 3 3 4 5]" {
		t.Errorf("pages fetched = %v; want 0-3, then 3-5 again", f.fetched)
	}
	if got := staged(t, db); got != want {
		t.Errorf("staged after a resume differs from an uninterrupted ingest")
	}
	if n := get[int](t, db, `SELECT count(*) - count(DISTINCT source_id) FROM users`) +
		get[int](t, db, `SELECT count(*) FROM skipped_users`); n != 0 {
		t.Errorf("%d duplicate users", n)
	}
	if n := get[int](t, db, `SELECT count(*) FROM users`); n != pages*perPage {
		t.Errorf("%d users; want %d", n, pages*perPage)
	}
	for _, tb := range []string{"ingest_spools", "ingest_spool_cursors", "ingest_spool_records"} {
		if n := get[int](t, db, `SELECT count(*) FROM `+tb); n != 0 {
			t.Errorf("%d rows left in %s", n, tb)
		}
	}
}

// A spool keeps a record handed over twice once, and keeps no SSO secret
// unless the ingest asked for secrets.
func TestSpoolRecordsOnceWithoutSecrets(t *testing.T) {
	ctx := context.Background()
	for _, include := range []bool{false, true} {
		db := ingesttest.OpenDB(t)
		s := apiSpec(1)
		s.IncludeSecrets = include
		f := &fakeAPI{pages: 2, perPage: 10}
		if err := ingestAPI(t, db, f, s, 0, 5); !errors.Is(err, errKilled) {
			t.Fatal(err)
		}
		sp, err := ingest.OpenSpool(ctx, db, s)
		if err != nil {
			t.Fatal(err)
		}
		if !sp.Resumed() || sp.Fetched() {
			t.Fatalf("resumed %v, fetched %v", sp.Resumed(), sp.Fetched())
		}
		if err := f.fetch(ctx, sp, -1, 0); err != nil {
			t.Fatal(err)
		}
		if n := get[int](t, db, `SELECT count(*) FROM ingest_spool_records WHERE kind IN ('organization', 'sso_connection')`); n != 2 {
			t.Errorf("%d organizations and connections in the spool; want 2", n)
		}
		secret := get[int](t, db, `SELECT count(*) FROM ingest_spool_records WHERE instr(record, 's3cret') > 0`)
		if (secret > 0) != include {
			t.Errorf("secrets asked for %v: %d spooled records hold the secret", include, secret)
		}
		s.Spool = sp
		if _, err := ingest.Ingest(ctx, db, s); err != nil {
			t.Fatal(err)
		}
		want := "none/1"
		if include {
			want = `{"clientSecret":"s3cret"}/0`
		}
		if got := get[string](t, db, `SELECT coalesce(secrets, 'none') || '/' || (SELECT count(*) FROM warnings WHERE code = 'sso_secret_redacted') FROM sso_connections`); got != want {
			t.Errorf("secrets asked for %v: staged %s, want %s", include, got, want)
		}
	}
}

// A fetch with other arguments does not continue another's spool: it
// starts from the beginning. A fetch that completed and whose ingest
// failed is not fetched again.
func TestSpoolArgumentsAndCompletedFetch(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	f := &fakeAPI{pages: 3, perPage: 10}
	if err := ingestAPI(t, db, f, apiSpec(3), 0, 5); !errors.Is(err, errKilled) {
		t.Fatal(err)
	}
	other := apiSpec(3)
	other.Options["connection"] = "con_2"
	sp, err := ingest.OpenSpool(ctx, db, other)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := sp.Cursor("users"); ok || sp.Resumed() {
		t.Fatal("a fetch with other arguments continues the spool")
	}
	if err := f.fetch(ctx, sp, -1, 0); err != nil {
		t.Fatal(err)
	}
	// The ingest fails (a role defined twice); the fetch stays done.
	other.Spool = sp
	other.Decode = func(ctx context.Context, _ ingest.Inputs, sink ingest.DefinitionSink) error {
		sink.AddRoleDefinition(ctx, "r", ingest.RoleDefinition{Row: 1, Slug: "a"})
		return sink.AddRoleDefinition(ctx, "r", ingest.RoleDefinition{Row: 2, Slug: "a"})
	}
	if _, err := ingest.Ingest(ctx, db, other); err == nil {
		t.Fatal("the ingest did not fail")
	}
	again, err := ingest.OpenSpool(ctx, db, other)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Fetched() {
		t.Fatal("a completed fetch is to be fetched again")
	}
	other.Spool, other.Decode = again, nil
	c, err := ingest.Ingest(ctx, db, other)
	if err != nil || c.New != 30 {
		t.Fatalf("ingest of the completed fetch: %+v, %v", c, err)
	}
}

// A first ingest into a new database that is interrupted during its fetch
// keeps the database, since it holds the saved pages.
func TestDiscardKeepsASpool(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.db")
	db, err := staging.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ingest.OpenSpool(ctx, db, apiSpec(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.Checkpoint(ctx, "users", "1"); err != nil {
		t.Fatal(err)
	}
	if err := db.Discard(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database with a spool was removed: %v", err)
	}
}
