package importer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/workos/workos-go/v4/pkg/organizations"
	"github.com/workos/workos-go/v4/pkg/usermanagement"
	"golang.org/x/sync/errgroup"

	"github.com/mig-tools/mig/importer/workosapi"
	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// Run imports what is staged in db into WorkOS as opts says and returns
// where every import row stands. It returns a *PartialError when some rows
// failed, an *AuthError when WorkOS refuses the key, a *CheckErrorsError
// when `mig check` error findings are open, and the context's error when
// interrupted; in every case the database is consistent and the next Run
// resumes.
func Run(ctx context.Context, db *staging.DB, opts Options) (*Summary, error) {
	return run(ctx, db, opts, true)
}

// run is Run, with the gate on open check errors when gate is set.
func run(ctx context.Context, db *staging.DB, opts Options, gate bool) (*Summary, error) {
	endpointDefaults(&opts.Endpoint, &opts.Concurrency, &opts.Log)
	only, err := onlySet(opts.Only)
	if err != nil {
		return nil, err
	}
	if opts.Plan {
		return planRun(ctx, db, opts, only)
	}
	if db.ReadOnly {
		return nil, errors.New("import: the staging database is open read-only")
	}
	if opts.APIKey == "" {
		return nil, &AuthError{}
	}
	if gate && !opts.IgnoreCheckErrors {
		open, err := CheckErrors(ctx, db)
		if err != nil {
			return nil, err
		}
		if len(open) > 0 {
			return nil, &CheckErrorsError{Rules: open}
		}
	}
	if err := preflight(ctx, opts); err != nil {
		return nil, err
	}
	return runWith(ctx, db, opts, only)
}

// runner is one import run: its clients, its database and its state.
type runner struct {
	db    *staging.DB
	opts  Options
	only  map[string]bool
	runID int64
	tr    *workosapi.Transport
	api   *workosapi.Client
	um    *usermanagement.Client
	orgs  *organizations.Client
	log   *slog.Logger
	prog  progress

	// multipleRolesOff is set on the first multiple_roles_not_enabled
	// answer, so later memberships send one role at once.
	multipleRolesOff atomic.Bool

	// serial runs the user rows of one email address one at a time, and
	// owners records which staged user each WorkOS user went to in this
	// run: together they keep two people who share an address apart.
	serial   *serializer
	ownersMu sync.Mutex
	owners   map[string]owner

	cancel    context.CancelFunc
	fatalOnce sync.Once
	fatal     error
}

func newRunner(db *staging.DB, opts Options, only map[string]bool) *runner {
	tr := pacedTransport(opts.HTTPClient, opts.RateLimit, opts.backoff)
	hc := &http.Client{Transport: tr}
	um := usermanagement.NewClient(opts.APIKey)
	um.Endpoint, um.HTTPClient = opts.Endpoint, hc
	orgs := &organizations.Client{APIKey: opts.APIKey, Endpoint: opts.Endpoint, HTTPClient: hc}
	return &runner{
		db: db, opts: opts, only: only, tr: tr, um: um, orgs: orgs, log: opts.Log,
		serial: newSerializer(), owners: map[string]owner{},
		api: &workosapi.Client{Endpoint: opts.Endpoint, APIKey: opts.APIKey, HTTPClient: hc},
	}
}

func runWith(ctx context.Context, db *staging.DB, opts Options, only map[string]bool) (*Summary, error) {
	start := time.Now()
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		if opts.Prepare != nil {
			if err := opts.Prepare(ctx, tx); err != nil {
				return err
			}
		}
		return populate(ctx, tx, opts)
	})
	if err != nil {
		return nil, err
	}
	r := newRunner(db, opts, only)
	r.tr.OnOutage = func(oe *workosapi.OutageError) {
		r.setFatal(&UnreachableError{Endpoint: opts.Endpoint, Stopped: true, Err: oe})
	}
	r.runID, err = startRun(ctx, db, opts.Endpoint, opts)
	if err != nil {
		return nil, err
	}
	r.prog = newProgress(opts.Progress, opts.ProgressTTY)
	ctx, r.cancel = context.WithCancel(ctx)
	defer r.cancel()

	runErr := r.phases(ctx)
	r.prog.close()
	if r.fatal != nil {
		runErr = r.fatal
	}

	// The run's own context may be cancelled; the summary is still written.
	bg := context.WithoutCancel(ctx)
	s := &Summary{RunID: r.runID, Endpoint: opts.Endpoint, Requests: r.tr.Snapshot()}
	if s.Entities, err = summarize(bg, db); err != nil {
		return nil, errors.Join(runErr, err)
	}
	db.GetContext(bg, &s.Warnings, `SELECT count(*) FROM warnings WHERE source = 'import'`)
	if s.NotSent, err = notSent(bg, db); err != nil {
		return nil, errors.Join(runErr, err)
	}
	s.Seconds = time.Since(start).Seconds()
	status := "done"
	switch {
	case runErr != nil && (errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded)):
		status = "interrupted"
	case errors.As(runErr, new(*UnreachableError)):
		status = "stopped"
	case runErr != nil:
		status = "failed"
	case s.Failed() > 0:
		status = "partial"
	}
	if err := finishRun(bg, db, r.runID, status, s); err != nil {
		return s, errors.Join(runErr, err)
	}
	if runErr != nil {
		return s, runErr
	}
	if n := s.Failed(); n > 0 {
		var retryable int64
		db.GetContext(bg, &retryable, `SELECT count(*) FROM import_items WHERE status = 'failed' AND retryable = 1`)
		return s, &PartialError{Summary: s, Failed: n, Retryable: retryable}
	}
	return s, nil
}

// setFatal stops the whole run with err (the first one wins).
func (r *runner) setFatal(err error) {
	r.fatalOnce.Do(func() {
		r.fatal = err
		r.cancel()
	})
}

// phases runs every entity in dependency order: permissions and
// environment roles, organizations, organization roles (they need their
// organization), users, memberships (they need both), TOTP factors.
func (r *runner) phases(ctx context.Context) error {
	ready := 0
	if r.opts.Limit > 0 {
		ready = 1
	}
	steps := []func(context.Context) error{
		func(ctx context.Context) error {
			return runPhase(ctx, r, phase[permissionRow]{entity: "permission", label: "permissions",
				query: "importer/page_permission.sql", handle: r.permission})
		},
		func(ctx context.Context) error {
			return runPhase(ctx, r, phase[roleRow]{entity: "role", label: "roles",
				query: "importer/page_role.sql", args: []any{sql.Named("scope", "environment")}, handle: r.role})
		},
		func(ctx context.Context) error {
			return runPhase(ctx, r, phase[orgRow]{entity: "organization", label: "organizations",
				query: "importer/page_organization.sql", handle: r.organization})
		},
		func(ctx context.Context) error {
			return runPhase(ctx, r, phase[roleRow]{entity: "role", label: "org roles",
				query: "importer/page_role.sql", args: []any{sql.Named("scope", "organization")}, handle: r.role})
		},
		func(ctx context.Context) error {
			return runPhase(ctx, r, phase[userRow]{entity: "user", label: "users",
				query: "importer/page_user.sql", limit: r.opts.Limit, handle: r.user,
				serial: func(u userRow) string { return emailKey(u.Email) }})
		},
		func(ctx context.Context) error {
			return runPhase(ctx, r, phase[membershipRow]{entity: "membership", label: "memberships",
				query: "importer/page_membership.sql", args: []any{sql.Named("ready_only", ready)}, handle: r.membership})
		},
		func(ctx context.Context) error {
			return runPhase(ctx, r, phase[totpRow]{entity: "totp", label: "totp",
				query: "importer/page_totp.sql", args: []any{sql.Named("ready_only", ready)}, handle: r.totp})
		},
	}
	entities := []string{"permission", "role", "organization", "role", "user", "membership", "totp"}
	for i, step := range steps {
		if !r.only[entities[i]] {
			continue
		}
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// rowBase is what every page query returns first. Attempts is the number
// of runs that sent the row before this one.
type rowBase struct {
	ItemID   int64  `db:"item_id"`
	Status   string `db:"status"`
	WorkOSID string `db:"workos_id"`
	Attempts int64  `db:"attempts"`
}

func (b rowBase) base() rowBase { return b }

// recovered reports whether WorkOS may have the row's object already: the
// row was in flight when an earlier run stopped, or a create of this run
// got no answer after it may have reached WorkOS.
func (b rowBase) recovered(ctx context.Context) bool {
	return b.Status == statusInFlight || ctx.Value(resumeKey{}) != nil
}

type resumeKey struct{}

// maxResumes bounds how often one row is handled again after creates that
// got no answer, or a 5xx that may come after the write; past it the row
// fails as retryable, and a retry looks it up first (see retry.sql). It
// is the Transport's bound on the tries of a request answered 5xx, which
// such a create had before it was looked up instead of sent again.
const maxResumes = 8

type baser interface{ base() rowBase }

// phase is one entity's pass over its pending rows.
type phase[T baser] struct {
	entity string
	label  string
	query  string
	args   []any
	limit  int
	handle func(context.Context, T) result
	// serial, when set, names the key whose rows must be handled one at a
	// time, in the order they were read (see serializer).
	serial func(T) string
}

// job is a row handed to a worker, with its turn when the phase is serial.
type job[T any] struct {
	row  T
	turn *turn
}

// runPhase sends every pending row of one entity. A producer reads pages
// (keyset by item id, rows found in flight first, then pending ones) and
// marks each page in flight in one transaction before handing its rows to
// the workers; the workers' results go to a writer that batches them. No
// cursor is open while anything is written: each page is read whole.
func runPhase[T baser](ctx context.Context, r *runner, p phase[T]) error {
	q := strings.TrimSuffix(strings.TrimSpace(sqlqueries.MustLoad(p.query).SQL), ";")
	// The rows this phase will go through: the page query without its
	// limit (-1 in SQLite), for both states it reads.
	var total int64
	for _, status := range []string{statusInFlight, statusPending} {
		var n int64
		args := append([]any{sql.Named("status", status), sql.Named("after", 0), sql.Named("limit", -1)}, p.args...)
		if err := r.db.GetContext(ctx, &n, "SELECT count(*) FROM ("+q+")", args...); err != nil {
			return fmt.Errorf("count %s: %w", p.label, err)
		}
		total += n
	}
	if total == 0 {
		return nil
	}
	if p.limit > 0 && total > int64(p.limit) {
		total = int64(p.limit)
	}
	bar := r.prog.phase(p.label, total)
	defer bar.finish()
	w := newWriter(r.db, r.runID, bar.add, r.setFatal)
	pageSize := min(max(4*r.opts.Concurrency, 50), 500)

	g, gctx := errgroup.WithContext(ctx)
	// Two pages queued ahead keep the workers fed through a slow commit
	// (an fsync on a busy disk) that holds the one connection; at 48
	// writes/s that is seconds of work, and at most that many rows to look
	// up after a crash.
	work := make(chan job[T], 2*pageSize)
	g.Go(func() error {
		defer close(work)
		sent := 0
		for _, status := range []string{statusInFlight, statusPending} {
			var after int64
			for {
				size := pageSize
				if p.limit > 0 {
					size = min(size, p.limit-sent)
					if size <= 0 {
						return nil
					}
				}
				args := append([]any{sql.Named("status", status), sql.Named("after", after), sql.Named("limit", size)}, p.args...)
				var rows []T
				if err := r.db.SelectContext(gctx, &rows, q, args...); err != nil {
					return fmt.Errorf("read %s page: %w", p.label, err)
				}
				if len(rows) == 0 {
					break
				}
				ids := make([]int64, len(rows))
				for i, row := range rows {
					ids[i] = row.base().ItemID
				}
				after = ids[len(ids)-1]
				if err := markInFlight(gctx, r.db, r.runID, ids); err != nil {
					return fmt.Errorf("mark %s in flight: %w", p.label, err)
				}
				for i, row := range rows {
					j := job[T]{row: row}
					if p.serial != nil {
						if k := p.serial(row); k != "" {
							j.turn = r.serial.enter(k)
						}
					}
					select {
					case work <- j:
						sent++
					case <-gctx.Done():
						if j.turn != nil {
							r.serial.leave(j.turn)
						}
						for _, rest := range rows[i:] {
							w.in <- giveBack(rest)
						}
						return gctx.Err()
					}
				}
			}
		}
		return nil
	})
	for range r.opts.Concurrency {
		g.Go(func() error {
			for j := range work {
				row := j.row
				if j.turn != nil {
					select {
					case <-j.turn.ready:
					case <-gctx.Done():
					}
				}
				if gctx.Err() != nil {
					// The run stopped before this row was sent.
					if j.turn != nil {
						r.serial.leave(j.turn)
					}
					w.in <- giveBack(row)
					continue
				}
				res := p.handle(gctx, row)
				// A create that may have reached WorkOS is never simply sent
				// again: the row is handled as one found in flight, which
				// looks the object up first.
				for n := 0; res.maybeSent && n < maxResumes && gctx.Err() == nil; n++ {
					res = p.handle(context.WithValue(gctx, resumeKey{}, true), row)
				}
				if j.turn != nil {
					r.serial.leave(j.turn)
				}
				res.itemID = row.base().ItemID
				w.in <- res
			}
			return nil
		})
	}
	err := g.Wait()
	if werr := w.close(); werr != nil {
		return werr
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// giveBack is the result of a row a stopped run never sent: pending again,
// as it was, unless it was in flight when the run started (an earlier
// run may have sent it), which it stays, to be looked up.
func giveBack[T baser](row T) result {
	b := row.base()
	if b.Status != statusPending {
		return result{itemID: b.ItemID}
	}
	return result{itemID: b.ItemID, status: statusPending}
}

// failure turns an error from WorkOS (or from getting there) into a
// failed row. A 401 stops the run instead, leaving the row as it was; so
// does an interruption.
func (r *runner) failure(ctx context.Context, err error) result {
	if ctx.Err() != nil {
		return result{}
	}
	if ae, ok := workosapi.AsAPIError(err); ok {
		if ae.Status == http.StatusUnauthorized {
			r.setFatal(&AuthError{Err: ae})
			return result{}
		}
		return result{status: statusFailed, httpStatus: ae.Status, code: ae.Code, subcodes: ae.Subcodes,
			requestID: ae.RequestID, message: ae.Message, retryable: ae.Retryable()}
	}
	if workosapi.IsNetwork(err) {
		return result{status: statusFailed, code: codeNoAnswer, message: err.Error(), retryable: true,
			maybeSent: workosapi.MaybeApplied(err)}
	}
	return result{status: statusFailed, code: "client_error", message: err.Error(), retryable: true}
}

// dependency decides a row whose user or organization is not done: failed
// or skipped like the row it needs (whose error code, when known, the
// message names), or given back as pending when that row was not attempted
// yet (a --limit sample, an --only run).
func dependency(what, key, status, code string, retryable bool) (result, bool) {
	why := ""
	if code != "" {
		why = " (" + code + ")"
	}
	switch status {
	case statusDone:
		return result{}, true
	case statusFailed:
		return result{status: statusFailed, code: codeDependencyFailed, retryable: retryable,
			message: fmt.Sprintf("its %s %s failed to import%s, so nothing was attached to it (see that row's error); it is retried when the %s is", what, key, why, what)}, false
	case statusSkipped:
		return result{status: statusSkipped, code: codeDependencySkipped,
			message: fmt.Sprintf("its %s %s was skipped%s", what, key, why)}, false
	default:
		return result{status: statusPending}, false
	}
}
