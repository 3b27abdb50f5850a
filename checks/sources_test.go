package checks_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/checks"
	"github.com/mig-tools/mig/ingest/clerk"
	"github.com/mig-tools/mig/ingest/migpackage"
	"github.com/mig-tools/mig/staging"
)

// TestOddTextFromEverySource: issue 11 found NUL bytes, control characters
// and a huge first_name staged from Clerk, package and CSV exports without
// a word. Each source's own ingest stages them; control_characters and
// name_too_long must report them, one user each.
func TestOddTextFromEverySource(t *testing.T) {
	ctx := context.Background()
	long := strings.Repeat("x", 100_000)
	// The same two users in each format: Ann with a NUL in her first name
	// and an escape in her last, Bob with a first name of 100,000
	// characters.
	const workosHeader = "email,first_name,last_name,email_verified,external_id\n"
	workosRows := "ann@example.com,An\x00n,\x1b[31mLee,true,u1\nbob@example.com," + long + ",Brown,true,u2\n"
	sources := []struct {
		name  string
		files map[string]string
		stage func(db *staging.DB, dir string) error
	}{
		{"clerk", map[string]string{"export.csv": "id,first_name,last_name,username,primary_email_address,primary_phone_number,verified_email_addresses," +
			"unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,totp_secret,password_digest,password_hasher\n" +
			"user_1,An\x00n,\x1b[31mLee,,ann@example.com,,ann@example.com,,,,,,\n" +
			"user_2," + long + ",Brown,,bob@example.com,,bob@example.com,,,,,,\n"},
			func(db *staging.DB, dir string) error {
				_, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: filepath.Join(dir, "export.csv")})
				return err
			}},
		{"csv", map[string]string{"users.csv": workosHeader + workosRows},
			func(db *staging.DB, dir string) error {
				_, err := migpackage.IngestCSV(ctx, db, migpackage.CSVOptions{File: filepath.Join(dir, "users.csv")})
				return err
			}},
		{"package", map[string]string{
			"manifest.json": `{"schemaVersion": 1, "provider": "csv", "generatedAt": "2026-04-29T00:00:00Z", "entitiesRequested": [],
				"entitiesExported": {"users": 2}, "files": {"users": "users.csv"}, "importability": {}, "secretsRedacted": false, "warnings": []}`,
			"users.csv": "email,password,password_hash,password_hash_type,first_name,last_name,email_verified,external_id,metadata,org_id,org_external_id,org_name,role_slugs\n" +
				"ann@example.com,,,,An\x00n,\x1b[31mLee,true,u1,,,,,\n" +
				"bob@example.com,,,," + long + ",Brown,true,u2,,,,,\n"},
			func(db *staging.DB, dir string) error {
				_, err := migpackage.IngestPackage(ctx, db, migpackage.Options{Dir: dir})
				return err
			}},
	}
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range src.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			db := openDB(t)
			if err := src.stage(db, dir); err != nil {
				t.Fatalf("ingest: %v", err)
			}
			rep, err := checks.Run(ctx, db, checks.Options{Rules: []string{"control_characters", "name_too_long"}})
			if err != nil {
				t.Fatal(err)
			}
			got := findingsCSV(t, db, "control_characters") + findingsCSV(t, db, "name_too_long")
			for _, want := range []string{"first_name has U+0000, last_name has U+001B", "first_name is 100000 characters"} {
				if !strings.Contains(got, want) {
					t.Errorf("no finding with %q; got\n%s", want, got)
				}
			}
			if rep.Warnings() != 2 {
				t.Errorf("%d warnings, want 2:\n%s", rep.Warnings(), got)
			}
		})
	}
}
