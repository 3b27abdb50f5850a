package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// This file holds the users of a run: the User a source hands over, its
// encoding, and the two ways users are written (the bulk feed of a first
// ingest, the upserts of a re-ingest).

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
	// digest is the record's digest, when the source handed the record to
	// Unchanged first (digested); a warning about the record makes it
	// noDigest.
	digest   recordDigest
	digested bool
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

// userFeedColumns are the columns of a user the bulk phase collects; the
// run's constants are bound once per batch.
var userFeedColumns = []string{"id", "source_id", "row_number", "email_raw", "email", "first_name", "last_name",
	"email_verified", "password", "password_hash", "password_hash_type", "source_hasher", "source_password_digest",
	"external_id", "username", "metadata", "emails", "phones", "raw", "content_hash"}

// insertUserSQL is the first-ingest form of upsertUserSQL: a batch of users
// from the users feed.
var insertUserSQL = sqlqueries.MustLoad("ingest/insert_users.sql").SQL

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
		if err := r.restoreSupplements(u); err != nil {
			return fmt.Errorf("%s:%d: %w", file, u.Row, err)
		}
		if r.delta.feed != nil {
			return r.addDeltaUser(file, u)
		}
		if u.Row%feedBatch == 0 {
			r.reserve(r.rowCtx)
		}
		e = &u.enc
		email, verified, meta, emails, phones, raw, sum = e.email, e.verified, e.meta, e.emails, e.phones, e.raw, e.sum
	}
	if bulk {
		return r.addBulkUser(file, u)
	}
	if w := r.users.writer; w != nil {
		w.off = true // a user after the users phase has no place in the set
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

// addBulkUser collects a user of a source's first run into the users feed,
// flushing it when full. The user's id is known now, so its TOTP secret
// goes in at once (foreign keys are not checked inside a run).
func (r *Run) addBulkUser(file string, u *User) error {
	e := &u.enc
	id := r.nextUserID
	r.nextUserID++
	if err := r.recordDigest(r.rowCtx, u, id); err != nil {
		return err
	}
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

// UsersDone ends the users phase of a run. On a first ingest it moves users
// whose id repeats an earlier line's to skipped_users and rebuilds the users
// indexes; on a re-ingest it writes the users collected; call it before
// adding mapping rows.
//
// Every method that reads users back (the mapping steps, Tx) calls it first,
// so a source that forgets cannot run lookups on a table without indexes.
func (r *Run) UsersDone(ctx context.Context) error {
	if r.usersDoneErr != nil {
		return r.usersDoneErr
	}
	if !r.bulkUsers() {
		// A re-ingest's users are all written once its feed is.
		r.delta.after = r.delta.feed != nil
		return r.flushDelta(ctx)
	}
	r.usersDoneErr = r.usersDone(ctx)
	if r.usersDoneErr == nil {
		r.usersDoneErr = r.prepareUpserts(ctx)
	}
	return r.usersDoneErr
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
	for _, q := range sqlqueries.Statements(sqlqueries.MustLoad("ingest/skip_duplicate_ids.sql").SQL) {
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
	if dups > 0 && r.users.writer != nil {
		// Which line of a repeated id is staged depends on the whole
		// file: the next run decodes every record.
		r.users.writer.off = true
	}
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
