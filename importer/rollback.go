package importer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/sync/errgroup"

	"github.com/mig-tools/mig/importer/workosapi"
	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// Rollback deletes from WorkOS what this staging database's imports
// created, as rollback_items records it (a trigger writes down every
// creation an import records): never an object an import adopted because
// it existed already. It goes newest first, dependents before what they
// depend on: memberships and factors of users who stay, then users (each
// taking its memberships and factors with it, one request instead of
// several), organizations' custom roles, organizations (only once no
// membership is left in them), environment roles (kept: WorkOS cannot
// delete one) and permissions. Every row's status is in rollback_items,
// marked in flight before its request, so a rollback stopped at any
// moment resumes: a row found in flight is sent again, and an object gone
// already counts as deleted, never twice. The import rows of what was
// deleted go back to pending, without their WorkOS id, so a later import
// creates them again.

// RollbackOptions is one rollback's settings. The API key is used for
// requests only: it is never written to the database or the logs.
type RollbackOptions struct {
	// Endpoint is the WorkOS API base URL (DefaultEndpoint when empty). Only
	// objects created through this endpoint are deleted.
	Endpoint string
	// APIKey is the WorkOS secret key (sk_...).
	APIKey string `json:"-"`
	// HTTPClient sends the requests; its Transport is wrapped with the
	// importer's pacing and retries. Nil uses http.DefaultTransport.
	HTTPClient *http.Client `json:"-"`
	// Concurrency bounds the requests in flight (DefaultConcurrency when 0).
	Concurrency int
	// RateLimit is requests per second, as for Options.RateLimit.
	RateLimit float64
	// Only restricts the rollback to some of Entities; empty means all.
	Only []string
	// DryRun lists what would be deleted, from the database alone: nothing
	// is sent and nothing is written. Each row goes to PlanTo, one a line
	// (tab-separated: delete or keep, entity, WorkOS id, what it is, why).
	DryRun bool
	PlanTo io.Writer `json:"-"`
	// IncludeActive deletes users who signed in since the import too (and
	// the memberships and factors mig gave them); otherwise they are kept.
	IncludeActive bool
	// AcceptMissing goes on when none of the newest objects to delete is in
	// WorkOS; otherwise the rollback stops before it marks anything,
	// because that is what the key of another environment looks like.
	AcceptMissing bool
	// Log receives what happens; nil discards it.
	Log *slog.Logger `json:"-"`

	backoff time.Duration
	// afterDelete, when set, is called after every object WorkOS deleted:
	// tests stop a rollback part way with it.
	afterDelete func()
	// crashBeforeWrite, when set and true, drops a page's results as a
	// crash between the requests and their record would: tests resume
	// from that state.
	crashBeforeWrite func() bool
}

// RollbackCounts is where one entity's created objects stand.
type RollbackCounts struct {
	Entity  string `json:"entity" db:"entity"`
	Total   int64  `json:"total" db:"total"`
	Deleted int64  `json:"deleted" db:"deleted"`
	Kept    int64  `json:"kept" db:"kept"`
	Failed  int64  `json:"failed" db:"failed"`
	Pending int64  `json:"pending" db:"pending"`
	// WithParent counts, in a dry run, the objects WorkOS deletes with the
	// user or organization they belong to (no request of their own).
	WithParent int64 `json:"with_parent,omitempty"`
}

// RollbackRow is one object a rollback kept or failed on.
type RollbackRow struct {
	Entity   string `json:"entity" db:"entity"`
	WorkOSID string `json:"workos_id" db:"workos_id"`
	Status   string `json:"status,omitempty" db:"status"`
	Reason   string `json:"reason,omitempty" db:"reason"`
}

// Elsewhere is what a rollback leaves alone, and why.
type Elsewhere struct {
	What string `json:"what" db:"what"`
	N    int64  `json:"rows" db:"n"`
}

// RollbackSummary is the outcome of a rollback, or of a dry run the plan.
type RollbackSummary struct {
	RunID    int64                   `json:"run_id,omitempty"`
	Endpoint string                  `json:"endpoint"`
	DryRun   bool                    `json:"dry_run,omitempty"`
	Entities []RollbackCounts        `json:"entities"`
	Kept     []RollbackRow           `json:"kept,omitempty"`
	Left     []Elsewhere             `json:"left_alone,omitempty"`
	Requests workosapi.StatsSnapshot `json:"requests"`
	Seconds  float64                 `json:"seconds"`
}

// RollbackPartialError is a rollback that finished with some rows failed;
// running it again retries them.
type RollbackPartialError struct {
	Failed int64
}

func (e *RollbackPartialError) Error() string {
	return fmt.Sprintf("%d objects could not be deleted; the rest of what was in scope is deleted or kept with a reason", e.Failed)
}

// Hint says how to see and retry them.
func (e *RollbackPartialError) Hint() string {
	return `mig sql "select entity, workos_id, http_status, error_code, reason from rollback_items where status = 'failed'", then mig rollback again`
}

// MissingError is a rollback refused before it marked anything: none of the
// newest objects it would delete is in WorkOS at this endpoint with this
// key, which is what the key of another environment looks like.
type MissingError struct {
	Endpoint string
	Checked  []string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("none of the %d newest objects to delete is in WorkOS at %s (%s); nothing was marked or deleted: is the API key that of the environment the import used?",
		len(e.Checked), e.Endpoint, strings.Join(e.Checked, ", "))
}

// Hint names both ways on.
func (e *MissingError) Hint() string {
	return "check WORKOS_SECRET_KEY (mig reconcile shows what that environment holds); if these objects were deleted by other means, mig rollback --accept-missing records them as gone"
}

// rbRow is a rollback_items row a phase handles, with what its request
// needs.
type rbRow struct {
	ID           int64  `db:"id"`
	Entity       string `db:"entity"`
	EntityID     int64  `db:"entity_id"`
	WorkOSID     string `db:"workos_id"`
	Status       string `db:"status"`
	Label        string `db:"label"`
	Slug         string `db:"slug"`
	OrgWorkOSID  string `db:"org_workos_id"`
	UserWorkOSID string `db:"user_workos_id"`
	// HeldBy names the roles that stay and hold a permission.
	HeldBy string `db:"held_by"`
}

// rbResult is what became of a row.
type rbResult struct {
	id         int64
	entity     string
	entityID   int64
	workosID   string
	status     string // deleted, kept, failed; "" leaves the row in flight
	reason     string
	httpStatus int
	code       string
	requestID  string
}

// rbPhase is one step of a rollback: the rows of one page query, why a row
// is kept without a request (keep, which a dry run asks too; "" for none),
// and how the others are handled.
type rbPhase struct {
	label  string
	query  string
	args   []any
	keep   func(rbRow) string
	handle func(context.Context, rbRow) rbResult
}

// rollbacker is one rollback run: its database, clients and state.
type rollbacker struct {
	db    *staging.DB
	o     RollbackOptions
	runID int64
	tr    *workosapi.Transport
	api   *workosapi.Client

	cancel    context.CancelFunc
	fatalOnce sync.Once
	fatal     error
}

// Rollback deletes what db's imports created through o.Endpoint, as the
// comment at the top of this file describes, and returns where every
// created object stands. It returns a *RollbackPartialError (exit code 5) when some rows
// failed, an *AuthError when WorkOS refuses the key, a *MissingError when
// the newest objects are nowhere to be found, and the context's error when
// interrupted; in every case the database is consistent and the next
// Rollback resumes.
func Rollback(ctx context.Context, db *staging.DB, o RollbackOptions) (*RollbackSummary, error) {
	endpointDefaults(&o.Endpoint, &o.Concurrency, &o.Log)
	only, err := rollbackScope(o.Only)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	rb := &rollbacker{db: db, o: o}
	phases := rb.phases(only)
	if o.DryRun {
		return rb.plan(ctx, phases, only["user"], start)
	}
	if db.ReadOnly {
		return nil, errors.New("rollback: the staging database is open read-only")
	}
	if o.APIKey == "" {
		return nil, &AuthError{}
	}
	if err := preflight(ctx, Options{Endpoint: o.Endpoint, APIKey: o.APIKey, HTTPClient: o.HTTPClient, backoff: o.backoff}); err != nil {
		return nil, rerun(err, "mig rollback")
	}
	rb.tr = pacedTransport(o.HTTPClient, o.RateLimit, o.backoff)
	rb.tr.OnOutage = func(oe *workosapi.OutageError) {
		rb.setFatal(&UnreachableError{Endpoint: o.Endpoint, Stopped: true, Err: oe})
	}
	rb.api = &workosapi.Client{Endpoint: o.Endpoint, APIKey: o.APIKey, HTTPClient: &http.Client{Transport: rb.tr}}
	if !o.AcceptMissing {
		if err := rb.sample(ctx, phases); err != nil {
			return nil, err
		}
	}

	opts, _ := json.Marshal(map[string]any{"only": o.Only, "include_active": o.IncludeActive,
		"concurrency": o.Concurrency, "rate_limit": o.RateLimit, "accept_missing": o.AcceptMissing})
	res, err := db.ExecContext(ctx, sqlqueries.MustLoad("rollback/start_run.sql").SQL,
		sql.Named("endpoint", o.Endpoint), sql.Named("options", string(opts)), sql.Named("now", staging.Now()))
	if err != nil {
		return nil, fmt.Errorf("record rollback run: %w", err)
	}
	rb.runID, _ = res.LastInsertId()
	ctx, rb.cancel = context.WithCancel(ctx)
	defer rb.cancel()

	var runErr error
	for _, p := range phases {
		if runErr = rb.runPhase(ctx, p); runErr != nil {
			break
		}
	}
	if rb.fatal != nil {
		runErr = rb.fatal
	}
	bg := context.WithoutCancel(ctx)
	s, err := rb.summary(bg, start)
	if err != nil {
		return nil, errors.Join(runErr, err)
	}
	s.Requests = rb.tr.Snapshot()
	var failed int64
	for _, c := range s.Entities {
		failed += c.Failed
	}
	status := "done"
	switch {
	case runErr != nil && (errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded)):
		status = "interrupted"
	case errors.As(runErr, new(*UnreachableError)):
		status = "stopped"
	case runErr != nil:
		status = "failed"
	case failed > 0:
		status = "partial"
	}
	b, _ := json.Marshal(s)
	if _, err := db.ExecContext(bg, sqlqueries.MustLoad("rollback/finish_run.sql").SQL, sql.Named("now", staging.Now()),
		sql.Named("status", status), sql.Named("summary", string(b)), sql.Named("id", rb.runID)); err != nil {
		return s, errors.Join(runErr, fmt.Errorf("record rollback run: %w", err))
	}
	if runErr != nil {
		return s, rerun(runErr, "mig rollback")
	}
	if failed > 0 {
		return s, &RollbackPartialError{Failed: failed}
	}
	return s, nil
}

// rollbackScope reads --only with the import's names (Entities).
func rollbackScope(only []string) (map[string]bool, error) {
	set := map[string]bool{}
	for _, o := range only {
		for _, name := range strings.Split(o, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			e, ok := itemEntity[name]
			if !ok {
				e, ok = itemEntity[name+"s"]
			}
			if !ok {
				return nil, fmt.Errorf("--only %s: want some of %s", name, strings.Join(Entities, ", "))
			}
			set[e] = true
		}
	}
	if len(set) == 0 {
		for _, e := range itemEntity {
			set[e] = true
		}
	}
	return set, nil
}

func (rb *rollbacker) setFatal(err error) {
	rb.fatalOnce.Do(func() {
		rb.fatal = err
		if rb.cancel != nil {
			rb.cancel()
		}
	})
}

// phases lists the steps in the order they run, for the entities in scope.
func (rb *rollbacker) phases(only map[string]bool) []rbPhase {
	flag := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	var ps []rbPhase
	for _, e := range []struct{ entity, label string }{{"totp", "factors"}, {"membership", "memberships"}} {
		if only[e.entity] {
			ps = append(ps, rbPhase{label: e.label, query: "rollback/page_attached.sql",
				args:   []any{sql.Named("entity", e.entity), sql.Named("users", flag(only["user"]))},
				handle: rb.attached})
		}
	}
	if only["user"] {
		ps = append(ps, rbPhase{label: "users", query: "rollback/page_users.sql", handle: rb.user})
	}
	if only["role"] {
		ps = append(ps, rbPhase{label: "organization roles", query: "rollback/page_org_roles.sql", handle: rb.orgRole})
	}
	if only["organization"] {
		ps = append(ps, rbPhase{label: "organizations", query: "rollback/page_organizations.sql", handle: rb.organization})
	}
	if only["role"] {
		ps = append(ps, rbPhase{label: "environment roles", query: "rollback/page_env_roles.sql",
			keep: func(rbRow) string {
				return "WorkOS has no API call that deletes an environment role: delete it in the WorkOS dashboard (Roles) once nothing uses it"
			}})
	}
	if only["permission"] {
		ps = append(ps, rbPhase{label: "permissions", query: "rollback/page_permissions.sql",
			args: []any{sql.Named("roles", flag(only["role"]))},
			keep: func(r rbRow) string {
				if r.HeldBy == "" {
					return ""
				}
				return "held by roles that stay (" + r.HeldBy + "): kept, so that they keep granting it"
			},
			handle: rb.permission})
	}
	return ps
}

// page reads one page of a phase, newest first, below id before.
func (rb *rollbacker) page(ctx context.Context, p rbPhase, before int64, limit int) ([]rbRow, error) {
	var rows []rbRow
	args := append([]any{sql.Named("endpoint", rb.o.Endpoint), sql.Named("before", before), sql.Named("limit", limit)}, p.args...)
	if err := rb.db.SelectContext(ctx, &rows, sqlqueries.MustLoad(p.query).SQL, args...); err != nil {
		return nil, fmt.Errorf("rollback: read %s: %w", p.label, err)
	}
	return rows, nil
}

const maxRowID = int64(1<<63 - 1)

// runPhase handles every row of a phase, a page at a time: the page is
// marked in flight in one transaction, its rows are sent with
// o.Concurrency requests in flight, and their results, the rows WorkOS
// deleted with them and the import rows to make pending again are written
// in one transaction. No cursor is open while anything is written.
func (rb *rollbacker) runPhase(ctx context.Context, p rbPhase) error {
	size := min(max(4*rb.o.Concurrency, 50), 500)
	before := maxRowID
	n := 0
	for {
		rows, err := rb.page(ctx, p, before, size)
		if err != nil || len(rows) == 0 {
			return err
		}
		before = rows[len(rows)-1].ID
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		if _, err := rb.db.ExecContext(ctx, sqlqueries.MustLoad("rollback/mark_in_flight.sql").SQL,
			sql.Named("ids", jsonIDs(ids)), sql.Named("run_id", rb.runID), sql.Named("now", staging.Now())); err != nil {
			return fmt.Errorf("rollback: mark %s in flight: %w", p.label, err)
		}
		results := make([]rbResult, len(rows))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(rb.o.Concurrency)
		for i, r := range rows {
			g.Go(func() error {
				switch why := keepOf(p, r); {
				case gctx.Err() != nil:
				case why != "":
					results[i] = rbResult{status: "kept", reason: why}
				default:
					results[i] = p.handle(gctx, r)
				}
				results[i].id, results[i].entity, results[i].entityID, results[i].workosID = r.ID, r.Entity, r.EntityID, r.WorkOSID
				return nil
			})
		}
		g.Wait()
		if rb.o.crashBeforeWrite != nil && rb.o.crashBeforeWrite() {
			return errors.New("rollback: simulated crash before the results were written")
		}
		// The results are written even when the run was stopped: what
		// WorkOS deleted must be recorded.
		if err := rb.write(context.WithoutCancel(ctx), results); err != nil {
			rb.setFatal(err)
			return err
		}
		n += len(rows)
		rb.o.Log.Info("rollback", "phase", p.label, "rows", n)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// keepOf is why row r of phase p is kept without a request, or "".
func keepOf(p rbPhase, r rbRow) string {
	if p.keep == nil {
		return ""
	}
	return p.keep(r)
}

func jsonIDs(ids []int64) string {
	b, _ := json.Marshal(ids)
	return string(b)
}

// write records a page's results, then what they decided for the rows
// WorkOS deleted with them or that are kept with their user
// (rollback/children.sql), and puts the import rows of every object gone
// back to pending, in one transaction. Each statement reads or writes one
// row by its index, so a page costs its own rows whatever the table's size.
func (rb *rollbacker) write(ctx context.Context, results []rbResult) error {
	now := staging.Now()
	err := rb.db.InTx(ctx, func(tx *sqlx.Tx) error {
		record, err := tx.PrepareContext(ctx, sqlqueries.MustLoad("rollback/result.sql").SQL)
		if err != nil {
			return err
		}
		defer record.Close()
		reset, err := tx.PrepareContext(ctx, sqlqueries.MustLoad("rollback/reset_import_item.sql").SQL)
		if err != nil {
			return err
		}
		defer reset.Close()
		set := func(r rbResult) error {
			if _, err := record.ExecContext(ctx, sql.Named("status", r.status), sql.Named("reason", nullStr(r.reason)),
				sql.Named("http_status", nullInt(r.httpStatus)), sql.Named("error_code", nullStr(r.code)),
				sql.Named("request_id", nullStr(r.requestID)), sql.Named("run_id", rb.runID),
				sql.Named("now", now), sql.Named("id", r.id)); err != nil {
				return err
			}
			if r.status != "deleted" {
				return nil
			}
			_, err := reset.ExecContext(ctx, sql.Named("entity", r.entity), sql.Named("entity_id", r.entityID),
				sql.Named("workos_id", r.workosID), sql.Named("run_id", rb.runID), sql.Named("now", now))
			return err
		}
		var decided []int64
		for _, r := range results {
			if r.status == "" {
				continue
			}
			if err := set(r); err != nil {
				return err
			}
			decided = append(decided, r.id)
		}
		if len(decided) == 0 {
			return nil
		}
		var kids []struct {
			ID       int64  `db:"id"`
			Entity   string `db:"entity"`
			EntityID int64  `db:"entity_id"`
			WorkOSID string `db:"workos_id"`
			Status   string `db:"status"`
			Reason   string `db:"reason"`
		}
		if err := tx.SelectContext(ctx, &kids, sqlqueries.MustLoad("rollback/children.sql").SQL, sql.Named("ids", jsonIDs(decided))); err != nil {
			return err
		}
		for _, k := range kids {
			if err := set(rbResult{id: k.ID, entity: k.Entity, entityID: k.EntityID, workosID: k.WorkOSID,
				status: k.Status, reason: k.Reason}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record rollback results: %w", err)
	}
	return nil
}

// failure turns an error into a failed row; a 401 stops the run instead
// and an interruption leaves the row in flight, to be looked up again.
func (rb *rollbacker) failure(ctx context.Context, err error) rbResult {
	if ctx.Err() != nil {
		return rbResult{}
	}
	if ae, ok := workosapi.AsAPIError(err); ok {
		if ae.Status == http.StatusUnauthorized {
			rb.setFatal(&AuthError{Err: ae})
			return rbResult{}
		}
		return rbResult{status: "failed", httpStatus: ae.Status, code: ae.Code, requestID: ae.RequestID, reason: ae.Error()}
	}
	var oe *workosapi.OutageError
	if errors.As(err, &oe) {
		return rbResult{}
	}
	return rbResult{status: "failed", code: codeNoAnswer, reason: err.Error()}
}

// deleted is the result of a delete: deleted, or gone already (deleted by
// an earlier try whose answer was lost, or by someone else).
func (rb *rollbacker) deleted(ctx context.Context, found bool, err error) rbResult {
	if err != nil {
		return rb.failure(ctx, err)
	}
	if !found {
		return rbResult{status: "deleted", reason: "gone already"}
	}
	if rb.o.afterDelete != nil {
		rb.o.afterDelete()
	}
	return rbResult{status: "deleted"}
}

// active reports why user id must be kept: it signed in since mig created
// it (a user mig created cannot have signed in before). With IncludeActive
// nothing is kept for that. gone reports a user WorkOS no longer has.
func (rb *rollbacker) active(ctx context.Context, id string) (keep string, gone bool, err error) {
	u, err := rb.api.GetUser(ctx, id)
	if err != nil || u == nil {
		return "", u == nil && err == nil, err
	}
	if u.LastSignInAt != nil && *u.LastSignInAt != "" && !rb.o.IncludeActive {
		return fmt.Sprintf("the user signed in at %s, after mig created it; kept (mig rollback --include-active deletes it)", *u.LastSignInAt), false, nil
	}
	return "", false, nil
}

// user deletes a user mig created, unless it signed in since; WorkOS
// deletes its memberships and factors with it.
func (rb *rollbacker) user(ctx context.Context, r rbRow) rbResult {
	if rb.o.IncludeActive {
		found, err := rb.api.DeleteUser(ctx, r.WorkOSID)
		return rb.deleted(ctx, found, err)
	}
	keep, gone, err := rb.active(ctx, r.WorkOSID)
	switch {
	case err != nil:
		return rb.failure(ctx, err)
	case gone:
		return rbResult{status: "deleted", reason: "gone already"}
	case keep != "":
		return rbResult{status: "kept", reason: keep}
	}
	found, err := rb.api.DeleteUser(ctx, r.WorkOSID)
	return rb.deleted(ctx, found, err)
}

// attached deletes a membership or a factor of a user who stays; when mig
// created that user, the user's sign-ins are looked at first, as for the
// user itself.
func (rb *rollbacker) attached(ctx context.Context, r rbRow) rbResult {
	if r.UserWorkOSID != "" && !rb.o.IncludeActive {
		keep, _, err := rb.active(ctx, r.UserWorkOSID)
		if err != nil {
			return rb.failure(ctx, err)
		}
		if keep != "" {
			return rbResult{status: "kept", reason: "its user " + r.UserWorkOSID + " is kept: " + keep}
		}
	}
	var found bool
	var err error
	if r.Entity == "totp" {
		found, err = rb.api.DeleteFactor(ctx, r.WorkOSID)
	} else {
		found, err = rb.api.DeleteMembership(ctx, r.WorkOSID)
	}
	return rb.deleted(ctx, found, err)
}

// orgRole deletes an organization's custom role. One that memberships mig
// did not create still hold is kept.
func (rb *rollbacker) orgRole(ctx context.Context, r rbRow) rbResult {
	if r.OrgWorkOSID == "" {
		return rbResult{status: "deleted", reason: "gone already, with its organization"}
	}
	found, err := rb.api.DeleteOrganizationRole(ctx, r.OrgWorkOSID, r.Slug)
	if ae, ok := workosapi.AsAPIError(err); ok && ae.Status == http.StatusConflict {
		return rbResult{status: "kept", httpStatus: ae.Status, code: ae.Code, requestID: ae.RequestID,
			reason: "memberships mig did not create (or kept with their users) still hold the role: " + ae.Message}
	}
	return rb.deleted(ctx, found, err)
}

// organization deletes an organization mig created, once no membership is
// left in it: one that remains (a user added since, an invitation, a user
// kept) would go with it.
func (rb *rollbacker) organization(ctx context.Context, r rbRow) rbResult {
	p, err := rb.api.ListOrganizationMemberships(ctx, r.WorkOSID, "")
	if ae, ok := workosapi.AsAPIError(err); ok && ae.Status == http.StatusNotFound {
		return rbResult{status: "deleted", reason: "gone already"}
	}
	if err != nil {
		return rb.failure(ctx, err)
	}
	if len(p.Data) > 0 {
		more := ""
		if p.After != "" {
			more = " or more"
		}
		return rbResult{status: "kept", reason: fmt.Sprintf("%d%s memberships mig did not create (or kept with their users) remain in it, e.g. %s of user %s",
			len(p.Data), more, p.Data[0].ID, p.Data[0].UserID)}
	}
	found, err := rb.api.DeleteOrganization(ctx, r.WorkOSID)
	return rb.deleted(ctx, found, err)
}

// permission deletes an environment permission mig created.
func (rb *rollbacker) permission(ctx context.Context, r rbRow) rbResult {
	found, err := rb.api.DeletePermission(ctx, r.Slug)
	return rb.deleted(ctx, found, err)
}

// sample looks up the newest users (or, without users, organizations) the
// rollback would delete; when WorkOS has none of them, the key is likely
// another environment's, and the rollback stops before it marks anything.
func (rb *rollbacker) sample(ctx context.Context, phases []rbPhase) error {
	for _, p := range phases {
		var get func(context.Context, string) (bool, error)
		switch p.query {
		case "rollback/page_users.sql":
			get = func(ctx context.Context, id string) (bool, error) {
				u, err := rb.api.GetUser(ctx, id)
				return u != nil, err
			}
		case "rollback/page_organizations.sql":
			get = func(ctx context.Context, id string) (bool, error) {
				o, err := rb.api.GetOrganization(ctx, id)
				return o != nil, err
			}
		default:
			continue
		}
		rows, err := rb.page(ctx, p, maxRowID, 20)
		if err != nil {
			return err
		}
		var checked []string
		for _, r := range rows {
			if r.Status != "live" {
				continue
			}
			found, err := get(ctx, r.WorkOSID)
			if err != nil {
				if ae, ok := workosapi.AsAPIError(err); ok && ae.Status == http.StatusUnauthorized {
					return &AuthError{Err: ae}
				}
				return fmt.Errorf("rollback: look up %s %s: %w", r.Entity, r.WorkOSID, err)
			}
			if found {
				return nil
			}
			checked = append(checked, r.WorkOSID)
			if len(checked) == 3 {
				break
			}
		}
		if len(checked) > 0 {
			return &MissingError{Endpoint: rb.o.Endpoint, Checked: checked}
		}
	}
	return nil
}

// summary reads where every created object stands, the rows kept or
// failed, and what was left alone.
func (rb *rollbacker) summary(ctx context.Context, start time.Time) (*RollbackSummary, error) {
	s := &RollbackSummary{RunID: rb.runID, Endpoint: rb.o.Endpoint}
	ep := sql.Named("endpoint", rb.o.Endpoint)
	if err := rb.db.SelectContext(ctx, &s.Entities, sqlqueries.MustLoad("rollback/summary.sql").SQL, ep); err != nil {
		return nil, fmt.Errorf("rollback summary: %w", err)
	}
	for i := range s.Entities {
		s.Entities[i].Entity = displayName(s.Entities[i].Entity)
	}
	if err := rb.db.SelectContext(ctx, &s.Kept, sqlqueries.MustLoad("rollback/kept.sql").SQL, ep, sql.Named("limit", 20)); err != nil {
		return nil, fmt.Errorf("rollback summary: %w", err)
	}
	for i := range s.Kept {
		s.Kept[i].Entity = displayName(s.Kept[i].Entity)
	}
	if err := rb.db.SelectContext(ctx, &s.Left, sqlqueries.MustLoad("rollback/elsewhere.sql").SQL, ep, sql.Named("refound", refound)); err != nil {
		return nil, fmt.Errorf("rollback summary: %w", err)
	}
	s.Seconds = time.Since(start).Seconds()
	return s, nil
}

// plan is a dry run: the rows every phase would handle, in the order it
// would, read with the same page queries and written to o.PlanTo as they
// are read; nothing is sent or written to the database.
func (rb *rollbacker) plan(ctx context.Context, phases []rbPhase, users bool, start time.Time) (*RollbackSummary, error) {
	s := &RollbackSummary{Endpoint: rb.o.Endpoint, DryRun: true}
	out := rb.o.PlanTo
	if out == nil {
		out = io.Discard
	}
	counts := map[string]*RollbackCounts{}
	var order []string
	count := func(name string) *RollbackCounts {
		c, ok := counts[name]
		if !ok {
			c = &RollbackCounts{Entity: name}
			counts[name] = c
			order = append(order, name)
		}
		return c
	}
	for _, p := range phases {
		before := maxRowID
		for {
			rows, err := rb.page(ctx, p, before, 500)
			if err != nil {
				return nil, err
			}
			if len(rows) == 0 {
				break
			}
			before = rows[len(rows)-1].ID
			for _, r := range rows {
				c := count(displayName(r.Entity))
				c.Total++
				line := "delete\t" + c.Entity + "\t" + r.WorkOSID + "\t" + r.Label
				if why := keepOf(p, r); why != "" {
					c.Kept++
					line = "keep\t" + c.Entity + "\t" + r.WorkOSID + "\t" + r.Label + "\t" + why
				} else {
					c.Pending++
				}
				if _, err := io.WriteString(out, line+"\n"); err != nil {
					return nil, err
				}
			}
		}
	}
	if users {
		var with []struct {
			Entity string `db:"entity"`
			N      int64  `db:"n"`
		}
		if err := rb.db.SelectContext(ctx, &with, sqlqueries.MustLoad("rollback/plan_with_users.sql").SQL,
			sql.Named("endpoint", rb.o.Endpoint)); err != nil {
			return nil, fmt.Errorf("rollback plan: %w", err)
		}
		for _, w := range with {
			c := count(displayName(w.Entity))
			c.Total += w.N
			c.WithParent += w.N
		}
	}
	for _, name := range order {
		s.Entities = append(s.Entities, *counts[name])
	}
	if err := rb.db.SelectContext(ctx, &s.Left, sqlqueries.MustLoad("rollback/elsewhere.sql").SQL,
		sql.Named("endpoint", rb.o.Endpoint), sql.Named("refound", refound)); err != nil {
		return nil, fmt.Errorf("rollback plan: %w", err)
	}
	s.Seconds = time.Since(start).Seconds()
	return s, nil
}
