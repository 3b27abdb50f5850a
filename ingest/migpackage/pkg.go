// Package migpackage ingests migration packages (the directory workos-migrate and
// `mig emit` write, or one built by hand) and flat CSVs in the WorkOS import
// format into the staging tables every other source fills, so `mig check`,
// `mig emit` and `mig import` work on them unchanged.
//
// Users are keyed by external_id, else by their normalised email. The org
// columns of users.csv and organization_memberships.csv follow the same
// priority rule as a Clerk org mapping (org_id, else org_external_id named by
// org_name, else org_name).
package migpackage

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/pkgcontract"
	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// Options are the inputs of `mig ingest package`.
type Options struct {
	Dir string
	// Provider and Tenant override the manifest's provider and sourceTenant,
	// which otherwise name the source in staging.
	Provider string
	Tenant   string
	// Settings bound what one CSV record may hold and whether a re-ingest
	// may mark most users missing.
	Settings ingest.Settings

	// scratch is set by Scratch.Ingest, for a database made only to run
	// the rules on: see Scratch for what it leaves out, and why.
	scratch bool
}

// The files this package reads, at their paths in the package contract.
var (
	fileManifest    = pkgcontract.ManifestPath
	fileUsers       = pkgcontract.Path("users")
	fileOrgs        = pkgcontract.Path("organizations")
	fileMemberships = pkgcontract.Path("memberships")
	fileRoles       = pkgcontract.Path("roleDefinitions")
	fileAssignments = pkgcontract.Path("userRoleAssignments")
	fileTOTP        = pkgcontract.Path("totpSecrets")
	fileWarnings    = pkgcontract.Path("warnings")
	fileSkipped     = pkgcontract.Path("skippedUsers")
	fileSAML        = pkgcontract.Path("samlConnections")
	fileOIDC        = pkgcontract.Path("oidcConnections")
	fileAttrMaps    = pkgcontract.Path("customAttributeMappings")
	fileProxyRoutes = pkgcontract.Path("proxyRoutes")
)

// manifest is what ingest needs of manifest.json; `mig validate-package`
// checks the rest.
type manifest struct {
	SchemaVersion int               `json:"schemaVersion"`
	Provider      string            `json:"provider"`
	SourceTenant  string            `json:"sourceTenant"`
	Files         map[string]string `json:"files"`
	// EntitiesExported is the number of records in each counted file, by
	// the file's key. A hand-built manifest may leave it out, or leave a
	// file out of it: only the counts it gives are checked.
	EntitiesExported map[string]int `json:"entitiesExported"`
}

// IngestPackage stages a package directory in one transaction. Files the
// package lacks count as empty, except manifest.json and users.csv.
func IngestPackage(ctx context.Context, db *staging.DB, o Options) (ingest.Counts, error) {
	m, err := readManifest(o.Dir)
	if err != nil && lenient(ctx) {
		m, err = &manifest{SchemaVersion: pkgcontract.SchemaVersion}, nil // see rowSink
	}
	if err != nil {
		return ingest.Counts{}, err
	}
	src := ingest.Source{Provider: m.Provider, Tenant: m.SourceTenant}
	if o.Provider != "" {
		src.Provider = o.Provider
	}
	if o.Tenant != "" {
		src.Tenant = o.Tenant
	}
	if src.Provider == "" {
		src.Provider = "package"
	}
	path := func(rel string) string { return filepath.Join(o.Dir, filepath.FromSlash(rel)) }
	roleOf := map[string]string{
		fileManifest: "manifest", fileUsers: "users", fileOrgs: "organizations", fileMemberships: "memberships",
		fileRoles: "role_definitions", fileAssignments: "user_role_assignments", fileTOTP: "totp_secrets",
		fileWarnings: "warnings", fileSkipped: "skipped_users", fileSAML: "saml_connections", fileOIDC: "oidc_connections",
		fileAttrMaps: "custom_attribute_mappings", fileProxyRoutes: "proxy_routes",
	}
	var run *ingest.Run
	var files []*ingest.File
	present := map[string]bool{}
	// found is the number of records read from each file, for checkCounts.
	found := map[string]int{}
	setRows := func(rel string, n int) {
		run.SetRows(roleOf[rel], n)
		found[rel] = n
	}
	for _, rel := range []string{fileManifest, fileUsers, fileOrgs, fileMemberships, fileRoles, fileAssignments, fileTOTP,
		fileWarnings, fileSkipped, fileSAML, fileOIDC, fileAttrMaps, fileProxyRoutes} {
		if _, err := os.Stat(path(rel)); err == nil {
			present[rel] = true
			files = append(files, &ingest.File{Role: roleOf[rel], Path: path(rel)})
		} else if !errors.Is(err, fs.ErrNotExist) {
			return ingest.Counts{}, err
		}
	}
	if !present[fileUsers] && !lenient(ctx) {
		return ingest.Counts{}, fmt.Errorf("%s: no users.csv: this is not a migration package", o.Dir)
	}
	if o.scratch {
		files = nil
	}
	run, err = ingest.BeginWith(ctx, db, src, files, map[string]any{"package": true, "provider": src.Provider, "tenant": src.Tenant}, o.Settings)
	if err != nil {
		return ingest.Counts{}, err
	}
	defer run.Rollback()
	// Read first, so that the users file's rows that repeat a membership
	// are known as the users are staged (see preStageUsers): a million
	// users' set is 15 MB.
	var listed membershipSet
	if present[fileMemberships] {
		if listed, err = readMembershipSet(ctx, run, path(fileMemberships)); err != nil {
			return ingest.Counts{}, err
		}
	}
	first, err := beginUsers(ctx, run, path(fileUsers), !o.scratch, listed)
	if err != nil {
		return ingest.Counts{}, err
	}
	steps := []struct {
		rel string
		fn  func(context.Context, *ingest.Run, string) (int, error)
	}{
		// Recorded warnings and skips first, so they keep their order.
		{fileWarnings, loadWarnings},
		{fileSkipped, loadSkipped},
		// Organizations before the users that name them, so that staging
		// keeps the package's organization order.
		{fileOrgs, stageOrganizations},
		// Each set is let go as soon as its reader is done, and the second
		// is read only then: at a million users each is 15 MB.
		{fileUsers, func(ctx context.Context, run *ingest.Run, p string) (int, error) {
			defer func() { listed = membershipSet{} }()
			return stageUsers(ctx, run, p, first, listed, !o.scratch)
		}},
		{fileMemberships, func(ctx context.Context, run *ingest.Run, p string) (int, error) {
			var assigned idSet
			if present[fileAssignments] {
				if assigned, err = readAssigned(ctx, run, path(fileAssignments)); err != nil {
					return 0, err
				}
			}
			return stageMemberships(ctx, run, p, assigned)
		}},
	}
	for _, s := range steps {
		if !present[s.rel] || o.scratch && (s.rel == fileWarnings || s.rel == fileSkipped) {
			continue
		}
		n, err := s.fn(ctx, run, path(s.rel))
		if err != nil {
			return ingest.Counts{}, err
		}
		setRows(s.rel, n)
		if s.rel == fileUsers {
			run.Counts.Rows = n
		}
	}
	if err := applyMemberships(ctx, run); err != nil {
		return ingest.Counts{}, err
	}
	if present[fileRoles] {
		n, err := ingest.StageDefinitions(ctx, run, path(fileRoles), "")
		var le *ingest.LineError
		if errors.As(err, &le) && lenient(ctx) {
			// The roles reader stops at its first bad row: the rest of the
			// file is not staged, and says so.
			err = refuse(ctx, &ingest.LineError{File: le.File, Line: le.Line, Field: le.Field,
				Msg: le.Msg + "; the rows after it are not staged either"})
		}
		if err != nil {
			return ingest.Counts{}, err
		}
		setRows(fileRoles, n)
	}
	if err := ingest.RemoveStaleRoles(ctx, run); err != nil {
		return ingest.Counts{}, err
	}
	if present[fileAssignments] {
		n, err := stageAssignments(ctx, run, path(fileAssignments))
		if err != nil {
			return ingest.Counts{}, err
		}
		setRows(fileAssignments, n)
	}
	if err := run.ApplyRoleMapping(ctx); err != nil {
		return ingest.Counts{}, err
	}
	if present[fileTOTP] {
		n, err := stageTOTP(ctx, run, path(fileTOTP))
		if err != nil {
			return ingest.Counts{}, err
		}
		setRows(fileTOTP, n)
	}
	if !o.scratch { // a new database has no secret to forget
		if err := removeStaleTOTP(ctx, run); err != nil {
			return ingest.Counts{}, err
		}
	}
	if err := stageSSO(ctx, run, present, path, setRows); err != nil {
		return ingest.Counts{}, err
	}
	// Last, so the files staged above are counted as they were read; the
	// rollback of a mismatch leaves the database as it was.
	if !o.scratch {
		if err := checkCounts(ctx, run, m, o.Dir, found); err != nil {
			return ingest.Counts{}, err
		}
	}
	return run.Commit(ctx)
}

// checkCounts compares each count manifest.json declares with the records
// of its file (found, by path; a file not yet read is counted here, a
// missing one has none), so that a package cut short or edited after it was
// written is refused instead of staged as if it were whole. It names every
// file that disagrees.
func checkCounts(ctx context.Context, run *ingest.Run, m *manifest, dir string, found map[string]int) error {
	keys := make([]string, 0, len(m.EntitiesExported))
	for key := range m.EntitiesExported {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	var errs []error
	for _, key := range keys {
		f, ok := pkgcontract.FileByKey(key)
		if !ok || !f.Counted {
			continue // not a counted file; validate-package warns
		}
		rel := f.Path
		n, read := found[rel]
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if !read {
			var err error
			if n, err = countRecords(ctx, run, p); err != nil {
				return err
			}
		}
		if want := m.EntitiesExported[key]; want != n {
			errs = append(errs, fmt.Errorf("%s has %d records, but %s declares %d (entitiesExported.%s): the package is incomplete or was changed after it was written; copy it again whole, or correct the count",
				p, n, filepath.Join(dir, fileManifest), want, key))
		}
	}
	return errors.Join(errs...)
}

// countRecords counts the records of a package file the ingest does not
// stage: CSV rows after the header, or non-blank JSONL lines. A missing file
// has none.
func countRecords(ctx context.Context, run *ingest.Run, path string) (int, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if strings.HasSuffix(path, ".jsonl") {
		return eachJSONL(ctx, path, func(map[string]any, []byte, int) error { return nil })
	}
	return readRows(ctx, run, path, nil, func(func(string) string, int) error { return nil })
}

// CSVOptions are the inputs of `mig ingest csv`.
type CSVOptions struct {
	File     string // users in the WorkOS import format
	TOTPFile string // optional: email,totp_secret[,totp_issuer,totp_user]
	Tenant   string
	// Settings are as for a package.
	Settings ingest.Settings
}

// IngestCSV stages a flat CSV in the WorkOS import format (the reference
// tool's `import --csv` input): one row per user, or per user and
// organization when a user belongs to several. The users go in through the
// source kit's pipeline; the rows are then read again against what was
// staged, for the memberships and roles of users on several rows.
func IngestCSV(ctx context.Context, db *staging.DB, o CSVOptions) (ingest.Counts, error) {
	files := []*ingest.File{{Role: "users", Path: o.File}}
	if o.TOTPFile != "" {
		files = append(files, &ingest.File{Role: "totp_secrets", Path: o.TOTPFile})
	}
	var first firstPass
	return ingest.Ingest(ctx, db, ingest.Spec{
		Source:   ingest.Source{Provider: "csv", Tenant: o.Tenant},
		Files:    files,
		Options:  map[string]any{"totp": o.TOTPFile != ""},
		Settings: o.Settings,
		Decode: func(ctx context.Context, in ingest.Inputs, sink ingest.DefinitionSink) (err error) {
			first, err = preStageUsers(ctx, in, sink, o.File, true, membershipSet{})
			return err
		},
		AfterUsers: func(ctx context.Context, run *ingest.Run) error {
			if err := forgetRepeats(ctx, run); err != nil {
				return err
			}
			if err := run.ClearOrgMapping(ctx); err != nil {
				return err
			}
			if err := run.ClearRoleMapping(ctx); err != nil {
				return err
			}
			n, err := stageUsers(ctx, run, o.File, first, membershipSet{}, true)
			if err != nil {
				return err
			}
			run.Counts.Rows = n
			run.SetRows("users", n)
			return nil
		},
		// The rows state the source's memberships and roles in full.
		Complete: []ingest.Kind{ingest.Memberships, ingest.RoleAssignments},
		BeforeCommit: func(ctx context.Context, run *ingest.Run) error {
			if o.TOTPFile != "" {
				n, err := stageTOTP(ctx, run, o.TOTPFile)
				if err != nil {
					return err
				}
				run.SetRows("totp_secrets", n)
			}
			return removeStaleTOTP(ctx, run)
		},
	})
}

func readManifest(dir string) (*manifest, error) {
	p := filepath.Join(dir, fileManifest)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no manifest.json: this is not a migration package", dir)
	}
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, manifestError(p, b, err)
	}
	if m.SchemaVersion != 1 {
		return nil, fmt.Errorf("%s: schemaVersion %d: mig reads schema version 1", p, m.SchemaVersion)
	}
	for key, rel := range m.Files {
		if f, ok := pkgcontract.FileByKey(key); ok && rel != f.Path {
			return nil, fmt.Errorf("%s: files.%s is %q; the package contract puts it at %q", p, key, rel, f.Path)
		}
	}
	return &m, nil
}

// manifestError says what encoding/json found wrong in manifest.json as
// bad input: the file, the line and the key, in words rather than Go types.
func manifestError(path string, b []byte, err error) error {
	line := func(off int64) int { return 1 + strings.Count(string(b[:min(max(off, 0), int64(len(b)))]), "\n") }
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se) && se.Offset >= int64(len(b)):
		return &ingest.LineError{File: path, Line: line(se.Offset), Msg: "the JSON ends too early: is the file cut short?"}
	case errors.As(err, &se):
		return &ingest.LineError{File: path, Line: line(se.Offset), Msg: "not JSON: " + se.Error()}
	case errors.As(err, &te) && te.Field == "":
		return &ingest.LineError{File: path, Line: line(te.Offset), Msg: fmt.Sprintf("is a JSON %s, expected an object", te.Value)}
	case errors.As(err, &te):
		want := map[string]string{"int": "a number", "string": "a string", "map[string]string": "an object of strings", "map[string]int": "an object of numbers"}[te.Type.String()]
		return &ingest.LineError{File: path, Line: line(te.Offset), Field: te.Field, Msg: fmt.Sprintf("is a JSON %s, expected %s", te.Value, cmp.Or(want, te.Type.String()))}
	}
	return fmt.Errorf("%s: %w", path, err)
}

func stageOrganizations(ctx context.Context, run *ingest.Run, path string) (int, error) {
	tx := run.Tx()
	dup, err := tx.PrepareContext(ctx, `SELECT row_number FROM organizations WHERE org_key = ? AND ingest_run_id = ?`)
	if err != nil {
		return 0, err
	}
	defer dup.Close()
	upsert, err := tx.PrepareContext(ctx, upsertOrgSQL)
	if err != nil {
		return 0, err
	}
	defer upsert.Close()
	return readRows(ctx, run, path, nil, func(get func(string) string, line int) error {
		orgID, ext, name := get("org_id"), get("org_external_id"), get("org_name")
		key, res := ingest.OrgKey(orgID, ext, name)
		if key == "" {
			return &ingest.LineError{File: path, Line: line, Field: "org_id", Msg: "no organization: fill org_id, org_external_id or org_name"}
		}
		var first int
		if err := dup.QueryRowContext(rowCtx(ctx), key, run.ID).Scan(&first); err == nil {
			return &ingest.LineError{File: path, Line: line, Field: "org_external_id", Msg: fmt.Sprintf("organization %s is already on line %d", key, first)}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		domains := ingest.SplitMulti(get("domains"))
		if domains == nil {
			domains = []string{}
		}
		dj, _ := json.Marshal(domains)
		meta := "{}"
		if s := get("metadata"); s != "" {
			var obj map[string]any
			if err := json.Unmarshal([]byte(s), &obj); err != nil || obj == nil {
				if err := run.Warn(ctx, ingest.Warning{Code: "invalid_metadata", Entity: "organization", SourceID: key, File: path, Row: line,
					Message: "metadata is not a JSON object; the organization is staged without metadata"}); err != nil {
					return err
				}
			} else {
				b, _ := json.Marshal(obj)
				meta = string(b)
			}
		}
		_, err := upsert.ExecContext(rowCtx(ctx), key, res, null(orgID), null(ext), null(name), string(dj), meta,
			run.Src.Provider, run.Src.Tenant, run.ID, line)
		return err
	})
}

// userResolver finds the staged user a membership, assignment or TOTP row
// names: by external_id, else by email, else by user_id taken as the
// source's user id.
type userResolver struct {
	run     *ingest.Run
	byEmail *sql.Stmt
}

func newUserResolver(ctx context.Context, run *ingest.Run) (*userResolver, error) {
	st, err := run.Tx().PrepareContext(ctx, `SELECT source_id FROM users WHERE source = ? AND source_tenant = ? AND email = ? ORDER BY id LIMIT 1`)
	if err != nil {
		return nil, err
	}
	return &userResolver{run: run, byEmail: st}, nil
}

func (u *userResolver) Close() { u.byEmail.Close() }

// sourceID returns the key of the user the row names ("" when the row names
// none). An email that matches no staged user is returned normalised, so
// the mapping step reports it as an unknown user.
func (u *userResolver) sourceID(ctx context.Context, email, externalID, userID string) (string, error) {
	if externalID != "" {
		return externalID, nil
	}
	if email != "" {
		e := ingest.NormalizeEmail(email)
		var id string
		err := u.byEmail.QueryRowContext(rowCtx(ctx), u.run.Src.Provider, u.run.Src.Tenant, e).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return e, nil
		}
		return id, err
	}
	return userID, nil
}

// stageMemberships reads organization_memberships.csv; the role_slugs of
// users in assigned are left to user_role_assignments.csv.
func stageMemberships(ctx context.Context, run *ingest.Run, path string, assigned idSet) (int, error) {
	res, err := newUserResolver(ctx, run)
	if err != nil {
		return 0, err
	}
	defer res.Close()
	tx := run.Tx()
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS pkg_membership_metadata (source_user_id TEXT, org_key TEXT, metadata TEXT)`); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM pkg_membership_metadata`); err != nil {
		return 0, err
	}
	meta, err := tx.PrepareContext(ctx, `INSERT INTO pkg_membership_metadata VALUES (?, ?, ?)`)
	if err != nil {
		return 0, err
	}
	defer meta.Close()
	return readRowsAhead(ctx, run, path, nil, func(get func(string) string, line int) error {
		id, err := res.sourceID(ctx, get("email"), get("external_id"), get("user_id"))
		if err != nil {
			return err
		}
		if id == "" {
			return &ingest.LineError{File: path, Line: line, Field: "email", Msg: "no user: fill email, external_id or user_id"}
		}
		orgID, ext, name := get("org_id"), get("org_external_id"), get("org_name")
		if orgID == "" && ext == "" && name == "" {
			// A membership without its organization would be passed over
			// without a word.
			return &ingest.LineError{File: path, Line: line, Field: "org_id", Msg: "no organization: fill org_id, org_external_id or org_name"}
		}
		if err := addMappings(ctx, run, path, line, id, orgID, ext, name, get("role_slugs"), !assigned.has(id)); err != nil {
			return err
		}
		if s := get("metadata"); s != "" {
			var obj map[string]any
			if err := json.Unmarshal([]byte(s), &obj); err != nil || obj == nil {
				return run.Warn(ctx, ingest.Warning{Code: "invalid_metadata", Entity: "membership", SourceID: id, File: path, Row: line,
					Message: "metadata is not a JSON object; the membership is staged without metadata"})
			}
			b, _ := json.Marshal(obj)
			key, _ := ingest.OrgKey(orgID, ext, name)
			if _, err := meta.ExecContext(rowCtx(ctx), id, key, string(b)); err != nil {
				return err
			}
		}
		return nil
	})
}

// applyMemberships applies the run's org-mapping lines and then the
// memberships' own metadata.
func applyMemberships(ctx context.Context, run *ingest.Run) error {
	if err := run.ApplyOrgMapping(ctx); err != nil {
		return err
	}
	tx := run.Tx()
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM temp.sqlite_master WHERE name = 'pkg_membership_metadata'`).Scan(&exists); err != nil || exists == 0 {
		return err
	}
	if _, err := tx.ExecContext(ctx, membershipMetadataSQL, run.Src.Provider, run.Src.Tenant); err != nil {
		return fmt.Errorf("membership metadata: %w", err)
	}
	_, err := tx.ExecContext(ctx, `DROP TABLE temp.pkg_membership_metadata`)
	return err
}

// readAssigned returns the users user_role_assignments.csv names, resolved
// as stageAssignments resolves them, so that the role_slugs cells of
// organization_memberships.csv are not read for them at all (see
// stageAssignments).
func readAssigned(ctx context.Context, run *ingest.Run, path string) (idSet, error) {
	res, err := newUserResolver(ctx, run)
	if err != nil {
		return idSet{}, err
	}
	defer res.Close()
	ids, err := newHashSet(path)
	if err != nil {
		return idSet{}, err
	}
	set := idSet{ids}
	_, err = readRows(ctx, run, path, []string{"role_slug"}, func(get func(string) string, line int) error {
		id, err := res.sourceID(ctx, get("email"), get("external_id"), get("user_id"))
		set.add(id)
		return err
	})
	set.seal()
	return set, err
}

// stageAssignments reads user_role_assignments.csv. A user it names gets
// exactly the roles it lists: the role_slugs cells of users.csv and
// organization_memberships.csv count only for users this file leaves out
// (packages repeat the same roles there for importers that read only those).
// organization_memberships.csv was read with readAssigned's set and made no
// role lines for these users; the lines users.csv made for them are taken
// back here. (users.csv is read before that set, so that the set and the
// one of memberships it is read with are never held at once; most of its
// rows repeat a membership and make no lines at all.)
func stageAssignments(ctx context.Context, run *ingest.Run, path string) (int, error) {
	res, err := newUserResolver(ctx, run)
	if err != nil {
		return 0, err
	}
	defer res.Close()
	n, err := readRowsAhead(ctx, run, path, []string{"role_slug"}, func(get func(string) string, line int) error {
		id, err := res.sourceID(ctx, get("email"), get("external_id"), get("user_id"))
		if err != nil {
			return err
		}
		if id == "" {
			return &ingest.LineError{File: path, Line: line, Field: "email", Msg: "no user: fill email, external_id or user_id"}
		}
		slug := get("role_slug")
		if slug == "" {
			return &ingest.LineError{File: path, Line: line, Field: "role_slug", Msg: "empty: each row gives one user a role"}
		}
		return run.AddRoleMappingRow(ctx, path, ingest.RoleMappingRow{Row: line, SourceUserID: id, RoleSlug: slug,
			OrgID: get("org_id"), OrgExternalID: get("org_external_id")})
	})
	if err != nil {
		return n, err
	}
	_, err = run.Tx().ExecContext(ctx, replaceRoleLinesSQL, run.ID, path)
	return n, err
}

// stageTOTP reads email,totp_secret[,totp_issuer,totp_user] rows and gives
// each secret to the run's user with that email.
func stageTOTP(ctx context.Context, run *ingest.Run, path string) (int, error) {
	ins, err := run.Tx().PrepareContext(ctx, insertTOTPSQL)
	if err != nil {
		return 0, err
	}
	defer ins.Close()
	return readRows(ctx, run, path, []string{"email", "totp_secret"}, func(get func(string) string, line int) error {
		email := ingest.NormalizeEmail(get("email"))
		secret := strings.ToUpper(strings.ReplaceAll(get("totp_secret"), " ", ""))
		if secret == "" {
			return &ingest.LineError{File: path, Line: line, Field: "totp_secret", Msg: "empty: each row enrolls one TOTP secret"}
		}
		res, err := ins.ExecContext(rowCtx(ctx), secret, null(get("totp_issuer")), null(get("totp_user")), run.Src.Provider, run.ID, line, run.Src.Tenant, email)
		if err != nil {
			return fmt.Errorf("%s:%d: stage TOTP secret: %w", path, line, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return run.Warn(ctx, ingest.Warning{Code: "totp_unknown_user", Entity: "totp", SourceID: email, File: path, Row: line,
				Message: fmt.Sprintf("TOTP secret for %s, who is not staged; it is not enrolled", email)})
		}
		return nil
	})
}

// removeStaleTOTP forgets secrets of this source that this run did not read.
func removeStaleTOTP(ctx context.Context, run *ingest.Run) error {
	_, err := run.Tx().ExecContext(ctx, removeStaleTOTPSQL, run.Src.Provider, run.ID, run.Src.Provider, run.Src.Tenant)
	return err
}

// rowCtx is ctx without its cancellation, for the statements run once per
// input row: the sqlite driver starts a watcher goroutine for every
// statement run under a cancellable context, which costs more than many of
// the statements themselves. The row loops check ctx every few thousand
// rows instead (as ingest.Run does for its own row writers).
func rowCtx(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// beginUsers is how a package and a flat CSV start: the users file is staged
// in bulk (preStageUsers), the repeats that makes are folded away, and the
// source's earlier mapping lines are cleared for the ones the files give.
func beginUsers(ctx context.Context, run *ingest.Run, usersFile string, raw bool, listed membershipSet) (firstPass, error) {
	first, err := preStageUsers(ctx, run, run, usersFile, raw, listed)
	if err != nil {
		return firstPass{}, err
	}
	if err := forgetRepeats(ctx, run); err != nil {
		return firstPass{}, err
	}
	if err := run.ClearOrgMapping(ctx); err != nil {
		return firstPass{}, err
	}
	return first, run.ClearRoleMapping(ctx)
}

// The statements of this file, kept as named files in sqlqueries.
var (
	upsertOrgSQL          = sqlqueries.MustLoad("ingest/package_organization.sql").SQL
	membershipMetadataSQL = sqlqueries.MustLoad("ingest/package_membership_metadata.sql").SQL
	replaceRoleLinesSQL   = sqlqueries.MustLoad("ingest/package_role_mapping_replace.sql").SQL
	insertTOTPSQL         = sqlqueries.MustLoad("ingest/package_totp.sql").SQL
	removeStaleTOTPSQL    = sqlqueries.MustLoad("ingest/package_remove_stale_totp.sql").SQL
)
