package exclude_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/exclude"
	"github.com/mig-tools/mig/staging"
)

// newDB stages users (source, source_id, email) and returns the database
// open for writing and read-only, as mig exclude opens it.
func newDB(t *testing.T, users ...[3]string) (db, ro *staging.DB) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mig.db")
	db, err := staging.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`INSERT INTO ingest_runs (id, provider, started_at) VALUES (1, 'test', 'now')`); err != nil {
		t.Fatal(err)
	}
	for i, u := range users {
		stageUser(t, db, i+1, u)
	}
	ro, err = staging.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	return db, ro
}

func stageUser(t *testing.T, db *staging.DB, row int, u [3]string) {
	t.Helper()
	if _, err := db.Exec(`INSERT INTO users (source, source_id, ingest_run_id, first_run_id, last_seen_run_id, row_number,
		email_raw, email, raw, content_hash) VALUES (?, ?, 1, 1, 1, ?, ?, lower(?), '{}', 'h')`, u[0], u[1], row, u[2], u[2]); err != nil {
		t.Fatal(err)
	}
}

func excluded(t *testing.T, db *staging.DB) []string {
	t.Helper()
	var out []string
	if err := db.Select(&out, `SELECT user_id || ' ' || source_id || ' ' || reason || ' [' || predicate || ']' FROM excluded_users ORDER BY user_id`); err != nil {
		t.Fatal(err)
	}
	return out
}

func norm(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// TestPickNeedsReadOnly: the predicate is the user's own SQL, so Pick runs
// it only on a connection that cannot write.
func TestPickNeedsReadOnly(t *testing.T) {
	db, _ := newDB(t, [3]string{"clerk", "user_a", "a@example.com"})
	if _, err := exclude.Pick(context.Background(), db, exclude.Selection{Where: "1"}); err == nil {
		t.Fatal("Pick ran a predicate on a writable connection")
	}
}

// TestPredicateErrors: a predicate that is not one condition, or that the
// read-only connection refuses, is an error naming it; one that matches
// nobody is not.
func TestPredicateErrors(t *testing.T) {
	_, ro := newDB(t, [3]string{"clerk", "user_a", "a@example.com"})
	ctx := context.Background()
	for pred, want := range map[string]string{
		"id = 1); DELETE FROM users; SELECT (1": "more than one statement",
		"no_such = 1":                           "no such column",
		"load_extension('x') IS NULL":           "load_extension",
	} {
		_, err := exclude.Pick(ctx, ro, exclude.Selection{Where: pred})
		var pe *exclude.PredicateError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), want) {
			t.Errorf("--where %q: err = %v, want a PredicateError saying %q", pred, err, want)
		}
	}
	p, err := exclude.Pick(ctx, ro, exclude.Selection{Where: "email = 'nobody@example.com'"})
	if err != nil || p.Len() != 0 {
		t.Errorf("a predicate matching nobody: %v users, err %v", p, err)
	}
}

// TestKeysAndFiles: ids match the source's id in every source, emails
// match as ingest normalises them, a file may have a BOM, CRLF, comments
// and blank lines; each user is picked once; a key that matches nobody
// fails the whole selection, naming the file and line.
func TestKeysAndFiles(t *testing.T) {
	_, ro := newDB(t,
		[3]string{"clerk", "user_a", "a@example.com"},
		[3]string{"clerk", "user_b", "B@Example.com"},
		[3]string{"csv", "user_a", "other-a@example.com"},
		[3]string{"csv", "user_c", "c@example.com"})
	ctx := context.Background()
	dir := t.TempDir()
	list := filepath.Join(dir, "list.txt")
	os.WriteFile(list, []byte("\ufeff# who left\r\n\r\n  b@EXAMPLE.com \r\nuser_c\r\nuser_b\r\n"), 0o600)
	p, err := exclude.Pick(ctx, ro, exclude.Selection{IDs: []string{"user_a"}, Files: []string{list}, NormalizeEmail: norm})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	err = exclude.Users(ctx, ro, p, func(u exclude.User) error { ids = append(ids, u.ID); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ids); got != "[1 2 3 4]" {
		t.Errorf("picked %v, want users 1 to 4 once each", ids)
	}

	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("user_a\nuser_zz\n\nnobody@example.com\n"), 0o600)
	_, err = exclude.Pick(ctx, ro, exclude.Selection{Files: []string{bad}, NormalizeEmail: norm})
	var nm *exclude.NoMatchError
	if !errors.As(err, &nm) || nm.N != 2 || !strings.Contains(err.Error(), bad+`:2: id "user_zz"`) ||
		!strings.Contains(err.Error(), bad+`:4: email "nobody@example.com"`) {
		t.Errorf("err = %v, want the two lines that match nobody", err)
	}
	two := filepath.Join(dir, "two.txt")
	os.WriteFile(two, []byte("user_a, user_b\n"), 0o600)
	_, err = exclude.Pick(ctx, ro, exclude.Selection{Files: []string{two}})
	var le *exclude.LineError
	if !errors.As(err, &le) || le.Where != two+":1" {
		t.Errorf("err = %v, want a LineError at %s:1", err, two)
	}
}

// TestAddUndoAndRestaging: excluding twice changes nothing the second
// time; an undone exclusion is made again with the new reason; and an
// exclusion follows the user's source identity, so a user staged again
// under a new row id is still excluded.
func TestAddUndoAndRestaging(t *testing.T) {
	db, ro := newDB(t, [3]string{"clerk", "user_a", "a@example.com"}, [3]string{"clerk", "user_b", "b@example.com"})
	ctx := context.Background()
	pick := func(sel exclude.Selection) *exclude.Picked {
		t.Helper()
		p, err := exclude.Pick(ctx, ro, sel)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := pick(exclude.Selection{Where: "source_id = 'user_a'"})
	if _, err := exclude.Add(ctx, db, a, ""); err == nil {
		t.Error("an exclusion without a reason was written")
	}
	res, err := exclude.Add(ctx, db, a, "test account")
	if err != nil || res.Matched != 1 || res.Changed != 1 || res.Excluded != 0 {
		t.Fatalf("first Add = %+v, %v", res, err)
	}
	res, err = exclude.Add(ctx, db, a, "another reason")
	if err != nil || res.Changed != 0 || res.Excluded != 1 {
		t.Fatalf("second Add = %+v, %v: want nothing changed", res, err)
	}
	if got := excluded(t, db); len(got) != 1 || got[0] != "1 user_a test account [source_id = 'user_a']" {
		t.Errorf("excluded = %q", got)
	}

	// The staging row goes and comes back with a new id: still excluded.
	db.MustExec(`DELETE FROM users WHERE source_id = 'user_a'`)
	if got := excluded(t, db); len(got) != 0 {
		t.Errorf("an unstaged user shows as excluded: %q", got)
	}
	stageUser(t, db, 9, [3]string{"clerk", "user_a", "a@example.com"})
	if got := excluded(t, db); len(got) != 1 || !strings.HasPrefix(got[0], "3 user_a test account") {
		t.Errorf("after restaging, excluded = %q, want user_a under its new row id 3", got)
	}

	res, err = exclude.Undo(ctx, db, pick(exclude.Selection{IDs: []string{"user_a", "user_b"}}), false)
	if err != nil || res.Matched != 2 || res.Changed != 1 || res.Excluded != 1 {
		t.Fatalf("Undo = %+v, %v", res, err)
	}
	if got := excluded(t, db); len(got) != 0 {
		t.Errorf("after the undo, excluded = %q", got)
	}
	res, err = exclude.Add(ctx, db, pick(exclude.Selection{IDs: []string{"user_a"}}), "back again")
	if err != nil || res.Changed != 1 {
		t.Fatalf("Add after Undo = %+v, %v", res, err)
	}
	if got := excluded(t, db); len(got) != 1 || got[0] != "3 user_a back again [id user_a]" {
		t.Errorf("excluded again = %q", got)
	}

	// Undo of all reaches exclusions whose user is not staged.
	db.MustExec(`DELETE FROM users WHERE source_id = 'user_a'`)
	res, err = exclude.Undo(ctx, db, pick(exclude.Selection{Excluded: true}), true)
	if err != nil || res.Changed != 1 || res.Matched != 0 {
		t.Fatalf("Undo all = %+v, %v", res, err)
	}
	var open int
	db.Get(&open, `SELECT count(*) FROM exclusions WHERE undone_at IS NULL`)
	if open != 0 {
		t.Errorf("%d exclusions left after undoing all", open)
	}
}
