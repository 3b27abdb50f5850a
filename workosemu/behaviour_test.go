package workosemu_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mig-tools/mig/workosemu"
	"github.com/workos/workos-go/v4/pkg/mfa"
	"github.com/workos/workos-go/v4/pkg/organizations"
	"github.com/workos/workos-go/v4/pkg/usermanagement"
)

// fakeClock is a clock tests step by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestRateLimits(t *testing.T) {
	clock := newFakeClock()
	e := startEmu(t, workosemu.Options{
		RateLimits: workosemu.RateLimitsProduction,
		Limits:     workosemu.Limits{UserManagementWrites: 3, UserManagementReads: 4, PerKey: 6, PerKeyWindow: time.Minute},
		Now:        clock.Now,
	})
	create := func(i int) response {
		return e.do("POST", "/user_management/users", fmt.Sprintf(`{"email":"rl%d@example.com"}`, i))
	}
	for i := range 3 {
		create(i).want(t, 201)
	}
	// The fourth write in the same 10 s window is refused, and costs no
	// budget: the window frees 10 s after the first write.
	res := create(3)
	res.want(t, 429, `"code":"rate_limit_exceeded"`, `"message":"Rate limit exceeded`)
	if got := res.Header.Get("Retry-After"); got != "10" {
		t.Fatalf("Retry-After = %q, want 10", got)
	}
	clock.Advance(9500 * time.Millisecond)
	res = create(3)
	res.want(t, 429)
	if got := res.Header.Get("Retry-After"); got != "0" {
		t.Fatalf("Retry-After half a second before the window frees = %q, want 0", got)
	}
	// Reads have their own budget.
	e.do("GET", "/user_management/users", nil).want(t, 200)
	clock.Advance(500 * time.Millisecond)
	create(3).want(t, 201)
	// The key has now made 5 counted requests within the minute; one more
	// fits, then the per-key budget refuses even non-user-management paths.
	e.do("GET", "/organizations", nil).want(t, 200)
	res = e.do("GET", "/organizations", nil)
	res.want(t, 429)
	if got := res.Header.Get("Retry-After"); got != "50" {
		t.Fatalf("per-key Retry-After = %q, want 50", got)
	}
	// Another key of the same environment has its own per-key budget but
	// shares the environment's write budget.
	other := func(method, path, body string) response {
		var b any
		if body != "" {
			b = body
		}
		return e.do(method, path, b, "Authorization", "Bearer sk_test_other")
	}
	other("GET", "/organizations", "").want(t, 200)
	clock.Advance(10 * time.Second)
	for i := range 3 {
		other("POST", "/user_management/users", fmt.Sprintf(`{"email":"o%d@example.com"}`, i)).want(t, 201)
	}
	other("POST", "/user_management/users", `{"email":"o9@example.com"}`).want(t, 429)
}

func TestRateLimitsOffAndStorm(t *testing.T) {
	clock := newFakeClock()
	e := startEmu(t, workosemu.Options{RateLimits: workosemu.RateLimitsOff, StormAfter: time.Minute, StormFor: 30 * time.Second, Now: clock.Now})
	for i := range 600 {
		e.do("POST", "/user_management/users", fmt.Sprintf(`{"email":"s%d@example.com"}`, i)).want(t, 201)
	}
	clock.Advance(time.Minute + 10*time.Second)
	res := e.do("GET", "/user_management/users", nil)
	res.want(t, 429, "rate_limit_exceeded")
	if got := res.Header.Get("Retry-After"); got != "20" {
		t.Fatalf("storm Retry-After = %q, want 20", got)
	}
	clock.Advance(20 * time.Second)
	e.do("GET", "/user_management/users", nil).want(t, 200)
}

// TestIdempotencyKey is --idempotency all: every POST's key is replayed.
func TestIdempotencyKey(t *testing.T) {
	e := startEmu(t, workosemu.Options{Idempotency: workosemu.IdempotencyAll})
	body := `{"email":"idem@example.com"}`
	first := e.do("POST", "/user_management/users", body, "Idempotency-Key", "k1")
	first.want(t, 201)
	again := e.do("POST", "/user_management/users", body, "Idempotency-Key", "k1")
	again.want(t, 201)
	if string(again.Body) != string(first.Body) {
		t.Fatalf("replay body differs:\n%s\n%s", first.Body, again.Body)
	}
	e.do("POST", "/user_management/users", `{"email":"other@example.com"}`, "Idempotency-Key", "k1").want(t, 409, `"message"`)
	// An empty key is no key: the second create is a real duplicate.
	e.do("POST", "/user_management/users", `{"email":"empty@example.com"}`, "Idempotency-Key", "").want(t, 201)
	e.do("POST", "/user_management/users", `{"email":"empty@example.com"}`, "Idempotency-Key", "").want(t, 400, "email_not_available")
	// Errors are replayed too, so a retry sees the same answer.
	e.do("POST", "/user_management/users", `{"email":"idem@example.com"}`, "Idempotency-Key", "k2").want(t, 400, "email_not_available")
	e.do("POST", "/user_management/users", `{"email":"idem@example.com"}`, "Idempotency-Key", "k2").want(t, 400, "email_not_available")

	// Fifty concurrent retries with one key create one organization.
	oc := e.orgs()
	var wg sync.WaitGroup
	ids := make([]string, 50)
	errs := make([]error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := oc.CreateOrganization(context.Background(), organizations.CreateOrganizationOpts{Name: "Once", IdempotencyKey: "org-once"})
			ids[i], errs[i] = o.ID, err
		}()
	}
	wg.Wait()
	for i := range 50 {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("concurrent create %d = %s, %v; want %s", i, ids[i], errs[i], ids[0])
		}
	}
	if n := e.Snapshot().Counts.Organizations; n != 1 {
		t.Fatalf("organizations = %d, want 1", n)
	}
}

func TestFaults(t *testing.T) {
	t.Run("all requests fail", func(t *testing.T) {
		e := startEmu(t, workosemu.Options{FaultRate: 1, Seed: 7})
		for range 10 {
			res := e.do("POST", "/user_management/users", `{"email":"f@example.com"}`)
			if res.Status != 500 && res.Status != 502 && res.Status != 503 {
				t.Fatalf("status = %d, want a 5xx", res.Status)
			}
		}
		if n := e.Snapshot().Counts.Users; n != 0 {
			t.Fatalf("a faulted request changed state: %d users", n)
		}
	})
	t.Run("seed makes faults reproducible", func(t *testing.T) {
		run := func() string {
			e := startEmu(t, workosemu.Options{FaultRate: 0.3, Seed: 42})
			var b strings.Builder
			for i := range 40 {
				fmt.Fprintf(&b, "%d ", e.do("GET", "/user_management/users", nil).Status)
				_ = i
			}
			return b.String()
		}
		a, b := run(), run()
		if a != b {
			t.Fatalf("same seed, different faults:\n%s\n%s", a, b)
		}
		if !strings.Contains(a, "200") || !strings.Contains(a, "50") {
			t.Fatalf("fault rate 0.3 gave %s", a)
		}
	})
	t.Run("latency", func(t *testing.T) {
		e := startEmu(t, workosemu.Options{Latency: 40 * time.Millisecond, Jitter: 10 * time.Millisecond})
		start := time.Now()
		e.do("GET", "/user_management/users", nil).want(t, 200)
		if d := time.Since(start); d < 40*time.Millisecond {
			t.Fatalf("request took %v, want at least 40ms", d)
		}
	})
	t.Run("dropped connection after the write", func(t *testing.T) {
		s, err := workosemu.New(workosemu.Options{DropRate: 1, RateLimits: workosemu.RateLimitsOff})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(s) // not wrapped: the drop needs the real connection
		t.Cleanup(func() { ts.Close(); s.Close() })
		um := usermanagement.NewClient(testKey)
		um.Endpoint = ts.URL
		if _, err := um.CreateUser(context.Background(), usermanagement.CreateUserOpts{Email: "lost@example.com"}); err == nil {
			t.Fatalf("want a transport error from a dropped connection")
		}
		if got := s.Snapshot().UsersByEmail("LOST@example.com"); len(got) != 1 {
			t.Fatalf("the write behind a dropped response should be applied once, got %d users", len(got))
		}
	})
}

func TestStatePersistsAcrossRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "emu.db")
	s1, err := workosemu.New(workosemu.Options{StatePath: path, RateLimits: workosemu.RateLimitsOff})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(contractCheck(t, s1))
	um := usermanagement.NewClient(testKey)
	um.Endpoint = ts.URL
	oc := &organizations.Client{APIKey: testKey, Endpoint: ts.URL}
	u, err := um.CreateUser(ctx, usermanagement.CreateUserOpts{Email: "keep@example.com", ExternalID: "k1",
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", PasswordHashType: "argon2"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := oc.CreateOrganization(ctx, organizations.CreateOrganizationOpts{Name: "Keep", ExternalID: "o1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := um.CreateOrganizationMembership(ctx, usermanagement.CreateOrganizationMembershipOpts{UserID: u.ID, OrganizationID: o.ID, RoleSlug: "admin"}); err != nil {
		t.Fatal(err)
	}
	if _, err := um.EnrollAuthFactor(ctx, usermanagement.EnrollAuthFactorOpts{User: u.ID, Type: mfa.TOTP}); err != nil {
		t.Fatal(err)
	}
	gone, err := um.CreateUser(ctx, usermanagement.CreateUserOpts{Email: "gone@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if err := um.DeleteUser(ctx, usermanagement.DeleteUserOpts{User: gone.ID}); err != nil {
		t.Fatal(err)
	}
	before := s1.Snapshot()
	ts.Close()
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	s2, err := workosemu.New(workosemu.Options{StatePath: path, RateLimits: workosemu.RateLimitsOff})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { s2.Close() })
	after := s2.Snapshot()
	if !reflect.DeepEqual(normalise(before), normalise(after)) {
		t.Fatalf("state changed across restart:\nbefore %+v\nafter  %+v", before, after)
	}
	ts2 := httptest.NewServer(contractCheck(t, s2))
	t.Cleanup(ts2.Close)
	um.Endpoint = ts2.URL
	_, err = um.CreateUser(ctx, usermanagement.CreateUserOpts{Email: "KEEP@example.com"})
	wantHTTPErr(t, err, 400, "user_creation_error", "email_not_available")
	n, err := um.CreateUser(ctx, usermanagement.CreateUserOpts{Email: "new@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if n.ID <= u.ID {
		t.Fatalf("new ID %s does not sort after %s", n.ID, u.ID)
	}
}

// normalise drops monotonic clock readings so DeepEqual compares instants.
func normalise(s workosemu.State) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestConcurrentCreatesAreUnique(t *testing.T) {
	e := startEmu(t, workosemu.Options{})
	um := e.users()
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Every email twice: exactly one of each pair may win.
			_, err := um.CreateUser(context.Background(), usermanagement.CreateUserOpts{Email: fmt.Sprintf("c%d@example.com", i/2)})
			if err == nil {
				mu.Lock()
				created++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if created != 50 || e.Snapshot().Counts.Users != 50 {
		t.Fatalf("created %d, stored %d; want 50", created, e.Snapshot().Counts.Users)
	}
}

// A handler called in-process with a request that has no body must answer,
// not crash.
func TestNilBody(t *testing.T) {
	srv, err := workosemu.New(workosemu.Options{RateLimits: workosemu.RateLimitsOff})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	req := httptest.NewRequest(http.MethodGet, "/user_management/users", nil)
	req.Body = nil
	req.Header.Set("Authorization", "Bearer sk_test_x")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, body %s", rec.Code, rec.Body)
	}
}
