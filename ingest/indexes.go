package ingest

import (
	"context"
	"fmt"

	"github.com/mig-tools/mig/sqlqueries"
)

// This file holds the index drop and rebuild around a bulk first ingest:
// writing into tables without their secondary indexes and building them
// once at the end costs less than updating them row by row.

// droppedIndex is an index a run dropped and must build again.
type droppedIndex struct {
	Name string `db:"name"`
	SQL  string `db:"sql"`
}

// dropIndexes drops the explicit indexes of the tables, remembering how to
// build them again. Index changes are part of the transaction.
//
// An index led by the table's integer primary key stays: rows appended in
// id order extend it at its right edge, which costs less than building it
// again (a pass over the whole table each), and the check and emit indexes
// of users are all of that kind. So does an index of columns that are the
// same for every row of the run (source, source_tenant, ingest_run_id):
// its new entries sit side by side, in id order too.
func (r *Run) dropIndexes(ctx context.Context, tables ...string) error {
	if r.droppedIndexes == nil {
		r.droppedIndexes = map[string][]droppedIndex{}
	}
	for _, t := range tables {
		if _, done := r.droppedIndexes[t]; done {
			continue
		}
		var idx []droppedIndex
		if err := r.tx.SelectContext(ctx, &idx, droppableIndexesSQL, t); err != nil {
			return err
		}
		for _, i := range idx {
			if _, err := r.tx.ExecContext(ctx, `DROP INDEX "`+i.Name+`"`); err != nil {
				return err
			}
		}
		r.droppedIndexes[t] = append(idx, r.droppedIndexes[t]...)
	}
	return nil
}

// restoreIndexes builds the table's dropped indexes again.
func (r *Run) restoreIndexes(ctx context.Context, table string) error {
	for _, i := range r.droppedIndexes[table] {
		if err := r.exec(ctx, "build index "+i.Name, i.SQL); err != nil {
			return fmt.Errorf("rebuild index %s: %w", i.Name, err)
		}
	}
	delete(r.droppedIndexes, table)
	return nil
}

// restoreIndex builds one dropped index of the table again, before the
// others. It returns the index's CREATE statement, for another try after
// an error.
func (r *Run) restoreIndex(ctx context.Context, table, name string) (string, error) {
	idx := r.droppedIndexes[table]
	for n, i := range idx {
		if i.Name == name {
			r.droppedIndexes[table] = append(idx[:n:n], idx[n+1:]...)
			return i.SQL, r.exec(ctx, "build index "+i.Name, i.SQL)
		}
	}
	return "", fmt.Errorf("index %s of %s was not dropped", name, table)
}

// withoutIndexes runs a script that adds the rows of a source's first run
// to table, with the table's indexes that new rows would land all over
// (memberships by organization, role assignments by slug) built once
// afterwards instead of kept up to date row by row.
func (r *Run) withoutIndexes(ctx context.Context, table, script string) error {
	if err := r.dropIndexes(ctx, table); err != nil {
		return err
	}
	if err := r.script(ctx, script); err != nil {
		return err
	}
	return r.restoreIndexes(ctx, table)
}

// The statements of this file, kept as named files in sqlqueries.
var (
	droppableIndexesSQL = sqlqueries.MustLoad("ingest/droppable_indexes.sql").SQL
)
