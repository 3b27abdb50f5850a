package ingest

import (
	"context"
	"fmt"

	"github.com/mig-tools/mig/staging"
)

// This file holds the index drop and rebuild around a bulk first ingest:
// writing into tables without their secondary indexes and building them
// once at the end costs less than updating them row by row.

// dropIndexes drops the explicit indexes of the tables (see
// staging.DropIndexes), remembering how to build them again.
func (r *Run) dropIndexes(ctx context.Context, tables ...string) error {
	if r.droppedIndexes == nil {
		r.droppedIndexes = map[string][]staging.Index{}
	}
	for _, t := range tables {
		if _, done := r.droppedIndexes[t]; done {
			continue
		}
		idx, err := staging.DropIndexes(ctx, r.tx, t)
		if err != nil {
			return err
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
func (r *Run) withoutIndexes(ctx context.Context, table, script string, extra ...any) error {
	if err := r.dropIndexes(ctx, table); err != nil {
		return err
	}
	if err := r.script(ctx, script, extra...); err != nil {
		return err
	}
	return r.restoreIndexes(ctx, table)
}
