package workosemu_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mig-tools/mig/workosemu"
)

// TestRateLimitLoad hammers the emulator on loopback for 30 s with
// production limits and the real clock, and checks that it admits its
// budget, no more and no less than 2% off, answering the rest 429 with an
// integer Retry-After. It takes 30 s, so it runs only with
// WORKOS_EMU_LOAD=1 and never under -short:
//
//	WORKOS_EMU_LOAD=1 go test -run TestRateLimitLoad -v ./workosemu/
func TestRateLimitLoad(t *testing.T) {
	if testing.Short() || os.Getenv("WORKOS_EMU_LOAD") == "" {
		t.Skip("30 s load test; run with WORKOS_EMU_LOAD=1")
	}
	dur := 30 * time.Second
	if s := os.Getenv("WORKOS_EMU_LOAD_SECONDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 10 || n%10 != 0 {
			t.Fatalf("WORKOS_EMU_LOAD_SECONDS=%q: want a multiple of 10", s)
		}
		dur = time.Duration(n) * time.Second
	}
	s, err := workosemu.New(workosemu.Options{RateLimits: workosemu.RateLimitsProduction})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s) // raw: the spec check would be the bottleneck
	defer ts.Close()
	defer s.Close()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second}
	type tally struct {
		ok, limited, other atomic.Int64
		retryMu            sync.Mutex
		retry              map[string]int
	}
	writes, reads := &tally{retry: map[string]int{}}, &tally{retry: map[string]int{}}
	var seq atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	worker := func(tl *tally, method string) {
		for ctx.Err() == nil {
			var body io.Reader
			path := "/user_management/users?limit=1"
			if method == http.MethodPost {
				path = "/user_management/users"
				body = strings.NewReader(fmt.Sprintf(`{"email":"load%d@example.com"}`, seq.Add(1)))
			}
			req, _ := http.NewRequestWithContext(ctx, method, ts.URL+path, body)
			req.Header.Set("Authorization", "Bearer "+testKey)
			res, err := client.Do(req)
			if err != nil {
				continue // the deadline cut the request short
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			switch {
			case res.StatusCode < 300:
				tl.ok.Add(1)
			case res.StatusCode == http.StatusTooManyRequests:
				tl.limited.Add(1)
				ra := res.Header.Get("Retry-After")
				if _, err := strconv.Atoi(ra); err != nil {
					t.Errorf("Retry-After %q is not an integer", ra)
				}
				tl.retryMu.Lock()
				tl.retry[ra]++
				tl.retryMu.Unlock()
			default:
				tl.other.Add(1)
			}
		}
	}
	var wg sync.WaitGroup
	start := time.Now()
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				worker(writes, http.MethodPost)
			} else {
				worker(reads, http.MethodGet)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	windows := float64(dur / (10 * time.Second))
	for _, c := range []struct {
		name   string
		tl     *tally
		budget float64
	}{{"writes", writes, 500 * windows}, {"reads", reads, 1000 * windows}} {
		ok := float64(c.tl.ok.Load())
		off := (ok - c.budget) / c.budget * 100
		t.Logf("%s: %d admitted of a %.0f budget in %v (%+.2f%%), %d answered 429, %d other; Retry-After values %v",
			c.name, c.tl.ok.Load(), c.budget, elapsed.Round(time.Millisecond), off, c.tl.limited.Load(), c.tl.other.Load(), c.tl.retry)
		if math.Abs(off) > 2 {
			t.Errorf("%s: admitted %.0f, %+.2f%% off the %.0f budget; want within 2%%", c.name, ok, off, c.budget)
		}
		if c.tl.limited.Load() == 0 {
			t.Errorf("%s: no 429 beyond the budget", c.name)
		}
		if c.tl.other.Load() != 0 {
			t.Errorf("%s: %d answers neither 2xx nor 429", c.name, c.tl.other.Load())
		}
	}
	// The server's own count: requests cut off by the deadline may have
	// been applied without the client seeing the answer.
	stored := float64(s.Snapshot().Counts.Users)
	off := (stored - 500*windows) / (500 * windows) * 100
	t.Logf("writes applied by the server: %.0f (%+.2f%% off budget)", stored, off)
	if stored < float64(writes.ok.Load()) || math.Abs(off) > 2 {
		t.Errorf("stored %.0f users, client saw %d creates; budget %.0f", stored, writes.ok.Load(), 500*windows)
	}
}
