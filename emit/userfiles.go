package emit

import (
	"bufio"
	"cmp"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"hash/maphash"
	"os"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
)

// userFileKeys are the files written by merging users, memberships and
// role assignments in user order (see sqlqueries/emit/user_rows.sql).
var userFileKeys = []string{"users", "memberships", "userRoleAssignments", "uploadUsers", "uploadMemberships"}

// The per-user files come from two passes that run side by side: one reads
// the user rows (userRows) for users.csv and the upload users, the other
// only the users_emit index (userKeys) for the membership and assignment
// files.
var userPasses = []struct {
	users string   // the query of the users
	keys  []string // the files the pass writes
}{
	{"userRows", []string{"users", "uploadUsers"}},
	{"userKeys", []string{"memberships", "userRoleAssignments", "uploadMemberships"}},
}

// userFiles writes some of the per-user files: it reads a users query,
// membershipRows and roleAssignmentRows, all in user order, and merges them
// by user id.
type userFiles struct {
	users   string          // the users query: userRows or userKeys
	keys    []string        // the files written
	jobs    map[string]*job // by key; a job without a query stays header-only
	queries map[string]Query
	// memberships is whether users.csv names a user's first organization
	// (memberships and organizations are requested); roles is whether it
	// and organization_memberships.csv carry role slugs (roles are).
	memberships, roles bool
	// progress, when set, is told how many users the pass has read.
	progress func(int64)

	orgs  []orgRef         // by organization id; ids are dense
	byKey map[string]int64 // organization id by org_key
	out   map[string]*csvOut
}

type orgRef struct{ id, ext, name, uploadID string }

type csvOut struct {
	f  *os.File
	bw *bufio.Writer
	w  *csv.Writer
	on bool // rows are written; else the header only
	j  *job
}

type membership struct {
	org  int64
	meta string
}

type assignment struct {
	org  int64 // 0: every organization of the user
	slug string
}

// write runs the pass on tx and closes every file.
func (u *userFiles) write(ctx context.Context, tx *sqlx.Tx) (err error) {
	u.out = map[string]*csvOut{}
	defer func() {
		for _, o := range u.out {
			if cerr := o.close(); err == nil {
				err = cerr
			}
		}
	}()
	for _, key := range u.keys {
		j := u.jobs[key]
		f, err := createFile(j.path)
		if err != nil {
			return err
		}
		o := &csvOut{f: f, bw: bufio.NewWriterSize(f, 256<<10), on: j.query.Name != "", j: j}
		o.w = csv.NewWriter(o.bw)
		u.out[key] = o
		if err := o.w.Write(j.file.Header); err != nil {
			return err
		}
	}
	if !slices.ContainsFunc(u.keys, u.on) {
		return nil
	}
	if err := u.loadOrgs(ctx, tx); err != nil {
		return err
	}
	users, err := tx.QueryContext(ctx, u.queries[u.users].SQL)
	if err != nil {
		return fmt.Errorf("%s: %w", u.queries[u.users].Path, err)
	}
	defer users.Close()
	full := u.users == "userRows"
	// users.csv needs a user's first membership and its roles; the
	// membership files need all of them.
	needMembers := full && u.memberships || u.on("memberships") || u.on("uploadMemberships")
	needRoles := full && u.memberships && u.roles || u.on("memberships") && u.roles || u.on("userRoleAssignments")
	ms, err := newCursor(ctx, tx, u.queries["membershipRows"], needMembers,
		func(rows *sql.Rows, id *int64, m *membership) error { return rows.Scan(id, &m.org, &m.meta) })
	if err != nil {
		return err
	}
	defer ms.close()
	ras, err := newCursor(ctx, tx, u.queries["roleAssignmentRows"], needRoles,
		func(rows *sql.Rows, id *int64, a *assignment) error {
			var scope string
			if err := rows.Scan(id, &scope, &a.slug); err != nil {
				return err
			}
			org, ok := u.byKey[scope]
			if !ok && scope != "" {
				return fmt.Errorf("role assignment of user %d in %s: no organization has that key", *id, scope)
			}
			a.org = org
			return nil
		})
	if err != nil {
		return err
	}
	defer ras.close()
	// userKeys has the normalised email; the address as staged, where it is
	// another, comes from stagedEmails.
	raws, err := newCursor(ctx, tx, u.queries["stagedEmails"], !full,
		func(rows *sql.Rows, id *int64, email *string) error { return rows.Scan(id, email) })
	if err != nil {
		return err
	}
	defer raws.close()
	var raw []string

	var (
		id                                                     int64
		email, password, hash, hashType, first, last, verified string
		extID, meta, uploadID, workosID                        string
	)
	repeats, err := newUploadRepeats(ctx, tx, u.queries["uploadRepeat"])
	if err != nil {
		return err
	}
	defer repeats.close()
	var mine []membership
	var roles []assignment
	n := 0
	for users.Next() {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if u.progress != nil {
				u.progress(int64(n))
			}
		}
		if full {
			err = users.Scan(&id, &email, &password, &hash, &hashType, &first, &last, &verified, &extID, &meta, &uploadID, &workosID)
		} else {
			err = users.Scan(&id, &email, &extID, &uploadID, &workosID)
		}
		if err != nil {
			return err
		}
		if raw, err = raws.take(id, raw[:0]); err != nil {
			return err
		}
		if len(raw) > 0 {
			email = raw[0]
		}
		repeat, err := repeats.check(ctx, id, uploadID, extID)
		if err != nil {
			return err
		}
		if mine, err = ms.take(id, mine[:0]); err != nil {
			return err
		}
		if roles, err = ras.take(id, roles[:0]); err != nil {
			return err
		}
		slices.SortFunc(roles, func(a, b assignment) int {
			return cmp.Or(cmp.Compare(a.org, b.org), strings.Compare(a.slug, b.slug))
		})
		var org orgRef
		slugs := ""
		if u.memberships && len(mine) > 0 {
			org = u.org(mine[0].org)
			if u.roles {
				slugs = roleSlugs(roles, mine[0].org)
			}
		}
		if err := u.row("users", email, password, hash, hashType, first, last, verified, extID, meta, org.id, org.ext, org.name, slugs); err != nil {
			return err
		}
		if password != "" && u.on("users") {
			u.jobs["users"].plaintext++
		}
		if !repeat {
			if err := u.row("uploadUsers", uploadID, email, verified, first, last, hash); err != nil {
				return err
			}
		}
		for _, m := range mine {
			o, slugs := u.org(m.org), ""
			if u.roles {
				slugs = roleSlugs(roles, m.org)
			}
			if err := u.row("memberships", email, extID, workosID, o.id, o.ext, o.name, slugs, m.meta); err != nil {
				return err
			}
			if !repeat && o.uploadID != "" {
				if err := u.row("uploadMemberships", o.uploadID, uploadID); err != nil {
					return err
				}
			}
		}
		for _, a := range roles {
			o := u.org(a.org)
			if err := u.row("userRoleAssignments", email, workosID, extID, a.slug, o.id, o.ext); err != nil {
				return err
			}
		}
	}
	if err := users.Err(); err != nil {
		return err
	}
	if u.progress != nil {
		u.progress(int64(n))
	}
	return nil
}

// uploadRepeats tells the users that an earlier user's external id leaves
// out of the upload files. It remembers the external ids read so far in a
// Bloom filter (16 bits a user, three probes: a false positive for about
// one key in 200) and asks the database (uploadRepeat) only when the filter
// says the key may be among them: a false positive costs a query, never a
// wrong answer, and a million users take 2 MB instead of a map of a million
// hashes.
type uploadRepeats struct {
	bits []uint64
	mask uint64
	seed maphash.Seed
	stmt *sql.Stmt
	q    Query
}

func newUploadRepeats(ctx context.Context, tx *sqlx.Tx, q Query) (*uploadRepeats, error) {
	var maxID int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM users`).Scan(&maxID); err != nil {
		return nil, err
	}
	n := uint64(1 << 12)
	for n < uint64(maxID)*16 {
		n <<= 1
	}
	stmt, err := tx.PrepareContext(ctx, q.SQL)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q.Path, err)
	}
	return &uploadRepeats{bits: make([]uint64, n/64), mask: n - 1, seed: maphash.MakeSeed(), stmt: stmt, q: q}, nil
}

func (r *uploadRepeats) close() { r.stmt.Close() }

// probe calls fn with the filter's bit positions for s (double hashing).
func (r *uploadRepeats) probe(s string, fn func(bit uint64) bool) bool {
	h := maphash.String(r.seed, s)
	step := h>>32 | h<<32 | 1
	for range 3 {
		if !fn(h & r.mask) {
			return false
		}
		h += step
	}
	return true
}

func (r *uploadRepeats) check(ctx context.Context, id int64, key, extID string) (bool, error) {
	repeat := false
	if r.probe(key, func(b uint64) bool { return r.bits[b/64]&(1<<(b%64)) != 0 }) {
		if err := r.stmt.QueryRowContext(ctx, sql.Named("key", key), sql.Named("id", id)).Scan(&repeat); err != nil {
			return false, fmt.Errorf("%s: %w", r.q.Path, err)
		}
	}
	if extID != "" {
		r.probe(extID, func(b uint64) bool { r.bits[b/64] |= 1 << (b % 64); return true })
	}
	return repeat, nil
}

// on reports whether the pass writes rows to a file.
func (u *userFiles) on(key string) bool {
	o := u.out[key]
	return o != nil && o.on
}

// row writes one record to a file, unless the file is header-only or
// another pass's.
func (u *userFiles) row(key string, rec ...string) error {
	o := u.out[key]
	if o == nil || !o.on {
		return nil
	}
	o.j.rows++
	return o.w.Write(rec)
}

func (o *csvOut) close() error {
	o.w.Flush()
	err := o.w.Error()
	if ferr := o.bw.Flush(); err == nil {
		err = ferr
	}
	if serr := o.f.Sync(); err == nil {
		err = serr
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// roleSlugs are a membership's roles: the user's roles in its organization
// and those without one, distinct, sorted, comma-separated.
func roleSlugs(roles []assignment, org int64) string {
	var slugs []string
	for _, a := range roles {
		if (a.org == 0 || a.org == org) && !slices.Contains(slugs, a.slug) {
			slugs = append(slugs, a.slug)
		}
	}
	slices.Sort(slugs)
	return strings.Join(slugs, ",")
}

func (u *userFiles) loadOrgs(ctx context.Context, tx *sqlx.Tx) error {
	q := u.queries["organizationRefs"]
	rows, err := tx.QueryContext(ctx, q.SQL)
	if err != nil {
		return fmt.Errorf("%s: %w", q.Path, err)
	}
	defer rows.Close()
	u.byKey = map[string]int64{}
	for rows.Next() {
		var id int64
		var key string
		var o orgRef
		if err := rows.Scan(&id, &key, &o.id, &o.ext, &o.name, &o.uploadID); err != nil {
			return err
		}
		if id <= 0 || id > int64(len(u.orgs))+1<<20 {
			return fmt.Errorf("%s: organization id %d is not one emit can index", q.Path, id)
		}
		for int64(len(u.orgs)) <= id {
			u.orgs = append(u.orgs, orgRef{})
		}
		u.orgs[id], u.byKey[key] = o, id
	}
	return rows.Err()
}

// org returns the organization with an id (the zero orgRef for 0, no
// organization).
func (u *userFiles) org(id int64) orgRef {
	if id <= 0 || id >= int64(len(u.orgs)) {
		return orgRef{}
	}
	return u.orgs[id]
}

// cursor reads rows of one query in user order, a user's rows at a time.
// The query's first column is the user id.
type cursor[T any] struct {
	rows   *sql.Rows
	scan   func(rows *sql.Rows, userID *int64, v *T) error
	next   T
	nextID int64
	done   bool
}

// newCursor runs q on tx, or reads nothing when on is false.
func newCursor[T any](ctx context.Context, tx *sqlx.Tx, q Query, on bool, scan func(*sql.Rows, *int64, *T) error) (*cursor[T], error) {
	c := &cursor[T]{scan: scan, done: !on}
	if !on {
		return c, nil
	}
	rows, err := tx.QueryContext(ctx, q.SQL)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q.Path, err)
	}
	c.rows = rows
	return c, c.advance()
}

func (c *cursor[T]) advance() error {
	if !c.rows.Next() {
		c.done = true
		return c.rows.Err()
	}
	var v T
	if err := c.scan(c.rows, &c.nextID, &v); err != nil {
		return err
	}
	c.next = v
	return nil
}

// take appends the rows of user id to dst, skipping those of users before
// it (users the user query leaves out).
func (c *cursor[T]) take(id int64, dst []T) ([]T, error) {
	for !c.done && c.nextID <= id {
		if c.nextID == id {
			dst = append(dst, c.next)
		}
		if err := c.advance(); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

func (c *cursor[T]) close() {
	if c.rows != nil {
		c.rows.Close()
	}
}
