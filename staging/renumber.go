package staging

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/mig-tools/mig/sqlqueries"
)

// Until 2026-11-29 the migrations were numbered 00001-00005 and
// 00007-00009: 00006 was never used. They are numbered without a gap now:
// 00007 and 00008 became 00006 and 00007, and 00009 (an index and a view)
// became 00008 (the index) and 00009 (the view). A database made before
// recorded the old numbers in goose's table, and goose goes by number: it
// would take the old 00007 for a missing 00006 and run its statements
// again. renumber rewrites such a table to the new numbers first, once, so
// that it records exactly the statements the database has; goose then
// applies what is still missing, as for any database.
func renumber(ctx context.Context, db *sql.DB) error {
	// Looked at first without a transaction: every open comes here, and a
	// write transaction would wait for any other process's lock.
	if old, err := oldNumbers(ctx, db); err != nil || !old {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if old, err := oldNumbers(ctx, tx); err != nil || !old {
		return err // another process renumbered it meanwhile
	}
	for _, stmt := range sqlqueries.Statements(sqlqueries.MustLoad("staging/renumber_migrations.sql").SQL) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("renumber the migrations: %w", err)
		}
	}
	return tx.Commit()
}

// oldNumbers reports whether goose's table records the numbers from before
// 2026-11-29.
func oldNumbers(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (bool, error) {
	var table int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'goose_db_version'`).Scan(&table); err != nil {
		return false, err
	}
	if table == 0 {
		return false, nil
	}
	var old bool
	err := q.QueryRowContext(ctx, sqlqueries.MustLoad("staging/old_migration_numbers.sql").SQL).Scan(&old)
	return old, err
}
