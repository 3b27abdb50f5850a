package checks_test

import (
	"context"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/checks"
	"github.com/mig-tools/mig/staging"
)

var update = flag.Bool("update", false, "rewrite the golden want.csv files under testdata/checks")

// seedPreamble gives seeds two ingest runs to point at and a temporary view
// whose trigger fills the users columns a rule never looks at, so a seed is
// only the columns the case is about.
const seedPreamble = `
INSERT INTO ingest_runs (id, provider, started_at) VALUES (1, 'clerk', '2026-01-01T00:00:00.000Z'), (2, 'auth0', '2026-01-01T00:00:00.000Z');
CREATE TEMP VIEW seed_users AS SELECT id, source, source_tenant, source_id, row_number, email_raw, email, first_name, last_name,
    email_verified, password, password_hash, password_hash_type, source_hasher, source_password_digest, external_id, username, metadata
    FROM main.users;
CREATE TEMP TRIGGER seed_users_insert INSTEAD OF INSERT ON seed_users BEGIN
    INSERT INTO main.users (id, source, source_tenant, source_id, ingest_run_id, first_run_id, last_seen_run_id, row_number,
        email_raw, email, first_name, last_name, email_verified, password, password_hash, password_hash_type, source_hasher,
        source_password_digest, external_id, username, metadata, raw, content_hash)
    VALUES (NEW.id, coalesce(NEW.source, 'clerk'), coalesce(NEW.source_tenant, ''), NEW.source_id,
        CASE coalesce(NEW.source, 'clerk') WHEN 'auth0' THEN 2 ELSE 1 END, 1, 1, coalesce(NEW.row_number, 2),
        NEW.email_raw, coalesce(NEW.email, lower(trim(NEW.email_raw))), NEW.first_name, NEW.last_name, NEW.email_verified,
        NEW.password, NEW.password_hash, NEW.password_hash_type, NEW.source_hasher, NEW.source_password_digest,
        NEW.external_id, NEW.username, coalesce(NEW.metadata, '{}'), '{}', 'seed');
END;
`

// openDB returns a fresh staging database in the test's temp dir.
func openDB(t testing.TB) *staging.DB {
	t.Helper()
	db, err := staging.Open(context.Background(), filepath.Join(t.TempDir(), "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// seed runs the preamble and a seed script on db.
func seed(t testing.TB, db *staging.DB, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(seedPreamble + string(b)); err != nil {
		t.Fatalf("seed %s: %v", path, err)
	}
}

// findingsCSV is the findings of one rule as CSV, in a stable order.
func findingsCSV(t testing.TB, db *staging.DB, rule string) string {
	t.Helper()
	rows, err := db.Query(`SELECT severity, entity, coalesce(entity_id, ''), coalesce(source, ''), coalesce(source_id, ''),
		coalesce(row_number, ''), message FROM findings WHERE rule = ? ORDER BY entity, entity_id, message`, rule)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"severity", "entity", "entity_id", "source", "source_id", "row_number", "message"})
	for rows.Next() {
		rec := make([]string, 7)
		ptrs := make([]any, 7)
		for i := range rec {
			ptrs[i] = &rec[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		w.Write(rec)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	return b.String()
}

// TestRulesOnEmptyDB runs every rule on an empty staging database: a rule
// whose SQL does not compile, or does not return the finding columns, fails
// here instead of in a user's run.
func TestRulesOnEmptyDB(t *testing.T) {
	db := openDB(t)
	rep, err := checks.Run(context.Background(), db, checks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rules, err := checks.Rules()
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rules) != len(rules) || len(rules) < 20 {
		t.Fatalf("ran %d of %d rules", len(rep.Rules), len(rules))
	}
	for _, r := range rep.Rules {
		if r.Findings != 0 {
			t.Errorf("rule %s: %d findings on an empty database", r.Name, r.Findings)
		}
		// A comment right under the header would run on into the
		// description; rules put such notes in /* */ instead.
		if !strings.HasSuffix(r.Description, ".") || strings.Contains(r.Description, "SELECT") {
			t.Errorf("rule %s: description %q does not read as one", r.Name, r.Description)
		}
		if want := strings.TrimSuffix(filepath.Base(r.Path), ".sql"); r.Name != want {
			t.Errorf("rule %s lives in %s", r.Name, r.Path)
		}
	}
	if rep.Err() != nil {
		t.Errorf("empty database: %v", rep.Err())
	}
}

// TestGolden runs each rule on its seed (testdata/checks/<rule>/seed.sql)
// and compares its findings with want.csv. Every rule must have a case that
// finds something. It also runs every other rule on each seed, so every
// rule meets data of every shape.
func TestGolden(t *testing.T) {
	rules, err := checks.Rules()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		t.Run(r.Name, func(t *testing.T) {
			dir := filepath.Join("..", "testdata", "checks", r.Name)
			db := openDB(t)
			seed(t, db, filepath.Join(dir, "seed.sql"))
			rep, err := checks.Run(context.Background(), db, checks.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := findingsCSV(t, db, r.Name)
			if strings.Count(got, "\n") < 2 {
				t.Errorf("the seed of %s gives it nothing to find", r.Name)
			}
			for _, rr := range rep.Rules {
				if rr.Name == r.Name && rr.Severity != strings.SplitN(strings.Split(got, "\n")[1]+",", ",", 2)[0] {
					t.Errorf("severity %s not in findings", rr.Severity)
				}
			}
			want := filepath.Join(dir, "want.csv")
			if *update {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			b, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != got {
				t.Errorf("findings of %s differ from %s\n--- got\n%s--- want\n%s", r.Name, want, got, b)
			}
		})
	}
}

// TestRolesNeverSentAreReported holds role_without_membership to what the
// importer sends: the role_slugs of staged_memberships, one request per
// membership. Every assignment that no membership of its user carries must
// be in a finding of its user and organization, and no other (issue 11:
// 598 such assignments were dropped without a word).
func TestRolesNeverSentAreReported(t *testing.T) {
	db := openDB(t)
	seed(t, db, filepath.Join("..", "testdata", "checks", "role_without_membership", "seed.sql"))
	if _, err := checks.Run(context.Background(), db, checks.Options{Rules: []string{"role_without_membership"}}); err != nil {
		t.Fatal(err)
	}
	var unsent []string
	if err := db.Select(&unsent, `SELECT DISTINCT ra.user_id || ' ' || ra.scope_key FROM role_assignments ra
		WHERE NOT EXISTS (SELECT 1 FROM staged_memberships sm, json_each(sm.role_slugs) s
		                  WHERE sm.user_id = ra.user_id AND s.value = ra.role_slug
		                    AND (ra.organization_id IS NULL OR sm.organization_id = ra.organization_id))
		ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	var found []string
	if err := db.Select(&found, `SELECT ra.user_id || ' ' || ra.scope_key FROM findings f JOIN role_assignments ra ON ra.id = f.entity_id
		WHERE f.rule = 'role_without_membership' ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if len(unsent) == 0 || strings.Join(found, "; ") != strings.Join(unsent, "; ") {
		t.Errorf("findings for %q; the importer leaves out the roles of %q", found, unsent)
	}
}
