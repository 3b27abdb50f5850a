package importer_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/workosemu"
)

// The fault tests run one import against an emulator that misbehaves in
// one way, chosen at a request the test picks, and then check what
// `mig reconcile` would: every staged row done, once, as staged.

// faultUsers is how many users a fault test stages.
func faultUsers() int { return pick(150, 2000) }

// faultOpts is opts with eight workers, so that a fault meets several
// requests in flight.
func faultOpts(url string) importer.Options {
	o := opts(url)
	o.Concurrency = 8
	return o
}

// stormResult is what an import met in a storm.
type stormResult struct {
	sum      *importer.Summary
	err      error
	limited  int64 // 429s answered
	requests int64 // requests the storm met
	lasted   time.Duration
}

// runStorm starts a 429 storm with the given Retry-After at the 40th
// request of an import of s, lets it last hold, then ends it and lets the
// import finish. With interrupt it cancels the run at the end of hold
// instead, as Ctrl-C would, and ends the storm after. It returns the
// emulator, its URL and what the import met.
func runStorm(t *testing.T, s *stage, retryAfter string, hold time.Duration, interrupt bool) (*workosemu.Server, string, stormResult) {
	t.Helper()
	t0 := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	clk := &clock{t: t0}
	emu, g, url := gatedEmulator(t, workosemu.Options{Now: clk.Now, StormAfter: time.Hour, StormFor: time.Hour, StormRetryAfter: retryAfter})
	started := make(chan time.Time, 1)
	var atStart atomic.Int64
	g.set(func(n int64, w http.ResponseWriter, r *http.Request) bool {
		if n == 40 {
			clk.set(t0.Add(time.Hour))
			atStart.Store(n)
			started <- time.Now()
		}
		return true
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var res stormResult
	done := make(chan struct{})
	go func() {
		defer close(done)
		res.sum, res.err = importer.Run(ctx, s.db, faultOpts(url))
	}()
	var from time.Time
	select {
	case from = <-started:
	case <-done:
		t.Fatalf("the import ended before its 40th request: %v", res.err)
	}
	time.Sleep(hold)
	res.lasted = time.Since(from)
	res.limited = emu.Faults().RateLimited
	res.requests = g.n.Load() - atStart.Load() + 1
	if interrupt {
		cancel()
		<-done
		clk.set(t0.Add(2 * time.Hour))
		return emu, url, res
	}
	clk.set(t0.Add(2 * time.Hour))
	<-done
	return emu, url, res
}

// A storm whose 429s say Retry-After: 0 but go on refusing: the importer
// may try again at once, but must still space its tries (at least 50 ms
// per worker, the whole pool held back together) rather than hammer, and
// every row ends done once the storm is over. The bound on the 429s is a
// floor on the importer's own waits: a slower machine sends fewer.
func TestFault429StormRetryAfterZero(t *testing.T) {
	s := richStage(t, faultUsers())
	emu, _, r := runStorm(t, s, "0", pick(time.Second, 3*time.Second), false)
	if r.err != nil {
		t.Fatalf("import: %v", r.err)
	}
	workers := int64(faultOpts("").Concurrency)
	limit := workers * (int64(r.lasted/(50*time.Millisecond)) + 1)
	t.Logf("reliability: a %s 429 storm with Retry-After 0 got %d requests from %d workers (at most %d without hammering)", r.lasted.Round(time.Millisecond), r.limited, workers, limit)
	if r.limited == 0 || r.limited > limit {
		t.Errorf("%d requests answered 429 in %s; want 1 to %d", r.limited, r.lasted, limit)
	}
	assertClean(t, s.db, emu.Snapshot())
}

// A storm that asks for an hour: every worker stops at its first 429 and
// waits, so the storm sees at most one request per worker, however long
// it lasts. Ctrl-C during the wait stops the run at once, with no row
// failed, and the next run (the storm over) finishes the import once.
func TestFault429StormLongRetryAfter(t *testing.T) {
	s := richStage(t, faultUsers())
	emu, url, r := runStorm(t, s, "3600", pick(time.Second, 5*time.Second), true)
	if !errors.Is(r.err, context.Canceled) {
		t.Fatalf("interrupted import: %v, want context.Canceled", r.err)
	}
	workers := int64(faultOpts("").Concurrency)
	t.Logf("reliability: a %s 429 storm with Retry-After 3600 got %d requests from %d workers", r.lasted.Round(time.Millisecond), r.limited, workers)
	if r.limited == 0 || r.limited > workers || r.requests > workers {
		t.Errorf("the storm got %d requests (%d answered 429) from %d workers; want each worker to wait after its first 429", r.requests, r.limited, workers)
	}
	if st := runStatus(t, s.db); st != "interrupted" {
		t.Errorf("run status %q, want interrupted", st)
	}
	items := s.items()
	for k := range items {
		if strings.Contains(k, " failed") {
			t.Errorf("a row failed in the storm: %v", items)
		}
	}
	if _, err := importer.Run(context.Background(), s.db, faultOpts(url)); err != nil {
		t.Fatalf("import after the storm: %v", err)
	}
	assertClean(t, s.db, emu.Snapshot())
}

// Bursts of 5xx answered before WorkOS sees the request: short ones are
// retried through; a long one makes requests give up after their bound,
// and their rows fail as retryable; --retry-failed then finishes the
// import, with nothing created twice.
func TestFault5xxBursts(t *testing.T) {
	s := richStage(t, faultUsers())
	emu, g, url := gatedEmulator(t, workosemu.Options{})
	codes := []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}
	var burst atomic.Int64
	g.set(func(n int64, w http.ResponseWriter, r *http.Request) bool {
		// Every 150 requests a burst of 24 (three per worker), from the
		// 100th on; the 300th starts one of 200 that outlasts every
		// bound.
		if (n >= 100 && n%150 < 24) || (n >= 300 && n < 500) {
			burst.Add(1)
			w.WriteHeader(codes[n%3])
			return false
		}
		return true
	})
	_, err := importer.Run(context.Background(), s.db, faultOpts(url))
	var pe *importer.PartialError
	if !errors.As(err, &pe) || pe.Failed != pe.Retryable {
		t.Fatalf("import through the bursts: %v; want some rows failed, all retryable", err)
	}
	t.Logf("reliability: %d users, %d requests answered 5xx in bursts; %d rows failed, retryable, and were retried", faultUsers(), burst.Load(), pe.Failed)
	if diffs := reconcile(t, s.db, emu.Snapshot()); len(diffs) > 0 {
		t.Fatalf("after the bursts: %v", diffs)
	}
	o := faultOpts(url)
	o.RetryFailed = true
	if _, err := importer.Run(context.Background(), s.db, o); err != nil {
		t.Fatalf("import --retry-failed: %v", err)
	}
	assertClean(t, s.db, emu.Snapshot())
}

// A 5xx that comes after WorkOS applied the write (a gateway that gave up
// on a backend which committed): a create answered so may exist, so it is
// looked up, never simply sent again.
func TestFault5xxAfterTheWrite(t *testing.T) {
	s := richStage(t, faultUsers())
	emu, _, url := gatedEmulator(t, workosemu.Options{FaultAfterRate: 0.1, Seed: 3})
	if _, err := importer.Run(context.Background(), s.db, faultOpts(url)); err != nil {
		t.Fatalf("import: %v", err)
	}
	t.Logf("reliability: %d users, %d requests answered 5xx after the write", faultUsers(), emu.Faults().ServerErrorsAfter)
	if emu.Faults().ServerErrorsAfter == 0 {
		t.Fatal("no fault injected")
	}
	assertClean(t, s.db, emu.Snapshot())
}

// Answers slower than the client's timeout, after the write was applied:
// the client cannot know whether its create happened, so it looks it up.
// The importer's own timeout is 30 s; a client with a 250 ms one meets the
// same error sooner.
func TestFaultSlowerThanTheTimeout(t *testing.T) {
	s := richStage(t, faultUsers())
	emu, _, url := gatedEmulator(t, workosemu.Options{SlowRate: 0.05, SlowFor: time.Minute, Seed: 5})
	o := faultOpts(url)
	o.HTTPClient = &http.Client{Transport: &http.Transport{ResponseHeaderTimeout: 250 * time.Millisecond}}
	sum, err := importer.Run(context.Background(), s.db, o)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	t.Logf("reliability: %d users, %d answers slower than the timeout", faultUsers(), emu.Faults().Slow)
	if emu.Faults().Slow == 0 || sum.Requests.NetError == 0 {
		t.Fatal("no answer was slower than the timeout")
	}
	assertClean(t, s.db, emu.Snapshot())
}

// Connections dropped after the write was applied, one request in five.
func TestFaultDroppedAfterTheWrite(t *testing.T) {
	s := richStage(t, faultUsers())
	emu, _, url := gatedEmulator(t, workosemu.Options{DropRate: 0.2, Seed: 9})
	if _, err := importer.Run(context.Background(), s.db, faultOpts(url)); err != nil {
		t.Fatalf("import: %v", err)
	}
	t.Logf("reliability: %d users, %d connections dropped after the write", faultUsers(), emu.Faults().Dropped)
	if emu.Faults().Dropped == 0 {
		t.Fatal("no connection dropped")
	}
	assertClean(t, s.db, emu.Snapshot())
}

// The key is revoked in the middle of a run: the run stops with the
// AuthError, marks no row failed, leaves the rows it did not
// send pending, and the next run with the new key finishes the import
// without creating anything twice.
func TestFault401MidRun(t *testing.T) {
	n := faultUsers()
	s := richStage(t, n)
	emu, _, url := gatedEmulator(t, workosemu.Options{RevokeKeysAfter: n})
	_, err := importer.Run(context.Background(), s.db, faultOpts(url))
	var ae *importer.AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("import with a key revoked mid-run: %v, want an AuthError (exit code 4: TestImport401MidRun in cmd/mig)", err)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Errorf("the error names the key: %v", err)
	}
	if st := runStatus(t, s.db); st != "failed" {
		t.Errorf("run status %q, want failed", st)
	}
	items := s.items()
	pending := 0
	for k, c := range items {
		if strings.Contains(k, " failed") {
			t.Errorf("a row was marked failed for the 401: %v", items)
		}
		if strings.Contains(k, " pending") {
			pending += c
		}
	}
	if pending == 0 {
		t.Errorf("no row left pending: %v", items)
	}
	t.Logf("reliability: %d users, key revoked after %d requests; rows then: %v", n, n, items)
	if diffs := reconcile(t, s.db, emu.Snapshot()); len(diffs) > 0 {
		t.Fatalf("after the 401: %v", diffs)
	}
	o := faultOpts(url)
	o.APIKey = "sk_test_rolled"
	if _, err := importer.Run(context.Background(), s.db, o); err != nil {
		t.Fatalf("import with the new key: %v", err)
	}
	assertClean(t, s.db, emu.Snapshot())
}
