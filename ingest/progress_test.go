package ingest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/ingesttest"

	"github.com/mig-tools/mig/ingest"
)

// TestProgressOfAFileIngest: a file source's run counts the users it
// staged and the bytes of its input read out of the file's size, and
// names each phase as it enters it, up to the commit.
func TestProgressOfAFileIngest(t *testing.T) {
	const n = 3000
	var csv strings.Builder
	csv.WriteString("id,email\n")
	for i := range n {
		fmt.Fprintf(&csv, "u%04d,u%04d@example.com\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "users.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &ingest.Progress{}
	var afterUsers ingest.ProgressSnapshot
	_, err := ingest.Ingest(context.Background(), ingesttest.OpenDB(t), ingest.Spec{
		Source:   ingest.Source{Provider: "fakefile"},
		Files:    []*ingest.File{{Role: "users", Path: path}},
		Settings: ingest.Settings{Progress: p},
		Decode: func(ctx context.Context, in ingest.Inputs, sink ingest.DefinitionSink) error {
			f, r, err := in.OpenCSV(path)
			if err != nil {
				return err
			}
			defer f.Close()
			if _, err := r.Header("id", "email"); err != nil {
				return err
			}
			_, err = r.Each(ctx, func(get func(string) string, line int) error {
				return sink.AddUser(ctx, path, &ingest.User{SourceID: get("id"), Row: line, EmailRaw: get("email"), Raw: map[string]any{"id": get("id")}})
			})
			return err
		},
		AfterUsers: func(context.Context, *ingest.Run) error { afterUsers = p.Snapshot(); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	size := int64(csv.Len())
	if want := (ingest.ProgressSnapshot{Phase: ingest.PhaseAfterUsers, Users: n, Read: size, Size: size}); afterUsers != want {
		t.Errorf("after the users: %+v, want %+v", afterUsers, want)
	}
	if got := p.Snapshot(); got.Phase != ingest.PhaseCommit || got.Users != n {
		t.Errorf("at the end: %+v, want the commit phase and %d users", got, n)
	}
}

// TestProgressOfAnAPIFetch: an API fetch counts the users handed to the
// spool, with no total; the run then counts the users it stages from it.
func TestProgressOfAnAPIFetch(t *testing.T) {
	const pages, perPage = 3, 100
	db := ingesttest.OpenDB(t)
	p := &ingest.Progress{}
	s := apiSpec(pages)
	s.Settings.Progress = p
	ctx := context.Background()
	sp, err := ingest.OpenSpool(ctx, db, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := (&fakeAPI{pages: pages, perPage: perPage}).fetch(ctx, sp, -1, 0); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Snapshot(), (ingest.ProgressSnapshot{Phase: ingest.PhaseFetching, Users: pages * perPage}); got != want {
		t.Errorf("after the fetch: %+v, want %+v", got, want)
	}
	s.Spool = sp
	if _, err := ingest.Ingest(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	if got := p.Snapshot(); got.Phase != ingest.PhaseCommit || got.Users != pages*perPage || got.Size != 0 {
		t.Errorf("at the end: %+v, want the commit phase, %d users and no total", got, pages*perPage)
	}
}
