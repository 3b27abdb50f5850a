package importer

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/sync/errgroup"
	"modernc.org/sqlite"

	"github.com/mig-tools/mig/importer/workosapi"
	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// Reconcile reads back from WorkOS what an import put there and compares it
// with the staging database: users, organizations, memberships with their
// role slugs, TOTP factors. The WorkOS objects are read page by page into
// scratch tables of the staging database (reconcile_workos_*), so memory
// stays flat whatever their number; the comparison is the SQL rules of
// sqlqueries/reconcile/, one file per finding kind, over those tables and
// the views reconcile_imported_*. Findings land in reconcile_findings
// under the run's id.

// ReconcileOptions is one reconcile's settings. The API key is used for
// requests only: it is never written to the database, the logs or a report.
type ReconcileOptions struct {
	// Endpoint is the WorkOS API base URL (DefaultEndpoint when empty).
	Endpoint string
	// APIKey is the WorkOS secret key (sk_...).
	APIKey string `json:"-"`
	// HTTPClient sends the requests; its Transport is wrapped with the
	// importer's pacing and retries. Nil uses http.DefaultTransport.
	HTTPClient *http.Client `json:"-"`
	// Concurrency bounds the requests in flight while memberships and
	// factors are read (DefaultConcurrency when 0).
	Concurrency int
	// RateLimit is requests per second, as for Options.RateLimit: 0 keeps
	// under WorkOS's published read budget.
	RateLimit float64
	// StagedFactorsOnly reads the factors of the users with an imported
	// TOTP factor only; by default every imported user's are read (one
	// read each), so that a factor enrolled since the import is seen.
	StagedFactorsOnly bool
	// Log receives what happens; nil discards it.
	Log *slog.Logger `json:"-"`

	backoff time.Duration
}

// ReadCounts is how many objects a reconcile read from WorkOS.
type ReadCounts struct {
	Users         int64 `json:"users"`
	Organizations int64 `json:"organizations"`
	Memberships   int64 `json:"memberships"`
	Factors       int64 `json:"factors"`
}

// EntityCompared is how many rows of one entity a reconcile compared (the
// imported ones) and how many it could not (not imported yet, or failed).
type EntityCompared struct {
	Entity      string `json:"entity" db:"entity"`
	Compared    int64  `json:"compared" db:"compared"`
	NotImported int64  `json:"not_imported" db:"not_imported"`
}

// FindingCount is the number of findings of one entity, kind and severity.
type FindingCount struct {
	Entity   string `json:"entity" db:"entity"`
	Kind     string `json:"kind" db:"kind"`
	Severity string `json:"severity" db:"severity"`
	N        int64  `json:"findings" db:"n"`
}

// ReconcileSummary is the outcome of one reconcile.
type ReconcileSummary struct {
	RunID    int64                   `json:"run_id"`
	Endpoint string                  `json:"endpoint"`
	Clean    bool                    `json:"clean"`
	Errors   int64                   `json:"errors"`
	Infos    int64                   `json:"infos"`
	Read     ReadCounts              `json:"read"`
	Compared []EntityCompared        `json:"compared"`
	Counts   []FindingCount          `json:"counts"`
	Requests workosapi.StatsSnapshot `json:"requests"`
	Seconds  float64                 `json:"seconds"`
}

// DifferencesError is a reconcile that found WorkOS different from what was
// imported: error findings, each in reconcile_findings.
type DifferencesError struct {
	Summary *ReconcileSummary
}

func (e *DifferencesError) Error() string {
	var parts []string
	for _, c := range e.Summary.Counts {
		if c.Severity == "error" {
			parts = append(parts, fmt.Sprintf("%d %s %s", c.N, c.Entity, c.Kind))
		}
	}
	return fmt.Sprintf("WorkOS differs from what was imported: %d findings (%s)", e.Summary.Errors, strings.Join(parts, ", "))
}

// Hint says where the findings are.
func (e *DifferencesError) Hint() string {
	return fmt.Sprintf(`mig sql "select entity, kind, field, staged_value, workos_value, message from reconcile_findings where run_id = %d and severity = 'error'"`, e.Summary.RunID)
}

func init() {
	// What the importer sends as a user's or organization's metadata (see
	// stringMap), in the canonical form the reconcile rules compare with
	// what WorkOS shows: one rule, the importer's, read by both.
	sqlite.MustRegisterFunction("mig_workos_metadata", &sqlite.FunctionImpl{NArgs: 1, Deterministic: true,
		Scalar: func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			var s string
			switch v := args[0].(type) {
			case string:
				s = v
			case []byte:
				s = string(v)
			case nil:
				return canonicalMetadata(nil), nil
			default:
				return nil, fmt.Errorf("mig_workos_metadata: want JSON text, got %T", v)
			}
			return canonicalMetadata(stringMap(s)), nil
		}})
}

// canonicalMetadata is metadata as JSON with sorted keys.
func canonicalMetadata(m map[string]string) string {
	if m == nil {
		m = map[string]string{}
	}
	b, _ := json.Marshal(m) // a map of strings always encodes
	return string(b)
}

// Reconcile reads WorkOS back and compares it with what db imported, as o
// says. It returns a *DifferencesError (exit code 6) when an imported row
// differs from WorkOS, an *AuthError when WorkOS refuses the key, and an
// *UnreachableError when the endpoint does not answer; an interrupted or
// failed read records no findings, since a half-read WorkOS would show
// objects as missing that are there.
func Reconcile(ctx context.Context, db *staging.DB, o ReconcileOptions) (*ReconcileSummary, error) {
	endpointDefaults(&o.Endpoint, &o.Concurrency, &o.Log)
	if db.ReadOnly {
		return nil, errors.New("reconcile: the staging database is open read-only")
	}
	if o.APIKey == "" {
		return nil, &AuthError{}
	}
	elsewhere, err := importedElsewhere(ctx, db, o.Endpoint)
	if err != nil {
		return nil, err
	}
	if elsewhere != "" {
		o.Log.Warn(fmt.Sprintf("reconcile: this database's imports went to %s, not %s", elsewhere, o.Endpoint))
	}
	if err := preflight(ctx, Options{Endpoint: o.Endpoint, APIKey: o.APIKey, HTTPClient: o.HTTPClient, backoff: o.backoff}); err != nil {
		return nil, pointElsewhere(rerun(err, "mig reconcile"), elsewhere)
	}
	start := time.Now()
	rb := newReadback(db, o)
	opts, _ := json.Marshal(map[string]any{"concurrency": o.Concurrency, "rate_limit": o.RateLimit, "staged_factors_only": o.StagedFactorsOnly})
	res, err := db.ExecContext(ctx, sqlqueries.MustLoad("readback/start_run.sql").SQL,
		sql.Named("endpoint", o.Endpoint), sql.Named("options", string(opts)), sql.Named("now", staging.Now()))
	if err != nil {
		return nil, fmt.Errorf("record reconcile run: %w", err)
	}
	runID, _ := res.LastInsertId()
	s := &ReconcileSummary{RunID: runID, Endpoint: o.Endpoint}

	err = rb.clear(ctx)
	if err == nil {
		err = rb.read(ctx)
	}
	if err == nil {
		err = compare(ctx, db, runID, o.Log)
	}
	// The summary and the run's status are written even when interrupted.
	bg := context.WithoutCancel(ctx)
	if err == nil {
		err = summarizeReconcile(bg, db, s)
	}
	s.Read = rb.counts()
	s.Requests = rb.tr.Snapshot()
	s.Seconds = time.Since(start).Seconds()
	if cerr := rb.clear(bg); err == nil {
		err = cerr
	}
	status := "clean"
	switch {
	case err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		status = "interrupted"
	case err != nil:
		status = "failed"
	case s.Errors > 0:
		status = "differences"
	}
	b, _ := json.Marshal(s)
	if _, ferr := db.ExecContext(bg, sqlqueries.MustLoad("readback/finish_run.sql").SQL, sql.Named("now", staging.Now()),
		sql.Named("status", status), sql.Named("summary", string(b)), sql.Named("id", runID)); ferr != nil && err == nil {
		err = fmt.Errorf("record reconcile run: %w", ferr)
	}
	if err != nil {
		return s, pointElsewhere(rerun(err, "mig reconcile"), elsewhere)
	}
	if s.Errors > 0 {
		return s, pointElsewhere(&DifferencesError{Summary: s}, elsewhere)
	}
	return s, nil
}

// rerun gives an endpoint that does not answer the hint of the command at
// hand: run it again once the endpoint answers.
func rerun(err error, command string) error {
	var ue *UnreachableError
	if !errors.As(err, &ue) {
		return err
	}
	return &hinted{err: err, hint: "check --endpoint (WORKOS_API_URL) and the network, then run " + command + " again"}
}

// importedElsewhere names the endpoints this database's imports went
// through when endpoint is none of them, and is "" otherwise or when
// nothing was imported: a reconcile there compares with another WorkOS,
// most often because mig import was given --endpoint (or WORKOS_API_URL)
// and mig reconcile was not.
func importedElsewhere(ctx context.Context, db *staging.DB, endpoint string) (string, error) {
	var eps []string
	if err := db.SelectContext(ctx, &eps, sqlqueries.MustLoad("readback/import_endpoints.sql").SQL); err != nil {
		return "", fmt.Errorf("reconcile: read the imports' endpoints: %w", err)
	}
	for _, ep := range eps {
		if ep == endpoint {
			return "", nil
		}
	}
	return strings.Join(eps, ", "), nil
}

// pointElsewhere adds to the hint of err, when the imports went through
// another endpoint (elsewhere, from importedElsewhere), the endpoint to
// reconcile through instead.
func pointElsewhere(err error, elsewhere string) error {
	var h interface{ Hint() string }
	if elsewhere == "" || !errors.As(err, &h) {
		return err
	}
	first, _, _ := strings.Cut(elsewhere, ", ")
	return &hinted{err: err, hint: fmt.Sprintf("%s; this database's imports went to %s: run mig reconcile with --endpoint %s (or WORKOS_API_URL) to compare with that WorkOS",
		h.Hint(), elsewhere, first)}
}

// hinted is an error with the next step to take.
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Unwrap() error { return h.err }

// Hint is the next step.
func (h *hinted) Hint() string { return h.hint }

func summarizeReconcile(ctx context.Context, db *staging.DB, s *ReconcileSummary) error {
	if err := db.SelectContext(ctx, &s.Compared, sqlqueries.MustLoad("readback/compared.sql").SQL); err != nil {
		return fmt.Errorf("reconcile summary: %w", err)
	}
	if err := db.SelectContext(ctx, &s.Counts, sqlqueries.MustLoad("readback/summary.sql").SQL, sql.Named("run_id", s.RunID)); err != nil {
		return fmt.Errorf("reconcile summary: %w", err)
	}
	for _, c := range s.Counts {
		if c.Severity == "error" {
			s.Errors += c.N
		} else {
			s.Infos += c.N
		}
	}
	s.Clean = s.Errors == 0
	return nil
}

// compare runs every rule of sqlqueries/reconcile/, in name order, in one
// transaction: a run's findings are all there or none are.
func compare(ctx context.Context, db *staging.DB, runID int64, log *slog.Logger) error {
	rules, err := sqlqueries.Dir("reconcile")
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *sqlx.Tx) error {
		for _, q := range rules {
			start := time.Now()
			for _, st := range sqlqueries.Statements(q.SQL) {
				if _, err := tx.ExecContext(ctx, st, sql.Named("run_id", runID), sql.Named("rule", q.Name)); err != nil {
					return fmt.Errorf("reconcile rule %s: %w", q.Name, err)
				}
			}
			log.Debug("reconcile rule", "rule", q.Name, "took", time.Since(start).Round(time.Millisecond))
		}
		return nil
	})
}

// readback reads WorkOS into the scratch tables.
type readback struct {
	db  *staging.DB
	o   ReconcileOptions
	tr  *workosapi.Transport
	api *workosapi.Client

	mu sync.Mutex
	n  ReadCounts
}

func newReadback(db *staging.DB, o ReconcileOptions) *readback {
	tr := pacedTransport(o.HTTPClient, o.RateLimit, o.backoff)
	rb := &readback{db: db, o: o, tr: tr,
		api: &workosapi.Client{Endpoint: o.Endpoint, APIKey: o.APIKey, HTTPClient: &http.Client{Transport: tr}}}
	return rb
}

func (rb *readback) counts() ReadCounts {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	return rb.n
}

func (rb *readback) add(f func(*ReadCounts)) {
	rb.mu.Lock()
	f(&rb.n)
	rb.mu.Unlock()
}

func (rb *readback) clear(ctx context.Context) error {
	return rb.db.InTx(ctx, func(tx *sqlx.Tx) error {
		for _, st := range sqlqueries.Statements(sqlqueries.MustLoad("readback/clear.sql").SQL) {
			if _, err := tx.ExecContext(ctx, st); err != nil {
				return fmt.Errorf("clear the reconcile scratch tables: %w", err)
			}
		}
		return nil
	})
}

// apiError turns a failed read into the run's error: a 401 is the key, no
// answer is the endpoint; anything else names what was being read.
func (rb *readback) apiError(what string, err error) error {
	if ae, ok := workosapi.AsAPIError(err); ok && ae.Status == http.StatusUnauthorized {
		return &AuthError{Err: ae}
	}
	var oe *workosapi.OutageError
	if errors.As(err, &oe) {
		return &UnreachableError{Endpoint: rb.o.Endpoint, Stopped: true, Err: oe}
	}
	return fmt.Errorf("read %s from %s: %w", what, rb.o.Endpoint, err)
}

// read fills the scratch tables: users then their factors, alongside
// organizations then their memberships, under the one read budget.
func (rb *readback) read(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := rb.readUsers(gctx); err != nil {
			return err
		}
		rb.o.Log.Info("reconcile: read WorkOS users", "users", rb.counts().Users)
		all := 1
		if rb.o.StagedFactorsOnly {
			all = 0
		}
		insFactor := sqlqueries.MustLoad("readback/insert_factor.sql").SQL
		markRead := sqlqueries.MustLoad("readback/factors_read.sql").SQL
		err := fanOut(gctx, rb, "factors", "readback/users_to_read.sql", []any{sql.Named("all", all)},
			func(ctx context.Context, id string, emit func([]workosapi.Factor) error) (bool, error) {
				after := ""
				for {
					p, err := rb.api.ListFactorsPage(ctx, id, after)
					if gone(err) {
						return false, nil
					}
					if err != nil {
						return false, rb.apiError("the factors of user "+id, err)
					}
					if err := emit(p.Data); err != nil {
						return false, err
					}
					if p.After == "" {
						return true, nil
					}
					after = p.After
				}
			},
			func(ctx context.Context, tx *sqlx.Tx, id string, rows []workosapi.Factor, last bool) error {
				for _, f := range rows {
					if _, err := tx.ExecContext(ctx, insFactor,
						sql.Named("id", f.ID), sql.Named("user_id", id), sql.Named("type", f.Type)); err != nil {
						return err
					}
				}
				rb.add(func(n *ReadCounts) { n.Factors += int64(len(rows)) })
				if last {
					_, err := tx.ExecContext(ctx, markRead, sql.Named("id", id))
					return err
				}
				return nil
			})
		if err == nil {
			rb.o.Log.Info("reconcile: read WorkOS factors", "factors", rb.counts().Factors)
		}
		return err
	})
	g.Go(func() error {
		if err := rb.readOrganizations(gctx); err != nil {
			return err
		}
		rb.o.Log.Info("reconcile: read WorkOS organizations", "organizations", rb.counts().Organizations)
		insMember := sqlqueries.MustLoad("readback/insert_membership.sql").SQL
		markRead := sqlqueries.MustLoad("readback/members_read.sql").SQL
		err := fanOut(gctx, rb, "memberships", "readback/organizations_to_read.sql", nil,
			func(ctx context.Context, id string, emit func([]workosapi.Membership) error) (bool, error) {
				after := ""
				for {
					p, err := rb.api.ListOrganizationMemberships(ctx, id, after)
					if gone(err) {
						return false, nil
					}
					if err != nil {
						return false, rb.apiError("the memberships of organization "+id, err)
					}
					if err := emit(p.Data); err != nil {
						return false, err
					}
					if p.After == "" {
						return true, nil
					}
					after = p.After
				}
			},
			func(ctx context.Context, tx *sqlx.Tx, id string, rows []workosapi.Membership, last bool) error {
				for _, m := range rows {
					slugs := append([]string{}, m.RoleSlugs...)
					sort.Strings(slugs)
					b, _ := json.Marshal(slugs)
					if _, err := tx.ExecContext(ctx, insMember,
						sql.Named("id", m.ID), sql.Named("user_id", m.UserID), sql.Named("organization_id", m.OrganizationID),
						sql.Named("status", m.Status), sql.Named("role_slugs", string(b))); err != nil {
						return err
					}
				}
				rb.add(func(n *ReadCounts) { n.Memberships += int64(len(rows)) })
				if last {
					_, err := tx.ExecContext(ctx, markRead, sql.Named("id", id))
					return err
				}
				return nil
			})
		if err == nil {
			rb.o.Log.Info("reconcile: read WorkOS memberships", "memberships", rb.counts().Memberships)
		}
		return err
	})
	return g.Wait()
}

// gone reports an answer that says the object a list belongs to is not
// there any more (deleted while the reconcile ran): 404, or the 422 the
// factor list gives for an unknown user.
func gone(err error) bool {
	ae, ok := workosapi.AsAPIError(err)
	return ok && (ae.Status == http.StatusNotFound || ae.Status == http.StatusUnprocessableEntity)
}

// readUsers lists every WorkOS user, a page per transaction.
func (rb *readback) readUsers(ctx context.Context) error {
	ins := sqlqueries.MustLoad("readback/insert_user.sql").SQL
	after := ""
	for {
		p, err := rb.api.ListUsers(ctx, after)
		if err != nil {
			return rb.apiError("users", err)
		}
		err = rb.db.InTx(ctx, func(tx *sqlx.Tx) error {
			st, err := tx.PrepareContext(ctx, ins)
			if err != nil {
				return err
			}
			defer st.Close()
			for _, u := range p.Data {
				if _, err := st.ExecContext(ctx,
					sql.Named("id", u.ID), sql.Named("email", u.Email), sql.Named("first_name", u.FirstName),
					sql.Named("last_name", u.LastName), sql.Named("email_verified", u.EmailVerified),
					sql.Named("external_id", u.ExternalID), sql.Named("metadata", canonicalMetadata(u.Metadata)),
					sql.Named("last_sign_in_at", u.LastSignInAt)); err != nil {
					return fmt.Errorf("store WorkOS users: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		rb.add(func(n *ReadCounts) { n.Users += int64(len(p.Data)) })
		if p.After == "" {
			return nil
		}
		after = p.After
	}
}

// readOrganizations lists every WorkOS organization, a page per
// transaction.
func (rb *readback) readOrganizations(ctx context.Context) error {
	ins := sqlqueries.MustLoad("readback/insert_organization.sql").SQL
	after := ""
	for {
		p, err := rb.api.ListOrganizations(ctx, after)
		if err != nil {
			return rb.apiError("organizations", err)
		}
		err = rb.db.InTx(ctx, func(tx *sqlx.Tx) error {
			for _, o := range p.Data {
				if _, err := tx.ExecContext(ctx, ins,
					sql.Named("id", o.ID), sql.Named("name", o.Name), sql.Named("external_id", o.ExternalID)); err != nil {
					return fmt.Errorf("store WorkOS organizations: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		rb.add(func(n *ReadCounts) { n.Organizations += int64(len(p.Data)) })
		if p.After == "" {
			return nil
		}
		after = p.After
	}
}

// fetched is part of what was read for one id; last marks its end.
type fetched[T any] struct {
	id   string
	rows []T
	last bool
}

// fanOut reads, for every id the query gives (a page of ids at a time,
// keyset on id), everything fetch emits, with rb.o.Concurrency requests in
// flight, and stores it with store in batched transactions. fetch reports
// false when the id's object is gone; then nothing marks it read.
func fanOut[T any](ctx context.Context, rb *readback, label, query string, args []any,
	fetch func(ctx context.Context, id string, emit func([]T) error) (bool, error),
	store func(ctx context.Context, tx *sqlx.Tx, id string, rows []T, last bool) error) error {
	const idPage, flushRows = 500, 500
	q := sqlqueries.MustLoad(query).SQL
	g, gctx := errgroup.WithContext(ctx)
	jobs := make(chan string, 2*rb.o.Concurrency)
	results := make(chan fetched[T], 4*rb.o.Concurrency)
	g.Go(func() error {
		defer close(jobs)
		after := ""
		for {
			var ids []string
			a := append([]any{sql.Named("after", after), sql.Named("limit", idPage)}, args...)
			if err := rb.db.SelectContext(gctx, &ids, q, a...); err != nil {
				return fmt.Errorf("reconcile: which %s to read: %w", label, err)
			}
			if len(ids) == 0 {
				return nil
			}
			for _, id := range ids {
				select {
				case jobs <- id:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			after = ids[len(ids)-1]
		}
	})
	var workers sync.WaitGroup
	for range rb.o.Concurrency {
		workers.Add(1)
		g.Go(func() error {
			defer workers.Done()
			send := func(f fetched[T]) error {
				select {
				case results <- f:
					return nil
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			for id := range jobs {
				found, err := fetch(gctx, id, func(rows []T) error { return send(fetched[T]{id: id, rows: rows}) })
				if err != nil {
					return err
				}
				if found {
					if err := send(fetched[T]{id: id, last: true}); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	go func() {
		workers.Wait()
		close(results)
	}()
	g.Go(func() error {
		var batch []fetched[T]
		rows := 0
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			err := rb.db.InTx(gctx, func(tx *sqlx.Tx) error {
				for _, f := range batch {
					if err := store(gctx, tx, f.id, f.rows, f.last); err != nil {
						return err
					}
				}
				return nil
			})
			batch, rows = batch[:0], 0
			if err != nil {
				return fmt.Errorf("reconcile: store %s: %w", label, err)
			}
			return nil
		}
		for f := range results {
			batch = append(batch, f)
			rows += len(f.rows) + 1
			if rows >= flushRows {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	})
	return g.Wait()
}

// WriteReconcileReport writes run s's summary and every finding as JSON to
// w, the findings streamed from the database. Findings hold no password
// hash or TOTP secret: reconcile never reads them.
func WriteReconcileReport(ctx context.Context, q sqlx.QueryerContext, s *ReconcileSummary, w io.Writer) error {
	head, err := json.MarshalIndent(s, "  ", "  ")
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "{\n  \"summary\": %s,\n  \"findings\": [", head); err != nil {
		return err
	}
	rows, err := q.QueryxContext(ctx, sqlqueries.MustLoad("readback/findings.sql").SQL, sql.Named("run_id", s.RunID))
	if err != nil {
		return fmt.Errorf("read findings: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var f struct {
			Rule        string  `db:"rule" json:"rule"`
			Entity      string  `db:"entity" json:"entity"`
			StagedID    *int64  `db:"staged_id" json:"staged_id"`
			WorkOSID    *string `db:"workos_id" json:"workos_id"`
			Kind        string  `db:"kind" json:"kind"`
			Severity    string  `db:"severity" json:"severity"`
			Field       *string `db:"field" json:"field"`
			StagedValue *string `db:"staged_value" json:"staged_value"`
			WorkOSValue *string `db:"workos_value" json:"workos_value"`
			Message     string  `db:"message" json:"message"`
		}
		if err := rows.StructScan(&f); err != nil {
			return err
		}
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		sep := ",\n    "
		if n == 0 {
			sep = "\n    "
		}
		if _, err := io.WriteString(w, sep+string(b)); err != nil {
			return err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	end := "]\n}\n"
	if n > 0 {
		end = "\n  ]\n}\n"
	}
	_, err = io.WriteString(w, end)
	return err
}
