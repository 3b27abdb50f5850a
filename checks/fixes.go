package checks

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// Fix is one automatic repair: a SELECT returning (id, column_name, before,
// after) for every value of one table it would change. The header names the
// table, the order among fixes and, for fixes that are not part of --fix, the
// flag that turns it on.
type Fix struct {
	Name        string
	Description string
	Table       string
	Flag        string // "" for --fix; otherwise the option that enables it
	Order       int
	SQL         string
}

// Flags that enable fixes beyond the safe set of --fix.
const (
	FlagLowercaseEmails           = "lowercase-emails"
	FlagDropInvalidPasswordHashes = "drop-invalid-password-hashes"
)

// fixTables are the tables a fix may change; the table name is spliced into
// SQL, so it must come from this list.
var fixTables = map[string]bool{"users": true, "totp_secrets": true, "organizations": true, "roles": true, "memberships": true}

// Fixes returns every fix in sqlqueries/fixes, in the order they apply.
func Fixes() ([]Fix, error) {
	qs, err := sqlqueries.Dir("fixes")
	if err != nil {
		return nil, err
	}
	var out []Fix
	for _, q := range qs {
		f := Fix{Name: q.Name, Description: q.Get("description"), Table: q.Get("table"), Flag: q.Get("flag"), Order: 50, SQL: selectBody(q.SQL)}
		if !fixTables[f.Table] {
			return nil, fmt.Errorf("fix %s: table %q is not one fixes may change", q.Path, f.Table)
		}
		if o := q.Get("order"); o != "" {
			if f.Order, err = strconv.Atoi(o); err != nil {
				return nil, fmt.Errorf("fix %s: order %q is not a number", q.Path, o)
			}
		}
		switch f.Flag {
		case "", FlagLowercaseEmails, FlagDropInvalidPasswordHashes:
		default:
			return nil, fmt.Errorf("fix %s: unknown flag %q", q.Path, f.Flag)
		}
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out, nil
}

// FixResult is what one fix changed.
type FixResult struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	RunID       int64  `json:"fix_run_id"`
	Changes     int    `json:"changes"`
}

func (f Fix) enabled(o Options) bool {
	switch f.Flag {
	case "":
		return o.Fix
	case FlagLowercaseEmails:
		return o.Fix && o.LowercaseEmails
	case FlagDropInvalidPasswordHashes:
		return o.DropInvalidPasswordHashes
	}
	return false
}

// applyFixes runs, in the check's transaction tx, the enabled fixes named
// by rules. Each fix first records its changes in the fixes table, then
// applies them from there, so what is recorded is exactly what was changed.
func applyFixes(ctx context.Context, tx *sqlx.Tx, rules []Rule, o Options) ([]FixResult, error) {
	all, err := Fixes()
	if err != nil {
		return nil, err
	}
	named := map[string]bool{}
	for _, r := range rules {
		for _, f := range r.Fixes {
			named[f] = true
		}
	}
	var out []FixResult
	var run int64
	if err := tx.GetContext(ctx, &run, `SELECT coalesce(max(fix_run_id), 0) + 1 FROM fixes`); err != nil {
		return nil, err
	}
	now := staging.Now()
	for _, f := range all {
		if !named[f.Name] || !f.enabled(o) {
			continue
		}
		res, err := tx.ExecContext(ctx, sqlqueries.MustLoad("checkrun/record_fixes.sql").Fill(map[string]string{"fix": f.SQL}),
			sql.Named("run", run), sql.Named("fix", f.Name), sql.Named("entity", f.Table), sql.Named("now", now))
		if err != nil {
			return nil, fmt.Errorf("fix %s: %w", f.Name, unregistered(err))
		}
		n, _ := res.RowsAffected()
		var cols []string
		if err := tx.SelectContext(ctx, &cols, `SELECT DISTINCT column_name FROM fixes WHERE fix_run_id = ? AND fix = ?`, run, f.Name); err != nil {
			return nil, err
		}
		for _, c := range cols {
			if err := checkColumn(ctx, tx, f.Table, c); err != nil {
				return nil, fmt.Errorf("fix %s: %w", f.Name, err)
			}
			_, err := tx.ExecContext(ctx, sqlqueries.MustLoad("checkrun/apply_fix.sql").Fill(map[string]string{"table": f.Table, "column": c}),
				sql.Named("run", run), sql.Named("fix", f.Name), sql.Named("column", c))
			if err != nil {
				return nil, fmt.Errorf("fix %s, column %s: %w", f.Name, c, err)
			}
		}
		if n > 0 {
			out = append(out, FixResult{Name: f.Name, Description: f.Description, RunID: run, Changes: int(n)})
		}
	}
	return out, nil
}

// checkColumn makes sure a column name a fix returned is a real column of
// table before it is spliced into an UPDATE.
func checkColumn(ctx context.Context, tx *sqlx.Tx, table, col string) error {
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, table, col); err != nil {
		return err
	}
	if n != 1 || col == "id" {
		return fmt.Errorf("%q is not a column a fix may change in %s", col, table)
	}
	return nil
}

// UndoResult says what UndoFixes did.
type UndoResult struct {
	Restored int `json:"restored"`
	// Conflicts are values changed since the fix (by a new ingest, say):
	// they are left as they are, and no longer pending.
	Conflicts int `json:"conflicts"`
}

// UndoFixes puts back every value a fix changed and that was not undone
// yet. A value changed by several fixes gets its value from before the
// first; a value that is no longer what the last fix wrote is left alone
// and counted as a conflict.
func UndoFixes(ctx context.Context, db *sqlx.DB) (UndoResult, error) {
	var res UndoResult
	err := inTx(ctx, db, func(tx *sqlx.Tx) (err error) {
		res, err = undoFixes(ctx, tx)
		return err
	})
	return res, err
}

// undoFixes is UndoFixes in tx.
func undoFixes(ctx context.Context, tx *sqlx.Tx) (UndoResult, error) {
	var res UndoResult
	var targets []struct {
		Entity string `db:"entity"`
		Column string `db:"column_name"`
	}
	if err := tx.SelectContext(ctx, &targets, `SELECT DISTINCT entity, column_name FROM fixes WHERE undone_at IS NULL ORDER BY 1, 2`); err != nil {
		return res, err
	}
	for _, t := range targets {
		if !fixTables[t.Entity] {
			return res, fmt.Errorf("fixes table names %q, which fixes do not change", t.Entity)
		}
		if err := checkColumn(ctx, tx, t.Entity, t.Column); err != nil {
			return res, err
		}
		args := []any{sql.Named("entity", t.Entity), sql.Named("column", t.Column)}
		var total int
		if err := tx.GetContext(ctx, &total, sqlqueries.MustLoad("checkrun/undo_fixes_count.sql").SQL, args...); err != nil {
			return res, err
		}
		r, err := tx.ExecContext(ctx, sqlqueries.MustLoad("checkrun/undo_fixes.sql").Fill(map[string]string{"table": t.Entity, "column": t.Column}), args...)
		if err != nil {
			return res, fmt.Errorf("undo %s.%s: %w", t.Entity, t.Column, err)
		}
		n, _ := r.RowsAffected()
		res.Restored += int(n)
		res.Conflicts += total - int(n)
	}
	_, err := tx.ExecContext(ctx, `UPDATE fixes SET undone_at = ? WHERE undone_at IS NULL`, staging.Now())
	return res, err
}

func inTx(ctx context.Context, db *sqlx.DB, fn func(*sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
