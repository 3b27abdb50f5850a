package migpackage

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"runtime/debug"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/passhash"
	"github.com/mig-tools/mig/pkgcontract"
	"github.com/mig-tools/mig/sqlqueries"
)

// userColumns are the columns of a WorkOS-format users file: the header
// the contract gives the package's users.csv, which the reference tool's
// flat import CSV shares.
var userColumns = func() []string { f, _ := pkgcontract.FileByKey("users"); return f.Header }()

// secretUserColumns are masked in users.raw.
var secretUserColumns = map[string]bool{"password": true, "password_hash": true}

// userStager stages the rows of one users file. The reference format
// repeats a user on one row per organization, so a row whose user this run
// already staged adds a membership instead of being a duplicate.
type userStager struct {
	run  *ingest.Run
	path string
	seen *sql.Stmt
	// staged has a bit set for each line whose user preStageUsers staged:
	// the first line of each user it read. warned has one for each line it
	// found something to warn about.
	staged, warned lineSet
	// listed are the rows of the package's organization_memberships.csv.
	listed membershipSet
	// noRaw leaves users.raw empty ("null"), for a database no one
	// inspects (see Scratch).
	noRaw bool
}

// raw is the row as users.raw keeps it, or nil with noRaw.
func (s *userStager) raw(header, rec []string) map[string]string {
	if s.noRaw {
		return nil
	}
	return rawRow(header, rec)
}

// stageUsers reads a users file and returns the number of data rows. Org
// columns become org-mapping lines and role_slugs role-mapping lines (in
// the row's organization), which the caller applies.
// staged and warned are what preStageUsers returned. A row
// whose organization and roles organization_memberships.csv lists for the
// same user (listed) makes no mapping lines: a package's users.csv repeats
// a user's first membership, and reading it twice would double the mapping
// lines of a million-user package for nothing.
func stageUsers(ctx context.Context, run *ingest.Run, path string, first firstPass, listed membershipSet, raw bool) (int, error) {
	f, r, err := run.OpenCSV(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	header, err := r.Header("email")
	if err != nil {
		return 0, unreadable(ctx, err)
	}
	headerLine := r.Line()
	for _, h := range header {
		if !slices.Contains(userColumns, h) {
			if err := run.WarnOnce(ctx, path+":"+h, ingest.Warning{Code: "unknown_column", File: path, Row: 1,
				Message: fmt.Sprintf("column %q is not part of the WorkOS users format; it is kept in users.raw but not sent to WorkOS", h)}); err != nil {
				return 0, err
			}
		}
	}
	seen, err := run.Tx().PrepareContext(ctx, seenUserSQL)
	if err != nil {
		return 0, err
	}
	defer seen.Close()
	if first.complete && len(first.revisit) == 0 {
		// No row asks anything more.
		if first.rows == 0 {
			return 0, refuse(ctx, ingest.NoUserRows(path, headerLine))
		}
		if first.short != nil {
			return first.rows, run.Warn(ctx, *first.short)
		}
		return first.rows, nil
	}
	s := &userStager{run: run, path: path, seen: seen, staged: first.staged, warned: first.warned, listed: listed, noRaw: !raw}
	// Most rows ask nothing more (preStageUsers did not mark them to
	// revisit): they are passed over on a goroutine of their own, which
	// hands the others over.
	type pending struct {
		rec  []string
		line int
	}
	rows := 0
	err = pipeline(ctx, func(ctx context.Context, send func([]pending) bool) error {
		var batch []pending
		for {
			if rows%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			rec, line, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			rows++
			if err != nil {
				if err := unreadable(ctx, err); err != nil {
					return err
				}
				continue
			}
			if line <= first.last && !first.revisit.has(line) {
				continue
			}
			// The reader reuses rec for the next row.
			batch = append(batch, pending{slices.Clone(rec), line})
			if len(batch) == 256 {
				if !send(batch) {
					return ctx.Err()
				}
				batch = nil
			}
		}
		if len(batch) > 0 && !send(batch) {
			return ctx.Err()
		}
		return nil
	}, func(batch []pending) error {
		for _, p := range batch {
			if err := s.row(ctx, r, header, p.rec, p.line); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && rows == 0 {
		err = refuse(ctx, ingest.NoUserRows(path, headerLine))
	}
	if w, ok := r.ShortRowsWarning(path); ok && err == nil {
		err = run.Warn(ctx, w)
	}
	return rows, err
}

// needsNothing reports whether a row asks nothing of stageUsers: a user
// preStageUsers staged from it (staged), with nothing to warn about
// (warned), whose organization and roles organization_memberships.csv
// lists too, or who names none (row would record nothing for it).
func (s *userStager) needsNothing(get func(string) string, staged, warned bool) bool {
	if !staged || warned || get("email") == "" {
		return false
	}
	orgID, orgExt, orgName, slugs := get("org_id"), get("org_external_id"), get("org_name"), get("role_slugs")
	if orgID == "" && orgExt == "" && orgName == "" && len(ingest.SplitMulti(slugs)) == 0 {
		return true
	}
	return s.listed.has(get("email"), get("external_id"), orgID, orgExt, orgName, slugs)
}

func (s *userStager) row(ctx context.Context, r *ingest.CSVReader, header, rec []string, line int) error {
	run, path := s.run, s.path
	get := func(col string) string { return strings.TrimSpace(r.Get(rec, col)) }
	email := get("email")
	extID := get("external_id")
	if email == "" {
		return run.Skip(ctx, path, line, extID, "", "no email address: WorkOS users need one", s.raw(header, rec))
	}
	sourceID := userKey(email, extID)
	warn := func(code, field, msg string) error {
		return run.Warn(ctx, ingest.Warning{Code: code, Message: msg, Entity: "user", SourceID: sourceID, File: path, Row: line,
			Context: map[string]any{"field": field}})
	}

	if !s.staged.has(line) {
		if done, err := s.unstaged(ctx, get, warn, header, rec, line, sourceID, email); done || err != nil {
			return err
		}
	}
	// preStageUsers staged this row's user: only its warnings are left.
	if s.warned.has(line) {
		if _, err := s.user(ctx, get, warn, sourceID, email, line, nil); err != nil {
			return err
		}
	}
	return s.mappings(ctx, line, sourceID, email, extID, get)
}

// unstaged handles a row whose line preStageUsers did not mark staged: a
// row that repeats a user adds a membership, and one whose user is not
// staged yet is staged now. done is false when the database says this
// line staged its user after all (its key matched an earlier user's; see
// userHash): row then goes on as for a marked line.
func (s *userStager) unstaged(ctx context.Context, get func(string) string, warn func(code, field, msg string) error,
	header, rec []string, line int, sourceID, email string) (done bool, err error) {
	run, path := s.run, s.path
	extID := get("external_id")
	var first int
	var fEmail, fFirst, fLast, fHash, fPassword string
	err = s.seen.QueryRowContext(rowCtx(ctx), run.Src.Provider, run.Src.Tenant, sourceID, run.ID).Scan(&first, &fEmail, &fFirst, &fLast, &fHash, &fPassword)
	switch {
	case err == nil && first == line:
		return false, nil
	case err == nil:
		// The same user again: one more organization, not a second user.
		var diff []string
		for _, c := range [][3]string{{"email", fEmail, ingest.NormalizeEmail(email)}, {"first_name", fFirst, get("first_name")},
			{"last_name", fLast, get("last_name")}, {"password_hash", fHash, get("password_hash")}, {"password", fPassword, get("password")}} {
			if c[1] != c[2] {
				diff = append(diff, c[0])
			}
		}
		if len(diff) > 0 {
			if err := warn("repeated_user_differs", strings.Join(diff, ","), fmt.Sprintf("this row repeats the user of line %d with a different %s; line %d's values are staged",
				first, strings.Join(diff, ", "), first)); err != nil {
				return true, err
			}
		}
	case errors.Is(err, sql.ErrNoRows):
		u, err := s.user(ctx, get, warn, sourceID, email, line, s.raw(header, rec))
		if err != nil {
			return true, err
		}
		if err := run.AddUser(ctx, path, u); err != nil {
			return true, err
		}
	default:
		return true, err
	}
	return true, s.mappings(ctx, line, sourceID, email, extID, get)
}

// mappings adds a users row's mapping lines, unless organization_memberships.csv
// has a row that says the same.
func (s *userStager) mappings(ctx context.Context, line int, sourceID, email, extID string, get func(string) string) error {
	orgID, orgExt, orgName, slugs := get("org_id"), get("org_external_id"), get("org_name"), get("role_slugs")
	if s.listed.has(email, extID, orgID, orgExt, orgName, slugs) {
		return nil
	}
	return addMappings(ctx, s.run, s.path, line, sourceID, orgID, orgExt, orgName, slugs, true)
}

// userKey is the source id a users row is staged under: its external_id,
// else its normalised email.
func userKey(email, externalID string) string {
	if externalID != "" {
		return externalID
	}
	return ingest.NormalizeEmail(email)
}

// rawRow is a users row as kept in users.raw, secrets masked.
func rawRow(header, rec []string) map[string]string {
	raw := make(map[string]string, len(header))
	for i, h := range header {
		if secretUserColumns[h] && rec[i] != "" {
			raw[h] = "[stored separately]"
			continue
		}
		raw[h] = rec[i]
	}
	return raw
}

// firstPass is what preStageUsers learned of a users file, for stageUsers.
type firstPass struct {
	// staged has a bit set for each line whose user preStageUsers staged:
	// the first line of each user it read. warned has one for each line it
	// found something to warn about.
	staged, warned lineSet
	// revisit has a bit set for each line stageUsers has something to do
	// for (see needsNothing), up to line last; complete is whether the pass
	// read the file to its end, and rows is how many rows it read.
	revisit  lineSet
	last     int
	complete bool
	rows     int
	// short is the warning about the file's short rows when the pass read
	// it to its end and some were short; stageUsers records it when it
	// does not read the file again itself.
	short *ingest.Warning
}

// preStageUsers adds the users of a users file before anything else of the
// run writes the database, so that on a source's first ingest they go in
// through the run's bulk phase (plain inserts into a table without
// indexes, several times faster than upserts). It records nothing else and
// passes over the rows it cannot read: stageUsers reads the file again in
// the run's usual order, records the rows' warnings, skips and mapping
// lines, and reports the errors, for the rows this pass marks to revisit;
// when there are none (a package as mig emit writes it, whose users.csv
// rows repeat memberships that organization_memberships.csv lists, given
// here as listed), the file is read once. A row that repeats an earlier
// row's user is staged too; the run keeps the first row of each user (its
// duplicate pass, or its refusal of a second row in one run) and
// forgetRepeats removes the skip records that makes.
func preStageUsers(ctx context.Context, in ingest.Inputs, sink ingest.Sink, path string, raw bool, listed membershipSet) (firstPass, error) {
	var first firstPass
	f, r, err := in.OpenCSV(path)
	if err != nil {
		return first, nil
	}
	defer f.Close()
	header, err := r.Header("email")
	if err != nil {
		return first, nil
	}
	s := &userStager{path: path, noRaw: !raw, listed: listed}
	// Rows are read, mapped and encoded on a goroutine of their own while
	// this one writes the users, as ingest/clerk does: on two cores the
	// writes are the bottleneck, and this keeps them busy.
	// Each user is kept as its key's hash and its line, to mark the first
	// line of each key staged once the file is read.
	type keyLine struct {
		h    uint64
		line int
	}
	var keys []keyLine
	err = pipeline(ctx, func(ctx context.Context, send func([]*ingest.User) bool) error {
		seed := maphash.MakeSeed()
		var batch []*ingest.User
		for ; ; first.rows++ {
			if first.rows%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			rec, line, err := r.Read()
			var bad *ingest.LineError
			if errors.As(err, &bad) {
				first.revisit.add(bad.Line)
				first.last = bad.Line
				continue
			}
			if err != nil {
				first.complete = errors.Is(err, io.EOF)
				break
			}
			first.last = line
			warned := false
			noteWarning := func(code, field, msg string) error {
				warned = true
				return nil
			}
			get := func(col string) string { return strings.TrimSpace(r.Get(rec, col)) }
			email := get("email")
			if email == "" {
				first.revisit.add(line)
				continue
			}
			key := userKey(email, get("external_id"))
			u, err := s.user(ctx, get, noteWarning, key, email, line, s.raw(header, rec))
			if err != nil {
				return err
			}
			// An error is AddUser's to report: it encodes the user again.
			u.Encode()
			keys = append(keys, keyLine{userHash(seed, key), line})
			if warned {
				first.warned.add(line)
			}
			// A line that turns out not to be its user's first is
			// revisited below.
			if !s.needsNothing(get, true, warned) {
				first.revisit.add(line)
			}
			if batch = append(batch, u); len(batch) == 512 {
				if !send(batch) {
					return ctx.Err()
				}
				batch = nil
			}
		}
		if len(batch) > 0 && !send(batch) {
			return ctx.Err()
		}
		return nil
	}, func(batch []*ingest.User) error {
		for _, u := range batch {
			if err := sink.AddUser(ctx, path, u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return firstPass{}, err
	}
	if w, ok := r.ShortRowsWarning(path); ok && first.complete {
		first.short = &w
	}
	slices.SortFunc(keys, func(a, b keyLine) int {
		if c := cmp.Compare(a.h, b.h); c != 0 {
			return c
		}
		return cmp.Compare(a.line, b.line)
	})
	for i, k := range keys {
		if i == 0 || k.h != keys[i-1].h {
			first.staged.add(k.line)
		} else {
			first.revisit.add(k.line)
		}
	}
	return first, nil
}

// userHash is the 64-bit key preStageUsers tells users apart by. Two users
// with the same key cost a lookup, not a wrong result: the second one's
// line is not marked staged, and stageUsers finds in the database that its
// user was staged from that very line. Tests replace it to force that.
var userHash = maphash.String

// forgetRepeats ends the users phase preStageUsers began and removes the
// "duplicate id" skip records of rows that repeat a user: in this format
// they are the same user in one more organization, which stageUsers records.
// No other skip record of the run exists yet.
//
// It first hands the Go heap preStageUsers grew back to the system: ending
// the users phase builds the users' indexes, SQLite's largest use of
// memory (outside the Go heap, so it never starts a collection), and at a
// million users the heap left over was another 80 MB at that peak.
func forgetRepeats(ctx context.Context, run *ingest.Run) error {
	debug.FreeOSMemory()
	if err := run.UsersDone(ctx); err != nil {
		return err
	}
	res, err := run.Tx().ExecContext(ctx, `DELETE FROM skipped_users WHERE ingest_run_id = ?`, run.ID)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	run.Counts.Skipped -= int(n)
	return err
}

// lineSet is a set of line numbers, one bit each.
type lineSet []uint64

func (b *lineSet) add(line int) {
	for line/64 >= len(*b) {
		*b = append(*b, 0)
	}
	(*b)[line/64] |= 1 << (line % 64)
}

func (b lineSet) has(line int) bool { return line/64 < len(b) && b[line/64]&(1<<(line%64)) != 0 }

// addMappings turns a row's organization and, with roles, its role_slugs
// columns into mapping lines for the run.
func addMappings(ctx context.Context, run *ingest.Run, path string, line int, sourceID, orgID, orgExt, orgName, roleSlugs string, roles bool) error {
	if orgID != "" || orgExt != "" || orgName != "" {
		if err := run.AddOrgMappingRow(ctx, path, ingest.OrgMappingRow{Row: line, SourceUserID: sourceID,
			OrgID: orgID, OrgExternalID: orgExt, OrgName: orgName}); err != nil {
			return err
		}
	}
	if !roles {
		return nil
	}
	for _, slug := range ingest.SplitMulti(roleSlugs) {
		if err := run.AddRoleMappingRow(ctx, path, ingest.RoleMappingRow{Row: line, SourceUserID: sourceID, RoleSlug: slug,
			OrgID: orgID, OrgExternalID: orgExt}); err != nil {
			return err
		}
	}
	return nil
}

func (s *userStager) user(ctx context.Context, get func(string) string, warn func(code, field, msg string) error,
	sourceID, email string, line int, raw map[string]string) (*ingest.User, error) {
	u := &ingest.User{
		SourceID:   sourceID,
		Row:        line,
		EmailRaw:   email,
		FirstName:  get("first_name"),
		LastName:   get("last_name"),
		ExternalID: get("external_id"),
		Raw:        raw,
	}
	if v := get("email_verified"); v != "" {
		b, ok := parseBool(v)
		if ok {
			u.EmailVerified = &b
		} else if err := warn("invalid_boolean", "email_verified", fmt.Sprintf("email_verified is %q, expected true or false; staged as unknown", v)); err != nil {
			return nil, err
		}
	}
	meta, err := parseMetadata(get("metadata"))
	if err != nil {
		if err := warn("invalid_metadata", "metadata", err.Error()+"; no metadata is staged (the text stays in users.raw)"); err != nil {
			return nil, err
		}
	}
	u.Metadata = meta

	pw, hash, typ := get("password"), get("password_hash"), strings.ToLower(get("password_hash_type"))
	u.Password = pw
	switch {
	case hash == "" && typ != "":
		if err := warn("password_hash_type_without_hash", "password_hash_type", fmt.Sprintf("password_hash_type is %q but password_hash is empty; no hash is staged", typ)); err != nil {
			return nil, err
		}
	case hash == "":
	case typ == "":
		u.SourceDigest = hash
		if err := warn("password_hash_without_type", "password_hash_type", "password_hash is set but password_hash_type is empty; the hash is not staged for WorkOS (it is kept in users.source_password_digest)"); err != nil {
			return nil, err
		}
	case passhash.IsType(typ):
		u.PasswordHash, u.PasswordHashType = hash, typ
	default:
		u.SourceDigest, u.SourceHasher = hash, typ
		if err := warn("unsupported_password_hash_type", "password_hash_type", fmt.Sprintf("password_hash_type %q is not one WorkOS accepts (%s); the user will have to reset the password (the digest is kept in users.source_password_digest)",
			typ, strings.Join(passhash.Types, ", "))); err != nil {
			return nil, err
		}
	}
	if pw != "" && u.PasswordHash != "" {
		if err := warn("password_and_hash", "password", "the row has both a plaintext password and a password_hash; WorkOS takes one or the other"); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// parseBool reads the boolean spellings CSV exports use.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "t", "1", "yes", "y":
		return true, true
	case "false", "f", "0", "no", "n":
		return false, true
	}
	return false, false
}

// parseMetadata reads a metadata cell: a JSON object. WorkOS metadata values
// are strings, so other values are kept as their JSON text.
func parseMetadata(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	if m, ok := parseCompactMetadata(s); ok {
		return m, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &obj); err != nil || obj == nil {
		return nil, fmt.Errorf("metadata is not a JSON object")
	}
	out := make(map[string]string, len(obj))
	for k, v := range obj {
		var str string
		if json.Unmarshal(v, &str) == nil {
			out[k] = str
			continue
		}
		out[k] = string(v)
	}
	return out, nil
}

// parseCompactMetadata reads the common case fast: {"k":"v",...} with no
// whitespace, no escapes and no repeated key, as mig emit writes it. ok is
// false for anything else, which encoding/json then reads.
func parseCompactMetadata(s string) (m map[string]string, ok bool) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, false
	}
	m = map[string]string{}
	if s == "{}" {
		return m, true
	}
	rest := s[1:]
	quoted := func() (string, bool) {
		if rest == "" || rest[0] != '"' {
			return "", false
		}
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return "", false
		}
		v := rest[1 : 1+end]
		for i := 0; i < len(v); i++ {
			if v[i] < 0x20 || v[i] == '\\' {
				return "", false
			}
		}
		rest = rest[end+2:]
		return v, utf8.ValidString(v)
	}
	for {
		k, ok := quoted()
		if !ok || rest == "" || rest[0] != ':' {
			return nil, false
		}
		rest = rest[1:]
		v, ok := quoted()
		if _, dup := m[k]; !ok || dup || rest == "" {
			return nil, false
		}
		m[k] = v
		if rest == "}" {
			return m, true
		}
		if rest[0] != ',' {
			return nil, false
		}
		rest = rest[1:]
	}
}

// The statements of this file, kept as named files in sqlqueries.
var (
	seenUserSQL = sqlqueries.MustLoad("ingest/package_user_seen.sql").SQL
)
