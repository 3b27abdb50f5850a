package migpackage_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/mig-tools/mig/ingest/migpackage"
	"github.com/mig-tools/mig/staging"
)

// TestScratchIsPrivate: the scratch database is in a directory only its
// owner can enter, in a file only its owner can read, and Close removes
// both.
func TestScratchIsPrivate(t *testing.T) {
	parent := t.TempDir()
	sc, err := migpackage.OpenScratch(context.Background(), parent)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(sc.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 || filepath.Dir(sc.Dir()) != parent {
		t.Errorf("scratch directory %s has mode %04o; want 0700 under %s", sc.Dir(), st.Mode().Perm(), parent)
	}
	files, _ := os.ReadDir(sc.Dir())
	for _, f := range files {
		info, _ := f.Info()
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %04o; want 0600", f.Name(), info.Mode().Perm())
		}
	}
	if len(files) == 0 {
		t.Error("no database file in the scratch directory")
	}
	if err := sc.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(parent); len(left) > 0 {
		t.Errorf("Close left %v", left)
	}
}

// TestScratchStagesWhatItCan: rows the ingest cannot stage are reported and
// passed over, and every other row is staged, where `mig ingest package`
// stops at the first and stages nothing.
func TestScratchStagesWhatItCan(t *testing.T) {
	ctx := context.Background()
	dir := copyPackage(t, handbuilt)
	appendLine(t, dir, "organizations.csv", ",,,,")                                        // no organization: refused by the ingest
	edit(t, dir, "users.csv", "Grace,Hopper,false,u-2,,", "Grace,Hopper,false,u-2,,,,,,,") // too many fields: unreadable
	appendLine(t, dir, "role_definitions.csv", "member,Member again,environment,,,")       // defined twice: refused

	db, err := staging.Open(ctx, filepath.Join(t.TempDir(), "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := migpackage.IngestPackage(ctx, db, migpackage.Options{Dir: dir}); err == nil {
		t.Fatal("mig ingest package staged a package with bad rows")
	}

	sc, err := migpackage.OpenScratch(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	rep := migpackage.NewReport(dir, 0)
	if _, err := sc.Ingest(ctx, rep); err != nil {
		t.Fatal(err)
	}
	notStaged := map[string]int{}
	for _, is := range rep.Issues {
		if is.Code == "row_not_staged" {
			notStaged[is.File] = is.Line
		}
	}
	if len(notStaged) != 2 || notStaged["organizations.csv"] != 4 || notStaged["role_definitions.csv"] != 5 {
		t.Errorf("rows not staged: %v; want organizations.csv:4 and role_definitions.csv:5 (the unreadable users.csv row is the contract check's to name)", notStaged)
	}
	var users, orgs, roles, memberships int
	if err := sc.DB.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM organizations),
		(SELECT count(*) FROM roles), (SELECT count(*) FROM memberships)`).Scan(&users, &orgs, &roles, &memberships); err != nil {
		t.Fatal(err)
	}
	// Grace's row is unreadable; her membership names a user who is not
	// staged. Everything else is there.
	if users != 2 || orgs != 2 || roles != 3 || memberships != 3 {
		t.Errorf("staged %d users, %d organizations, %d roles, %d memberships; want 2, 2, 3, 3", users, orgs, roles, memberships)
	}
}
