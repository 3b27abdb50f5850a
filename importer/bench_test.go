package importer_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/importer/workosapi"
	"github.com/mig-tools/mig/workosemu"
)

// wireLog records every user-management write as it leaves for WorkOS,
// under the importer's own Transport, and every 429 that comes back.
type wireLog struct {
	base   http.RoundTripper
	mu     sync.Mutex
	writes []time.Time
	n429   int
	perUM  int // user-management requests of any kind
}

func (l *wireLog) RoundTrip(req *http.Request) (*http.Response, error) {
	c := workosapi.ClassOf(req.Method, req.URL.Path)
	now := time.Now()
	resp, err := l.base.RoundTrip(req)
	l.mu.Lock()
	defer l.mu.Unlock()
	if c != workosapi.Other {
		l.perUM++
	}
	if c == workosapi.Write {
		l.writes = append(l.writes, now)
	}
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		l.n429++
	}
	return resp, err
}

// maxIn is the most writes sent in any span of d.
func (l *wireLog) maxIn(d time.Duration) int {
	best, j := 0, 0
	for i := range l.writes {
		for l.writes[i].Sub(l.writes[j]) >= d {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

// BenchmarkImportProductionLimits imports MIG_BENCH_USERS users (default
// 1,000) with one or two memberships each into an emulator enforcing
// WorkOS's production rate limits, with 20-50 ms of latency, at the
// importer's default pacing. It reports the sustained write rate per 10 s
// (target: at least 95% of 500), the busiest 10 s window (must stay under
// 500), the 429s (target: none) and user-management requests per user
// (target: 1 + memberships). Run it with bench/import.sh; it takes about a
// minute, so it runs only with -bench.
func BenchmarkImportProductionLimits(b *testing.B) {
	users := envInt("MIG_BENCH_USERS", 1000)
	for range b.N {
		s, members := bigStage(b, users)
		s.exec(`DELETE FROM totp_secrets`)
		_, url := emulator(b, workosemu.Options{RateLimits: workosemu.RateLimitsProduction,
			Latency: 20 * time.Millisecond, Jitter: 30 * time.Millisecond})
		log := &wireLog{base: http.DefaultTransport}
		o := importer.Options{Endpoint: url, APIKey: testKey, HTTPClient: &http.Client{Transport: log}}
		b.ResetTimer()
		sum, err := importer.Run(context.Background(), s.db, o)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		span := log.writes[len(log.writes)-1].Sub(log.writes[0])
		per10 := float64(len(log.writes)-1) / span.Seconds() * 10
		b.ReportMetric(per10, "writes/10s")
		b.ReportMetric(float64(log.maxIn(10*time.Second)), "peak-writes/10s")
		b.ReportMetric(float64(log.n429), "429s")
		b.ReportMetric(float64(log.perUM)/float64(users), "um-requests/user")
		b.ReportMetric(1+float64(members)/float64(users), "1+memberships/user")
		b.Logf("%d users, %d memberships: %d writes in %s (%.0f per 10 s, %.1f%% of 500), peak %d in any 10 s, %d 429s, %d retries",
			users, members, len(log.writes), span.Round(time.Millisecond), per10, per10/5, log.maxIn(10*time.Second),
			log.n429, sum.Requests.Retries)
		var gaps []time.Duration
		for i := 1; i < len(log.writes); i++ {
			if g := log.writes[i].Sub(log.writes[i-1]); g > 100*time.Millisecond {
				gaps = append(gaps, g.Round(time.Millisecond))
			}
		}
		b.Logf("pauses over 100 ms between writes: %v", gaps)
		if log.n429 > 0 {
			b.Errorf("%d answers were 429", log.n429)
		}
		if got, want := log.perUM, users+members; got != want {
			b.Errorf("user-management requests %d, want users + memberships = %d", got, want)
		}
		if per10 < 475 {
			b.Errorf("sustained %.0f writes per 10 s, want at least 475 (95%% of 500)", per10)
		}
	}
}
