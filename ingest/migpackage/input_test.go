package migpackage_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/migpackage"
	"github.com/mig-tools/mig/staging"
)

// `ingest csv -` reads standard input once although it reads the users
// file twice (staging users, then their memberships).
func TestCSVFromStdin(t *testing.T) {
	ctx := context.Background()
	db, err := staging.Open(ctx, filepath.Join(t.TempDir(), "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	in := "email,external_id,org_external_id,org_name\nann@example.com,u1,acme,Acme\nann@example.com,u1,beta,Beta\nbob@example.com,u2,acme,Acme\n"
	c, err := migpackage.IngestCSV(ctx, db, migpackage.CSVOptions{File: ingest.Stdin, Settings: ingest.Settings{Stdin: strings.NewReader(in)}})
	if err != nil {
		t.Fatal(err)
	}
	if c.New != 2 || c.Members != 3 {
		t.Fatalf("counts = %+v, want 2 users and 3 memberships", c)
	}
}
