// Package ingest streams source exports into the staging database. The
// sub-packages know each source's format; this package owns what they share:
// the CSV reader, the run that wraps one ingest in one transaction, and the
// writers for users, skipped rows, warnings and mapping rows.
package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// Source says where staged rows come from. Tenant tells apart two exports of
// the same provider (two Clerk instances, two Cognito pools) in one database.
type Source struct {
	Provider string
	Tenant   string
}

// File is one input file of a run, with the role it plays.
type File struct {
	Role  string // users, org_mapping, role_mapping, ...
	Path  string
	spool string // the private copy of an input that can be read only once
	hash  string
	size  int64
	rows  int
}

// Counts are what a run did, reported by `mig ingest` and kept in ingest_runs.
type Counts struct {
	RunID     int64 `json:"run_id"`
	Rows      int   `json:"rows"`
	New       int   `json:"new"`
	Changed   int   `json:"changed"`
	Unchanged int   `json:"unchanged"`
	Missing   int   `json:"missing"`
	Skipped   int   `json:"skipped"`
	Warnings  int   `json:"warnings"`
	Orgs      int   `json:"organizations"`
	Members   int   `json:"memberships"`
	Roles     int   `json:"role_assignments"`
	TOTP      int   `json:"totp_secrets"`
	NoOp      bool  `json:"no_op"`
}

// ErrUnchanged is returned by Begin when the same files with the same options
// were already ingested: re-running an ingest does nothing.
var ErrUnchanged = errors.New("these files were already ingested with the same options")

// Run is one ingest: one transaction, committed by Commit or undone by
// Rollback, so a bad file leaves the database exactly as it was.
type Run struct {
	ID        int64
	Src       Source
	Counts    Counts
	Log       *slog.Logger // optional: debug timings of the bulk steps
	tx        *sqlx.Tx
	conn      *sqlx.Conn
	files     []*File
	digested  chan error // the files' digests, when Begin did not wait for them
	digestErr error      // what digested gave, once waitDigests took it

	upsertUser *sql.Stmt
	insertTOTP *sql.Stmt
	insertWarn *sql.Stmt
	insertSkip *sql.Stmt
	orgFeed    *feed // org-mapping lines, for the file orgFile
	orgFile    string
	roleFeed   *feed
	roleFile   string
	feeds      []*feed
	warnedOnce map[string]bool
	staged     int

	// bulk is true on the first ingest of a source: users go in with plain
	// INSERTs while the indexes of the bulk tables are dropped, and the
	// indexes are built once at the end, which is several times faster than
	// keeping them up to date row by row. Duplicate ids, which the unique
	// index would have caught, are found with one sorted pass instead.
	bulk           bool
	droppedIndexes map[string][]staging.Index // table -> indexes to build again
	insertUserID   *sql.Stmt
	userFeed       *feed
	nextUserID     int64 // the id the next user of the bulk phase gets
	usersDoneErr   error
	flushErr       error // from Tx, which cannot return it; Commit does
	// delta is the users phase of a run over a source staged before
	// (delta.go).
	delta delta
	// mapDiff is what a re-ingest does with the mapping files it applies
	// by difference (mappingrows.go).
	mapDiff mappingDiff
	// users is the run's record digests of its users (userdigests.go).
	users usersDigests
	// rowCtx is the run's context without its cancellation. The sqlite
	// driver starts a watcher goroutine for every statement run under a
	// cancellable context, which tripled the cost of a row; row writers use
	// rowCtx and the source loops check the real context every few thousand
	// rows instead.
	rowCtx context.Context

	grow *staging.Grower // allocates the file ahead of the run's writes

	settings    Settings
	removeSpool func() // removes the private copies of the run's inputs
	// options is the JSON of the run's options, as ingest_runs records it:
	// record digests cover it (digests.go).
	options string

	kit kitState // the source kit's state (definitions.go, pipeline.go)
}

// Begin starts a run. It digests the files first; when the last run of this
// source read the same files with the same options it returns ErrUnchanged
// and changes nothing. options must not contain secrets: they are stored.
func Begin(ctx context.Context, db *staging.DB, src Source, files []*File, options map[string]any) (*Run, error) {
	return BeginWith(ctx, db, src, files, options, Settings{})
}

// BeginWith is Begin with settings. An input that can be read only once
// (standard input, a pipe, a FIFO) is copied first; sources open the run's
// files with Run.Open or Run.OpenCSV, which read the copy.
func BeginWith(ctx context.Context, db *staging.DB, src Source, files []*File, options map[string]any, set Settings) (r *Run, err error) {
	opts, err := json.Marshal(options)
	if err != nil {
		return nil, err
	}
	removeSpool, err := spoolInputs(ctx, db.Path, files, set)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r == nil {
			removeSpool()
		}
	}()
	// The files are digested first only when a last run with the same
	// options could have read the same files. Otherwise (a first ingest, new
	// options) nothing waits for the digests: they are taken while the run
	// goes on and recorded by Commit.
	var digested chan error
	last, err := lastRunWithOptions(ctx, db, src, string(opts))
	if err != nil {
		return nil, err
	}
	// A run without files, or one that also fetches (Spec.Fetches), reads
	// an API, whose data changes by itself: it is never the same as the
	// last one.
	maybeSame := last > 0 && len(files) > 0 && !set.fetches
	if maybeSame {
		// Files of other sizes cannot be the same: the digests are then
		// taken while the run goes on (a second or more at a million users).
		if maybeSame, err = sameSizes(ctx, db, last, files); err != nil {
			return nil, err
		}
	}
	if maybeSame {
		set.Progress.setPhase(PhaseComparing)
		if err := digestFiles(files); err != nil {
			return nil, err
		}
		same, err := sameFiles(ctx, db, last, files)
		if err != nil {
			return nil, err
		}
		if same {
			return nil, fmt.Errorf("%w (run %d)", ErrUnchanged, last)
		}
	} else {
		digested = make(chan error, 1)
		go func() { digested <- digestFiles(files) }()
	}

	conn, err := db.Connx(ctx)
	if err != nil {
		return nil, err
	}
	// Foreign keys are not enforced inside a run. Every row a run writes
	// into a child table comes from a join with its parent in the same
	// transaction, so the checks could never fail, and they cost a lookup
	// in the wide users table per membership, role and TOTP row: more than
	// the insert itself. The pragma cannot change inside a transaction, so
	// it is set on the connection before BEGIN and restored by end().
	if err := staging.ForeignKeysOff(ctx, conn); err != nil {
		conn.Close()
		return nil, err
	}
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		staging.RestoreForeignKeys(conn)
		return nil, err
	}
	r = &Run{Src: src, tx: tx, conn: conn, files: files, digested: digested, warnedOnce: map[string]bool{}, rowCtx: context.WithoutCancel(ctx),
		settings: set, removeSpool: removeSpool}
	// The run holds the write lock now, so the file may grow (see
	// staging.Grower). Without a grower the run is slower, not wrong.
	r.grow, _ = staging.OpenGrower(db.Path)
	if err := r.prepare(ctx, string(opts)); err != nil {
		r.Rollback()
		return nil, err
	}
	return r, nil
}

// end finishes with the run's connection once its transaction is over.
func (r *Run) end() {
	if r.conn != nil {
		r.trim()
		staging.RestoreForeignKeys(r.conn)
		r.conn = nil
	}
	// Only now does no connection of the process hold a lock on the file.
	r.grow.Close()
	r.grow = nil
	if r.removeSpool != nil {
		r.removeSpool()
		r.removeSpool = nil
	}
}

// reserve grows the file ahead of the run's next writes.
func (r *Run) reserve(ctx context.Context) {
	if r.grow == nil {
		return
	}
	used, err := staging.UsedBytes(ctx, r.tx)
	if err == nil {
		err = r.grow.Ahead(used)
	}
	if err != nil && r.Log != nil {
		r.Log.Debug("database file not grown ahead", "err", err)
	}
}

// trim gives back the space the file grew by and the run did not use. A
// rolled-back run has none left: SQLite truncated the file to its size
// before the run. The write lock keeps other writers off the space while it
// is cut; if another process holds it, the space stays, which is harmless.
func (r *Run) trim() {
	if r.grow == nil {
		return
	}
	ctx := context.Background()
	tx, err := r.conn.BeginTxx(ctx, nil)
	if err == nil {
		defer tx.Rollback()
		var used int64
		if used, err = staging.UsedBytes(ctx, tx); err == nil {
			err = r.grow.Trim(used)
		}
	}
	if err != nil && r.Log != nil {
		r.Log.Debug("database file not trimmed", "err", err)
	}
}

func (r *Run) prepare(ctx context.Context, opts string) error {
	res, err := r.tx.ExecContext(ctx,
		`INSERT INTO ingest_runs (provider, source_tenant, options, started_at) VALUES (?, ?, ?, ?)`,
		r.Src.Provider, r.Src.Tenant, opts, staging.Now())
	if err != nil {
		return fmt.Errorf("record ingest run: %w", err)
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	r.Counts.RunID = r.ID
	r.options = opts
	for _, q := range sqlqueries.Statements(deltaSeenTableSQL) {
		if _, err := r.tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	var existing int
	if err := r.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE source = ? AND source_tenant = ?)`,
		r.Src.Provider, r.Src.Tenant).Scan(&existing); err != nil {
		return err
	}
	// This run re-reads the source's whole files, so it replaces the
	// source's warnings and skipped rows instead of piling up old ones. A
	// supplement replaces those of its own file (supplement.go); a run
	// without users those that are not about users. A re-ingest keeps the
	// warnings of its mappings (view mapping_warnings) until it knows which
	// lines changed (mapDiff).
	replace := []string{
		`DELETE FROM warnings WHERE source = ?1 AND source_tenant = ?2`,
		`DELETE FROM skipped_users WHERE source = ?1 AND source_tenant = ?2`,
	}
	switch {
	case r.settings.supplement:
		replace = nil
	case r.settings.withoutUsers:
		replace = []string{`DELETE FROM warnings WHERE source = ?1 AND source_tenant = ?2 AND entity IS NOT 'user'`}
	case existing == 1:
		r.mapDiff.keptWarnings = true
		replace[0] += ` AND id NOT IN (SELECT id FROM mapping_warnings WHERE source = ?1 AND source_tenant = ?2)`
	}
	for _, q := range replace {
		if _, err := r.tx.ExecContext(ctx, q, r.Src.Provider, r.Src.Tenant); err != nil {
			return err
		}
	}
	// A run that stages no users has no users phase to speed up: dropping
	// the users' indexes would only rebuild them over the other sources'.
	r.bulk = existing == 0 && !r.settings.supplement && !r.settings.withoutUsers
	prep := func(dst **sql.Stmt, q string) {
		if err != nil {
			return
		}
		*dst, err = r.tx.PrepareContext(ctx, q)
	}
	if r.bulk {
		if err := r.dropIndexes(ctx, "users"); err != nil {
			return err
		}
		// Users get their ids here, so that a TOTP secret can name its user
		// before the user's batch is flushed.
		if err := r.tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM users`).Scan(&r.nextUserID); err != nil {
			return err
		}
		if r.userFeed, err = r.openFeed(ctx, "users_feed", userFeedColumns, insertUserSQL); err != nil {
			return err
		}
	} else {
		err = r.prepareUpserts(ctx)
		if err == nil {
			err = r.prepareSupplements(ctx)
		}
		if err == nil && !r.settings.supplement && !r.settings.withoutUsers {
			err = r.openDelta(ctx)
		}
	}
	prep(&r.insertUserID, `INSERT INTO totp_secrets (user_id, secret, issuer, source, ingest_run_id, row_number) VALUES (?, ?, ?, ?, ?, ?)`)
	prep(&r.insertTOTP, insertTOTPSQL)
	prep(&r.insertWarn, insertWarningSQL)
	prep(&r.insertSkip, insertSkippedSQL)
	if err != nil {
		return err
	}
	if r.orgFeed, err = r.openFeed(ctx, "org_mapping_feed", []string{"row_number", "source_user_id", "org_id", "org_external_id", "org_name"},
		orgMappingFeedSQL); err != nil {
		return err
	}
	r.roleFeed, err = r.openFeed(ctx, "role_mapping_feed", []string{"row_number", "source_user_id", "role_slug", "org_id", "org_external_id"},
		roleMappingFeedSQL)
	if err != nil || r.settings.supplement || r.settings.withoutUsers {
		return err
	}
	return r.openUserDigests(ctx)
}

// Skip records an input row that is not staged, with the reason.
func (r *Run) Skip(ctx context.Context, file string, row int, sourceID, email, reason string, raw any) error {
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	r.Counts.Skipped++
	_, err = r.insertSkip.ExecContext(r.rowCtx, r.ID, r.Src.Provider, r.Src.Tenant, null(sourceID), file, row,
		null(NormalizeEmail(email)), reason, string(b), staging.Now())
	return err
}

// Warning is something a person should know about a staged row.
type Warning struct {
	Code     string
	Message  string
	Entity   string
	SourceID string
	File     string
	Row      int
	Context  map[string]any
}

// Warn records a warning.
func (r *Run) Warn(ctx context.Context, w Warning) error {
	c, err := json.Marshal(nonNilAnyMap(w.Context))
	if err != nil {
		return err
	}
	r.Counts.Warnings++
	var row any
	if w.Row > 0 {
		row = w.Row
	}
	_, err = r.insertWarn.ExecContext(r.rowCtx, r.ID, r.Src.Provider, r.Src.Tenant, w.Code, w.Message, null(w.Entity),
		null(w.SourceID), null(w.File), row, string(c), staging.Now())
	return err
}

// flush stores everything collected in feeds, before the run's rows are
// read back.
func (r *Run) flush(ctx context.Context) error {
	if err := r.UsersDone(ctx); err != nil {
		return err
	}
	return r.flushMapping()
}

// Commit finishes the run: users of this source that the export no longer
// has are marked missing (never deleted: they may be in WorkOS already), the
// counts are recorded, and the transaction commits.
func (r *Run) Commit(ctx context.Context) (Counts, error) {
	defer r.Rollback()
	if err := r.flush(ctx); err != nil {
		return r.Counts, err
	}
	if r.flushErr != nil {
		return r.Counts, r.flushErr
	}
	if err := r.dropFeeds(ctx); err != nil {
		return r.Counts, err
	}
	for t := range r.droppedIndexes {
		if err := r.restoreIndexes(ctx, t); err != nil {
			return r.Counts, err
		}
	}
	if r.bulk {
		// The source's first run: every user of the source is new, none can
		// be missing or have lost a TOTP secret, and counting needs only the
		// source key index, not a pass over the users' rows.
		if err := r.tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE source = ? AND source_tenant = ?`,
			r.Src.Provider, r.Src.Tenant).Scan(&r.Counts.New); err != nil {
			return r.Counts, err
		}
	} else if !r.kit.withoutUsers {
		if err := r.commitDelta(ctx); err != nil {
			return r.Counts, err
		}
	}
	if err := r.finishUserDigests(ctx); err != nil {
		return r.Counts, err
	}
	// The users the run saw, a temp table like the feeds.
	if _, err := r.tx.ExecContext(ctx, `DROP TABLE temp.users_lost`); err != nil {
		return r.Counts, err
	}
	if _, err := r.tx.ExecContext(ctx, `DROP TABLE temp.users_seen`); err != nil {
		return r.Counts, err
	}
	if err := r.endMappingDiff(ctx); err != nil {
		return r.Counts, err
	}
	if err := r.tx.QueryRowContext(ctx, runCountsSQL, r.ID).Scan(&r.Counts.Warnings, &r.Counts.Orgs, &r.Counts.Members, &r.Counts.Roles, &r.Counts.TOTP); err != nil {
		return r.Counts, err
	}
	if r.mapDiff.keptWarnings {
		// The warnings of mapping lines an earlier run applied and this one
		// left alone are this run's too.
		var kept int
		if err := r.tx.QueryRowContext(ctx, `SELECT count(*) FROM warnings WHERE source = ? AND source_tenant = ? AND ingest_run_id <> ?`,
			r.Src.Provider, r.Src.Tenant, r.ID).Scan(&kept); err != nil {
			return r.Counts, err
		}
		r.Counts.Warnings += kept
	}
	if err := r.waitDigests(); err != nil {
		return r.Counts, err
	}
	for _, f := range r.files {
		if _, err := r.tx.ExecContext(ctx, `INSERT INTO ingest_files (ingest_run_id, role, path, sha256, size, rows) VALUES (?, ?, ?, ?, ?, ?)`,
			r.ID, f.Role, f.Path, f.hash, f.size, f.rows); err != nil {
			return r.Counts, err
		}
	}
	if _, err := r.tx.ExecContext(ctx, finishRunSQL,
		staging.Now(), r.Counts.Rows, r.Counts.New, r.Counts.Changed, r.Counts.Unchanged, r.Counts.Missing,
		r.Counts.Skipped, r.Counts.Warnings, r.ID); err != nil {
		return r.Counts, err
	}
	return r.Counts, r.tx.Commit()
}

// exec runs one of the run's bulk statements (an index build, a step of a
// SQL script), saying at debug level how long it took: at a million rows
// these are where the time goes.
func (r *Run) exec(ctx context.Context, step, q string, args ...any) error {
	r.reserve(ctx)
	start := time.Now()
	_, err := r.tx.ExecContext(ctx, q, args...)
	if r.Log != nil {
		r.Log.Debug("ingest step", "step", step, "elapsed", time.Since(start).Round(time.Millisecond))
	}
	return err
}

// Rollback undoes the run. It is safe after Commit.
func (r *Run) Rollback() {
	r.tx.Rollback()
	r.forgetFeeds()
	r.end()
}

// Tx exposes the run's transaction to source packages with tables of their
// own (role definitions, SSO connections). The users phase ends here (see
// UsersDone) and every row collected in a feed is stored first, so what the
// caller reads is complete; an error doing so is returned by Commit.
func (r *Run) Tx() *sqlx.Tx {
	if err := r.flush(r.rowCtx); err != nil && r.flushErr == nil {
		r.flushErr = err
	}
	return r.tx
}

// SetRows records how many data rows a file had.
func (r *Run) SetRows(role string, n int) {
	for _, f := range r.files {
		if f.Role == role {
			f.rows = n
		}
	}
}

// WarnOnce records a warning only the first time its key is seen in a run,
// for things that are true of a whole file (an unknown column).
func (r *Run) WarnOnce(ctx context.Context, key string, w Warning) error {
	if r.warnedOnce[key] {
		return nil
	}
	r.warnedOnce[key] = true
	return r.Warn(ctx, w)
}

func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nonNilAnyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// The statements of this file, kept as named files in sqlqueries.
var (
	insertTOTPSQL    = sqlqueries.MustLoad("ingest/insert_totp.sql").SQL
	insertWarningSQL = sqlqueries.MustLoad("ingest/insert_warning.sql").SQL
	insertSkippedSQL = sqlqueries.MustLoad("ingest/insert_skipped_user.sql").SQL
	runCountsSQL     = sqlqueries.MustLoad("ingest/run_counts.sql").SQL
	finishRunSQL     = sqlqueries.MustLoad("ingest/finish_run.sql").SQL
)
