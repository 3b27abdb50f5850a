package ingest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/mig-tools/mig/ingest/ingesttest"

	"github.com/mig-tools/mig/ingest"
)

// TestFetchesIsNeverUnchanged: a file source whose run also reads an API
// (Spec.Fetches) runs again with the same file and options, since what the
// API gives may have changed; without Fetches the same run is refused as
// unchanged.
func TestFetchesIsNeverUnchanged(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	path := filepath.Join(t.TempDir(), "users.txt")
	if err := os.WriteFile(path, []byte("u1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fetched := 0
	spec := func(fetches bool) ingest.Spec {
		return ingest.Spec{Source: ingest.Source{Provider: "fake"}, Files: []*ingest.File{{Role: "users", Path: path}}, Fetches: fetches,
			Decode: func(ctx context.Context, in ingest.Inputs, sink ingest.DefinitionSink) error {
				fetched++
				return sink.AddUser(ctx, path, &ingest.User{SourceID: "u1", Row: 1, EmailRaw: "u1@example.com"})
			}}
	}
	for i := range 2 {
		if _, err := ingest.Ingest(ctx, db, spec(true)); err != nil {
			t.Fatalf("run %d with Fetches: %v", i+1, err)
		}
	}
	if fetched != 2 {
		t.Errorf("the decoder ran %d times, want 2", fetched)
	}
	if _, err := ingest.Ingest(ctx, db, spec(false)); !errors.Is(err, ingest.ErrUnchanged) {
		t.Errorf("the same run without Fetches: %v, want ErrUnchanged", err)
	}
}
