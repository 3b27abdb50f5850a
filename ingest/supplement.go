package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"

	"github.com/mig-tools/mig/passhash"
	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// This file is the source kit's supplement: the run of a file that only
// adds to users already staged, such as the password hashes Auth0 support
// exports (`mig ingest auth0-passwords`) or TOTP secrets from any source
// (`mig ingest totp`). A source reads its file into SupplementRecords; the
// kit stores every record in supplement_rows, joins it to a staged user in
// SQL (sqlqueries/ingest/supplement_match.sql: by the source's id, by email
// only when the run allows it, never a guess between two users), gives the
// users what the merged records add and records a warning, naming the file
// and line, for every record it did not merge (supplement_apply.sql). All
// in one transaction, like an ingest.
//
// A merged password outlives a re-ingest of the users' source: the source
// knows no password, and the run gives the user the merged one again
// (restoreSupplements) instead of emptying it.

// SupplementKind is what a supplement adds to a staged user.
type SupplementKind string

// The kinds of supplement, as supplement_rows.kind and as the first word of
// their warning codes.
const (
	PasswordSupplement SupplementKind = "password"
	TOTPSupplement     SupplementKind = "totp"
)

// SupplementRecord is one record of a supplement file: whom it belongs to
// and what it adds.
type SupplementRecord struct {
	Row int
	// SourceID is the user's id in its source (an Auth0 user_id); Email
	// joins the record when SourceID names no staged user and the run
	// allows it.
	SourceID string
	Email    string
	// PasswordHash and PasswordHashType (a passhash type, as
	// passhash.Detect names it) for a password supplement. The kit checks
	// the hash with passhash.Validate: a malformed one is unsupported.
	PasswordHash     string
	PasswordHashType string
	// TOTPSecret, and the issuer and account name authenticator apps show.
	TOTPSecret string
	TOTPIssuer string
	TOTPUser   string
	// Problem says why the record cannot be merged whoever it belongs to
	// (no hash, a hash format WorkOS does not take, no secret). Such a
	// record is kept and reported as unsupported, never dropped.
	Problem string
}

// SupplementSpec is one supplement run.
type SupplementSpec struct {
	// Name is the run's provider in ingest_runs and warnings
	// ("auth0-passwords", "totp"), and Tenant its tenant. Running the same
	// file with the same options again does nothing (ErrUnchanged); another
	// file, or the same one changed, replaces what that file of the same
	// Name and Tenant merged before.
	Name   string
	Tenant string
	Kind   SupplementKind
	File   string
	// Users is the source whose staged users the file adds to. An empty
	// Provider means the users of every source (a TOTP file may come from
	// anywhere); a source id that two sources share is then ambiguous.
	Users Source
	// MatchEmail joins a record by email when its source id names no
	// staged user (or it has none). Off, only the source id joins.
	MatchEmail bool
	// TOTPIssuer is the issuer of a TOTP secret whose record gives none.
	TOTPIssuer string
	// Options are recorded with the run and compared by a re-run, with the
	// kit's own (kind, users, match_email, totp_issuer). Never a secret.
	Options  map[string]any
	Settings Settings
	// Read reads File (opened through in: standard input works) and hands
	// every record to add, in file order; bad input is a *LineError.
	Read func(ctx context.Context, in Inputs, add func(SupplementRecord) error) error
	Log  *slog.Logger
}

// SupplementCounts are what a supplement run did. The database keeps them
// too: supplement_rows has one row per record with its status, and the
// run's ingest_runs row counts records (rows_read), merged records
// (users_changed), the others (users_skipped) and warnings.
type SupplementCounts struct {
	RunID      int64 `json:"run_id"`
	Records    int   `json:"records"`
	Merged     int   `json:"merged"`
	BySourceID int   `json:"merged_by_source_id"`
	ByEmail    int   `json:"merged_by_email"`
	NotFound   int   `json:"not_found"`
	Ambiguous  int   `json:"ambiguous"`
	// Unsupported records cannot be merged whoever they belong to (their
	// Problem); Duplicate ones were superseded by a later line, or the
	// user has its own already.
	Unsupported int `json:"unsupported"`
	Duplicate   int `json:"duplicate"`
	// EmailDiffers counts records merged by id whose email is not the
	// user's; Invalid the merged TOTP secrets that mig check's
	// totp_secret_invalid rule flags.
	EmailDiffers int  `json:"email_differs"`
	Invalid      int  `json:"invalid"`
	Warnings     int  `json:"warnings"`
	NoOp         bool `json:"no_op"`
}

// supplementFeedColumns are what the reading phase collects of a record.
var supplementFeedColumns = []string{"row_number", "source_user_id", "email", "password_hash", "password_hash_type",
	"totp_secret", "totp_issuer", "totp_user", "problem"}

// Supplement runs one supplement in one transaction: the file's records are
// stored, joined to the staged users, merged, and every record not merged
// is a warning. An error leaves the database as it was.
func Supplement(ctx context.Context, db *staging.DB, s SupplementSpec) (SupplementCounts, error) {
	if s.Kind != PasswordSupplement && s.Kind != TOTPSupplement {
		return SupplementCounts{}, fmt.Errorf("ingest: unknown supplement kind %q", s.Kind)
	}
	opts := maps.Clone(s.Options)
	if opts == nil {
		opts = map[string]any{}
	}
	opts["kind"] = string(s.Kind)
	opts["users_source"] = s.Users.Provider
	opts["users_tenant"] = s.Users.Tenant
	opts["match_email"] = s.MatchEmail
	if s.TOTPIssuer != "" {
		opts["totp_issuer"] = s.TOTPIssuer
	}
	set := s.Settings
	if set.Log == nil {
		set.Log = s.Log
	}
	set.supplement = true
	run, err := BeginWith(ctx, db, Source{Provider: s.Name, Tenant: s.Tenant}, []*File{{Role: string(s.Kind), Path: s.File}}, opts, set)
	if err != nil {
		return SupplementCounts{}, err
	}
	defer run.Rollback()
	run.Log = s.Log
	run.kit.withoutUsers = true
	c, err := run.supplement(ctx, s)
	if err != nil {
		return SupplementCounts{}, err
	}
	run.Counts.Rows, run.Counts.Changed = c.Records, c.Merged
	run.Counts.Skipped = c.Records - c.Merged
	run.SetRows(string(s.Kind), c.Records)
	counts, err := run.Commit(ctx)
	c.RunID, c.Warnings = counts.RunID, counts.Warnings
	return c, err
}

func (r *Run) supplement(ctx context.Context, s SupplementSpec) (SupplementCounts, error) {
	var c SupplementCounts
	if err := r.replaceSupplement(ctx, s); err != nil {
		return c, err
	}
	f, err := r.openFeed(ctx, "supplement_feed", supplementFeedColumns,
		`INSERT INTO supplement_rows (ingest_run_id, kind, file, row_number, source_user_id, email, password_hash, password_hash_type,
			totp_secret, totp_issuer, totp_user, problem)
		 SELECT ?1, ?2, ?3, row_number, source_user_id, email, password_hash, password_hash_type, totp_secret, totp_issuer, totp_user, problem
		 FROM temp.supplement_feed`)
	if err != nil {
		return c, err
	}
	flush := func() error {
		r.reserve(r.rowCtx)
		if err := f.flush(r.rowCtx, r.ID, string(s.Kind), s.File); err != nil {
			return fmt.Errorf("%s: stage records: %w", s.File, err)
		}
		return nil
	}
	err = s.Read(ctx, r, func(rec SupplementRecord) error {
		if c.Records%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		c.Records++
		rec = checkSupplement(s.Kind, rec)
		f.add(rec.Row, null(strings.TrimSpace(rec.SourceID)), null(NormalizeEmail(rec.Email)), null(rec.PasswordHash),
			null(rec.PasswordHashType), null(rec.TOTPSecret), null(rec.TOTPIssuer), null(rec.TOTPUser), null(rec.Problem))
		if f.full() {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return c, err
	}
	// The scripts read whose users, the email joins and the issuer from
	// the run's recorded options.
	if err := r.script(ctx, "ingest/supplement_match.sql"); err != nil {
		return c, err
	}
	if err := r.script(ctx, "ingest/supplement_apply.sql"); err != nil {
		return c, err
	}
	if s.Kind == PasswordSupplement {
		if err := r.rehashSupplemented(ctx); err != nil {
			return c, err
		}
	} else if c.Invalid, err = r.invalidTOTP(ctx); err != nil {
		return c, err
	}
	err = r.tx.QueryRowContext(ctx, `SELECT
		count(*) FILTER (WHERE status = 'merged'),
		count(*) FILTER (WHERE status = 'merged' AND matched_by = 'source_id'),
		count(*) FILTER (WHERE status = 'merged' AND matched_by = 'email'),
		count(*) FILTER (WHERE status = 'not_found'),
		count(*) FILTER (WHERE status = 'ambiguous'),
		count(*) FILTER (WHERE status = 'unsupported'),
		count(*) FILTER (WHERE status = 'duplicate')
		FROM supplement_rows WHERE ingest_run_id = ?`, r.ID).Scan(&c.Merged, &c.BySourceID, &c.ByEmail, &c.NotFound, &c.Ambiguous, &c.Unsupported, &c.Duplicate)
	if err != nil {
		return c, err
	}
	err = r.tx.QueryRowContext(ctx, `SELECT count(*) FROM warnings WHERE ingest_run_id = ? AND code = ?`, r.ID, string(s.Kind)+"_email_differs").Scan(&c.EmailDiffers)
	return c, err
}

// checkSupplement fills in Problem for a password record whose hash WorkOS
// would refuse: a type it does not take, or a hash not of that type's
// shape (passhash.Validate, whose messages quote no hash material).
func checkSupplement(kind SupplementKind, rec SupplementRecord) SupplementRecord {
	switch {
	case rec.Problem != "":
	case strings.TrimSpace(rec.SourceID) == "" && strings.TrimSpace(rec.Email) == "":
		rec.Problem = "the record names no user (no id, no email)"
	case kind == PasswordSupplement && rec.PasswordHash == "":
		rec.Problem = "the record has no password hash"
	case kind == PasswordSupplement && !passhash.IsType(rec.PasswordHashType):
		rec.Problem = fmt.Sprintf("hash type %s is not one WorkOS takes (%s)", Excerpt(rec.PasswordHashType), strings.Join(passhash.Types, ", "))
	case kind == PasswordSupplement:
		if err := passhash.Validate(rec.PasswordHashType, rec.PasswordHash); err != nil {
			rec.Problem = fmt.Sprintf("not a well-formed %s hash: %v", rec.PasswordHashType, err)
		}
	case kind == TOTPSupplement && strings.TrimSpace(rec.TOTPSecret) == "":
		rec.Problem = "the record has no TOTP secret"
	}
	if rec.Problem != "" {
		// An unsupported record keeps nothing that is not needed to say
		// whose it was.
		rec.PasswordHash, rec.TOTPSecret = "", ""
	}
	return rec
}

// replaceSupplement forgets what earlier runs of the same file (same Name,
// Tenant and path) recorded: their records, their warnings, and the TOTP
// secrets they staged that have not reached WorkOS. Passwords they merged
// stay with the users; a record of this run merges over them.
func (r *Run) replaceSupplement(ctx context.Context, s SupplementSpec) error {
	for _, q := range []string{
		`CREATE TEMP TABLE supplement_replaced AS
		 SELECT DISTINCT s.ingest_run_id AS id FROM supplement_rows s JOIN ingest_runs i ON i.id = s.ingest_run_id
		 WHERE i.provider = ?1 AND i.source_tenant = ?2 AND s.kind = ?3 AND s.file = ?4 AND s.ingest_run_id <> ?5`,
		`DELETE FROM totp_secrets
		 WHERE source = ?1 AND ingest_run_id IN (SELECT id FROM temp.supplement_replaced)
		   AND NOT EXISTS (SELECT 1 FROM import_items i WHERE i.entity = 'totp' AND i.entity_id = totp_secrets.id AND i.status = 'done')`,
		`DELETE FROM supplement_rows WHERE kind = ?3 AND file = ?4 AND ingest_run_id IN (SELECT id FROM temp.supplement_replaced)`,
		`DELETE FROM warnings WHERE source = ?1 AND source_tenant = ?2 AND file = ?4`,
		`DROP TABLE temp.supplement_replaced`,
	} {
		if _, err := r.tx.ExecContext(ctx, q, r.Src.Provider, r.Src.Tenant, string(s.Kind), s.File, r.ID); err != nil {
			return fmt.Errorf("replace the earlier supplement of %s: %w", s.File, err)
		}
	}
	return nil
}

// rehashPage is how many merged users rehashSupplemented reads at a time:
// read, closed, then written, on the run's one connection.
const rehashPage = 2048

// supplementUserColumns are the staged columns a content hash covers, in
// contentSum's order, and the TOTP secret the user's own source gave.
const supplementUserColumns = `coalesce(u.email, ''), coalesce(u.first_name, ''), coalesce(u.last_name, ''),
	CASE WHEN u.email_verified IS NULL THEN '<nil>' ELSE CAST(u.email_verified AS TEXT) END,
	coalesce(u.password, ''), coalesce(u.password_hash, ''), coalesce(u.password_hash_type, ''),
	coalesce(u.source_password_digest, ''), coalesce(u.external_id, ''), coalesce(u.username, ''),
	u.metadata, u.emails, u.phones,
	coalesce((SELECT t.secret FROM totp_secrets t WHERE t.user_id = u.id AND t.source = u.source ORDER BY t.id LIMIT 1), '')`

// rehashSupplemented gives the users a password was merged into the
// content hash of what they are now (contentSum, as Encode computes it), so
// that the importer sends the password to a user WorkOS has already, and a
// re-ingest of the source that gives the password back finds them
// unchanged.
func (r *Run) rehashSupplemented(ctx context.Context) error {
	update, err := r.tx.PrepareContext(ctx, `UPDATE users SET content_hash = ? WHERE id = ?`)
	if err != nil {
		return err
	}
	defer update.Close()
	type row struct {
		id     int64
		sid    int64
		fields [14]string
	}
	var last int64
	buf := make([]byte, 0, 1024)
	for {
		rows, err := r.tx.QueryContext(ctx, `SELECT s.id, u.id, `+supplementUserColumns+`
			FROM supplement_rows s JOIN users u ON u.id = s.user_id
			WHERE s.ingest_run_id = ? AND s.status = 'merged' AND s.id > ? ORDER BY s.id LIMIT ?`, r.ID, last, rehashPage)
		if err != nil {
			return err
		}
		var page []row
		for rows.Next() {
			var x row
			dst := []any{&x.sid, &x.id}
			for i := range x.fields {
				dst = append(dst, &x.fields[i])
			}
			if err := rows.Scan(dst...); err != nil {
				rows.Close()
				return err
			}
			page = append(page, x)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		for _, x := range page {
			if _, err := update.ExecContext(r.rowCtx, contentSum(buf[:0], x.fields[:]...), x.id); err != nil {
				return err
			}
		}
		last = page[len(page)-1].sid
	}
}

// invalidTOTP records a warning for every TOTP secret this run staged that
// mig check's totp_secret_invalid rule flags, with the rule's message (the
// rule itself is the check's SQL, run here over the run's secrets), and
// returns how many.
func (r *Run) invalidTOTP(ctx context.Context) (int, error) {
	q, err := sqlqueries.Load("checks/totp_secret_invalid.sql")
	if err != nil {
		return 0, err
	}
	check := strings.TrimRight(strings.TrimSpace(sqlqueries.Statements(q.SQL)[0]), ";")
	res, err := r.tx.ExecContext(ctx, `INSERT INTO warnings (ingest_run_id, source, source_tenant, code, message, entity, source_id, file, row_number, context, created_at)
		SELECT ?1, ?2, ?3, 'totp_secret_invalid', c.message || '; mig check reports it, and its --fix mends case, spaces and hyphens',
		       'totp', c.source_id, ?4, t.row_number, '{}', ?5
		FROM (`+check+`) c JOIN totp_secrets t ON t.id = c.entity_id
		WHERE t.ingest_run_id = ?1 AND t.source = ?2`, r.ID, r.Src.Provider, r.Src.Tenant, r.files[0].Path, staging.Now())
	if err != nil {
		return 0, fmt.Errorf("check the staged TOTP secrets: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// prepareSupplements prepares, for a run over a source staged before, the
// lookup of the passwords supplements merged into its users, when there
// are any.
func (r *Run) prepareSupplements(ctx context.Context) error {
	var has int
	if err := r.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM supplement_rows s JOIN users u ON u.id = s.user_id
		WHERE s.kind = 'password' AND s.status = 'merged' AND u.source = ? AND u.source_tenant = ?)`,
		r.Src.Provider, r.Src.Tenant).Scan(&has); err != nil || has == 0 {
		return err
	}
	var err error
	r.kit.supplementPassword, err = r.tx.PrepareContext(ctx, `SELECT s.password_hash, s.password_hash_type
		FROM users u JOIN supplement_rows s ON s.user_id = u.id
		WHERE u.source = ? AND u.source_tenant = ? AND u.source_id = ? AND s.kind = 'password' AND s.status = 'merged'
		ORDER BY s.id DESC LIMIT 1`)
	return err
}

// restoreSupplements gives u, handed over again by its source without a
// password, the password a supplement merged into it before, so that a
// re-ingest neither empties it nor counts the user changed.
func (r *Run) restoreSupplements(u *User) error {
	if r.kit.supplementPassword == nil || u.PasswordHash != "" || u.Password != "" || u.SourceDigest != "" {
		return nil
	}
	var hash, typ string
	err := r.kit.supplementPassword.QueryRowContext(r.rowCtx, r.Src.Provider, r.Src.Tenant, u.SourceID).Scan(&hash, &typ)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the password merged into user %s: %w", Excerpt(u.SourceID), err)
	}
	u.PasswordHash, u.PasswordHashType, u.encoded = hash, typ, false
	return u.Encode()
}
