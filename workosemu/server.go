package workosemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Rate-limit modes for Options.RateLimits.
const (
	// RateLimitsProduction enforces production's budgets (the default).
	RateLimitsProduction = "production"
	// RateLimitsOff admits everything, for tests that do not exercise 429s.
	RateLimitsOff = "off"
)

// Options configures a Server. The zero value is a production-faithful,
// in-memory emulator that accepts any sk_ key and injects no faults.
type Options struct {
	// RateLimits is RateLimitsProduction ("" means the same) or RateLimitsOff.
	RateLimits string
	// Limits overrides individual budgets, so a test can reach a 429 in a
	// handful of requests instead of hundreds. Zero fields keep production's.
	Limits Limits

	// FaultRate is the fraction of authenticated requests answered with a
	// 500, 502 or 503 before they reach any state, as a flaky load balancer
	// would.
	FaultRate float64
	// FaultAfterRate is the fraction of requests that are applied and then
	// answered 500, 502 or 504, as a gateway that gave up on a backend
	// which committed the write anyway: sending such a create again makes
	// a second object.
	FaultAfterRate float64
	// DropRate is the fraction of requests whose connection is closed after
	// they were applied, with no response: the lost-response case that makes
	// an importer's retries and Idempotency-Key matter.
	DropRate float64
	// Latency is added to every request, plus a uniform random extra of up
	// to Jitter.
	Latency time.Duration
	Jitter  time.Duration
	// StormAfter and StormFor make every request between StormAfter and
	// StormAfter+StormFor after New answer 429, to test back-off under a
	// sustained storm. StormFor zero disables it.
	StormAfter time.Duration
	StormFor   time.Duration
	// StormRetryAfter, when set, is the Retry-After header of every 429 of
	// the storm, in whole seconds: "0" is a server that says "now" and
	// still refuses (an importer must space its tries anyway), "3600" one
	// that asks for an hour (an importer must wait, not hammer). Empty
	// sends the seconds left in the storm.
	StormRetryAfter string
	// SlowRate is the fraction of requests that are applied and then
	// answered only SlowFor later: a backend that commits the write and
	// then stalls beyond the client's timeout, so that the client cannot
	// tell whether its write happened.
	SlowRate float64
	SlowFor  time.Duration
	// RevokeKeysAfter, when above zero, revokes the API keys that made the
	// first RevokeKeysAfter API requests: from then on they are answered
	// 401, the state dump included, as when a key is rolled in the
	// dashboard in the middle of a run. A key first seen afterwards works,
	// as the new key would.
	RevokeKeysAfter int
	// Seed makes fault injection and generated IDs reproducible. Zero picks
	// a seed from the clock.
	Seed int64

	// StatePath, when set, keeps state in a SQLite file so a rehearsal
	// survives restarts. Empty keeps everything in memory.
	StatePath string

	// AllowMultipleRoles is the environment setting that lets a membership
	// carry several role_slugs; off, as on a new WorkOS environment.
	AllowMultipleRoles bool

	// Keys, when non-empty, is the exact set of accepted API keys; otherwise
	// any key starting with sk_ is accepted.
	Keys []string

	// Idempotency is IdempotencySpec ("" means the same): Idempotency-Key
	// is replayed only where the OpenAPI spec documents it; or
	// IdempotencyAll: on every POST.
	Idempotency string

	// Now is the clock for timestamps, rate limits and storms; tests replace
	// it to step time. Defaults to time.Now.
	Now func() time.Time
	// Logger receives the request log at debug level. Nil discards it.
	Logger *slog.Logger
}

// Server is the emulator. It is an http.Handler; all methods are safe for
// concurrent use.
type Server struct {
	opts    Options
	now     func() time.Time
	log     *slog.Logger
	started time.Time

	mu sync.RWMutex
	st *store
	db *sqliteStore

	limiter *limiter
	idem    *idempotency

	randMu sync.Mutex
	rand   *rand.Rand

	keysMu   sync.Mutex
	keysSeen map[string]bool // keys of the API requests before the revocation
	apiCalls int             // API requests counted towards RevokeKeysAfter
	revoked  map[string]bool // set once RevokeKeysAfter requests were made

	faults faultCounters

	routes []route
}

// New builds a Server. With StatePath set it opens (creating if needed) the
// SQLite file and loads what an earlier run left there; the caller must
// Close the Server to release it.
func New(opts Options) (*Server, error) {
	if opts.RateLimits != "" && opts.RateLimits != RateLimitsProduction && opts.RateLimits != RateLimitsOff {
		return nil, fmt.Errorf("workosemu: rate limits %q: want %q or %q", opts.RateLimits, RateLimitsProduction, RateLimitsOff)
	}
	if opts.Idempotency != "" && opts.Idempotency != IdempotencySpec && opts.Idempotency != IdempotencyAll {
		return nil, fmt.Errorf("workosemu: idempotency %q: want %q or %q", opts.Idempotency, IdempotencySpec, IdempotencyAll)
	}
	for name, r := range map[string]float64{"fault rate": opts.FaultRate, "fault-after rate": opts.FaultAfterRate, "drop rate": opts.DropRate, "slow rate": opts.SlowRate} {
		if r < 0 || r > 1 {
			return nil, fmt.Errorf("workosemu: %s %v: want a fraction between 0 and 1", name, r)
		}
	}
	if ra := opts.StormRetryAfter; ra != "" {
		if n, err := strconv.Atoi(ra); err != nil || n < 0 {
			return nil, fmt.Errorf("workosemu: storm Retry-After %q: want whole seconds, 0 or more", ra)
		}
	}
	s := &Server{opts: opts, now: opts.Now, log: opts.Logger, idem: newIdempotency(), keysSeen: map[string]bool{}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	seed := opts.Seed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	s.rand = rand.New(rand.NewSource(seed))
	s.started = s.now()
	if opts.RateLimits != RateLimitsOff {
		s.limiter = newLimiter(opts.Limits)
	}
	var p persister
	if opts.StatePath != "" {
		db, err := openSQLite(opts.StatePath)
		if err != nil {
			return nil, fmt.Errorf("workosemu: %w", err)
		}
		s.db = db
		p = sqlitePersister{db}
	}
	s.st = newStore(rand.New(rand.NewSource(seed+1)), p)
	if s.db != nil {
		if err := s.st.loadFrom(sqlitePersister{s.db}); err != nil {
			s.db.close()
			return nil, fmt.Errorf("workosemu: load state from %s: %w", opts.StatePath, err)
		}
	}
	if len(s.st.envRoles) == 0 {
		if err := s.seedRoles(); err != nil {
			if s.db != nil {
				s.db.close()
			}
			return nil, fmt.Errorf("workosemu: seed roles: %w", err)
		}
	}
	s.routes = s.buildRoutes()
	return s, nil
}

// seedRoles creates the admin and member roles every new WorkOS environment
// starts with; member is the default role of a membership.
func (s *Server) seedRoles() error {
	now := s.now()
	for _, r := range []struct{ slug, name string }{{"admin", "Admin"}, {"member", "Member"}} {
		role := &Role{ID: s.st.newID("role_", now), Slug: r.slug, Name: r.name, ResourceTypeSlug: "organization",
			Permissions: []string{}, CreatedAt: now, UpdatedAt: now}
		if err := s.st.putRole(role); err != nil {
			return err
		}
	}
	return nil
}

// Close releases the state file. The Server must not be used afterwards.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db != nil {
		err := s.db.close()
		s.db = nil
		return err
	}
	return nil
}

// Snapshot returns a deep copy of the current state.
func (s *Server) Snapshot() State {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.snapshot()
}

// Serve runs the emulator on l until ctx is cancelled, then shuts down,
// giving requests in flight a few seconds to finish.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("workosemu: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("workosemu: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("workosemu: serve: %w", err)
	}
	return nil
}

func (s *Server) chance(p float64) bool {
	if p <= 0 {
		return false
	}
	s.randMu.Lock()
	defer s.randMu.Unlock()
	return s.rand.Float64() < p
}

func (s *Server) pick(n int) int {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	return s.rand.Intn(n)
}

func (s *Server) jitter() time.Duration {
	if s.opts.Jitter <= 0 {
		return 0
	}
	s.randMu.Lock()
	defer s.randMu.Unlock()
	return time.Duration(s.rand.Int63n(int64(s.opts.Jitter) + 1))
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController find the Hijacker underneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// maxBody bounds a request body; WorkOS bodies are a few kilobytes.
const maxBody = 1 << 20

// ServeHTTP answers one API request: authentication, faults, rate limits,
// idempotency, then the endpoint itself.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	sw.Header().Set("X-Request-ID", uuid.NewString())
	dropped := s.serve(sw, r)
	status := sw.status
	if dropped {
		status = 0
	}
	s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", status,
		"latency", time.Since(start).Round(time.Microsecond), "dropped", dropped)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) (dropped bool) {
	path := strings.TrimSuffix(r.URL.EscapedPath(), "/")
	// The key is checked before anything else, the state dump included:
	// that dump holds every user and factor, so it is no more public than
	// the API it mirrors.
	key, ok := bearerKey(r.Header.Get("Authorization"))
	if !ok || !s.keyAllowed(key) || s.keyRevoked(key) {
		s.writeReply(w, errMessage(http.StatusUnauthorized, "Unauthorized"))
		return false
	}
	if strings.EqualFold(path, "/_emulator/state") {
		s.writeReply(w, s.stateReply(r))
		return false
	}
	if strings.HasPrefix(strings.ToLower(path), "/_emulator/") {
		s.writeReply(w, s.emulatorReply(r, path))
		return false
	}
	s.countKey(key)

	// A request built in-process (a handler called directly, not through a
	// server) may have no body at all. The body is read first: net/http
	// watches the connection for a client that goes away only once it is,
	// and a write whose client went away is not applied (see locked).
	reqBody := r.Body
	if reqBody == nil {
		reqBody = http.NoBody
	}
	body, err := io.ReadAll(io.LimitReader(reqBody, maxBody+1))
	if err != nil {
		s.writeReply(w, errMessage(http.StatusBadRequest, "Could not read request body."))
		return false
	}
	if len(body) > maxBody {
		s.writeReply(w, errMessage(http.StatusRequestEntityTooLarge, "Request body too large."))
		return false
	}

	if d := s.opts.Latency + s.jitter(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return false
		}
	}

	now := s.now()
	if s.opts.StormFor > 0 {
		from := s.started.Add(s.opts.StormAfter)
		until := from.Add(s.opts.StormFor)
		if !now.Before(from) && now.Before(until) {
			secs := retryAfterSeconds(until.Sub(now))
			if s.opts.StormRetryAfter != "" {
				secs, _ = strconv.Atoi(s.opts.StormRetryAfter)
			}
			s.writeRateLimited(w, secs)
			return false
		}
	}
	if s.limiter != nil {
		if ok, wait := s.limiter.allow(key, r.Method, path, now); !ok {
			s.writeRateLimited(w, retryAfterSeconds(wait))
			return false
		}
	}
	if s.chance(s.opts.FaultRate) {
		codes := []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}
		code := codes[s.pick(len(codes))]
		s.faults.serverErrors.Add(1)
		s.writeReply(w, errMessage(code, "%s", http.StatusText(code)))
		return false
	}

	h, params := s.match(r.Method, path)
	if h == nil {
		s.writeReply(w, errRouteNotFound(r.Method, r.URL.Path))
		return false
	}
	req := &request{r: r, params: params, body: body}

	// An empty Idempotency-Key is ignored: the Go SDK always sends the
	// header, empty unless the caller set one.
	var finish func(recorded, bool)
	if ik := r.Header.Get("Idempotency-Key"); ik != "" && s.honoursIdempotency(r.Method, path) {
		conflict, replay, fin := s.idem.begin(r.Context(), key+"\x00"+ik, fingerprint(r.Method, path, body), now)
		switch {
		case conflict != nil:
			s.writeReply(w, *conflict)
			return false
		case replay != nil:
			s.writeRecorded(w, *replay)
			return false
		}
		finish = fin
	}

	rep := h(req)
	enc := encodeReply(rep)
	if finish != nil {
		// Server faults are not remembered, so a retry runs again.
		finish(enc, rep.status < 500)
	}
	if s.chance(s.opts.FaultAfterRate) {
		codes := []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout}
		code := codes[s.pick(len(codes))]
		s.faults.serverErrorsAfter.Add(1)
		s.writeReply(w, errMessage(code, "%s", http.StatusText(code)))
		return false
	}
	if s.opts.SlowFor > 0 && s.chance(s.opts.SlowRate) {
		s.faults.slow.Add(1)
		t := time.NewTimer(s.opts.SlowFor)
		select {
		case <-t.C:
		case <-r.Context().Done():
			// The client gave up waiting: nobody is left to answer.
			t.Stop()
			return true
		}
	}
	if s.chance(s.opts.DropRate) && dropConnection(w) {
		s.faults.dropped.Add(1)
		return true
	}
	for k, vs := range rep.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	s.writeRecorded(w, enc)
	return false
}

// dropConnection closes the client's connection without a response.
func dropConnection(w http.ResponseWriter) bool {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// keyRevoked reports whether key was revoked by RevokeKeysAfter.
func (s *Server) keyRevoked(key string) bool {
	if s.opts.RevokeKeysAfter <= 0 {
		return false
	}
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	if s.revoked[key] {
		s.faults.unauthorized.Add(1)
		return true
	}
	return false
}

// countKey counts an API request towards RevokeKeysAfter, and revokes the
// keys seen so far when it is the last one.
func (s *Server) countKey(key string) {
	if s.opts.RevokeKeysAfter <= 0 {
		return
	}
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	if s.revoked != nil {
		return
	}
	s.keysSeen[key] = true
	if s.apiCalls++; s.apiCalls >= s.opts.RevokeKeysAfter {
		s.revoked = s.keysSeen
	}
}

// FaultCounts is how many faults a Server injected, so that a test or a
// rehearsal can say what its outcome survived.
type FaultCounts struct {
	ServerErrors int64 `json:"server_errors"` // 500, 502 and 503 answers of FaultRate
	// 500, 502 and 504 answers of FaultAfterRate, after the write.
	ServerErrorsAfter int64 `json:"server_errors_after_write"`
	Dropped           int64 `json:"dropped"`      // connections closed after the write was applied
	Slow              int64 `json:"slow"`         // answers held back SlowFor after the write
	RateLimited       int64 `json:"rate_limited"` // 429 answers, of the budgets or a storm
	Unauthorized      int64 `json:"unauthorized"` // 401 answers to a key RevokeKeysAfter revoked
}

type faultCounters struct {
	serverErrors, serverErrorsAfter, dropped, slow, rateLimited, unauthorized atomic.Int64
}

// Faults returns the faults injected so far.
func (s *Server) Faults() FaultCounts {
	f := &s.faults
	return FaultCounts{ServerErrors: f.serverErrors.Load(), ServerErrorsAfter: f.serverErrorsAfter.Load(), Dropped: f.dropped.Load(), Slow: f.slow.Load(),
		RateLimited: f.rateLimited.Load(), Unauthorized: f.unauthorized.Load()}
}

func bearerKey(h string) (string, bool) {
	const prefix = "Bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	k := strings.TrimSpace(h[len(prefix):])
	return k, strings.HasPrefix(k, "sk_") && len(k) > len("sk_")
}

func (s *Server) keyAllowed(k string) bool {
	if len(s.opts.Keys) == 0 {
		return true
	}
	for _, a := range s.opts.Keys {
		if a == k {
			return true
		}
	}
	return false
}

func (s *Server) writeRateLimited(w http.ResponseWriter, secs int) {
	s.faults.rateLimited.Add(1)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	s.writeReply(w, errCode(http.StatusTooManyRequests, "rate_limit_exceeded",
		"Rate limit exceeded. Please retry after %d seconds.", secs))
}

func encodeReply(rep reply) recorded {
	if rep.body == nil {
		return recorded{status: rep.status}
	}
	b, err := json.Marshal(rep.body)
	if err != nil {
		b, _ = json.Marshal(apiError{Message: "Internal Server Error"})
		return recorded{status: http.StatusInternalServerError, body: b}
	}
	return recorded{status: rep.status, body: b}
}

func (s *Server) writeReply(w http.ResponseWriter, rep reply) {
	s.writeRecorded(w, encodeReply(rep))
}

func (s *Server) writeRecorded(w http.ResponseWriter, rec recorded) {
	if rec.body != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(rec.body)))
	}
	w.WriteHeader(rec.status)
	if rec.body != nil {
		_, _ = w.Write(rec.body)
	}
}

// stateReply serves GET /_emulator/state: counts and a full dump. It is not
// part of WorkOS and is not rate-limited, so a person can look at a
// rehearsal with curl while the importer runs; it takes the API's key, and
// shows password hashes and TOTP secrets only when asked with ?secrets=1.
func (s *Server) stateReply(r *http.Request) reply {
	if r.Method != http.MethodGet {
		return errRouteNotFound(r.Method, r.URL.Path)
	}
	st := s.Snapshot()
	q := r.URL.Query()
	if q.Get("counts") == "1" {
		return reply{status: http.StatusOK, body: struct {
			Counts Counts `json:"counts"`
		}{st.Counts}}
	}
	if q.Get("secrets") != "1" {
		redactSecrets(&st)
	}
	return reply{status: http.StatusOK, body: st}
}

// Redacted stands in the state dump for a secret that is set but not shown.
const Redacted = "[redacted]"

// redactSecrets blanks what would let a reader of the dump sign in as a
// user: password hashes and TOTP secrets. st must be a Snapshot the caller
// owns. A user without a password keeps an empty hash, so the dump still
// tells the two apart.
func redactSecrets(st *State) {
	for i := range st.Users {
		if st.Users[i].PasswordHash != "" {
			st.Users[i].PasswordHash = Redacted
		}
	}
	for i := range st.Factors {
		if st.Factors[i].Secret != "" {
			st.Factors[i].Secret = Redacted
		}
	}
}

// request is what an endpoint handler sees.
type request struct {
	r      *http.Request
	params map[string]string
	body   []byte
}

func (q *request) fields() (fields, *reply) { return decodeFields(q.body) }

// handler is one endpoint. It runs with the state lock held as route says.
type handler func(*request) reply

// route is one path pattern with a handler per method. Literal segments
// match case-insensitively, since the Go SDK sends /Organizations/ for
// deletes; parameters are taken verbatim.
type route struct {
	segs    []string
	methods map[string]handler
}

func (s *Server) match(method, path string) (handler, map[string]string) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for _, rt := range s.routes {
		if len(rt.segs) != len(segs) {
			continue
		}
		params := map[string]string{}
		ok := true
		for i, p := range rt.segs {
			if strings.HasPrefix(p, "{") {
				v, err := unescape(segs[i])
				if err != nil || v == "" {
					ok = false
					break
				}
				params[p[1:len(p)-1]] = v
				continue
			}
			if !strings.EqualFold(p, segs[i]) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		h := rt.methods[method]
		if h == nil {
			return nil, nil
		}
		return h, params
	}
	return nil, nil
}

func unescape(seg string) (string, error) { return url.PathUnescape(seg) }

// locked runs h with the write lock; readLocked with the read lock.
//
// A write whose client has gone (it timed out, or died) before the write
// got the lock is not applied: the emulator applies a request while its
// client waits for the answer, or never. The importer counts on that
// much, and no more, of WorkOS: a create it gave up on after its attempt
// timeout (30 s) and then looked up without finding is created again, so
// one that WorkOS applied later still would make a duplicate. Deciding
// under the lock keeps a lookup sent after the timeout from running
// between the decision and the write.
func (s *Server) locked(h handler) handler {
	return func(q *request) reply {
		s.mu.Lock()
		defer s.mu.Unlock()
		if q.r.Context().Err() != nil {
			return errMessage(http.StatusServiceUnavailable, "The client went away before the request was applied.")
		}
		return h(q)
	}
}

func (s *Server) readLocked(h handler) handler {
	return func(q *request) reply {
		s.mu.RLock()
		defer s.mu.RUnlock()
		return h(q)
	}
}

func (s *Server) buildRoutes() []route {
	mk := func(pattern string, m map[string]handler) route {
		return route{segs: strings.Split(strings.TrimPrefix(pattern, "/"), "/"), methods: m}
	}
	get, post, put, del := http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	return []route{
		mk("/user_management/users", map[string]handler{get: s.readLocked(s.listUsers), post: s.locked(s.createUser)}),
		mk("/user_management/users/external_id/{external_id}", map[string]handler{get: s.readLocked(s.getUserByExternalID)}),
		mk("/user_management/users/{id}", map[string]handler{get: s.readLocked(s.getUser), put: s.locked(s.updateUser), del: s.locked(s.deleteUser)}),
		mk("/user_management/users/{id}/auth_factors", map[string]handler{get: s.readLocked(s.listFactors), post: s.locked(s.enrollFactor)}),
		mk("/user_management/organization_memberships", map[string]handler{get: s.readLocked(s.listMemberships), post: s.locked(s.createMembership)}),
		mk("/user_management/organization_memberships/{id}", map[string]handler{get: s.readLocked(s.getMembership), put: s.locked(s.updateMembership), del: s.locked(s.deleteMembership)}),
		mk("/auth/factors/{id}", map[string]handler{get: s.readLocked(s.getFactor), del: s.locked(s.deleteFactor)}),
		mk("/organizations", map[string]handler{get: s.readLocked(s.listOrgs), post: s.locked(s.createOrg)}),
		mk("/organizations/external_id/{external_id}", map[string]handler{get: s.readLocked(s.getOrgByExternalID)}),
		mk("/organizations/{id}", map[string]handler{get: s.readLocked(s.getOrg), put: s.locked(s.updateOrg), del: s.locked(s.deleteOrg)}),
		mk("/organizations/{id}/roles", map[string]handler{get: s.readLocked(s.listOrgRoles)}),
		mk("/authorization/permissions", map[string]handler{get: s.readLocked(s.listPermissions), post: s.locked(s.createPermission)}),
		mk("/authorization/permissions/{slug}", map[string]handler{get: s.readLocked(s.getPermission), del: s.locked(s.deletePermission)}),
		mk("/authorization/roles", map[string]handler{get: s.readLocked(s.listEnvRoles), post: s.locked(s.createEnvRole)}),
		mk("/authorization/roles/{slug}", map[string]handler{get: s.readLocked(s.getEnvRole)}),
		mk("/authorization/roles/{slug}/permissions", map[string]handler{put: s.locked(s.setEnvRolePermissions), post: s.locked(s.addEnvRolePermission)}),
		mk("/authorization/organizations/{id}/roles", map[string]handler{get: s.readLocked(s.listOrgRoles), post: s.locked(s.createOrgRole)}),
		mk("/authorization/organizations/{id}/roles/{slug}", map[string]handler{get: s.readLocked(s.getOrgRole), del: s.locked(s.deleteOrgRole)}),
		mk("/authorization/organizations/{id}/roles/{slug}/permissions", map[string]handler{put: s.locked(s.setOrgRolePermissions), post: s.locked(s.addOrgRolePermission)}),
	}
}
