package emitqueries

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/mig-tools/mig/ingest/migpackage"
	"github.com/mig-tools/mig/staging"
)

// TestIngestPackage ingests the package MIG_EMIT_PKG names into a fresh
// database, for profiling: go test ./bench/emitqueries -run IngestPackage -cpuprofile cpu.out
func TestIngestPackage(t *testing.T) {
	dir := os.Getenv("MIG_EMIT_PKG")
	if dir == "" {
		t.Skip("MIG_EMIT_PKG names a package to ingest")
	}
	db, err := staging.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := migpackage.IngestPackage(context.Background(), db, migpackage.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", c)
}
