package importer_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/workos/workos-go/v4/pkg/usermanagement"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/staging"
	"github.com/mig-tools/mig/workosemu"
)

// noReplay strips Idempotency-Key from every request, as a server that
// does not replay it (production outside audit-log events, workos/emulate)
// would ignore it.
type noReplay struct{ h http.Handler }

func (n noReplay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Header.Del("Idempotency-Key")
	n.h.ServeHTTP(w, r)
}

// serve serves h on 127.0.0.1 for the test.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}

// copyDB copies the staging database as it is now, import_items and all.
func copyDB(t *testing.T, s *stage) *staging.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "copy.db")
	s.exec(`VACUUM INTO ?`, path)
	db, err := staging.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestReimportFromFreshCopyAddsNoSecondFactor imports, then imports a
// fresh copy of the staging database (no import state) into the same
// WorkOS: every user is found there, and none gets a second TOTP factor.
// The users mig found rather than created are counted as adopted.
func TestReimportFromFreshCopyAddsNoSecondFactor(t *testing.T) {
	ctx := context.Background()
	emu, err := workosemu.New(workosemu.Options{RateLimits: workosemu.RateLimitsOff, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	url := serve(t, noReplay{emu})
	s := newStage(t)
	o := s.org("name", "", "", "One")
	const n = 10
	for i := range n {
		ext := ""
		if i%2 == 0 {
			ext = fmt.Sprintf("ext-%d", i)
		}
		u := s.user(userSpec{email: fmt.Sprintf("u%d@example.com", i), externalID: ext})
		s.member(u, o)
		s.totp(u, "JBSWY3DPEHPK3PXP")
	}
	fresh := copyDB(t, s)
	if _, err := importer.Run(ctx, s.db, opts(url)); err != nil {
		t.Fatal(err)
	}
	sum, err := importer.Run(ctx, fresh, opts(url))
	if err != nil {
		t.Fatalf("import of the fresh copy: %v", err)
	}
	st := emu.Snapshot()
	perUser := map[string]int{}
	for _, f := range st.Factors {
		perUser[f.UserID]++
	}
	for u, k := range perUser {
		if k != 1 {
			t.Errorf("user %s has %d factors", u, k)
		}
	}
	if st.Counts.Users != n || st.Counts.Factors != n || st.Counts.Memberships != n {
		t.Errorf("WorkOS holds %+v, want %d users, factors and memberships", st.Counts, n)
	}
	if c := sum.Entities["users"]; c.Adopted != n || c.Succeeded != 0 {
		t.Errorf("second run users %+v, want all %d adopted", c, n)
	}
	if c := sum.Entities["totp"]; c.Adopted != n || c.Succeeded != 0 {
		t.Errorf("second run totp %+v, want all %d adopted", c, n)
	}
}

// TestRefoundUserIsAdopted: a user WorkOS has with this row's external_id
// (an earlier try went through, its answer was lost) is found after the
// 409 and counted as adopted, not as created by this run.
func TestRefoundUserIsAdopted(t *testing.T) {
	ctx := context.Background()
	_, url := emulator(t, workosemu.Options{})
	um := usermanagement.NewClient(testKey)
	um.Endpoint = url
	if _, err := um.CreateUser(ctx, usermanagement.CreateUserOpts{Email: "a@example.com", ExternalID: "ext-a"}); err != nil {
		t.Fatal(err)
	}
	s := newStage(t)
	s.user(userSpec{email: "a@example.com", externalID: "ext-a"})
	s.user(userSpec{email: "b@example.com", externalID: "ext-b"})
	sum, err := importer.Run(ctx, s.db, opts(url))
	if err != nil {
		t.Fatal(err)
	}
	wantItems(t, s, map[string]int{"user done adopted": 1, "user done created": 1})
	if c := sum.Entities["users"]; c.Succeeded != 1 || c.Adopted != 1 || c.Total != 2 {
		t.Errorf("summary users %+v, want 1 succeeded and 1 adopted", c)
	}
}

// enrolNoID answers every factor enrolment 201 with a body that has no
// factor id.
type enrolNoID struct{ h http.Handler }

func (e enrolNoID) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/auth_factors") {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"status":"queued"}`)
		return
	}
	e.h.ServeHTTP(w, r)
}

// TestEnrolmentWithoutFactorIDFails: a TOTP row is done only when the
// answer carries the factor's id; otherwise it fails with the answer's text.
func TestEnrolmentWithoutFactorIDFails(t *testing.T) {
	ctx := context.Background()
	emu, err := workosemu.New(workosemu.Options{RateLimits: workosemu.RateLimitsOff, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	url := serve(t, enrolNoID{emu})
	s := newStage(t)
	s.totp(s.user(userSpec{email: "a@example.com"}), "JBSWY3DPEHPK3PXP")
	if _, err := importer.Run(ctx, s.db, opts(url)); err == nil {
		t.Fatal("want a partial import")
	}
	wantItems(t, s, map[string]int{"user done created": 1, "totp failed invalid_answer": 1})
	var msg string
	s.db.Get(&msg, `SELECT message FROM import_items WHERE entity = 'totp'`)
	if !strings.Contains(msg, `{"status":"queued"}`) {
		t.Fatalf("message %q lacks the answer's text", msg)
	}
}
