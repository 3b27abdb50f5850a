// Package emitqueries times each emit query on a big staging database, to
// find the slow ones: MIG_EMIT_DB=/tmp/mig-bench-emit/bench-1000000.db go test ./bench/emitqueries -v
package emitqueries

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

func timeQuery(t *testing.T, db *staging.DB, name, q string) {
	ctx := context.Background()
	start := time.Now()
	rows, err := db.QueryContext(ctx, q, sql.Named("include_secrets", false), sql.Named("memberships", true), sql.Named("roles", true))
	if err != nil {
		t.Log(name, err)
		return
	}
	cols, _ := rows.Columns()
	raw := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	n := 0
	for rows.Next() {
		rows.Scan(ptrs...)
		n++
	}
	rows.Close()
	t.Logf("%-25s %8d rows %v", name, n, time.Since(start))
}

func TestEmitQueries(t *testing.T) {
	path := os.Getenv("MIG_EMIT_DB")
	if path == "" {
		t.Skip("MIG_EMIT_DB names a staging database to time the emit queries on")
	}
	db, err := staging.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	qs, _ := sqlqueries.Dir("emit")
	only := os.Getenv("MIG_EMIT_QUERY")
	for _, q := range qs {
		if only == "" || only == q.Name {
			timeQuery(t, db, q.Name, q.SQL)
		}
	}
	if extra := os.Getenv("MIG_EMIT_SQL"); extra != "" {
		timeQuery(t, db, "MIG_EMIT_SQL", extra)
	}
}
