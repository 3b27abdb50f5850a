package emit

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/pkgcontract"
	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// Options are the inputs of one emit.
type Options struct {
	// Dir is where the package goes. It must not exist, be empty, or (with
	// Overwrite) hold an earlier package, which is replaced as a whole.
	Dir       string
	Overwrite bool
	// GeneratedAt is the manifest timestamp; zero means now. Pin it to get
	// byte-identical packages from the same database.
	GeneratedAt time.Time
	// IncludeSecrets writes SSO secrets (client secrets, signing and
	// encryption keys) instead of leaving their cells empty.
	IncludeSecrets bool
	// Provider and SourceTenant override what the manifest says; by default
	// they are the staged users' source (several joined with "+").
	Provider     string
	SourceTenant string
	// Workers is how many files are written at once, each from its own
	// read-only connection to the same snapshot; 0 means one per CPU, at
	// most 4.
	Workers int
	// EntitiesRequested limits which files get rows (users, organizations,
	// memberships, roles, totp, sso); nil means all. Files of entities not
	// asked for are still written, header-only, as the contract wants.
	EntitiesRequested []string
	// StaleRemoved, when set, is told the path of each temporary directory
	// an interrupted emit to the same Dir left behind, as Write removes it
	// (see tempdir.go).
	StaleRemoved func(path string)
	// Progress, when set, is told every few thousand users how many users
	// the per-user pass has written, and an upper bound of how many it
	// writes (see sqlqueries/emit/user_bound.sql).
	Progress func(done, total int64)
}

// Result is what an emit wrote.
type Result struct {
	Dir      string
	Manifest pkgcontract.Manifest
}

// TimeFormat is the manifest's generatedAt format: ISO 8601 in UTC with
// milliseconds, like JavaScript's toISOString.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// Write emits the staging database as a package in o.Dir. All files are
// written to a temporary directory next to o.Dir and renamed into place, so
// an interrupted emit leaves no half package (and the next emit removes the
// temporary directory it left); the directory is 0700 and the files 0600
// because they hold password hashes and TOTP secrets. Every file
// comes from one query read in one read transaction, so the files agree
// with each other and with the manifest even while another mig writes.
func Write(ctx context.Context, db *staging.DB, o Options) (*Result, error) {
	if o.Dir == "" {
		return nil, errors.New("emit: no output directory")
	}
	requested, err := normalizeEntities(o.EntitiesRequested)
	if err != nil {
		return nil, err
	}
	if err := checkTarget(o.Dir, o.Overwrite); err != nil {
		return nil, err
	}
	if err := removeStale(o.Dir, o.StaleRemoved); err != nil {
		return nil, err
	}
	queries, err := loadQueries()
	if err != nil {
		return nil, err
	}
	parent := filepath.Dir(filepath.Clean(o.Dir))
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, err
	}
	tmp, unlock, err := makeTempDir(parent, tempPrefix(o.Dir))
	if err != nil {
		return nil, err
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
		unlock()
	}()
	for _, d := range []string{"sso", "workos_upload"} {
		if err := os.Mkdir(filepath.Join(tmp, d), 0o700); err != nil {
			return nil, err
		}
	}

	readers, err := openReaders(ctx, db, o.Workers)
	if err != nil {
		return nil, err
	}
	defer readers.close()
	tx := readers.txs[0]

	want := map[string]bool{}
	for _, e := range requested {
		want[e] = true
	}
	params := []any{
		sql.Named("include_secrets", o.IncludeSecrets),
		sql.Named("memberships", want["memberships"] && want["organizations"]),
		sql.Named("roles", want["roles"]),
	}
	m := pkgcontract.Manifest{
		SchemaVersion:     pkgcontract.SchemaVersion,
		EntitiesRequested: requested,
		Importability: pkgcontract.Importability{Users: "automatic", Organizations: "automatic", Memberships: "automatic",
			Roles: "automatic", TOTPSecrets: "automatic", SSOConnections: "handoff"},
		Warnings: []string{},
	}
	m.Files = append(m.Files, pkgcontract.KV{Key: pkgcontract.ManifestKey, Value: pkgcontract.ManifestPath})
	jobs := make([]*job, 0, len(pkgcontract.Files))
	userJobs := map[string]*job{}
	for _, f := range pkgcontract.Files {
		m.Files = append(m.Files, pkgcontract.KV{Key: f.Key, Value: f.Path})
		if f.Key == "handoffNotes" {
			continue
		}
		j := &job{file: f, path: filepath.Join(tmp, f.Path)}
		jobs = append(jobs, j)
		if slices.Contains(userFileKeys, f.Key) {
			// Written by a per-user pass; a name marks a file that gets rows.
			if f.Entity == "" || want[f.Entity] {
				j.query = Query{Name: f.Key}
			}
			userJobs[f.Key] = j
			continue
		}
		q, ok := queries[f.Key]
		if !ok {
			return nil, fmt.Errorf("emit: no query for %s in sqlqueries/emit", f.Path)
		}
		if f.Entity != "" && !want[f.Entity] {
			q = Query{}
		}
		j.query = q
	}
	for _, name := range []string{"userRows", "userKeys", "stagedEmails", "membershipRows", "roleAssignmentRows", "organizationRefs", "uploadRepeat", "userBound"} {
		if _, ok := queries[name]; !ok {
			return nil, fmt.Errorf("emit: no query %s in sqlqueries/emit", name)
		}
	}
	var progress func(int64)
	if o.Progress != nil {
		var total int64
		if err := tx.GetContext(ctx, &total, queries["userBound"].SQL); err != nil {
			return nil, fmt.Errorf("%s: %w", queries["userBound"].Path, err)
		}
		progress = func(n int64) { o.Progress(n, total) }
		progress(0)
	}
	var work []*job
	for _, p := range userPasses {
		pass := &userFiles{users: p.users, keys: p.keys, jobs: userJobs, queries: queries,
			memberships: want["memberships"] && want["organizations"], roles: want["roles"]}
		if p.users == "userRows" {
			pass.progress = progress
		}
		work = append(work, &job{file: pkgcontract.File{Key: p.keys[0], Path: strings.Join(p.keys, ", ")}, run: pass.write})
	}
	for _, j := range jobs {
		if !slices.Contains(userFileKeys, j.file.Key) {
			work = append(work, j)
		}
	}
	if err := readers.run(ctx, work, params); err != nil {
		return nil, err
	}
	for _, j := range jobs {
		m.EntitiesExported.Set(j.file.Key, j.rows)
	}

	facts, err := readFacts(ctx, tx, queries["manifestFacts"])
	if err != nil {
		return nil, err
	}
	m.Provider, m.SourceTenant = facts.provider(), facts.tenant()
	if o.Provider != "" {
		m.Provider = o.Provider
	}
	if o.SourceTenant != "" {
		m.SourceTenant = o.SourceTenant
	}
	if err := writeHandoff(ctx, tx, filepath.Join(tmp, "sso", "handoff_notes.md"), queries["handoffNotes"], want["sso"], o.IncludeSecrets); err != nil {
		return nil, err
	}
	readers.close()
	facts.PlaintextPasswords = userJobs["users"].plaintext

	m.SecretsRedacted, m.SecretRedaction = redaction(facts, want["sso"], o.IncludeSecrets)
	m.Warnings = manifestWarnings(facts, m, want)
	gen := o.GeneratedAt
	if gen.IsZero() {
		gen = time.Now()
	}
	m.GeneratedAt = gen.UTC().Format(TimeFormat)
	if err := writeManifest(filepath.Join(tmp, pkgcontract.ManifestPath), m); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := moveIntoPlace(tmp, o.Dir, o.Overwrite); err != nil {
		return nil, err
	}
	done = true
	return &Result{Dir: o.Dir, Manifest: m}, nil
}

// Query is an emit query with its header.
type Query = sqlqueries.Query

func loadQueries() (map[string]Query, error) {
	qs, err := sqlqueries.Dir("emit")
	if err != nil {
		return nil, err
	}
	out := make(map[string]Query, len(qs))
	for _, q := range qs {
		out[q.Name] = q
	}
	return out, nil
}

func normalizeEntities(in []string) ([]string, error) {
	if len(in) == 0 {
		return slices.Clone(pkgcontract.Entities), nil
	}
	seen := map[string]bool{}
	for _, e := range in {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "totpsecrets" || e == "totp_secrets" {
			e = "totp"
		}
		if !slices.Contains(pkgcontract.Entities, e) {
			return nil, fmt.Errorf("emit: unknown entity %q (known: %s)", e, strings.Join(pkgcontract.Entities, ", "))
		}
		seen[e] = true
	}
	var out []string
	for _, e := range pkgcontract.Entities {
		if seen[e] {
			out = append(out, e)
		}
	}
	return out, nil
}

// checkTarget refuses to write over anything that is not an earlier package.
func checkTarget(dir string, overwrite bool) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("emit: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, pkgcontract.ManifestPath)); err != nil {
		return fmt.Errorf("emit: %s exists and is not a migration package; choose another --output-dir", dir)
	}
	if !overwrite {
		return &existsError{dir}
	}
	return nil
}

type existsError struct{ dir string }

func (e *existsError) Error() string { return fmt.Sprintf("emit: %s already holds a package", e.dir) }
func (e *existsError) Hint() string {
	return "add --overwrite to replace it, or choose another --output-dir"
}

func moveIntoPlace(tmp, dir string, overwrite bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return os.Rename(tmp, dir)
	case err != nil:
		return err
	case len(entries) == 0:
		if err := os.Remove(dir); err != nil {
			return err
		}
		return os.Rename(tmp, dir)
	case !overwrite:
		return &existsError{dir}
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Rename(old, dir)
		return err
	}
	return os.RemoveAll(old)
}

// createFile creates a package file that only its owner can read.
func createFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
}

// writeQuery streams one query into one file and returns the records
// written. With an empty query it writes the header alone (CSV) or nothing.
func writeQuery(ctx context.Context, tx *sqlx.Tx, path string, f pkgcontract.File, q Query, params []any) (n int, err error) {
	out, err := createFile(path)
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	bw := bufio.NewWriterSize(out, 256<<10)
	var cw *csv.Writer
	if f.Kind() == "csv" {
		cw = csv.NewWriter(bw)
		if err := cw.Write(f.Header); err != nil {
			return 0, err
		}
	}
	if q.SQL != "" {
		n, err = streamRows(ctx, tx, q, params, f, bw, cw)
		if err != nil {
			return n, err
		}
	}
	if cw != nil {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, err
		}
	}
	if err := bw.Flush(); err != nil {
		return n, err
	}
	return n, out.Sync()
}

func streamRows(ctx context.Context, tx *sqlx.Tx, q Query, params []any, f pkgcontract.File, w io.Writer, cw *csv.Writer) (int, error) {
	rows, err := tx.QueryContext(ctx, q.SQL, params...)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", q.Path, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	if cw != nil && !slices.Equal(cols, f.Header) {
		return 0, fmt.Errorf("%s returns columns %s, the contract wants %s", q.Path, strings.Join(cols, ","), strings.Join(f.Header, ","))
	}
	raw := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	rec := make([]string, len(cols))
	n := 0
	for rows.Next() {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		n++
		if cw == nil {
			if _, err := w.Write(raw[0]); err != nil {
				return n, err
			}
			if _, err := w.Write([]byte{'\n'}); err != nil {
				return n, err
			}
			continue
		}
		for i, b := range raw {
			rec[i] = string(b)
		}
		if err := cw.Write(rec); err != nil {
			return n, err
		}
	}
	return n, rows.Err()
}

type facts struct {
	Sources            string `db:"sources"`
	MissingUsers       int    `db:"missing_users"`
	ExcludedUsers      int    `db:"excluded_users"`
	OrgsWithoutID      int    `db:"orgs_without_id"`
	SSOConnections     int    `db:"sso_connections"`
	SSOWithSecrets     int    `db:"sso_with_secrets"`
	OIDCWithoutSecret  int    `db:"oidc_without_secret"`
	PlaintextPasswords int    `db:"-"` // counted while users.csv is written
	sources            [][2]string
}

func readFacts(ctx context.Context, tx *sqlx.Tx, q Query) (*facts, error) {
	var f facts
	if err := tx.GetContext(ctx, &f, q.SQL); err != nil {
		return nil, fmt.Errorf("%s: %w", q.Path, err)
	}
	if err := json.Unmarshal([]byte(f.Sources), &f.sources); err != nil {
		return nil, fmt.Errorf("%s: %w", q.Path, err)
	}
	return &f, nil
}

func (f *facts) provider() string {
	var names []string
	for _, s := range f.sources {
		if !slices.Contains(names, s[0]) {
			names = append(names, s[0])
		}
	}
	if len(names) == 0 {
		return "mig"
	}
	return strings.Join(names, "+")
}

func (f *facts) tenant() string {
	if len(f.sources) == 1 {
		return f.sources[0][1]
	}
	return ""
}

func redaction(f *facts, sso, include bool) (bool, pkgcontract.SecretRedaction) {
	if !sso || f.SSOConnections == 0 {
		return false, pkgcontract.SecretRedaction{Mode: "not-applicable", Redacted: false}
	}
	files := []string{"sso/saml_connections.csv", "sso/oidc_connections.csv"}
	if include {
		return false, pkgcontract.SecretRedaction{Mode: "included", Redacted: false, Files: files,
			Notes: []string{"SSO secrets are included: keep this package as secret as the IdP configuration itself"}}
	}
	var fields []string
	for _, k := range []string{"samlConnections", "oidcConnections"} {
		fields = append(fields, pkgcontract.SecretColumns[k]...)
	}
	return true, pkgcontract.SecretRedaction{Mode: "redacted", Redacted: true, RedactedFields: fields, Files: files}
}

func manifestWarnings(f *facts, m pkgcontract.Manifest, want map[string]bool) []string {
	w := []string{}
	if f.MissingUsers > 0 {
		w = append(w, fmt.Sprintf("%d staged users are no longer in their source's latest export and are left out of the package", f.MissingUsers))
	}
	if f.ExcludedUsers > 0 {
		w = append(w, fmt.Sprintf("%d staged users are excluded with mig exclude and left out of the package (skipped_users.jsonl lists them)", f.ExcludedUsers))
	}
	if want["organizations"] && f.OrgsWithoutID > 0 {
		w = append(w, fmt.Sprintf("%d organizations are known only by name: they are in organizations.csv but not in workos_upload/ (the upload templates need an id)", f.OrgsWithoutID))
	}
	if m.SecretsRedacted {
		w = append(w, "SSO secrets are redacted (empty cells); emit with --include-secrets or supply them at import")
	}
	if want["sso"] && f.OIDCWithoutSecret > 0 && !m.SecretsRedacted {
		w = append(w, fmt.Sprintf("%d OIDC connections have no client secret in staging", f.OIDCWithoutSecret))
	}
	if want["users"] && f.PlaintextPasswords > 0 {
		w = append(w, fmt.Sprintf("%d users carry a plaintext password in users.csv", f.PlaintextPasswords))
	}
	return w
}

func writeManifest(path string, m pkgcontract.Manifest) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return err
	}
	return writeSmallFile(path, buf.Bytes())
}

func writeSmallFile(path string, b []byte) error {
	f, err := createFile(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeHandoff writes sso/handoff_notes.md: what mig leaves to a person.
func writeHandoff(ctx context.Context, tx *sqlx.Tx, path string, q Query, sso, include bool) error {
	var conns []struct {
		Protocol     string `db:"protocol"`
		Name         string `db:"name"`
		Organization string `db:"organization"`
		ExternalID   string `db:"external_id"`
		HasSecrets   bool   `db:"has_secrets"`
	}
	if sso {
		// Connections are a handful per organization at most, so the notes
		// are built in memory.
		if err := tx.SelectContext(ctx, &conns, q.SQL); err != nil {
			return fmt.Errorf("%s: %w", q.Path, err)
		}
	}
	var b strings.Builder
	b.WriteString("# SSO handoff\n\n")
	b.WriteString("mig never creates SSO connections. Create each connection below in the WorkOS dashboard\n")
	b.WriteString("(or with import-package), using sso/saml_connections.csv and sso/oidc_connections.csv,\n")
	b.WriteString("then move traffic over with sso/proxy_routes.csv.\n\n")
	if len(conns) == 0 {
		b.WriteString("This package has no SSO connections.\n")
		return writeSmallFile(path, []byte(b.String()))
	}
	if include {
		b.WriteString("Secrets are INCLUDED in this package: share it only over a secure channel.\n\n")
	} else {
		b.WriteString("Secrets (OIDC client secrets, SAML signing and encryption keys) are NOT in this package;\n")
		b.WriteString("fetch them from the source IdP when creating the connections.\n\n")
	}
	b.WriteString("| protocol | connection | organization | externalId |\n|---|---|---|---|\n")
	for _, c := range conns {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", c.Protocol, mdCell(c.Name), mdCell(c.Organization), mdCell(c.ExternalID))
	}
	return writeSmallFile(path, []byte(b.String()))
}

func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", "").Replace(s)
}
