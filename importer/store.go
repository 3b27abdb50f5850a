package importer

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// Row states and outcomes, as import_items stores them.
const (
	statusPending  = "pending"
	statusInFlight = "in_flight"
	statusDone     = "done"
	statusFailed   = "failed"
	statusSkipped  = "skipped"

	outcomeCreated = "created"
	outcomeAdopted = "adopted"
	outcomeUpdated = "updated"
)

// Error codes the importer itself gives a row that WorkOS never saw.
const (
	codeDependencyFailed  = "dependency_failed"
	codeDependencySkipped = "dependency_skipped"
	codeNoAnswer          = "no_answer"
	// codeInvalidAnswer is a 2xx answer without what the row needs (a
	// factor enrolment without the factor's id).
	codeInvalidAnswer = "invalid_answer"
)

// result is what became of one row. Status "" leaves the row as it was
// (the run was interrupted before the row's fate was known); pending gives
// it back for a later run.
type result struct {
	itemID       int64
	status       string
	outcome      string
	workosID     string
	httpStatus   int
	code         string
	subcodes     []string
	requestID    string
	message      string
	retryable    bool
	importedHash string
	warning      *warning
	// maybeSent marks a failure where a create may have reached WorkOS
	// without its answer reaching us: the row is handled again as one
	// found in flight, looking the object up before creating it.
	maybeSent bool
}

// warning is a row done with a caveat, written to the warnings table.
type warning struct {
	code, message, entity, sourceID string
	context                         map[string]any
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// populate brings import_items up to date with staging (see
// sqlqueries/importer/populate.sql), applies --retry-failed, and with
// --ignore-check-errors skips the rows open check errors concern.
func populate(ctx context.Context, tx *sqlx.Tx, opts Options) error {
	log := opts.Log
	retry, retryAll := opts.RetryFailed || opts.RetryAll, opts.RetryAll
	now := sql.Named("now", staging.Now())
	for _, stmt := range sqlqueries.Statements(sqlqueries.MustLoad("importer/populate.sql").SQL) {
		start := time.Now()
		res, err := tx.ExecContext(ctx, stmt, now)
		if err != nil {
			return fmt.Errorf("populate import items: %w", err)
		}
		n, _ := res.RowsAffected()
		log.Debug("populate import items", "rows", n, "took", time.Since(start).Round(time.Millisecond),
			"sql", strings.Join(strings.Fields(stmt), " ")[:60])
	}
	if retry {
		all := 0
		if retryAll {
			all = 1
		}
		if _, err := tx.ExecContext(ctx, sqlqueries.MustLoad("importer/retry.sql").SQL,
			now, sql.Named("all", all), sql.Named("entity", "")); err != nil {
			return fmt.Errorf("retry failed rows: %w", err)
		}
	}
	if opts.IgnoreCheckErrors {
		res, err := tx.ExecContext(ctx, sqlqueries.MustLoad("importer/skip_check_errors.sql").SQL, now)
		if err != nil {
			return fmt.Errorf("skip the rows of check errors: %w", err)
		}
		n, _ := res.RowsAffected()
		log.Info("rows skipped for mig check errors (--ignore-check-errors)", "rows", n)
	}
	return nil
}

// notSent reads what the import can never send, with the fix for each.
func notSent(ctx context.Context, q sqlx.QueryerContext) ([]NotSent, error) {
	var out []NotSent
	if err := sqlx.SelectContext(ctx, q, &out, sqlqueries.MustLoad("importer/not_sent.sql").SQL); err != nil {
		return nil, fmt.Errorf("read what the import cannot send: %w", err)
	}
	for i := range out {
		out[i].Fix = Fix(out[i].Reason, nil, 0, false)
	}
	return out, nil
}

// CheckErrors counts, per rule, the error findings of `mig check` that are
// open in the findings table.
func CheckErrors(ctx context.Context, q sqlx.QueryerContext) ([]RuleCount, error) {
	var out []RuleCount
	if err := sqlx.SelectContext(ctx, q, &out, sqlqueries.MustLoad("importer/check_errors.sql").SQL); err != nil {
		return nil, fmt.Errorf("read check errors: %w", err)
	}
	return out, nil
}

// markInFlight records, in one transaction, that the rows of a page are
// about to be sent.
func markInFlight(ctx context.Context, db *staging.DB, runID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	q, args, err := sqlx.In(sqlqueries.MustLoad("importer/mark_in_flight.sql").SQL, runID, staging.Now(), ids)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, q, args...)
	return err
}

// writer batches results into few transactions: with a rollback journal
// every commit costs fsyncs, so one commit per row would make the database,
// not WorkOS, the bottleneck.
type writer struct {
	db    *staging.DB
	runID int64
	in    chan result
	done  chan error
	// flushed is told every row written, for progress.
	flushed func(result)
	// failed is told the first write error, to stop the run: results that
	// cannot be recorded must not be bought with more requests.
	failed func(error)
}

const (
	flushRows  = 100
	flushEvery = 250 * time.Millisecond
)

func newWriter(db *staging.DB, runID int64, flushed func(result), failed func(error)) *writer {
	w := &writer{db: db, runID: runID, in: make(chan result, 2*flushRows), done: make(chan error, 1), flushed: flushed, failed: failed}
	go w.loop()
	return w
}

// close flushes what is left and reports the first write error.
func (w *writer) close() error {
	close(w.in)
	return <-w.done
}

func (w *writer) loop() {
	var batch []result
	var firstErr error
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	flush := func() {
		if len(batch) == 0 || firstErr != nil {
			batch = batch[:0]
			return
		}
		// A cancelled run still records what it finished.
		if err := w.write(context.Background(), batch); err != nil {
			firstErr = err
			if w.failed != nil {
				w.failed(err)
			}
		}
		batch = batch[:0]
	}
	for {
		select {
		case r, ok := <-w.in:
			if !ok {
				flush()
				w.done <- firstErr
				return
			}
			if r.status == "" {
				continue
			}
			batch = append(batch, r)
			if len(batch) >= flushRows {
				flush()
			}
		case <-t.C:
			flush()
		}
	}
}

func (w *writer) write(ctx context.Context, batch []result) error {
	now := staging.Now()
	err := w.db.InTx(ctx, func(tx *sqlx.Tx) error {
		done, err := tx.PrepareContext(ctx, sqlqueries.MustLoad("importer/record_done.sql").SQL)
		if err != nil {
			return err
		}
		defer done.Close()
		other, err := tx.PrepareContext(ctx, sqlqueries.MustLoad("importer/record_result.sql").SQL)
		if err != nil {
			return err
		}
		defer other.Close()
		for _, r := range batch {
			if r.status == statusDone {
				_, err = done.ExecContext(ctx, sql.Named("outcome", r.outcome), sql.Named("workos_id", nullStr(r.workosID)),
					sql.Named("http_status", nullInt(r.httpStatus)), sql.Named("request_id", nullStr(r.requestID)),
					sql.Named("message", nullStr(r.message)), sql.Named("imported_hash", nullStr(r.importedHash)),
					sql.Named("run_id", w.runID), sql.Named("now", now), sql.Named("id", r.itemID))
			} else {
				var subs any
				if len(r.subcodes) > 0 {
					b, _ := json.Marshal(r.subcodes)
					subs = string(b)
				}
				var retry any
				if r.status == statusFailed || r.status == statusSkipped {
					retry = boolInt(r.retryable)
				}
				_, err = other.ExecContext(ctx, sql.Named("status", r.status), sql.Named("http_status", nullInt(r.httpStatus)),
					sql.Named("code", nullStr(r.code)), sql.Named("subcodes", subs), sql.Named("request_id", nullStr(r.requestID)),
					sql.Named("message", nullStr(r.message)), sql.Named("retryable", retry),
					sql.Named("run_id", w.runID), sql.Named("now", now), sql.Named("id", r.itemID))
			}
			if err != nil {
				return err
			}
			if r.warning != nil {
				c, _ := json.Marshal(r.warning.context)
				if _, err := tx.ExecContext(ctx, sqlqueries.MustLoad("importer/record_warning.sql").SQL,
					sql.Named("code", r.warning.code), sql.Named("message", r.warning.message), sql.Named("entity", r.warning.entity),
					sql.Named("source_id", nullStr(r.warning.sourceID)), sql.Named("context", string(c)), sql.Named("now", now)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record import results: %w", err)
	}
	if w.flushed != nil {
		for _, r := range batch {
			w.flushed(r)
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// startRun records a run in import_runs with its options (never the key).
func startRun(ctx context.Context, db *staging.DB, endpoint string, o Options) (int64, error) {
	opts := map[string]any{
		"concurrency": o.Concurrency, "rate_limit": o.RateLimit, "only": o.Only,
		"create_orgs": o.CreateOrgs, "limit": o.Limit,
		"retry_failed": o.RetryFailed, "retry_all": o.RetryAll,
	}
	b, err := json.Marshal(opts)
	if err != nil {
		return 0, err
	}
	res, err := db.ExecContext(ctx, `INSERT INTO import_runs (endpoint, options, started_at) VALUES (?, ?, ?)`,
		endpoint, string(b), staging.Now())
	if err != nil {
		return 0, fmt.Errorf("record import run: %w", err)
	}
	return res.LastInsertId()
}

func finishRun(ctx context.Context, db *staging.DB, id int64, status string, s *Summary) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `UPDATE import_runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?`,
		staging.Now(), status, string(b), id)
	return err
}

// summarize reads where every import row stands.
func summarize(ctx context.Context, q sqlx.QueryerContext) (map[string]Counts, error) {
	var rows []struct {
		Entity string `db:"entity"`
		Counts
	}
	if err := sqlx.SelectContext(ctx, q, &rows, sqlqueries.MustLoad("importer/summary.sql").SQL); err != nil {
		return nil, fmt.Errorf("import summary: %w", err)
	}
	out := map[string]Counts{}
	for _, r := range rows {
		out[displayName(r.Entity)] = r.Counts
	}
	return out, nil
}
