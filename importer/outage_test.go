package importer_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/workosemu"
)

// TestDeadEndpointBeforeTheFirstWrite: an endpoint nothing listens on is
// found out before anything is written: a clear error naming the URL,
// no import row marked, no run recorded.
func TestDeadEndpointBeforeTheFirstWrite(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	s, _ := bigStage(t, 20)
	_, err = importer.Run(context.Background(), s.db, opts(url))
	var ue *importer.UnreachableError
	if !errors.As(err, &ue) || ue.Stopped {
		t.Fatalf("err = %v, want an UnreachableError before the run", err)
	}
	if !strings.Contains(err.Error(), "cannot reach "+url) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("message %q", err)
	}
	var items, runs int
	s.db.Get(&items, `SELECT count(*) FROM import_items`)
	s.db.Get(&runs, `SELECT count(*) FROM import_runs`)
	if items != 0 || runs != 0 {
		t.Fatalf("%d import items and %d runs recorded", items, runs)
	}
}

// TestEndpointDiesMidRun closes the server in the middle of the users:
// the run stops with a clear error instead of failing rows one by one,
// the rows it did not send are still pending, and starting it again
// (here against the same WorkOS behind a new address) finishes the import
// with every object created once.
func TestEndpointDiesMidRun(t *testing.T) {
	ctx := context.Background()
	emu, err := workosemu.New(workosemu.Options{RateLimits: workosemu.RateLimitsOff, AllowMultipleRoles: true, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	var creates atomic.Int64
	var ts *httptest.Server
	var closing sync.Once
	ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		emu.ServeHTTP(w, r)
		if r.Method == http.MethodPost && r.URL.Path == "/user_management/users" && creates.Add(1) == 60 {
			closing.Do(func() { go ts.Close() })
		}
	}))
	defer ts.Close()
	s, members := bigStage(t, 200)
	o := opts(ts.URL)
	o.Concurrency = 8
	_, err = importer.Run(ctx, s.db, o)
	var ue *importer.UnreachableError
	if !errors.As(err, &ue) || !ue.Stopped || !strings.Contains(err.Error(), "stopped answering") {
		t.Fatalf("err = %v, want the run stopped for an unreachable endpoint", err)
	}
	items := s.items()
	t.Logf("after the stop: %v", items)
	for k := range items {
		if strings.Contains(k, "failed") {
			t.Errorf("rows marked failed by the outage: %v", items)
		}
	}
	if items["user pending"] == 0 || items["user in_flight"] > o.Concurrency {
		t.Errorf("users not sent must stay pending, at most one in flight per worker: %v", items)
	}
	if done, made := items["user done created"], emu.Snapshot().Counts.Users; made < done || made > done+items["user in_flight"] {
		t.Errorf("WorkOS holds %d users for %d rows done", made, done)
	}
	var status string
	s.db.Get(&status, `SELECT status FROM import_runs ORDER BY id DESC LIMIT 1`)
	if status != "stopped" {
		t.Errorf("run status %q", status)
	}

	// Started again, against the same WorkOS.
	url := serve(t, emu)
	if _, err := importer.Run(ctx, s.db, opts(url)); err != nil {
		t.Fatalf("second run: %v", err)
	}
	checkExactlyOnce(t, s, emu.Snapshot(), 200, members)
}

// TestBusyEndpointIsNotRefused: a server that answers its first reads with
// 503 is reachable; the check before the first write lets the run start,
// and the run's own retries take it through. Before, three 503s to the
// check read stopped the import (the crash test met it at a 5% fault rate).
func TestBusyEndpointIsNotRefused(t *testing.T) {
	emu, err := workosemu.New(workosemu.Options{RateLimits: workosemu.RateLimitsOff, AllowMultipleRoles: true, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	var reads atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && reads.Add(1) <= 3 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"message":"Service Unavailable"}`))
			return
		}
		emu.ServeHTTP(w, r)
	}))
	defer ts.Close()
	s, members := bigStage(t, 20)
	if _, err := importer.Run(context.Background(), s.db, opts(ts.URL)); err != nil {
		t.Fatalf("run against a server whose first reads answer 503: %v", err)
	}
	checkExactlyOnce(t, s, emu.Snapshot(), 20, members)
}
