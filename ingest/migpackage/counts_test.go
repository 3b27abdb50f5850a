package migpackage_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/migpackage"
	"github.com/mig-tools/mig/staging"
)

// TestManifestCounts: a count manifest.json declares that its file does not
// have stops the ingest with an error naming the file and both counts, and
// leaves the database as it was; counts a hand-built manifest leaves out are
// not checked.
func TestManifestCounts(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, dir string)
		want   []string // fragments of the error; none means the ingest succeeds
	}{
		{name: "a changed package whose counts agree", change: func(t *testing.T, dir string) {
			b, err := os.ReadFile(filepath.Join(dir, "users.csv"))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, dir, "users.csv", strings.Replace(string(b), "Grace,Hopper", "Grace B.,Hopper", 1))
		}},
		{name: "users.csv cut by one row", change: cutLastLine("users.csv"),
			want: []string{"users.csv has 2 records", "manifest.json declares 3 (entitiesExported.users)"}},
		{name: "totp_secrets.csv missing", change: remove("totp_secrets.csv"),
			want: []string{"totp_secrets.csv has 0 records", "declares 1 (entitiesExported.totpSecrets)"}},
		{name: "warnings.jsonl cut", change: cutLastLine("warnings.jsonl"),
			want: []string{"warnings.jsonl has 0 records", "declares 1 (entitiesExported.warnings)"}},
		{name: "an SSO file cut", change: cutLastLine("sso/custom_attribute_mappings.csv"),
			want: []string{"custom_attribute_mappings.csv has 1 records", "declares 2"}},
		{name: "a workos_upload file the ingest does not stage", change: func(t *testing.T, dir string) {
			setCount(t, dir, "uploadUsers", 1) // the file has its header only
		}, want: []string{filepath.Join("workos_upload", "users.csv") + " has 0 records", "declares 1 (entitiesExported.uploadUsers)"}},
		{name: "a declared count too low", change: func(t *testing.T, dir string) {
			setCount(t, dir, "organizations", 1)
		}, want: []string{"organizations.csv has 2 records", "declares 1"}},
		{name: "every mismatch named", change: func(t *testing.T, dir string) {
			cutLastLine("users.csv")(t, dir)
			remove("totp_secrets.csv")(t, dir)
		}, want: []string{"users.csv has 2 records", "totp_secrets.csv has 0 records"}},
		{name: "hand-built manifest without counts", change: func(t *testing.T, dir string) {
			cutLastLine("users.csv")(t, dir)
			writeFile(t, dir, "manifest.json", `{"schemaVersion": 1, "provider": "csv"}`)
		}},
		{name: "hand-built manifest with some counts", change: func(t *testing.T, dir string) {
			remove("totp_secrets.csv")(t, dir)
			writeFile(t, dir, "manifest.json", `{"schemaVersion": 1, "provider": "csv", "entitiesExported": {"users": 3}}`)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyPackage(t, "../../testdata/packages/handbuilt-sso")
			ctx := context.Background()
			db, err := staging.Open(ctx, filepath.Join(t.TempDir(), "mig.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// A first ingest of the whole package, so "as it was" is not
			// merely empty.
			if _, err := migpackage.IngestPackage(ctx, db, migpackage.Options{Dir: "../../testdata/packages/handbuilt-sso"}); err != nil {
				t.Fatal(err)
			}
			before := dumpTables(t, db)
			if tc.change != nil {
				tc.change(t, dir)
			}
			_, err = migpackage.IngestPackage(ctx, db, migpackage.Options{Dir: dir})
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("ingest: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ingest succeeded; want an error with %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if after := dumpTables(t, db); after != before {
				t.Errorf("the refused ingest changed the database:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// copyPackage copies the package at src into a new directory.
func copyPackage(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func writeFile(t *testing.T, dir, rel, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// cutLastLine drops the file's last line, as a copy cut short would.
func cutLastLine(rel string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
		writeFile(t, dir, rel, strings.Join(lines[:len(lines)-1], ""))
	}
}

func remove(rel string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
			t.Fatal(err)
		}
	}
}

// setCount rewrites manifest.json's entitiesExported[key].
func setCount(t *testing.T, dir, key string, n int) {
	t.Helper()
	p := filepath.Join(dir, "manifest.json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["entitiesExported"].(map[string]any)[key] = n
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "manifest.json", string(b))
}

// dumpTables is every row of every table, as text to compare.
func dumpTables(t *testing.T, db *staging.DB) string {
	t.Helper()
	var tables []string
	if err := db.Select(&tables, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, table := range tables {
		rows, err := db.Queryx(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals, err := rows.SliceScan()
			if err != nil {
				t.Fatal(err)
			}
			j, _ := json.Marshal(vals)
			b.WriteString(table + " " + string(j) + "\n")
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}
