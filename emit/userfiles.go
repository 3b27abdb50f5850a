package emit

import (
	"bufio"
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

// userFileKeys are the files written by one pass over users, memberships
// and role assignments (see sqlqueries/emit/user_rows.sql), in the order
// the pass writes them.
var userFileKeys = []string{"users", "memberships", "userRoleAssignments", "uploadUsers", "uploadMemberships"}

// userFiles writes the per-user files: it reads userRows, membershipRows and
// roleAssignmentRows, all in user order, and merges them by user id.
type userFiles struct {
	jobs    map[string]*job // by key; a job without a query stays header-only
	queries map[string]Query
	// memberships and roles are the users.sql parameters of old: whether
	// users.csv names an organization, and whether it and
	// organization_memberships.csv carry role slugs.
	memberships, roles bool

	orgs map[int64]orgRef
	out  map[string]*csvOut
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
	for _, key := range userFileKeys {
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
	if !u.out["users"].on && !u.out["memberships"].on && !u.out["userRoleAssignments"].on {
		return nil
	}
	if err := u.loadOrgs(ctx, tx); err != nil {
		return err
	}
	users, err := tx.QueryContext(ctx, u.queries["userRows"].SQL)
	if err != nil {
		return fmt.Errorf("%s: %w", u.queries["userRows"].Path, err)
	}
	defer users.Close()
	ms, err := newCursor(ctx, tx, u.queries["membershipRows"], u.memberships || u.out["memberships"].on,
		func(rows *sql.Rows, id *int64, m *membership) error { return rows.Scan(id, &m.org, &m.meta) })
	if err != nil {
		return err
	}
	defer ms.close()
	ras, err := newCursor(ctx, tx, u.queries["roleAssignmentRows"], u.roles || u.out["userRoleAssignments"].on,
		func(rows *sql.Rows, id *int64, a *assignment) error { return rows.Scan(id, &a.org, &a.slug) })
	if err != nil {
		return err
	}
	defer ras.close()

	var (
		id                                                     int64
		email, password, hash, hashType, first, last, verified string
		extID, meta, uploadID, workosID                        string
	)
	repeats := &uploadRepeats{seen: map[uint64]struct{}{}, seed: maphash.MakeSeed(), q: u.queries["uploadRepeat"]}
	var mine []membership
	var roles []assignment
	n := 0
	for users.Next() {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := users.Scan(&id, &email, &password, &hash, &hashType, &first, &last, &verified, &extID, &meta, &uploadID, &workosID); err != nil {
			return err
		}
		repeat, err := repeats.check(ctx, tx, id, uploadID, extID)
		if err != nil {
			return err
		}
		if mine, err = ms.take(id, mine[:0]); err != nil {
			return err
		}
		if roles, err = ras.take(id, roles[:0]); err != nil {
			return err
		}
		var org orgRef
		slugs := ""
		if u.memberships && len(mine) > 0 {
			org = u.orgs[mine[0].org]
			if u.roles {
				slugs = roleSlugs(roles, mine[0].org)
			}
		}
		if err := u.row("users", email, password, hash, hashType, first, last, verified, extID, meta, org.id, org.ext, org.name, slugs); err != nil {
			return err
		}
		if password != "" && u.out["users"].on {
			u.jobs["users"].plaintext++
		}
		if !repeat {
			if err := u.row("uploadUsers", uploadID, email, verified, first, last, hash); err != nil {
				return err
			}
		}
		for _, m := range mine {
			o, slugs := u.orgs[m.org], ""
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
			o := u.orgs[a.org]
			if err := u.row("userRoleAssignments", email, workosID, extID, a.slug, o.id, o.ext); err != nil {
				return err
			}
		}
	}
	if err := users.Err(); err != nil {
		return err
	}
	return nil
}

// uploadRepeats tells the users that an earlier user's external id leaves
// out of the upload files. It keeps a hash of each external id read so far
// and asks the database (uploadRepeat) only when the key's hash is among
// them, so a hash collision costs a query, never a wrong answer.
type uploadRepeats struct {
	seen map[uint64]struct{}
	seed maphash.Seed
	q    Query
}

func (r *uploadRepeats) check(ctx context.Context, tx *sqlx.Tx, id int64, key, extID string) (bool, error) {
	repeat := false
	if _, maybe := r.seen[maphash.String(r.seed, key)]; maybe {
		if err := tx.QueryRowContext(ctx, r.q.SQL, sql.Named("key", key), sql.Named("id", id)).Scan(&repeat); err != nil {
			return false, fmt.Errorf("%s: %w", r.q.Path, err)
		}
	}
	if extID != "" {
		r.seen[maphash.String(r.seed, extID)] = struct{}{}
	}
	return repeat, nil
}

// row writes one record to a file, unless the file is header-only.
func (u *userFiles) row(key string, rec ...string) error {
	o := u.out[key]
	if !o.on {
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
	u.orgs = map[int64]orgRef{}
	for rows.Next() {
		var id int64
		var o orgRef
		if err := rows.Scan(&id, &o.id, &o.ext, &o.name, &o.uploadID); err != nil {
			return err
		}
		u.orgs[id] = o
	}
	return rows.Err()
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
