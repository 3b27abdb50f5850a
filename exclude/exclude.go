// Package exclude sets staged users aside so that no import sends them:
// rows no fix repairs, test accounts, people who left. An exclusion is a row
// of the exclusions table, keyed by the user's source identity (so a
// re-ingest keeps it), with the reason a person gave and how the user was
// chosen. The import skips an excluded user's rows, and those of its
// memberships and TOTP factors, with the reason (see
// sqlqueries/importer/populate.sql); Undo makes them importable again.
//
// Users are chosen by an SQL predicate over the staged_users view, by source
// id, by email, or by a file listing ids and emails. The predicate is the
// user's own SQL, so Pick runs it on a read-only connection
// (staging.OpenReadOnly), which refuses anything but reading; Add and Undo
// then write on the normal connection.
package exclude

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// Selection says which staged users a command is about; its parts add up.
type Selection struct {
	// Where is an SQL predicate over the staged_users view, e.g.
	// "email LIKE '%@test.example.com'".
	Where string
	// IDs are source user ids (staged_users.source_id: Clerk's user_...,
	// as mig check names users), matched in every source staged.
	IDs []string
	// Emails are addresses, matched as ingest normalises them.
	Emails []string
	// Files list one source id or email per line (an email has an @);
	// blank lines and lines starting with # are skipped.
	Files []string
	// Excluded picks every user excluded now (for Undo).
	Excluded bool
	// NormalizeEmail turns an address into the form users.email holds;
	// ingest owns that rule, and the caller passes it (ingest.NormalizeEmail).
	// Nil compares addresses as given, trimmed.
	NormalizeEmail func(string) string
}

// Empty reports whether the selection names no user at all.
func (s Selection) Empty() bool {
	return strings.TrimSpace(s.Where) == "" && len(s.IDs) == 0 && len(s.Emails) == 0 && len(s.Files) == 0 && !s.Excluded
}

// Picked is what a selection matched: staged user ids in id order, each
// once, with how it was chosen. It holds 16 bytes per user, whatever the
// selection.
type Picked struct {
	picks   []pick
	origins []string
}

type pick struct {
	user   int64
	origin int32 // index in origins
	line   int32 // line of a --file, 0 otherwise
}

// Len is the number of users picked.
func (p *Picked) Len() int { return len(p.picks) }

// how says how a pick was chosen, as the exclusions table records it.
func (p *Picked) how(k pick) string {
	if k.line > 0 {
		return p.origins[k.origin] + ":" + strconv.Itoa(int(k.line))
	}
	return p.origins[k.origin]
}

func (p *Picked) origin(s string) int32 {
	p.origins = append(p.origins, s)
	return int32(len(p.origins) - 1)
}

// batch is how many keys or users one statement carries, as a JSON array.
const batch = 1000

// Pick runs sel on ro, which must be open read-only (staging.OpenReadOnly):
// the predicate is SQL the user wrote. An id, email or file line that
// matches no staged user is an error naming it (*NoMatchError), so that a
// typo never excludes nothing silently; a predicate that matches nobody is
// not.
func Pick(ctx context.Context, ro *staging.DB, sel Selection) (*Picked, error) {
	if !ro.ReadOnly {
		return nil, errors.New("exclude: Pick needs a read-only connection (staging.OpenReadOnly)")
	}
	p := &Picked{}
	if w := strings.TrimSpace(sel.Where); w != "" {
		if err := p.where(ctx, ro, w); err != nil {
			return nil, err
		}
	}
	if sel.Excluded {
		o := p.origin("excluded")
		var ids []int64
		if err := ro.SelectContext(ctx, &ids, `SELECT user_id FROM excluded_users ORDER BY user_id`); err != nil {
			return nil, fmt.Errorf("read the excluded users: %w", err)
		}
		for _, id := range ids {
			p.picks = append(p.picks, pick{user: id, origin: o})
		}
	}
	m := &matcher{ro: ro, p: p, normalize: sel.NormalizeEmail, miss: &NoMatchError{}}
	if m.normalize == nil {
		m.normalize = strings.TrimSpace
	}
	for _, id := range sel.IDs {
		if err := m.add(ctx, key{kind: "id", value: strings.TrimSpace(id), origin: p.origin("id " + id), what: "--id " + id}); err != nil {
			return nil, err
		}
	}
	for _, e := range sel.Emails {
		if err := m.add(ctx, key{kind: "email", value: m.normalize(e), origin: p.origin("email " + e), what: "--email " + e}); err != nil {
			return nil, err
		}
	}
	if err := m.flush(ctx); err != nil {
		return nil, err
	}
	for _, f := range sel.Files {
		if err := m.file(ctx, f); err != nil {
			return nil, err
		}
	}
	if err := m.flush(ctx); err != nil {
		return nil, err
	}
	if m.miss.N > 0 {
		return nil, m.miss
	}
	// Each user once, chosen by the first part of the selection that named it.
	slices.SortStableFunc(p.picks, func(a, b pick) int { return compare(a.user, b.user) })
	p.picks = slices.CompactFunc(p.picks, func(a, b pick) bool { return a.user == b.user })
	return p, nil
}

func compare(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// where picks the users the predicate selects, reading their ids only.
func (p *Picked) where(ctx context.Context, ro *staging.DB, pred string) error {
	q := "SELECT id FROM staged_users WHERE (\n" + pred + "\n) ORDER BY id"
	if n := len(sqlqueries.Statements(q)); n != 1 {
		return &PredicateError{Predicate: pred, Err: errors.New("it holds more than one statement (a ;)")}
	}
	o := p.origin(pred)
	rows, err := ro.QueryContext(ctx, q)
	if err != nil {
		return &PredicateError{Predicate: pred, Err: ro.Refused(err)}
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return &PredicateError{Predicate: pred, Err: err}
		}
		p.picks = append(p.picks, pick{user: id, origin: o})
	}
	if err := rows.Err(); err != nil {
		return &PredicateError{Predicate: pred, Err: ro.Refused(err)}
	}
	return nil
}

// key is one id or email to match, and where it was given.
type key struct {
	kind, value string
	origin      int32
	line        int32
	what        string // "--id X", or "FILE:LINE"
}

// matcher looks keys up in batches and records those that match nobody.
type matcher struct {
	ro        *staging.DB
	p         *Picked
	normalize func(string) string
	sources   string // JSON array of [source, source_tenant]; "" until read
	keys      []key
	miss      *NoMatchError
}

func (m *matcher) add(ctx context.Context, k key) error {
	m.keys = append(m.keys, k)
	if len(m.keys) >= batch {
		return m.flush(ctx)
	}
	return nil
}

// flush matches the keys gathered so far.
func (m *matcher) flush(ctx context.Context) error {
	if len(m.keys) == 0 {
		return nil
	}
	if m.sources == "" {
		if err := m.ro.GetContext(ctx, &m.sources, sqlqueries.MustLoad("exclude/sources.sql").SQL); err != nil {
			return fmt.Errorf("read the staged sources: %w", err)
		}
	}
	arr := make([][2]string, len(m.keys))
	for i, k := range m.keys {
		arr[i] = [2]string{k.kind, k.value}
	}
	b, err := json.Marshal(arr)
	if err != nil {
		return err
	}
	var rows []struct {
		Idx  int   `db:"idx"`
		User int64 `db:"user_id"`
	}
	if err := m.ro.SelectContext(ctx, &rows, sqlqueries.MustLoad("exclude/match_keys.sql").SQL,
		sql.Named("keys", string(b)), sql.Named("sources", m.sources)); err != nil {
		return fmt.Errorf("match the users: %w", err)
	}
	found := make([]bool, len(m.keys))
	for _, r := range rows {
		k := m.keys[r.Idx]
		found[r.Idx] = true
		m.p.picks = append(m.p.picks, pick{user: r.User, origin: k.origin, line: k.line})
	}
	for i, k := range m.keys {
		if !found[i] {
			m.miss.add(k)
		}
	}
	m.keys = m.keys[:0]
	return nil
}

// file reads one id or email per line of path.
func (m *matcher) file(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("--file: %w", err)
	}
	defer f.Close()
	o := m.p.origin("file " + path)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := int32(0)
	for sc.Scan() {
		line++
		text := sc.Bytes()
		if line == 1 {
			text = bytes.TrimPrefix(text, []byte("\ufeff"))
		}
		v := strings.TrimSpace(string(text))
		if v == "" || strings.HasPrefix(v, "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", path, line)
		if strings.ContainsAny(v, " \t,;") {
			return &LineError{Where: where, Value: v, Why: "want one id or email per line"}
		}
		k := key{kind: "id", value: v, origin: o, line: line, what: where}
		if strings.Contains(v, "@") {
			k.kind, k.value = "email", m.normalize(v)
		}
		if err := m.add(ctx, k); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return &LineError{Where: fmt.Sprintf("%s:%d", path, line+1), Why: "the line is over 1 MiB; want one id or email per line"}
		}
		return fmt.Errorf("--file %s: %w", path, err)
	}
	return nil
}

// NoMatchError is ids, emails or file lines that match no staged user.
// Nothing was excluded: a list with a typo must be corrected, not half
// applied.
type NoMatchError struct {
	N     int      // keys that matched nobody
	First []string // the first few, "WHERE: VALUE"
}

func (e *NoMatchError) add(k key) {
	e.N++
	if len(e.First) < 5 {
		what := k.what
		if k.line > 0 {
			what += ": " + k.kind + " " + strconv.Quote(k.value)
		}
		e.First = append(e.First, what)
	}
}

func (e *NoMatchError) Error() string {
	more := ""
	if e.N > len(e.First) {
		more = fmt.Sprintf(" (and %d more)", e.N-len(e.First))
	}
	return fmt.Sprintf("%d id(s) or email(s) match no staged user: %s%s; nothing was changed",
		e.N, strings.Join(e.First, "; "), more)
}

// Hint says where ids and emails come from.
func (e *NoMatchError) Hint() string {
	return `an id is the source's user id (mig sql "select source, source_id, email from staged_users where ..."); an email is matched without case`
}

// LineError is a line of a --file that is not one id or email.
type LineError struct{ Where, Value, Why string }

func (e *LineError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: %s; nothing was changed", e.Where, e.Why)
	}
	return fmt.Sprintf("%s: %s, got %s; nothing was changed", e.Where, e.Why, strconv.Quote(truncate(e.Value, 80)))
}

// PredicateError is a --where predicate SQLite would not run, or that the
// read-only connection refused.
type PredicateError struct {
	Predicate string
	Err       error
}

func (e *PredicateError) Error() string {
	return fmt.Sprintf("--where %s: %v; nothing was changed", strconv.Quote(truncate(e.Predicate, 200)), e.Err)
}

func (e *PredicateError) Unwrap() error { return e.Err }

// Hint names the view the predicate reads.
func (e *PredicateError) Hint() string {
	return `the predicate is an SQL condition on the view staged_users, which only reads; mig sql "select * from staged_users limit 1" shows its columns`
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// User is one picked user, as --dry-run lists it.
type User struct {
	ID           int64  `db:"id" json:"id"`
	Source       string `db:"source" json:"source"`
	Tenant       string `db:"source_tenant" json:"source_tenant,omitempty"`
	SourceID     string `db:"source_id" json:"source_id"`
	Email        string `db:"email" json:"email"`
	Excluded     bool   `db:"excluded" json:"excluded"`
	Reason       string `db:"reason" json:"reason,omitempty"`
	ImportStatus string `db:"import_status" json:"import_status,omitempty"`
}

// Users calls fn for every picked user still staged, in id order, reading
// them from q a page at a time.
func Users(ctx context.Context, q sqlx.QueryerContext, p *Picked, fn func(User) error) error {
	for start := 0; start < len(p.picks); start += batch {
		chunk := p.picks[start:min(start+batch, len(p.picks))]
		ids := make([]int64, len(chunk))
		for i, k := range chunk {
			ids[i] = k.user
		}
		b, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		var us []User
		if err := sqlx.SelectContext(ctx, q, &us, sqlqueries.MustLoad("exclude/users.sql").SQL, sql.Named("ids", string(b))); err != nil {
			return fmt.Errorf("read the picked users: %w", err)
		}
		for _, u := range us {
			if err := fn(u); err != nil {
				return err
			}
		}
	}
	return nil
}

// Result is what Add or Undo did to the picked users.
type Result struct {
	// Matched is the picked users still staged when the change was written.
	Matched int64 `json:"matched" db:"matched"`
	// Changed is how many were excluded (Add) or made importable (Undo) now.
	Changed int64 `json:"changed"`
	// Excluded is how many were excluded before the change.
	Excluded int64 `json:"excluded_before" db:"excluded"`
	// InWorkOS is how many were imported already: an exclusion does not
	// remove anyone from WorkOS. InFlight were in flight when an import
	// stopped: the next import looks them up, and WorkOS may have them.
	InWorkOS int64 `json:"in_workos" db:"in_workos"`
	InFlight int64 `json:"in_flight" db:"in_flight"`
}

func (r *Result) add(o Result) {
	r.Matched += o.Matched
	r.Changed += o.Changed
	r.Excluded += o.Excluded
	r.InWorkOS += o.InWorkOS
	r.InFlight += o.InFlight
}

// Add excludes the picked users with reason, in one transaction on db.
func Add(ctx context.Context, db *staging.DB, p *Picked, reason string) (Result, error) {
	if strings.TrimSpace(reason) == "" {
		return Result{}, errors.New("exclude: a reason is required")
	}
	return write(ctx, db, p, func(tx *sqlx.Tx, picks, now string) (int64, error) {
		res, err := tx.ExecContext(ctx, sqlqueries.MustLoad("exclude/add.sql").SQL,
			sql.Named("picks", picks), sql.Named("reason", reason), sql.Named("now", now))
		if err != nil {
			return 0, fmt.Errorf("write the exclusions: %w", err)
		}
		return res.RowsAffected()
	})
}

// Undo makes the picked users importable again; with all, every excluded
// user, staged or not.
func Undo(ctx context.Context, db *staging.DB, p *Picked, all bool) (Result, error) {
	flag := 0
	if all {
		flag = 1
	}
	return write(ctx, db, p, func(tx *sqlx.Tx, picks, now string) (int64, error) {
		res, err := tx.ExecContext(ctx, sqlqueries.MustLoad("exclude/undo.sql").SQL,
			sql.Named("picks", picks), sql.Named("all", flag), sql.Named("now", now))
		if err != nil {
			return 0, fmt.Errorf("undo the exclusions: %w", err)
		}
		return res.RowsAffected()
	})
}

// write runs change over the picks, a batch at a time, in one transaction,
// and tallies what it finds and changes. A change that applies to every
// row at once (Undo's all) runs once, even with nothing picked.
func write(ctx context.Context, db *staging.DB, p *Picked, change func(tx *sqlx.Tx, picks, now string) (int64, error)) (Result, error) {
	var total Result
	now := staging.Now()
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		for start := 0; start == 0 || start < len(p.picks); start += batch {
			chunk := p.picks[start:min(start+batch, len(p.picks))]
			arr := make([][2]any, len(chunk))
			for i, k := range chunk {
				arr[i] = [2]any{k.user, p.how(k)}
			}
			b, err := json.Marshal(arr)
			if err != nil {
				return err
			}
			var r Result
			if err := tx.GetContext(ctx, &r, sqlqueries.MustLoad("exclude/tally.sql").SQL, sql.Named("picks", string(b))); err != nil {
				return fmt.Errorf("count the picked users: %w", err)
			}
			if r.Changed, err = change(tx, string(b), now); err != nil {
				return err
			}
			total.add(r)
			if len(chunk) == 0 {
				break
			}
		}
		return nil
	})
	return total, err
}
