// Package auth0fake is an in-process fake of the Auth0 Management API v2
// for tests and benchmarks. It listens on 127.0.0.1 and stops when the test
// ends.
//
// It serves what mig reads from Auth0, in the shapes the public API
// reference gives: the client-credentials token endpoint (/oauth/token);
// /api/v2/users (page, per_page up to 100, include_totals, and the first
// 1,000 results only, as the real endpoint); users-exports jobs (POST
// /api/v2/jobs/users-exports, GET /api/v2/jobs/{id} moving from pending to
// completed, then a gzip NDJSON file at the job's location);
// /api/v2/organizations, /{id}, /{id}/members (checkpoint pagination with
// from/take, or pages) and /{id}/members/{user_id}/roles; /api/v2/roles and
// /{id}/permissions; /api/v2/connections (strategy filter) and /{id}.
//
// A test can make it answer 429 with X-RateLimit-Reset (Throttle), count
// the requests it received (Count), and drop its export jobs (ExpireJobs).
package auth0fake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Credentials the fake accepts at its token endpoint.
const (
	ClientID     = "fake-client-id"
	ClientSecret = "fake-client-secret"
)

// Server is a running fake.
type Server struct {
	// URL is the base URL, http://127.0.0.1:PORT: what --domain takes.
	URL    string
	Tenant *Tenant
	// Now is the fake's clock, for X-RateLimit-Reset. A test with a
	// virtual clock sets it; the default is time.Now.
	Now func() time.Time
	// PollsBeforeDone is how many times a job is read as pending or
	// processing before it is completed.
	PollsBeforeDone int
	// IgnoreMemberRolesField makes the members endpoint leave roles out
	// even when fields=roles asks for them, as it does for a token without
	// read:organization_member_roles; the client must then ask per member.
	IgnoreMemberRolesField bool
	// FailJobs makes export jobs end with status "failed".
	FailJobs bool
	// DenyDownloads makes the export file's URL answer 403, as an expired
	// pre-signed URL does.
	DenyDownloads bool
	// ExportHost, when set, replaces the fake's own base URL in export
	// locations (a closed port makes downloads fail to connect).
	ExportHost string
	// ExportFile, when set, is served as every export job's file instead
	// of one written from the tenant as it is downloaded: a benchmark
	// writes the file once, so that the fake's gzip work is not timed.
	ExportFile string
	// OnRequest, when set, is called with every request before it is
	// answered: a test stops the client there, mid-fetch.
	OnRequest func(Request)

	srv      *httptest.Server
	mu       sync.Mutex
	requests []Request
	throttle int
	resetIn  time.Duration
	tokens   map[string]bool
	jobs     map[string]*job
}

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
}

type job struct {
	id    string
	req   ExportRequest
	polls int
}

// Start serves t until the test ends.
func Start(tb testing.TB, t *Tenant) *Server {
	s := New(t)
	tb.Cleanup(s.Close)
	return s
}

// New serves t on 127.0.0.1 until Close.
func New(t *Tenant) *Server {
	s := &Server{Tenant: t, Now: time.Now, PollsBeforeDone: 2, tokens: map[string]bool{}, jobs: map[string]*job{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", s.token)
	mux.HandleFunc("GET /api/v2/users", s.api(s.listUsers))
	mux.HandleFunc("POST /api/v2/jobs/users-exports", s.api(s.createExport))
	mux.HandleFunc("GET /api/v2/jobs/{id}", s.api(s.readJob))
	mux.HandleFunc("GET /exports/{file}", s.download)
	mux.HandleFunc("GET /api/v2/organizations", s.api(s.listOrgs))
	mux.HandleFunc("GET /api/v2/organizations/{id}", s.api(s.readOrg))
	mux.HandleFunc("GET /api/v2/organizations/{id}/members", s.api(s.listMembers))
	mux.HandleFunc("GET /api/v2/organizations/{id}/members/{user}/roles", s.api(s.memberRoles))
	mux.HandleFunc("GET /api/v2/roles", s.api(s.listRoles))
	mux.HandleFunc("GET /api/v2/roles/{id}/permissions", s.api(s.rolePermissions))
	mux.HandleFunc("GET /api/v2/connections", s.api(s.listConnections))
	mux.HandleFunc("GET /api/v2/connections/{id}", s.api(s.readConnection))
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query()}
		s.mu.Lock()
		s.requests = append(s.requests, req)
		hook := s.OnRequest
		s.mu.Unlock()
		if hook != nil {
			hook(req)
		}
		mux.ServeHTTP(w, r)
	}))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Throttle makes the next n API requests answer 429 Too Many Requests,
// with X-RateLimit-Reset resetIn from the fake's clock.
func (s *Server) Throttle(n int, resetIn time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle, s.resetIn = n, resetIn
}

// ExpireJobs forgets every export job, as Auth0 does some time after a job
// ends.
func (s *Server) ExpireJobs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs = map[string]*job{}
}

// Requests lists the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Count is how many requests had this method and path and, for each
// "key=value" in query, that query parameter.
func (s *Server) Count(method, path string, query ...string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method != method || r.Path != path {
			continue
		}
		ok := true
		for _, kv := range query {
			k, v, _ := strings.Cut(kv, "=")
			ok = ok && r.Query.Get(k) == v
		}
		if ok {
			n++
		}
	}
	return n
}

// apiError writes an error in the Management API's shape.
func apiError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"statusCode": status, "error": http.StatusText(status), "message": msg, "errorCode": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// token is the client-credentials grant. Credentials come in an HTTP Basic
// header or in the form, as OAuth 2 clients send them.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	var body struct {
		GrantType    string `json:"grant_type"`
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Audience     string `json:"audience"`
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		json.NewDecoder(r.Body).Decode(&body)
	} else {
		r.ParseForm()
		body.GrantType, body.ClientID, body.ClientSecret, body.Audience = r.Form.Get("grant_type"), r.Form.Get("client_id"), r.Form.Get("client_secret"), r.Form.Get("audience")
	}
	if id, secret, ok := r.BasicAuth(); ok {
		body.ClientID, body.ClientSecret = id, secret
	}
	if body.GrantType != "client_credentials" {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "unsupported_grant_type", "error_description": "Unsupported grant type"})
		return
	}
	if body.ClientID != ClientID || body.ClientSecret != ClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "access_denied", "error_description": "Unauthorized"})
		return
	}
	if body.Audience != s.URL+"/api/v2/" {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "access_denied", "error_description": "Service not enabled within domain: " + body.Audience})
		return
	}
	s.mu.Lock()
	tok := fmt.Sprintf("fake-token-%d", len(s.tokens)+1)
	s.tokens[tok] = true
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 86400,
		"scope": "read:users read:organizations read:organization_members read:organization_member_roles read:roles read:connections read:connections_options"})
}

// api checks the bearer token and applies throttling before h.
func (s *Server) api(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		ok := s.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		throttled := s.throttle > 0
		if throttled {
			s.throttle--
		}
		resetIn := s.resetIn
		s.mu.Unlock()
		if !ok {
			apiError(w, http.StatusUnauthorized, "", "Invalid token")
			return
		}
		if throttled {
			w.Header().Set("X-RateLimit-Limit", "50")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(s.Now().Add(resetIn).Unix(), 10))
			apiError(w, http.StatusTooManyRequests, "too_many_requests", "Global limit has been reached")
			return
		}
		h(w, r)
	}
}

// listParams are the pagination parameters of a list request: pages
// (page, per_page, include_totals) or checkpoints (from, take).
type listParams struct {
	checkpoint bool
	from, take int
	page, per  int
	totals     bool
}

func parseList(r *http.Request) (listParams, error) {
	q := r.URL.Query()
	var p listParams
	num := func(k string, def, maxV int) (int, error) {
		v := q.Get(k)
		if v == "" {
			return def, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxV {
			return 0, fmt.Errorf("Query validation error: '%s' must be an integer from 0 to %d", k, maxV)
		}
		return n, nil
	}
	var err error
	if q.Has("take") || q.Has("from") {
		p.checkpoint = true
		if p.take, err = num("take", 50, 100); err != nil {
			return p, err
		}
		if f := q.Get("from"); f != "" {
			b, err := base64.RawURLEncoding.DecodeString(f)
			if err != nil {
				return p, fmt.Errorf("Query validation error: invalid 'from'")
			}
			if p.from, err = strconv.Atoi(string(b)); err != nil {
				return p, fmt.Errorf("Query validation error: invalid 'from'")
			}
		}
		return p, nil
	}
	if p.page, err = num("page", 0, 1<<30); err != nil {
		return p, err
	}
	if p.per, err = num("per_page", 50, 100); err != nil {
		return p, err
	}
	p.totals = q.Get("include_totals") == "true"
	return p, nil
}

// pageLimit is how far page-based pagination reaches: the Management API
// serves only the first 1,000 results that way.
const pageLimit = 1000

// list writes the part of n items that p asks for, under key.
func list(w http.ResponseWriter, p listParams, key string, n int, item func(i int) any) {
	if p.checkpoint {
		end := min(p.from+p.take, n)
		items := []any{}
		for i := p.from; i < end; i++ {
			items = append(items, item(i))
		}
		out := map[string]any{key: items}
		if end < n {
			out["next"] = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	start := p.page * p.per
	if start >= pageLimit && start < n {
		apiError(w, http.StatusBadRequest, "invalid_paging",
			"You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation")
		return
	}
	end := min(start+p.per, n, pageLimit)
	items := []any{}
	for i := start; i < end; i++ {
		items = append(items, item(i))
	}
	if !p.totals {
		writeJSON(w, http.StatusOK, items)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{key: items, "start": start, "limit": p.per, "length": len(items), "total": n})
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	p, err := parseList(r)
	if err != nil || p.checkpoint {
		apiError(w, http.StatusBadRequest, "invalid_query_string", "Query validation error: use page and per_page")
		return
	}
	users := s.Tenant.Users
	idx := []int(nil)
	if q := r.URL.Query().Get("q"); q != "" {
		conn, ok := strings.CutPrefix(q, "identities.connection:")
		if !ok {
			apiError(w, http.StatusBadRequest, "invalid_query_string", "the fake supports only q=identities.connection:\"NAME\"")
			return
		}
		conn = strings.Trim(conn, `"`)
		for i := range users.Len() {
			if hasConnection(users.At(i), conn) {
				idx = append(idx, i)
			}
		}
	} else {
		idx = make([]int, users.Len())
		for i := range idx {
			idx[i] = i
		}
	}
	list(w, p, "users", len(idx), func(i int) any { return json.RawMessage(users.At(idx[i])) })
}

func hasConnection(u []byte, conn string) bool {
	var v struct {
		Identities []struct {
			Connection string `json:"connection"`
		} `json:"identities"`
	}
	json.Unmarshal(u, &v)
	for _, id := range v.Identities {
		if id.Connection == conn {
			return true
		}
	}
	return false
}

func (s *Server) createExport(w http.ResponseWriter, r *http.Request) {
	var req ExportRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, "invalid_body", "Payload validation error: "+err.Error())
		return
	}
	if req.Format != "json" {
		apiError(w, http.StatusBadRequest, "invalid_body", "the fake exports format json only")
		return
	}
	s.mu.Lock()
	id := fmt.Sprintf("job_fake%08d", len(s.jobs)+1)
	for s.jobs[id] != nil {
		id += "x"
	}
	s.jobs[id] = &job{id: id, req: req}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"type": "users_export", "status": "pending", "id": id,
		"connection_id": req.ConnectionID, "format": req.Format, "limit": req.Limit, "fields": req.Fields,
		"created_at": s.Now().UTC().Format(time.RFC3339)})
}

func (s *Server) readJob(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	j := s.jobs[r.PathValue("id")]
	if j != nil {
		j.polls++
	}
	s.mu.Unlock()
	if j == nil {
		apiError(w, http.StatusNotFound, "inexistent_job", "The job does not exist.")
		return
	}
	out := map[string]any{"type": "users_export", "id": j.id, "connection_id": j.req.ConnectionID, "format": j.req.Format,
		"created_at": s.Now().UTC().Format(time.RFC3339)}
	switch {
	case s.FailJobs:
		out["status"] = "failed"
	case j.polls <= s.PollsBeforeDone:
		out["status"] = "processing"
		out["percentage_done"] = 100 * j.polls / (s.PollsBeforeDone + 1)
		out["time_left_seconds"] = s.PollsBeforeDone - j.polls + 1
	default:
		out["status"] = "completed"
		host := s.URL
		if s.ExportHost != "" {
			host = s.ExportHost
		}
		out["location"] = host + "/exports/" + j.id + ".json.gz?X-Signature=fake"
	}
	writeJSON(w, http.StatusOK, out)
}

// download serves an export file as a pre-signed storage URL does: no
// token, the file gzip-compressed as it is stored.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".json.gz")
	s.mu.Lock()
	j := s.jobs[id]
	s.mu.Unlock()
	if !ok || j == nil || j.polls <= s.PollsBeforeDone {
		http.Error(w, "NoSuchKey", http.StatusNotFound)
		return
	}
	if s.DenyDownloads || r.URL.Query().Get("X-Signature") != "fake" {
		http.Error(w, "AccessDenied: Request has expired", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/gzip")
	if s.ExportFile != "" {
		http.ServeFile(w, r, s.ExportFile)
		return
	}
	WriteExport(w, s.Tenant, j.req)
}

func orgJSON(o Org) map[string]any {
	m := map[string]any{"id": o.ID, "name": o.Name}
	if o.DisplayName != "" {
		m["display_name"] = o.DisplayName
	}
	if len(o.Metadata) > 0 {
		m["metadata"] = o.Metadata
	}
	return m
}

func (s *Server) listOrgs(w http.ResponseWriter, r *http.Request) {
	p, err := parseList(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, "invalid_query_string", err.Error())
		return
	}
	list(w, p, "organizations", len(s.Tenant.Orgs), func(i int) any { return orgJSON(s.Tenant.Orgs[i]) })
}

func (s *Server) org(id string) (Org, bool) {
	for _, o := range s.Tenant.Orgs {
		if o.ID == id {
			return o, true
		}
	}
	return Org{}, false
}

func (s *Server) readOrg(w http.ResponseWriter, r *http.Request) {
	o, ok := s.org(r.PathValue("id"))
	if !ok {
		apiError(w, http.StatusNotFound, "inexistent_organization", "No organization found by that id or name")
		return
	}
	writeJSON(w, http.StatusOK, orgJSON(o))
}

func (s *Server) role(id string) (Role, bool) {
	for _, ro := range s.Tenant.Roles {
		if ro.ID == id {
			return ro, true
		}
	}
	return Role{}, false
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) {
	o, ok := s.org(r.PathValue("id"))
	if !ok {
		apiError(w, http.StatusNotFound, "inexistent_organization", "No organization found by that id or name")
		return
	}
	p, err := parseList(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, "invalid_query_string", err.Error())
		return
	}
	q := r.URL.Query()
	var fields []string
	if f := q.Get("fields"); f != "" && q.Get("include_fields") != "false" {
		fields = strings.Split(f, ",")
	}
	want := func(f string) bool { return fields == nil && f != "roles" || slices.Contains(fields, f) }
	members := o.Members()
	list(w, p, "members", len(members), func(i int) any {
		id := members[i]
		m := map[string]any{}
		var u struct {
			Email   string `json:"email"`
			Name    string `json:"name"`
			Picture string `json:"picture"`
		}
		if k, ok := s.Tenant.Users.Index(id); ok {
			json.Unmarshal(s.Tenant.Users.At(k), &u)
		}
		for f, v := range map[string]string{"user_id": id, "email": u.Email, "name": u.Name, "picture": u.Picture} {
			if want(f) && v != "" {
				m[f] = v
			}
		}
		if want("roles") && !s.IgnoreMemberRolesField {
			roles := []any{}
			for _, rid := range o.MemberRoles(id) {
				ro, _ := s.role(rid)
				roles = append(roles, map[string]string{"id": rid, "name": ro.Name})
			}
			m["roles"] = roles
		}
		return m
	})
}

func (s *Server) memberRoles(w http.ResponseWriter, r *http.Request) {
	o, ok := s.org(r.PathValue("id"))
	if !ok {
		apiError(w, http.StatusNotFound, "inexistent_organization", "No organization found by that id or name")
		return
	}
	user := r.PathValue("user")
	if !slices.Contains(o.Members(), user) {
		apiError(w, http.StatusNotFound, "inexistent_member", "The user is not a member of the organization")
		return
	}
	p, err := parseList(r)
	if err != nil || p.checkpoint {
		apiError(w, http.StatusBadRequest, "invalid_query_string", "Query validation error: use page and per_page")
		return
	}
	ids := o.MemberRoles(user)
	list(w, p, "roles", len(ids), func(i int) any {
		ro, _ := s.role(ids[i])
		return map[string]string{"id": ro.ID, "name": ro.Name, "description": ro.Description}
	})
}

func (s *Server) listRoles(w http.ResponseWriter, r *http.Request) {
	p, err := parseList(r)
	if err != nil || p.checkpoint {
		apiError(w, http.StatusBadRequest, "invalid_query_string", "Query validation error: use page and per_page")
		return
	}
	list(w, p, "roles", len(s.Tenant.Roles), func(i int) any {
		ro := s.Tenant.Roles[i]
		return map[string]string{"id": ro.ID, "name": ro.Name, "description": ro.Description}
	})
}

func (s *Server) rolePermissions(w http.ResponseWriter, r *http.Request) {
	ro, ok := s.role(r.PathValue("id"))
	if !ok {
		apiError(w, http.StatusNotFound, "inexistent_role", "The role does not exist.")
		return
	}
	p, err := parseList(r)
	if err != nil || p.checkpoint {
		apiError(w, http.StatusBadRequest, "invalid_query_string", "Query validation error: use page and per_page")
		return
	}
	list(w, p, "permissions", len(ro.Permissions), func(i int) any { return ro.Permissions[i] })
}

func (s *Server) connections(strategies []string) []json.RawMessage {
	var out []json.RawMessage
	for _, c := range s.Tenant.Connections {
		var v struct{ Strategy string }
		json.Unmarshal(c, &v)
		if len(strategies) == 0 || slices.Contains(strategies, v.Strategy) {
			out = append(out, c)
		}
	}
	return out
}

func (s *Server) listConnections(w http.ResponseWriter, r *http.Request) {
	p, err := parseList(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, "invalid_query_string", err.Error())
		return
	}
	conns := s.connections(r.URL.Query()["strategy"])
	list(w, p, "connections", len(conns), func(i int) any { return conns[i] })
}

func (s *Server) readConnection(w http.ResponseWriter, r *http.Request) {
	for _, c := range s.Tenant.Connections {
		var v struct{ ID string }
		json.Unmarshal(c, &v)
		if v.ID == r.PathValue("id") {
			writeJSON(w, http.StatusOK, c)
			return
		}
	}
	apiError(w, http.StatusNotFound, "inexistent_connection", "The connection does not exist")
}
