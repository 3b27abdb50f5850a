package ingesttest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/mig-tools/mig/staging"
)

// OpenDB opens a new staging database in the test's temporary directory,
// closed when the test ends: the database a source's end-to-end tests
// ingest into.
func OpenDB(tb testing.TB) *staging.DB {
	tb.Helper()
	db, err := staging.Open(context.Background(), filepath.Join(tb.TempDir(), "mig.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
