package staging

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/sqlqueries"
)

// Index is an index a bulk write dropped, with the statement that builds
// it again.
type Index struct {
	Name string `db:"name"`
	SQL  string `db:"sql"`
}

// DropIndexes drops the explicit indexes of table that rows appended in
// bulk would land all over, and returns them so that the caller builds
// them again once, at the end. Index changes are part of the transaction.
//
// An index led by the table's integer primary key stays: rows appended in
// id order extend it at its right edge, which costs less than building it
// again (a pass over the whole table each), and the check and emit indexes
// of users are all of that kind. So does an index of columns that are the
// same for every row of the run (source, source_tenant, ingest_run_id):
// its new entries sit side by side, in id order too.
func DropIndexes(ctx context.Context, tx *sqlx.Tx, table string) ([]Index, error) {
	var idx []Index
	if err := tx.SelectContext(ctx, &idx, droppableIndexesSQL, table); err != nil {
		return nil, err
	}
	for _, i := range idx {
		if _, err := tx.ExecContext(ctx, `DROP INDEX "`+i.Name+`"`); err != nil {
			return nil, err
		}
	}
	return idx, nil
}

// ForeignKeysOff turns foreign-key enforcement off on conn, for a bulk
// write whose child rows all come from a join with their parent in the
// same transaction, so that the checks could never fail but cost a lookup
// per row. The pragma cannot change inside a transaction, so it is set
// before BEGIN; RestoreForeignKeys undoes it.
func ForeignKeysOff(ctx context.Context, conn *sqlx.Conn) error {
	_, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`)
	return err
}

// RestoreForeignKeys turns enforcement back on and gives the connection
// back to the pool, where every other user of the database expects it on.
func RestoreForeignKeys(conn *sqlx.Conn) {
	conn.ExecContext(context.Background(), `PRAGMA foreign_keys = ON`)
	conn.Close()
}

var droppableIndexesSQL = sqlqueries.MustLoad("staging/droppable_indexes.sql").SQL
