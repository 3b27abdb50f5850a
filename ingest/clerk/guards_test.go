package clerk_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/ingesttest"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/clerk"
)

// An export with a header and no user rows is refused, naming the header's
// line, on a first ingest as on a re-ingest, and the database is left as
// it was (before the fix the re-ingest marked every user missing).
func TestEmptyExportIsRefused(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	empty := write(t, "empty.csv", "# exported 2026-01-01\n"+header+"\n")
	_, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: empty})
	if err == nil || err.Error() != empty+":2: the file has a header but no user rows: an export with no users is refused (was it cut short, or taken from an empty instance?)" {
		t.Fatalf("first ingest of an empty export: err = %v", err)
	}
	good := write(t, "good.csv", header+"user_1,A,B,,a@example.com,,a@example.com,,,,,,\n")
	if _, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: good}); err != nil {
		t.Fatal(err)
	}
	before := dump(t, db)
	_, err = clerk.Ingest(ctx, db, clerk.Options{UsersFile: empty, Settings: ingest.Settings{AcceptMissing: true}})
	var le *ingest.LineError
	if !errors.As(err, &le) || le.Line != 2 {
		t.Fatalf("re-ingest of an empty export: err = %v, want a LineError on line 2", err)
	}
	if dump(t, db) != before {
		t.Fatal("a refused ingest changed the database")
	}
}

// A re-ingest that would mark more than half of the source's staged users
// missing stops, says how many of how many, and leaves the database as it
// was; with AcceptMissing it goes on.
func TestMostUsersMissingIsRefused(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	row := func(id string) string { return id + ",A,B,," + id + "@example.com,," + id + "@example.com,,,,,,\n" }
	if _, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: write(t, "v1.csv", header+row("u1")+row("u2")+row("u3")+row("u4"))}); err != nil {
		t.Fatal(err)
	}
	// Two of four missing is half: allowed.
	c, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: write(t, "v2.csv", header+row("u1")+row("u2"))})
	if err != nil || c.Missing != 2 {
		t.Fatalf("half missing: %+v, %v", c, err)
	}
	// Both users left gone (the two missing before do not count).
	before := dump(t, db)
	v3 := write(t, "v3.csv", header+row("u5"))
	_, err = clerk.Ingest(ctx, db, clerk.Options{UsersFile: v3})
	var me *ingest.MissingError
	if !errors.As(err, &me) || me.Missing != 2 || me.Staged != 2 {
		t.Fatalf("err = %v, want a MissingError for 2 of 2", err)
	}
	if !strings.Contains(err.Error(), "this export does not have 2 of the 2 users staged from clerk") {
		t.Fatalf("message = %q", err)
	}
	if dump(t, db) != before {
		t.Fatal("a refused ingest changed the database")
	}
	c, err = clerk.Ingest(ctx, db, clerk.Options{UsersFile: v3, Settings: ingest.Settings{AcceptMissing: true}})
	if err != nil || c.Missing != 2 || c.New != 1 {
		t.Fatalf("accepted: %+v, %v", c, err)
	}
}
