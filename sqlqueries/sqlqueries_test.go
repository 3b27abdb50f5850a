package sqlqueries_test

import (
	"reflect"
	"testing"

	"github.com/mig-tools/mig/sqlqueries"
)

func TestParseHeader(t *testing.T) {
	q := sqlqueries.Parse("checks/x.sql", `-- name: email_duplicate
-- severity: error
-- description: Two staged users share
--   a normalised email.
-- a plain comment: not a key because it has spaces
SELECT 1;`)
	if q.Name != "email_duplicate" || q.Get("severity") != "error" {
		t.Fatalf("header = %+v", q.Header)
	}
	if got := q.Get("description"); got != "Two staged users share a normalised email. a plain comment: not a key because it has spaces" {
		t.Fatalf("description = %q", got)
	}
	if q := sqlqueries.Parse("inspect/y.sql", "SELECT 1"); q.Name != "y" {
		t.Fatalf("name without header = %q", q.Name)
	}
}

func TestStatements(t *testing.T) {
	got := sqlqueries.Statements(`-- header
INSERT INTO t VALUES ('a;
b', 'it''s'); -- the user's; comment
/* a block; with 'quotes */
DELETE FROM t WHERE "odd;name" = 1;

SELECT 1`)
	want := []string{"INSERT INTO t VALUES ('a;\nb', 'it''s');", `DELETE FROM t WHERE "odd;name" = 1;`, "SELECT 1"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Statements = %q, want %q", got, want)
	}
}

// Every embedded query has a name, and names are unique within a folder.
func TestEmbeddedQueriesHaveUniqueNames(t *testing.T) {
	for _, dir := range []string{"checks", "checkrun", "cmd", "emit", "ingest", "inspect", "importer", "readback", "reconcile", "report", "rollback", "staging"} {
		qs, err := sqlqueries.Dir(dir)
		if err != nil {
			continue // a folder may not exist yet
		}
		seen := map[string]bool{}
		for _, q := range qs {
			if seen[q.Name] {
				t.Errorf("%s: two queries named %q", dir, q.Name)
			}
			seen[q.Name] = true
		}
	}
}

// Fill splices every placeholder, and a placeholder without a value or a
// value without a placeholder is a mistake that panics.
func TestFill(t *testing.T) {
	q := sqlqueries.Parse("x/wrap.sql", "-- name: wrap\nUPDATE {{table}} SET {{column}} = 1 WHERE {{table}}.id IN (\n{{query}}\n)")
	got := q.Fill(map[string]string{"table": "users", "column": "email", "query": "SELECT 1"})
	if want := "-- name: wrap\nUPDATE users SET email = 1 WHERE users.id IN (\nSELECT 1\n)"; got != want {
		t.Fatalf("Fill = %q, want %q", got, want)
	}
	for name, vals := range map[string]map[string]string{
		"missing value":       {"table": "users", "column": "email"},
		"missing placeholder": {"table": "users", "column": "email", "query": "SELECT 1", "other": "x"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			q.Fill(vals)
		}()
	}
	defer func() {
		if recover() == nil {
			t.Error("a placeholder in a comment: no panic")
		}
	}()
	sqlqueries.Parse("x/c.sql", "-- wraps {{query}}\nSELECT * FROM ({{query}})").Fill(map[string]string{"query": "SELECT 1"})
}
