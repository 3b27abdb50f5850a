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
	for _, dir := range []string{"checks", "emit", "ingest", "inspect", "importer", "reconcile", "readback", "rollback"} {
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
