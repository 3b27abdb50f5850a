package workosemu

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Limits is a rate-limit budget. The zero value of each field means "use
// production's number".
type Limits struct {
	// UserManagementWrites caps non-GET requests to /user_management/* per
	// environment in every WritesWindow.
	UserManagementWrites int
	WritesWindow         time.Duration
	// UserManagementReads caps GET requests to /user_management/* per
	// environment in every ReadsWindow.
	UserManagementReads int
	ReadsWindow         time.Duration
	// PerKey caps all requests made with one API key in every PerKeyWindow.
	PerKey       int
	PerKeyWindow time.Duration
}

// ProductionLimits are WorkOS's published limits: 500 writes and 1,000 reads
// per 10 s on AuthKit user management per environment, and 6,000 requests
// per 60 s overall.
var ProductionLimits = Limits{
	UserManagementWrites: 500, WritesWindow: 10 * time.Second,
	UserManagementReads: 1000, ReadsWindow: 10 * time.Second,
	PerKey: 6000, PerKeyWindow: 60 * time.Second,
}

func (l Limits) withDefaults() Limits {
	p := ProductionLimits
	if l.UserManagementWrites == 0 {
		l.UserManagementWrites = p.UserManagementWrites
	}
	if l.WritesWindow == 0 {
		l.WritesWindow = p.WritesWindow
	}
	if l.UserManagementReads == 0 {
		l.UserManagementReads = p.UserManagementReads
	}
	if l.ReadsWindow == 0 {
		l.ReadsWindow = p.ReadsWindow
	}
	if l.PerKey == 0 {
		l.PerKey = p.PerKey
	}
	if l.PerKeyWindow == 0 {
		l.PerKeyWindow = p.PerKeyWindow
	}
	return l
}

// window is a sliding log: it admits at most limit events in any span of
// length per. A sliding log, unlike a fixed window, never lets a client
// burst twice the budget across a window edge, so an importer tuned against
// the emulator cannot be tuned too tight for production.
type window struct {
	limit int
	per   time.Duration
	times []time.Time // ring buffer of admitted events, oldest at head
	head  int
	n     int
}

func newWindow(limit int, per time.Duration) *window {
	return &window{limit: limit, per: per, times: make([]time.Time, limit)}
}

func (w *window) evict(now time.Time) {
	for w.n > 0 && !w.times[w.head].Add(w.per).After(now) {
		w.head = (w.head + 1) % w.limit
		w.n--
	}
}

// wait reports how long until one more event fits; zero means now.
func (w *window) wait(now time.Time) time.Duration {
	w.evict(now)
	if w.n < w.limit {
		return 0
	}
	return w.times[w.head].Add(w.per).Sub(now)
}

func (w *window) add(now time.Time) {
	w.times[(w.head+w.n)%w.limit] = now
	w.n++
}

// limiter applies the environment and per-key windows to each request.
type limiter struct {
	mu     sync.Mutex
	limits Limits
	writes *window
	reads  *window
	perKey map[string]*window
}

func newLimiter(l Limits) *limiter {
	l = l.withDefaults()
	return &limiter{
		limits: l,
		writes: newWindow(l.UserManagementWrites, l.WritesWindow),
		reads:  newWindow(l.UserManagementReads, l.ReadsWindow),
		perKey: map[string]*window{},
	}
}

// allow admits the request or says how long to wait. A request is counted
// in every window only if all of them admit it, so a refused request costs
// no budget.
func (l *limiter) allow(key, method, path string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	wins := make([]*window, 0, 2)
	if strings.HasPrefix(strings.ToLower(path), "/user_management/") {
		if method == http.MethodGet || method == http.MethodHead {
			wins = append(wins, l.reads)
		} else {
			wins = append(wins, l.writes)
		}
	}
	k := l.perKey[key]
	if k == nil {
		k = newWindow(l.limits.PerKey, l.limits.PerKeyWindow)
		l.perKey[key] = k
	}
	wins = append(wins, k)
	var longest time.Duration
	for _, w := range wins {
		if d := w.wait(now); d > longest {
			longest = d
		}
	}
	if longest > 0 {
		return false, longest
	}
	for _, w := range wins {
		w.add(now)
	}
	return true, 0
}

// retryAfterSeconds is the Retry-After header value: whole seconds, rounded
// down, so 0 is possible when the window frees within the second, as
// production sends.
func retryAfterSeconds(d time.Duration) int {
	if d < 0 {
		return 0
	}
	return int(d / time.Second)
}
