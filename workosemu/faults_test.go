package workosemu_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/workos/workos-go/v4/pkg/usermanagement"

	"github.com/mig-tools/mig/workosemu"
)

// The storm's Retry-After is the one asked for, 0 included, however long
// the storm still lasts; without it, the seconds left.
func TestStormRetryAfter(t *testing.T) {
	for _, c := range []struct{ set, want string }{{"0", "0"}, {"3600", "3600"}, {"", "20"}} {
		t.Run("set "+c.set, func(t *testing.T) {
			clock := newFakeClock()
			e := startEmu(t, workosemu.Options{StormFor: 20 * time.Second, StormRetryAfter: c.set, Now: clock.Now})
			res := e.do("POST", "/user_management/users", `{"email":"s@example.com"}`)
			res.want(t, 429, "rate_limit_exceeded")
			if got := res.Header.Get("Retry-After"); got != c.want {
				t.Fatalf("Retry-After = %q, want %q", got, c.want)
			}
			clock.Advance(20 * time.Second)
			e.do("POST", "/user_management/users", `{"email":"s@example.com"}`).want(t, 201)
			if f := e.Faults(); f.RateLimited != 1 {
				t.Fatalf("faults = %+v, want one 429", f)
			}
		})
	}
	for _, bad := range []string{"-1", "soon", "1.5"} {
		if _, err := workosemu.New(workosemu.Options{StormRetryAfter: bad}); err == nil {
			t.Errorf("storm Retry-After %q accepted", bad)
		}
	}
}

// A slow answer comes after the write: the client that gave up waiting
// finds the user created, once.
func TestSlowAnswerAfterTheWrite(t *testing.T) {
	s, err := workosemu.New(workosemu.Options{SlowRate: 1, SlowFor: time.Minute, RateLimits: workosemu.RateLimitsOff})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(func() { ts.Close(); s.Close() })
	um := usermanagement.NewClient(testKey)
	um.Endpoint = ts.URL
	um.HTTPClient = &http.Client{Timeout: 200 * time.Millisecond}
	_, err = um.CreateUser(context.Background(), usermanagement.CreateUserOpts{Email: "slow@example.com"})
	var ne interface{ Timeout() bool }
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("create = %v, want the client's timeout", err)
	}
	if got := s.Snapshot().UsersByEmail("slow@example.com"); len(got) != 1 {
		t.Fatalf("the write behind a slow answer should be applied once, got %d users", len(got))
	}
	if f := s.Faults(); f.Slow != 1 {
		t.Fatalf("faults = %+v, want one slow answer", f)
	}
	if _, err := workosemu.New(workosemu.Options{SlowRate: 2}); err == nil {
		t.Errorf("slow rate 2 accepted")
	}
}

// The keys of the first N API requests are refused afterwards, on the API
// and on the state dump; a new key works, and the state dump does not count.
func TestRevokeKeysAfter(t *testing.T) {
	e := startEmu(t, workosemu.Options{RevokeKeysAfter: 3})
	e.do("GET", "/_emulator/state?counts=1", nil).want(t, 200)
	for i := range 3 {
		e.do("POST", "/user_management/users", fmt.Sprintf(`{"email":"k%d@example.com"}`, i)).want(t, 201)
	}
	e.do("POST", "/user_management/users", `{"email":"k3@example.com"}`).want(t, 401)
	e.do("GET", "/_emulator/state?counts=1", nil).want(t, 401)
	const newKey = "sk_test_rolled"
	e.do("POST", "/user_management/users", `{"email":"k3@example.com"}`, "Authorization", "Bearer "+newKey).want(t, 201)
	e.do("GET", "/user_management/users", nil, "Authorization", "Bearer "+newKey).want(t, 200)
	if n := e.Snapshot().Counts.Users; n != 4 {
		t.Fatalf("users = %d, want 4", n)
	}
	if f := e.Faults(); f.Unauthorized != 2 {
		t.Fatalf("faults = %+v, want two 401s", f)
	}
}

// Every injected fault is counted, so that a run can report what it met.
func TestFaultCounts(t *testing.T) {
	e := startEmu(t, workosemu.Options{FaultRate: 1})
	for range 5 {
		e.do("GET", "/user_management/users", nil)
	}
	if f := e.Faults(); f.ServerErrors != 5 || f.Dropped+f.Slow+f.RateLimited+f.Unauthorized != 0 {
		t.Fatalf("faults = %+v, want 5 server errors only", f)
	}
}

// A fault after the write answers 5xx for a write that happened: the
// client cannot tell it from one that did not.
func TestFaultAfterTheWrite(t *testing.T) {
	e := startEmu(t, workosemu.Options{FaultAfterRate: 1})
	res := e.do("POST", "/organizations", `{"name":"Acme"}`)
	if res.Status != 500 && res.Status != 502 && res.Status != 504 {
		t.Fatalf("status = %d, want 500, 502 or 504", res.Status)
	}
	if n := e.Snapshot().Counts.Organizations; n != 1 {
		t.Fatalf("organizations = %d, want the write applied once", n)
	}
	if f := e.Faults(); f.ServerErrorsAfter != 1 || f.ServerErrors != 0 {
		t.Fatalf("faults = %+v, want one server error after the write", f)
	}
	if _, err := workosemu.New(workosemu.Options{FaultAfterRate: -0.1}); err == nil {
		t.Errorf("fault-after rate -0.1 accepted")
	}
}

// A write whose client gives up before it is applied is not applied: the
// emulator applies a request while its client waits, or never, which is
// what the importer counts on when it looks up a create it gave up on.
func TestWriteOfAClientGoneIsNotApplied(t *testing.T) {
	s, err := workosemu.New(workosemu.Options{Latency: 500 * time.Millisecond, RateLimits: workosemu.RateLimitsOff})
	if err != nil {
		t.Fatal(err)
	}
	handled := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.ServeHTTP(w, r)
		close(handled)
	}))
	t.Cleanup(func() { ts.Close(); s.Close() })
	um := usermanagement.NewClient(testKey)
	um.Endpoint = ts.URL
	um.HTTPClient = &http.Client{Timeout: 50 * time.Millisecond}
	if _, err := um.CreateUser(context.Background(), usermanagement.CreateUserOpts{Email: "gone@example.com"}); err == nil {
		t.Fatal("want the client's timeout")
	}
	<-handled
	if n := s.Snapshot().Counts.Users; n != 0 {
		t.Fatalf("users = %d: the write of a client that had gone was applied", n)
	}
}
