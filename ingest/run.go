// Package ingest streams source exports into the staging database. The
// sub-packages know each source's format; this package owns what they share:
// the CSV reader, the run that wraps one ingest in one transaction, and the
// writers for users, skipped rows, warnings and mapping rows.
package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
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

// Email is one address of a user.
type Email struct {
	Email    string `json:"email"`
	Verified bool   `json:"verified"`
	Primary  bool   `json:"primary"`
}

// Phone is one phone number of a user.
type Phone struct {
	Phone    string `json:"phone"`
	Verified bool   `json:"verified"`
	Primary  bool   `json:"primary"`
}

// User is one user as a source hands it over, already mapped to WorkOS's
// fields. Empty strings are stored as NULL.
type User struct {
	SourceID         string
	Row              int
	EmailRaw         string
	FirstName        string
	LastName         string
	EmailVerified    *bool
	Password         string
	PasswordHash     string
	PasswordHashType string
	SourceHasher     string
	SourceDigest     string
	ExternalID       string
	Username         string
	Metadata         map[string]string
	Emails           []Email
	Phones           []Phone
	Raw              any // marshalled to JSON; mask secrets before
	TOTPSecret       string
	TOTPIssuer       string

	enc     encoded
	encoded bool
}

// encoded is a User turned into the column values AddUser binds.
type encoded struct {
	email, meta, emails, phones, raw, sum string
	verified                              any
}

// Encode computes the JSON columns and the content hash of u. AddUser calls
// it when needed; a source may call it earlier, on another goroutine, so that
// parsing and encoding overlap with the database writes.
func (u *User) Encode() error {
	if u.encoded {
		return nil
	}
	// The four JSON columns are written into one buffer and cut from one
	// string: one allocation instead of eight.
	buf := make([]byte, 0, 1024)
	buf = appendJSONMap(buf, u.Metadata)
	endMeta := len(buf)
	buf = appendJSONContacts(buf, "email", len(u.Emails), func(i int) (string, bool, bool) {
		return u.Emails[i].Email, u.Emails[i].Verified, u.Emails[i].Primary
	})
	endEmails := len(buf)
	buf = appendJSONContacts(buf, "phone", len(u.Phones), func(i int) (string, bool, bool) {
		return u.Phones[i].Phone, u.Phones[i].Verified, u.Phones[i].Primary
	})
	endPhones := len(buf)
	buf, err := appendJSONAny(buf, u.Raw)
	if err != nil {
		return err
	}
	all := string(buf)
	e := encoded{email: NormalizeEmail(u.EmailRaw), meta: all[:endMeta], emails: all[endMeta:endEmails],
		phones: all[endEmails:endPhones], raw: all[endPhones:]}
	verified := "<nil>"
	if u.EmailVerified != nil {
		e.verified = boolInt(*u.EmailVerified)
		verified = strconv.Itoa(boolInt(*u.EmailVerified))
	}
	e.sum = contentSum(buf[:0], e.email, u.FirstName, u.LastName, verified, u.Password, u.PasswordHash,
		u.PasswordHashType, u.SourceDigest, u.ExternalID, u.Username, e.meta, e.emails, e.phones, u.TOTPSecret)
	u.enc, u.encoded = e, true
	return nil
}

// contentSum is a user's content hash. It covers everything that is sent to
// WorkOS, so a changed hash is exactly "this user needs an update": the
// normalised email, names, email_verified ("<nil>", "0" or "1"), password,
// hash and type, source digest, external id, username, the JSON of
// metadata, emails and phones, and the TOTP secret the source gave. Each
// field ends with a zero byte; buf is scratch space.
func contentSum(buf []byte, fields ...string) string {
	for _, s := range fields {
		buf = append(append(buf, s...), 0)
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:16])
}

// NormalizeEmail is how staging compares emails: trimmed and lower-cased, as
// WorkOS treats them case-insensitively.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

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
	ID       int64
	Src      Source
	Counts   Counts
	Log      *slog.Logger // optional: debug timings of the bulk steps
	tx       *sqlx.Tx
	conn     *sqlx.Conn
	files    []*File
	digested chan error // the files' digests, when Begin did not wait for them

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
	droppedIndexes map[string][]droppedIndex // table -> indexes to build again
	insertUserID   *sql.Stmt
	userFeed       *feed
	nextUserID     int64 // the id the next user of the bulk phase gets
	usersDoneErr   error
	flushErr       error // from Tx, which cannot return it; Commit does
	touchUser      *sql.Stmt
	touchTOTP      *sql.Stmt
	// rowCtx is the run's context without its cancellation. The sqlite
	// driver starts a watcher goroutine for every statement run under a
	// cancellable context, which tripled the cost of a row; row writers use
	// rowCtx and the source loops check the real context every few thousand
	// rows instead.
	rowCtx context.Context

	grow *staging.Grower // allocates the file ahead of the run's writes

	settings    Settings
	removeSpool func() // removes the private copies of the run's inputs

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
	// A run without files reads an API, whose data changes by itself: it
	// is never the same as the last one.
	if last > 0 && len(files) > 0 {
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
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		conn.Close()
		return nil, err
	}
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		restoreForeignKeys(conn)
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

// restoreForeignKeys turns enforcement back on and gives the connection
// back to the pool, where every other user of the database expects it on.
func restoreForeignKeys(conn *sqlx.Conn) {
	conn.ExecContext(context.Background(), `PRAGMA foreign_keys = ON`)
	conn.Close()
}

// end finishes with the run's connection once its transaction is over.
func (r *Run) end() {
	if r.conn != nil {
		r.trim()
		restoreForeignKeys(r.conn)
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
	// This run re-reads the source's whole files, so it replaces the
	// source's warnings and skipped rows instead of piling up old ones. A
	// supplement replaces those of its own file (supplement.go); a run
	// without users those that are not about users.
	replace := []string{
		`DELETE FROM warnings WHERE source = ? AND source_tenant = ?`,
		`DELETE FROM skipped_users WHERE source = ? AND source_tenant = ?`,
	}
	switch {
	case r.settings.supplement:
		replace = nil
	case r.settings.withoutUsers:
		replace = []string{`DELETE FROM warnings WHERE source = ? AND source_tenant = ? AND entity IS NOT 'user'`}
	}
	for _, q := range replace {
		if _, err := r.tx.ExecContext(ctx, q, r.Src.Provider, r.Src.Tenant); err != nil {
			return err
		}
	}
	var existing int
	if err := r.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE source = ? AND source_tenant = ?)`,
		r.Src.Provider, r.Src.Tenant).Scan(&existing); err != nil {
		return err
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
	}
	prep(&r.insertUserID, `INSERT INTO totp_secrets (user_id, secret, issuer, source, ingest_run_id, row_number) VALUES (?, ?, ?, ?, ?, ?)`)
	prep(&r.insertTOTP, `INSERT INTO totp_secrets (user_id, secret, issuer, source, ingest_run_id, row_number)
		SELECT id, ?1, ?2, ?3, ?4, ?5 FROM users WHERE source = ?6 AND source_tenant = ?7 AND source_id = ?8
		ON CONFLICT (user_id, secret) DO UPDATE SET ingest_run_id = excluded.ingest_run_id, issuer = excluded.issuer`)
	prep(&r.insertWarn, `INSERT INTO warnings (ingest_run_id, source, source_tenant, code, message, entity, source_id, file, row_number, context, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	prep(&r.insertSkip, `INSERT INTO skipped_users (ingest_run_id, source, source_tenant, source_id, file, row_number, email, reason, raw, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	if r.orgFeed, err = r.openFeed(ctx, "org_mapping_feed", []string{"row_number", "source_user_id", "org_id", "org_external_id", "org_name"},
		`INSERT INTO org_mapping_rows (ingest_run_id, source, source_tenant, file, row_number, source_user_id, org_id, org_external_id, org_name)
		 SELECT ?1, ?2, ?3, ?4, row_number, source_user_id, org_id, org_external_id, org_name FROM temp.org_mapping_feed`); err != nil {
		return err
	}
	r.roleFeed, err = r.openFeed(ctx, "role_mapping_feed", []string{"row_number", "source_user_id", "role_slug", "org_id", "org_external_id"},
		`INSERT INTO role_mapping_rows (ingest_run_id, source, source_tenant, file, row_number, source_user_id, role_slug, org_id, org_external_id)
		 SELECT ?1, ?2, ?3, ?4, row_number, source_user_id, role_slug, org_id, org_external_id FROM temp.role_mapping_feed`)
	return err
}

// userFeedColumns are the columns of a user the bulk phase collects; the
// run's constants are bound once per batch.
var userFeedColumns = []string{"id", "source_id", "row_number", "email_raw", "email", "first_name", "last_name",
	"email_verified", "password", "password_hash", "password_hash_type", "source_hasher", "source_password_digest",
	"external_id", "username", "metadata", "emails", "phones", "raw", "content_hash"}

// insertUserSQL is the first-ingest form of upsertUserSQL: a batch of users
// from the users feed.
const insertUserSQL = `
INSERT INTO users (id, source, source_tenant, source_id, ingest_run_id, first_run_id, last_seen_run_id, row_number,
    email_raw, email, first_name, last_name, email_verified, password, password_hash, password_hash_type,
    source_hasher, source_password_digest, external_id, username, metadata, emails, phones, raw, content_hash,
    change, changed_run_id)
SELECT id, ?1, ?2, source_id, ?3, ?3, ?3, row_number,
    email_raw, email, first_name, last_name, email_verified, password, password_hash, password_hash_type,
    source_hasher, source_password_digest, external_id, username, metadata, emails, phones, raw, content_hash,
    'new', ?3
FROM temp.users_feed`

// touchUserSQL records that a user is in this run's export unchanged. It
// writes no indexed column, so a re-ingest of ten million users where a few
// changed costs a lookup per user instead of rewriting every index entry.
const touchUserSQL = `
UPDATE users SET last_seen_run_id = ?4, row_number = ?5, change = 'unchanged'
WHERE source = ?1 AND source_tenant = ?2 AND source_id = ?3 AND content_hash = ?6 AND last_seen_run_id <> ?4`

// upsertUserSQL inserts a user or, when the source already staged it,
// updates it in place. The WHERE on the update refuses a second row with the
// same source id in one run: no row changes and AddUser reports it. (RETURNING
// would say more, but through the driver it made each row three times
// slower; Commit counts new, changed and unchanged users in SQL instead.)
const upsertUserSQL = `
INSERT INTO users (source, source_tenant, source_id, ingest_run_id, first_run_id, last_seen_run_id, row_number,
    email_raw, email, first_name, last_name, email_verified, password, password_hash, password_hash_type,
    source_hasher, source_password_digest, external_id, username, metadata, emails, phones, raw, content_hash,
    change, changed_run_id)
VALUES (?1, ?2, ?3, ?4, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, 'new', ?4)
ON CONFLICT (source, source_tenant, source_id) DO UPDATE SET
    change = CASE WHEN users.content_hash = excluded.content_hash THEN 'unchanged' ELSE 'changed' END,
    changed_run_id = CASE WHEN users.content_hash = excluded.content_hash THEN users.changed_run_id ELSE excluded.ingest_run_id END,
    ingest_run_id = CASE WHEN users.content_hash = excluded.content_hash THEN users.ingest_run_id ELSE excluded.ingest_run_id END,
    last_seen_run_id = excluded.last_seen_run_id,
    row_number = excluded.row_number,
    email_raw = excluded.email_raw, email = excluded.email,
    first_name = excluded.first_name, last_name = excluded.last_name,
    email_verified = excluded.email_verified, password = excluded.password,
    password_hash = excluded.password_hash, password_hash_type = excluded.password_hash_type,
    source_hasher = excluded.source_hasher, source_password_digest = excluded.source_password_digest,
    external_id = excluded.external_id, username = excluded.username, metadata = excluded.metadata,
    emails = excluded.emails, phones = excluded.phones, raw = excluded.raw, content_hash = excluded.content_hash
WHERE users.last_seen_run_id <> excluded.last_seen_run_id
`

// AddUser stages u. A second user with the same source id in one run is not
// staged: it is recorded as skipped, naming the line of the first.
func (r *Run) AddUser(ctx context.Context, file string, u *User) error {
	if err := u.Encode(); err != nil {
		return fmt.Errorf("%s:%d: %w", file, u.Row, err)
	}
	e := &u.enc
	email, verified, meta, emails, phones, raw, sum := e.email, e.verified, e.meta, e.emails, e.phones, e.raw, e.sum
	bulk := r.bulkUsers()
	if !bulk {
		if u.Row%feedBatch == 0 {
			r.reserve(r.rowCtx)
		}
		if err := r.restoreSupplements(u); err != nil {
			return fmt.Errorf("%s:%d: %w", file, u.Row, err)
		}
		e = &u.enc
		email, verified, meta, emails, phones, raw, sum = e.email, e.verified, e.meta, e.emails, e.phones, e.raw, e.sum
		res, err := r.touchUser.ExecContext(r.rowCtx, r.Src.Provider, r.Src.Tenant, u.SourceID, r.ID, u.Row, sum)
		if err != nil {
			return fmt.Errorf("%s:%d: stage user %s: %w", file, u.Row, Excerpt(u.SourceID), err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			r.staged++
			if u.TOTPSecret != "" {
				if _, err := r.touchTOTP.ExecContext(r.rowCtx, r.ID, r.Src.Provider, r.Src.Tenant, u.SourceID, u.TOTPSecret); err != nil {
					return err
				}
			}
			return nil
		}
	}
	if bulk {
		return r.addBulkUser(file, u)
	}
	res, err := r.upsertUser.ExecContext(r.rowCtx, r.Src.Provider, r.Src.Tenant, u.SourceID, r.ID, u.Row,
		null(u.EmailRaw), null(email), null(u.FirstName), null(u.LastName), verified, null(u.Password),
		null(u.PasswordHash), null(u.PasswordHashType), null(u.SourceHasher), null(u.SourceDigest),
		null(u.ExternalID), null(u.Username), meta, emails, phones, raw, sum,
	)
	if err != nil {
		return fmt.Errorf("%s:%d: stage user %s: %w", file, u.Row, Excerpt(u.SourceID), err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var first int
		r.tx.QueryRowContext(r.rowCtx, `SELECT row_number FROM users WHERE source = ? AND source_tenant = ? AND source_id = ?`,
			r.Src.Provider, r.Src.Tenant, u.SourceID).Scan(&first)
		return r.Skip(r.rowCtx, file, u.Row, u.SourceID, u.EmailRaw,
			fmt.Sprintf("duplicate id %q: line %d has the same id and was staged", u.SourceID, first), u.Raw)
	}
	r.staged++
	if u.TOTPSecret == "" {
		return nil
	}
	if _, err := r.insertTOTP.ExecContext(r.rowCtx, u.TOTPSecret, null(u.TOTPIssuer), r.Src.Provider, r.ID, u.Row,
		r.Src.Provider, r.Src.Tenant, u.SourceID); err != nil {
		return fmt.Errorf("%s:%d: stage TOTP secret: %w", file, u.Row, err)
	}
	return nil
}

// droppedIndex is an index a run dropped and must build again.
type droppedIndex struct {
	Name string `db:"name"`
	SQL  string `db:"sql"`
}

// addBulkUser collects a user of a source's first run into the users feed,
// flushing it when full. The user's id is known now, so its TOTP secret
// goes in at once (foreign keys are not checked inside a run).
func (r *Run) addBulkUser(file string, u *User) error {
	e := &u.enc
	id := r.nextUserID
	r.nextUserID++
	r.userFeed.add(id, u.SourceID, u.Row, null(u.EmailRaw), null(e.email), null(u.FirstName), null(u.LastName), e.verified,
		null(u.Password), null(u.PasswordHash), null(u.PasswordHashType), null(u.SourceHasher), null(u.SourceDigest),
		null(u.ExternalID), null(u.Username), e.meta, e.emails, e.phones, e.raw, e.sum)
	r.staged++
	if u.TOTPSecret != "" {
		if _, err := r.insertUserID.ExecContext(r.rowCtx, id, u.TOTPSecret, null(u.TOTPIssuer), r.Src.Provider, r.ID, u.Row); err != nil {
			return fmt.Errorf("%s:%d: stage TOTP secret: %w", file, u.Row, err)
		}
	}
	if r.userFeed.full() {
		return r.flushUsers(file)
	}
	return nil
}

// flushUsers stores the collected users of the bulk phase.
func (r *Run) flushUsers(file string) error {
	f := r.userFeed
	if f == nil || len(f.rows) == 0 {
		return nil
	}
	first, last := f.rows[0][2], f.rows[len(f.rows)-1][2]
	r.reserve(r.rowCtx)
	if err := f.flush(r.rowCtx, r.Src.Provider, r.Src.Tenant, r.ID); err != nil {
		return fmt.Errorf("%s: lines %v-%v: stage users: %w", file, first, last, err)
	}
	return nil
}

// dropIndexes drops the explicit indexes of the tables, remembering how to
// build them again. Index changes are part of the transaction.
//
// An index led by the table's integer primary key stays: rows appended in
// id order extend it at its right edge, which costs less than building it
// again (a pass over the whole table each), and the check and emit indexes
// of users are all of that kind. So does an index of columns that are the
// same for every row of the run (source, source_tenant, ingest_run_id):
// its new entries sit side by side, in id order too.
func (r *Run) dropIndexes(ctx context.Context, tables ...string) error {
	if r.droppedIndexes == nil {
		r.droppedIndexes = map[string][]droppedIndex{}
	}
	for _, t := range tables {
		if _, done := r.droppedIndexes[t]; done {
			continue
		}
		var idx []droppedIndex
		if err := r.tx.SelectContext(ctx, &idx, `SELECT m.name, m.sql FROM sqlite_schema m
			WHERE m.type = 'index' AND m.tbl_name = ?1 AND m.sql IS NOT NULL
			  AND NOT EXISTS (SELECT 1 FROM pragma_index_info(m.name) i JOIN pragma_table_info(?1) c ON c.name = i.name
			                  WHERE i.seqno = 0 AND c.pk = 1 AND c.type = 'INTEGER')
			  AND EXISTS (SELECT 1 FROM pragma_index_info(m.name) i WHERE i.name NOT IN ('source', 'source_tenant', 'ingest_run_id'))`, t); err != nil {
			return err
		}
		for _, i := range idx {
			if _, err := r.tx.ExecContext(ctx, `DROP INDEX "`+i.Name+`"`); err != nil {
				return err
			}
		}
		r.droppedIndexes[t] = append(idx, r.droppedIndexes[t]...)
	}
	return nil
}

// restoreIndexes builds the table's dropped indexes again.
func (r *Run) restoreIndexes(ctx context.Context, table string) error {
	for _, i := range r.droppedIndexes[table] {
		if err := r.exec(ctx, "build index "+i.Name, i.SQL); err != nil {
			return fmt.Errorf("rebuild index %s: %w", i.Name, err)
		}
	}
	delete(r.droppedIndexes, table)
	return nil
}

// restoreIndex builds one dropped index of the table again, before the
// others. It returns the index's CREATE statement, for another try after
// an error.
func (r *Run) restoreIndex(ctx context.Context, table, name string) (string, error) {
	idx := r.droppedIndexes[table]
	for n, i := range idx {
		if i.Name == name {
			r.droppedIndexes[table] = append(idx[:n:n], idx[n+1:]...)
			return i.SQL, r.exec(ctx, "build index "+i.Name, i.SQL)
		}
	}
	return "", fmt.Errorf("index %s of %s was not dropped", name, table)
}

// UsersDone ends the users phase of a run. On a first ingest it moves users
// whose id repeats an earlier line's to skipped_users and rebuilds the users
// indexes; call it before adding mapping rows.
//
// Every method that reads users back (the mapping steps, Tx) calls it first,
// so a source that forgets cannot run lookups on a table without indexes.
func (r *Run) UsersDone(ctx context.Context) error {
	if r.usersDoneErr != nil {
		return r.usersDoneErr
	}
	if !r.bulkUsers() {
		return nil
	}
	r.usersDoneErr = r.usersDone(ctx)
	if r.usersDoneErr == nil {
		r.usersDoneErr = r.prepareUpserts(ctx)
	}
	return r.usersDoneErr
}

// prepareUpserts prepares the statements that need the users indexes: at
// the start of a run that keeps them, or when a first run restores them.
func (r *Run) prepareUpserts(ctx context.Context) error {
	var err error
	for _, p := range []struct {
		dst **sql.Stmt
		q   string
	}{
		{&r.upsertUser, upsertUserSQL},
		{&r.touchUser, touchUserSQL},
		{&r.touchTOTP, `UPDATE totp_secrets SET ingest_run_id = ?1
			WHERE user_id = (SELECT id FROM users WHERE source = ?2 AND source_tenant = ?3 AND source_id = ?4) AND secret = ?5`},
	} {
		if *p.dst, err = r.tx.PrepareContext(ctx, p.q); err != nil {
			return err
		}
	}
	return nil
}

// bulkUsers reports whether users still go in with plain INSERTs into a
// table without indexes: from the start of a source's first run until
// UsersDone. Users added after that take the upsert.
func (r *Run) bulkUsers() bool { return r.bulk && r.droppedIndexes["users"] != nil }

func (r *Run) usersDone(ctx context.Context) error {
	if err := r.flushUsers(r.usersFile()); err != nil {
		return err
	}
	// Exports do not repeat an id in practice, so the unique source key is
	// built first: when it builds, there are no duplicates to look for. Only
	// when it fails are they found (a sort of the source's users) and moved
	// to skipped_users, and the key built again.
	key, err := r.restoreIndex(ctx, "users", "users_source_key")
	if isUniqueViolation(err) {
		if err = r.skipDuplicateIDs(ctx); err == nil {
			_, err = r.tx.ExecContext(ctx, key)
		}
	}
	if err != nil {
		return fmt.Errorf("stage users: %w", err)
	}
	return r.restoreIndexes(ctx, "users")
}

// skipDuplicateIDs moves every user whose id repeats an earlier line's to
// skipped_users, naming the line that was staged.
func (r *Run) skipDuplicateIDs(ctx context.Context) error {
	for _, q := range []string{
		`CREATE TEMP TABLE dup_users AS
		 SELECT id, first_row FROM (
		     SELECT id, row_number() OVER w AS n, first_value(row_number) OVER w AS first_row
		     FROM users WHERE source = ?1 AND source_tenant = ?2
		     WINDOW w AS (PARTITION BY source_id ORDER BY id))
		 WHERE n > 1`,
		`INSERT INTO skipped_users (ingest_run_id, source, source_tenant, source_id, file, row_number, email, reason, raw, created_at)
		 SELECT ?3, u.source, u.source_tenant, u.source_id, ?4, u.row_number, u.email,
		        'duplicate id "' || u.source_id || '": line ' || d.first_row || ' has the same id and was staged', u.raw, ?5
		 FROM users u JOIN dup_users d ON d.id = u.id`,
		`DELETE FROM totp_secrets WHERE user_id IN (SELECT id FROM dup_users)`,
		`DELETE FROM users WHERE id IN (SELECT id FROM dup_users)`,
		`DROP TABLE dup_users`,
	} {
		if _, err := r.tx.ExecContext(ctx, q, r.Src.Provider, r.Src.Tenant, r.ID, r.usersFile(), staging.Now()); err != nil {
			return fmt.Errorf("find duplicate ids: %w", err)
		}
	}
	var dups int
	if err := r.tx.QueryRowContext(ctx, `SELECT count(*) FROM skipped_users WHERE ingest_run_id = ? AND reason LIKE 'duplicate id %'`,
		r.ID).Scan(&dups); err != nil {
		return err
	}
	r.Counts.Skipped += dups
	return nil
}

// isUniqueViolation reports whether err is SQLite's SQLITE_CONSTRAINT_UNIQUE
// (extended result code 2067).
func isUniqueViolation(err error) bool {
	var coded interface{ Code() int }
	return errors.As(err, &coded) && coded.Code() == 2067
}

func (r *Run) usersFile() string {
	for _, f := range r.files {
		if f.Role == "users" {
			return f.Path
		}
	}
	return ""
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

// OrgMappingRow is one line of an org-mapping file as written.
type OrgMappingRow struct {
	Row           int
	SourceUserID  string
	OrgID         string
	OrgExternalID string
	OrgName       string
}

// AddOrgMappingRow stores a mapping line; ApplyOrgMapping turns the run's
// lines into organizations and memberships.
func (r *Run) AddOrgMappingRow(ctx context.Context, file string, m OrgMappingRow) error {
	if file != r.orgFile {
		if err := r.flushMapping(); err != nil {
			return err
		}
		r.orgFile = file
	}
	r.orgFeed.add(m.Row, m.SourceUserID,
		null(strings.TrimSpace(m.OrgID)), null(strings.TrimSpace(m.OrgExternalID)), null(strings.TrimSpace(m.OrgName)))
	if r.orgFeed.full() {
		return r.flushMapping()
	}
	return nil
}

// RoleMappingRow is one line of a role-mapping file.
type RoleMappingRow struct {
	Row           int
	SourceUserID  string
	RoleSlug      string
	OrgID         string
	OrgExternalID string
}

// AddRoleMappingRow stores a role-mapping line; ApplyRoleMapping turns the
// run's lines into role assignments.
func (r *Run) AddRoleMappingRow(ctx context.Context, file string, m RoleMappingRow) error {
	if file != r.roleFile {
		if err := r.flushMapping(); err != nil {
			return err
		}
		r.roleFile = file
	}
	r.roleFeed.add(m.Row, m.SourceUserID,
		strings.TrimSpace(m.RoleSlug), null(strings.TrimSpace(m.OrgID)), null(strings.TrimSpace(m.OrgExternalID)))
	if r.roleFeed.full() {
		return r.flushMapping()
	}
	return nil
}

// flushMapping stores the collected mapping lines.
func (r *Run) flushMapping() error {
	r.reserve(r.rowCtx)
	if err := r.orgFeed.flush(r.rowCtx, r.ID, r.Src.Provider, r.Src.Tenant, r.orgFile); err != nil {
		return fmt.Errorf("%s: stage org-mapping lines: %w", r.orgFile, err)
	}
	if err := r.roleFeed.flush(r.rowCtx, r.ID, r.Src.Provider, r.Src.Tenant, r.roleFile); err != nil {
		return fmt.Errorf("%s: stage role-mapping lines: %w", r.roleFile, err)
	}
	return nil
}

// flush stores everything collected in feeds, before the run's rows are
// read back.
func (r *Run) flush(ctx context.Context) error {
	if err := r.UsersDone(ctx); err != nil {
		return err
	}
	return r.flushMapping()
}

// ClearOrgMapping forgets the source's org-mapping lines of earlier runs;
// call it before adding the lines of a new mapping (again, it does
// nothing). It leaves the users phase alone, so a source may call it while
// it still hands over users.
func (r *Run) ClearOrgMapping(ctx context.Context) error {
	if err := r.flushMapping(); err != nil || r.kit.orgCleared {
		return err
	}
	r.kit.orgCleared = true
	// The lines are replaced as a whole: their indexes are built once, after.
	if err := r.dropIndexes(ctx, "org_mapping_rows"); err != nil {
		return err
	}
	_, err := r.tx.ExecContext(ctx, `DELETE FROM org_mapping_rows WHERE source = ? AND source_tenant = ? AND ingest_run_id <> ?`, r.Src.Provider, r.Src.Tenant, r.ID)
	return err
}

// ClearRoleMapping forgets the source's role-mapping lines of earlier runs.
func (r *Run) ClearRoleMapping(ctx context.Context) error {
	if err := r.flushMapping(); err != nil || r.kit.roleCleared {
		return err
	}
	r.kit.roleCleared = true
	if err := r.dropIndexes(ctx, "role_mapping_rows"); err != nil {
		return err
	}
	_, err := r.tx.ExecContext(ctx, `DELETE FROM role_mapping_rows WHERE source = ? AND source_tenant = ? AND ingest_run_id <> ?`, r.Src.Provider, r.Src.Tenant, r.ID)
	return err
}

// ApplyOrgMapping runs sqlqueries/ingest/org_mapping.sql: the priority rule
// picks each line's organization, organizations are created or completed,
// and every (user, organization) pair becomes one membership. When the
// source was staged before, org_mapping_prune.sql then removes what the
// earlier mapping made and this one does not; on a first run (r.bulk: the
// source had no users, so it had no memberships) there is nothing to prune.
func (r *Run) ApplyOrgMapping(ctx context.Context) error {
	if err := r.flush(ctx); err != nil {
		return err
	}
	if err := r.restoreIndexes(ctx, "org_mapping_rows"); err != nil {
		return err
	}
	if r.bulk {
		return r.withoutIndexes(ctx, "memberships", "ingest/org_mapping.sql")
	}
	if err := r.script(ctx, "ingest/org_mapping.sql"); err != nil {
		return err
	}
	return r.script(ctx, "ingest/org_mapping_prune.sql")
}

// withoutIndexes runs a script that adds the rows of a source's first run
// to table, with the table's indexes that new rows would land all over
// (memberships by organization, role assignments by slug) built once
// afterwards instead of kept up to date row by row.
func (r *Run) withoutIndexes(ctx context.Context, table, script string) error {
	if err := r.dropIndexes(ctx, table); err != nil {
		return err
	}
	if err := r.script(ctx, script); err != nil {
		return err
	}
	return r.restoreIndexes(ctx, table)
}

// ApplyRoleMapping runs sqlqueries/ingest/role_mapping.sql, after
// role_mapping_prune.sql when the source was staged before.
func (r *Run) ApplyRoleMapping(ctx context.Context) error {
	if err := r.flush(ctx); err != nil {
		return err
	}
	if err := r.restoreIndexes(ctx, "role_mapping_rows"); err != nil {
		return err
	}
	if r.bulk {
		return r.withoutIndexes(ctx, "role_assignments", "ingest/role_mapping.sql")
	}
	if err := r.script(ctx, "ingest/role_mapping_prune.sql"); err != nil {
		return err
	}
	return r.script(ctx, "ingest/role_mapping.sql")
}

func (r *Run) script(ctx context.Context, path string) error {
	q, err := sqlqueries.Load(path)
	if err != nil {
		return err
	}
	args := []any{sql.Named("run_id", r.ID), sql.Named("source", r.Src.Provider),
		sql.Named("tenant", r.Src.Tenant), sql.Named("now", staging.Now())}
	for i, stmt := range sqlqueries.Statements(q.SQL) {
		if err := r.exec(ctx, fmt.Sprintf("%s statement %d", path, i+1), stmt, args...); err != nil {
			return fmt.Errorf("%s statement %d: %w", path, i+1, err)
		}
	}
	return nil
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
	if err := r.tx.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM warnings WHERE ingest_run_id = ?1),
		(SELECT count(*) FROM organizations),
		(SELECT count(*) FROM memberships),
		(SELECT count(*) FROM role_assignments),
		(SELECT count(*) FROM totp_secrets)`, r.ID).Scan(&r.Counts.Warnings, &r.Counts.Orgs, &r.Counts.Members, &r.Counts.Roles, &r.Counts.TOTP); err != nil {
		return r.Counts, err
	}
	if r.digested != nil {
		if err := <-r.digested; err != nil {
			return r.Counts, err
		}
	}
	for _, f := range r.files {
		if _, err := r.tx.ExecContext(ctx, `INSERT INTO ingest_files (ingest_run_id, role, path, sha256, size, rows) VALUES (?, ?, ?, ?, ?, ?)`,
			r.ID, f.Role, f.Path, f.hash, f.size, f.rows); err != nil {
			return r.Counts, err
		}
	}
	if _, err := r.tx.ExecContext(ctx, `UPDATE ingest_runs SET finished_at = ?, rows_read = ?, users_new = ?, users_changed = ?,
		users_unchanged = ?, users_missing = ?, users_skipped = ?, warnings = ? WHERE id = ?`,
		staging.Now(), r.Counts.Rows, r.Counts.New, r.Counts.Changed, r.Counts.Unchanged, r.Counts.Missing,
		r.Counts.Skipped, r.Counts.Warnings, r.ID); err != nil {
		return r.Counts, err
	}
	return r.Counts, r.tx.Commit()
}

// commitDelta ends a run over a source staged before: users the export no
// longer has are marked missing, and the counts say what changed. A run
// that would mark more than half of the users staged before missing stops
// with a MissingError, unless the settings accept it.
func (r *Run) commitDelta(ctx context.Context) error {
	var staged int
	if err := r.tx.QueryRowContext(ctx, `SELECT count(*) FROM users
		WHERE source = ? AND source_tenant = ? AND first_run_id < ? AND change <> 'missing'`,
		r.Src.Provider, r.Src.Tenant, r.ID).Scan(&staged); err != nil {
		return err
	}
	res, err := r.tx.ExecContext(ctx, `UPDATE users SET change = 'missing'
		WHERE source = ? AND source_tenant = ? AND last_seen_run_id < ? AND change <> 'missing'`,
		r.Src.Provider, r.Src.Tenant, r.ID)
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	r.Counts.Missing = int(n)
	if 2*r.Counts.Missing > staged && !r.settings.AcceptMissing {
		return &MissingError{Source: r.Src, Missing: r.Counts.Missing, Staged: staged}
	}
	// A user seen in this run without a TOTP secret it had before has lost
	// it, unless the factor already reached WorkOS.
	if _, err := r.tx.ExecContext(ctx, `DELETE FROM totp_secrets
		WHERE source = ?1 AND ingest_run_id < ?3
		  AND user_id IN (SELECT id FROM users WHERE source = ?1 AND source_tenant = ?2 AND last_seen_run_id = ?3)
		  AND NOT EXISTS (SELECT 1 FROM import_items i WHERE i.entity = 'totp' AND i.entity_id = totp_secrets.id AND i.status = 'done')`,
		r.Src.Provider, r.Src.Tenant, r.ID); err != nil {
		return err
	}
	return r.tx.QueryRowContext(ctx, `SELECT
		count(*) FILTER (WHERE change = 'new' AND first_run_id = ?3),
		count(*) FILTER (WHERE change = 'changed' AND changed_run_id = ?3),
		count(*) FILTER (WHERE change = 'unchanged')
		FROM users WHERE source = ?1 AND source_tenant = ?2 AND last_seen_run_id = ?3`,
		r.Src.Provider, r.Src.Tenant, r.ID).Scan(&r.Counts.New, &r.Counts.Changed, &r.Counts.Unchanged)
}

// MissingError stops a re-ingest that would mark more than half of the
// users staged from a source missing. An export cut short, filtered, or
// taken from the wrong instance looks exactly like that, and a missing user
// is no longer imported; a real mass removal is confirmed with
// --accept-missing.
type MissingError struct {
	Source  Source
	Missing int // users the export no longer has
	Staged  int // users staged from the source before this run, not missing then
}

func (e *MissingError) Error() string {
	src := e.Source.Provider
	if e.Source.Tenant != "" {
		src += " (tenant " + e.Source.Tenant + ")"
	}
	return fmt.Sprintf("this export does not have %d of the %d users staged from %s: marking more than half of a source's users missing "+
		"is refused (is the export complete, and from the right instance?); nothing was changed", e.Missing, e.Staged, src)
}

// Hint says how to go on when the users were really removed.
func (e *MissingError) Hint() string {
	return "if those users were really removed, run the same ingest again with --accept-missing"
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

// lastRunWithOptions returns the source's last run when it had the same
// options, else 0.
func lastRunWithOptions(ctx context.Context, db *staging.DB, src Source, opts string) (int64, error) {
	var last struct {
		ID      int64  `db:"id"`
		Options string `db:"options"`
	}
	err := db.GetContext(ctx, &last, `SELECT id, options FROM ingest_runs
		WHERE provider = ? AND source_tenant = ? ORDER BY id DESC LIMIT 1`, src.Provider, src.Tenant)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && last.Options != opts) {
		return 0, nil
	}
	return last.ID, err
}

// sameFiles reports whether run read files with the same roles and digests.
func sameFiles(ctx context.Context, db *staging.DB, run int64, files []*File) (bool, error) {
	var prev []string
	if err := db.SelectContext(ctx, &prev, `SELECT role || ':' || sha256 FROM ingest_files WHERE ingest_run_id = ? ORDER BY 1`, run); err != nil {
		return false, err
	}
	var cur []string
	for _, f := range files {
		cur = append(cur, f.Role+":"+f.hash)
	}
	sort.Strings(cur)
	return strings.Join(prev, "\n") == strings.Join(cur, "\n"), nil
}

// digestFiles takes every file's SHA-256 and size. Inputs copied by
// spoolInputs were digested on the way.
func digestFiles(files []*File) error {
	for _, f := range files {
		if f.spool != "" {
			continue
		}
		h, n, err := digest(f.Path)
		if err != nil {
			return err
		}
		f.hash, f.size = h, n
	}
	return nil
}

func digest(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
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
