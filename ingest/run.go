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
	"os"
	"sort"
	"strings"

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
	Role string // users, org_mapping, role_mapping, ...
	Path string
	hash string
	size int64
	rows int
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
	ID     int64
	Src    Source
	Counts Counts
	tx     *sqlx.Tx
	files  []*File

	upsertUser *sql.Stmt
	insertTOTP *sql.Stmt
	clearTOTP  *sql.Stmt
	insertWarn *sql.Stmt
	insertSkip *sql.Stmt
	insertOrgM *sql.Stmt
	insertRole *sql.Stmt
	warnedOnce map[string]bool
}

// Begin starts a run. It digests the files first; when the last run of this
// source read the same files with the same options it returns ErrUnchanged
// and changes nothing. options must not contain secrets: they are stored.
func Begin(ctx context.Context, db *staging.DB, src Source, files []*File, options map[string]any) (*Run, error) {
	for _, f := range files {
		h, n, err := digest(f.Path)
		if err != nil {
			return nil, err
		}
		f.hash, f.size = h, n
	}
	opts, err := json.Marshal(options)
	if err != nil {
		return nil, err
	}
	same, err := sameAsLastRun(ctx, db, src, files, string(opts))
	if err != nil {
		return nil, err
	}
	if same > 0 {
		return nil, fmt.Errorf("%w (run %d)", ErrUnchanged, same)
	}

	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	r := &Run{Src: src, tx: tx, files: files, warnedOnce: map[string]bool{}}
	if err := r.prepare(ctx, string(opts)); err != nil {
		tx.Rollback()
		return nil, err
	}
	return r, nil
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
	// source's warnings and skipped rows instead of piling up old ones.
	for _, q := range []string{
		`DELETE FROM warnings WHERE source = ? AND source_tenant = ?`,
		`DELETE FROM skipped_users WHERE source = ? AND source_tenant = ?`,
	} {
		if _, err := r.tx.ExecContext(ctx, q, r.Src.Provider, r.Src.Tenant); err != nil {
			return err
		}
	}
	prep := func(dst **sql.Stmt, q string) {
		if err != nil {
			return
		}
		*dst, err = r.tx.PrepareContext(ctx, q)
	}
	prep(&r.upsertUser, upsertUserSQL)
	prep(&r.insertTOTP, `INSERT INTO totp_secrets (user_id, secret, issuer, source, ingest_run_id, row_number)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, secret) DO UPDATE SET ingest_run_id = excluded.ingest_run_id`)
	prep(&r.clearTOTP, `DELETE FROM totp_secrets WHERE user_id = ? AND secret <> ?`)
	prep(&r.insertWarn, `INSERT INTO warnings (ingest_run_id, source, source_tenant, code, message, entity, source_id, file, row_number, context, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	prep(&r.insertSkip, `INSERT INTO skipped_users (ingest_run_id, source, source_tenant, source_id, file, row_number, email, reason, raw, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	prep(&r.insertOrgM, `INSERT INTO org_mapping_rows (ingest_run_id, source, source_tenant, file, row_number, source_user_id, org_id, org_external_id, org_name)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	prep(&r.insertRole, `INSERT INTO role_mapping_rows (ingest_run_id, source, source_tenant, file, row_number, source_user_id, role_slug, org_id, org_external_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	return err
}

// upsertUserSQL inserts a user or, when the source already staged it,
// updates it in place. The WHERE on the update refuses a second row with the
// same source id in one run: no row comes back and AddUser reports it.
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
RETURNING id, change`

// AddUser stages u. A second user with the same source id in one run is not
// staged: it is recorded as skipped, naming the line of the first.
func (r *Run) AddUser(ctx context.Context, file string, u *User) error {
	meta, err := json.Marshal(nonNilMap(u.Metadata))
	if err != nil {
		return err
	}
	emails, _ := json.Marshal(nonNilSlice(u.Emails))
	phones, _ := json.Marshal(nonNilSlice(u.Phones))
	raw, err := json.Marshal(u.Raw)
	if err != nil {
		return err
	}
	email := NormalizeEmail(u.EmailRaw)
	var verified any
	if u.EmailVerified != nil {
		verified = boolInt(*u.EmailVerified)
	}
	h := sha256.New()
	for _, s := range []string{email, u.FirstName, u.LastName, fmt.Sprint(verified), u.Password, u.PasswordHash,
		u.PasswordHashType, u.SourceDigest, u.ExternalID, u.Username, string(meta), string(emails), string(phones), u.TOTPSecret} {
		io.WriteString(h, s)
		h.Write([]byte{0})
	}
	sum := hex.EncodeToString(h.Sum(nil)[:16])

	var id int64
	var change string
	err = r.upsertUser.QueryRowContext(ctx, r.Src.Provider, r.Src.Tenant, u.SourceID, r.ID, u.Row,
		null(u.EmailRaw), null(email), null(u.FirstName), null(u.LastName), verified, null(u.Password),
		null(u.PasswordHash), null(u.PasswordHashType), null(u.SourceHasher), null(u.SourceDigest),
		null(u.ExternalID), null(u.Username), string(meta), string(emails), string(phones), string(raw), sum,
	).Scan(&id, &change)
	if errors.Is(err, sql.ErrNoRows) {
		var first int
		r.tx.QueryRowContext(ctx, `SELECT row_number FROM users WHERE source = ? AND source_tenant = ? AND source_id = ?`,
			r.Src.Provider, r.Src.Tenant, u.SourceID).Scan(&first)
		return r.Skip(ctx, file, u.Row, u.SourceID, u.EmailRaw,
			fmt.Sprintf("duplicate id %q: line %d has the same id and was staged", u.SourceID, first), u.Raw)
	}
	if err != nil {
		return fmt.Errorf("%s:%d: stage user %s: %w", file, u.Row, u.SourceID, err)
	}
	switch change {
	case "new":
		r.Counts.New++
	case "changed":
		r.Counts.Changed++
	default:
		r.Counts.Unchanged++
	}
	if change == "unchanged" {
		return nil
	}
	if u.TOTPSecret != "" {
		if _, err := r.clearTOTP.ExecContext(ctx, id, u.TOTPSecret); err != nil {
			return err
		}
		if _, err := r.insertTOTP.ExecContext(ctx, id, u.TOTPSecret, null(u.TOTPIssuer), r.Src.Provider, r.ID, u.Row); err != nil {
			return fmt.Errorf("%s:%d: stage TOTP secret: %w", file, u.Row, err)
		}
	} else if change == "changed" {
		if _, err := r.tx.ExecContext(ctx, `DELETE FROM totp_secrets WHERE user_id = ?`, id); err != nil {
			return err
		}
	}
	return nil
}

// Skip records an input row that is not staged, with the reason.
func (r *Run) Skip(ctx context.Context, file string, row int, sourceID, email, reason string, raw any) error {
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	r.Counts.Skipped++
	_, err = r.insertSkip.ExecContext(ctx, r.ID, r.Src.Provider, r.Src.Tenant, null(sourceID), file, row,
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
	_, err = r.insertWarn.ExecContext(ctx, r.ID, r.Src.Provider, r.Src.Tenant, w.Code, w.Message, null(w.Entity),
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
	_, err := r.insertOrgM.ExecContext(ctx, r.ID, r.Src.Provider, r.Src.Tenant, file, m.Row, m.SourceUserID,
		null(strings.TrimSpace(m.OrgID)), null(strings.TrimSpace(m.OrgExternalID)), null(strings.TrimSpace(m.OrgName)))
	return err
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
	_, err := r.insertRole.ExecContext(ctx, r.ID, r.Src.Provider, r.Src.Tenant, file, m.Row, m.SourceUserID,
		strings.TrimSpace(m.RoleSlug), null(strings.TrimSpace(m.OrgID)), null(strings.TrimSpace(m.OrgExternalID)))
	return err
}

// ClearOrgMapping forgets the source's earlier org-mapping lines; call it
// before adding the lines of a new mapping file.
func (r *Run) ClearOrgMapping(ctx context.Context) error {
	_, err := r.tx.ExecContext(ctx, `DELETE FROM org_mapping_rows WHERE source = ? AND source_tenant = ?`, r.Src.Provider, r.Src.Tenant)
	return err
}

// ClearRoleMapping forgets the source's earlier role-mapping lines.
func (r *Run) ClearRoleMapping(ctx context.Context) error {
	_, err := r.tx.ExecContext(ctx, `DELETE FROM role_mapping_rows WHERE source = ? AND source_tenant = ?`, r.Src.Provider, r.Src.Tenant)
	return err
}

// ApplyOrgMapping runs sqlqueries/ingest/org_mapping.sql: the priority rule
// picks each line's organization, organizations are created or completed,
// and every (user, organization) pair becomes one membership.
func (r *Run) ApplyOrgMapping(ctx context.Context) error {
	return r.script(ctx, "ingest/org_mapping.sql")
}

// ApplyRoleMapping runs sqlqueries/ingest/role_mapping.sql.
func (r *Run) ApplyRoleMapping(ctx context.Context) error {
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
		if _, err := r.tx.ExecContext(ctx, stmt, args...); err != nil {
			return fmt.Errorf("%s statement %d: %w", path, i+1, err)
		}
	}
	return nil
}

// Commit finishes the run: users of this source that the export no longer
// has are marked missing (never deleted: they may be in WorkOS already), the
// counts are recorded, and the transaction commits.
func (r *Run) Commit(ctx context.Context) (Counts, error) {
	defer r.tx.Rollback()
	res, err := r.tx.ExecContext(ctx, `UPDATE users SET change = 'missing'
		WHERE source = ? AND source_tenant = ? AND last_seen_run_id < ? AND change <> 'missing'`,
		r.Src.Provider, r.Src.Tenant, r.ID)
	if err != nil {
		return r.Counts, err
	}
	n, _ := res.RowsAffected()
	r.Counts.Missing = int(n)
	if err := r.tx.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM warnings WHERE ingest_run_id = ?1),
		(SELECT count(*) FROM organizations),
		(SELECT count(*) FROM memberships),
		(SELECT count(*) FROM role_assignments),
		(SELECT count(*) FROM totp_secrets)`, r.ID).Scan(&r.Counts.Warnings, &r.Counts.Orgs, &r.Counts.Members, &r.Counts.Roles, &r.Counts.TOTP); err != nil {
		return r.Counts, err
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

// Rollback undoes the run. It is safe after Commit.
func (r *Run) Rollback() { r.tx.Rollback() }

// Tx exposes the run's transaction to source packages with tables of their
// own (role definitions, SSO connections).
func (r *Run) Tx() *sqlx.Tx { return r.tx }

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

func sameAsLastRun(ctx context.Context, db *staging.DB, src Source, files []*File, opts string) (int64, error) {
	var last struct {
		ID      int64  `db:"id"`
		Options string `db:"options"`
	}
	err := db.GetContext(ctx, &last, `SELECT id, options FROM ingest_runs
		WHERE provider = ? AND source_tenant = ? ORDER BY id DESC LIMIT 1`, src.Provider, src.Tenant)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if last.Options != opts {
		return 0, nil
	}
	var prev []string
	if err := db.SelectContext(ctx, &prev, `SELECT role || ':' || sha256 FROM ingest_files WHERE ingest_run_id = ? ORDER BY 1`, last.ID); err != nil {
		return 0, err
	}
	var cur []string
	for _, f := range files {
		cur = append(cur, f.Role+":"+f.hash)
	}
	sort.Strings(cur)
	if strings.Join(prev, "\n") != strings.Join(cur, "\n") {
		return 0, nil
	}
	return last.ID, nil
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

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func nonNilAnyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
