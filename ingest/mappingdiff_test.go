package ingest_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/ingesttest"
	"github.com/mig-tools/mig/staging"
)

// csvSource is a file source whose users file has the columns id and email,
// and whose mapping files name users by fake_uid or email.
func csvSource(users, orgs, roles string, log *slog.Logger) ingest.Spec {
	return ingest.Spec{
		Source:   ingest.Source{Provider: "fake"},
		Files:    []*ingest.File{{Role: "users", Path: users}},
		Mappings: ingest.Mappings{OrgMapping: orgs, RoleMapping: roles, UserColumns: []string{"fake_uid", ingest.EmailColumn}},
		Log:      log,
		Decode: func(ctx context.Context, in ingest.Inputs, sink ingest.DefinitionSink) error {
			f, c, err := in.OpenCSV(users)
			if err != nil {
				return err
			}
			defer f.Close()
			if _, err := c.Header("id", "email"); err != nil {
				return err
			}
			_, err = c.Each(ctx, func(get func(string) string, line int) error {
				return sink.AddUser(ctx, users, &ingest.User{SourceID: get("id"), Row: line, EmailRaw: get("email")})
			})
			return err
		},
	}
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// mappingMade is what a mapping made, by source id and organization name.
func mappingMade(t *testing.T, db *staging.DB) string {
	t.Helper()
	return get[string](t, db, `SELECT coalesce(group_concat(k, ' '), '') FROM (
		SELECT 'member:' || u.source_id || '@' || o.name AS k FROM memberships m
		JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id
		UNION ALL SELECT 'role:' || u.source_id || '=' || r.role_slug FROM role_assignments r JOIN users u ON u.id = r.user_id
		UNION ALL SELECT 'warning:' || code || ':' || source_id FROM warnings
		ORDER BY k)`)
}

// A re-ingest whose mapping files are the last run's, with no user new,
// does not read them: every line would make what it made before, and the
// database is the same as a fresh ingest's. The same files are read again
// when a user is new (a line may name it now: here a line that warned), or
// when they name users by email and a user changed (a line may name
// another user now: here two users swap emails).
func TestReingestWithTheSameMappingFiles(t *testing.T) {
	ctx := context.Background()
	users := "id,email\nu1,a@example.com\nu2,b@example.com\n"
	swapped := "id,email\nu1,b@example.com\nu2,a@example.com\n"
	added := users + "u3,c@example.com\n"
	byID := "fake_uid,org_name\nu1,Team A\nu2,Team B\n"
	byEmail := "email,org_name\na@example.com,Team A\n"
	unknown := byID + "u3,Team C\n"
	roles := "fake_uid,role_slug\nu1,admin\n"
	for _, tc := range []struct {
		name, orgs, before, after string
		notRead                   int // mapping files the re-ingest did not read
		want                      string
	}{
		{"by id, users changed", byID, users, swapped, 2,
			"member:u1@Team A member:u2@Team B role:u1=admin"},
		{"by email, users changed", byEmail, users, swapped, 1,
			"member:u2@Team A role:u1=admin"},
		{"by email, no user changed", byEmail, users, users + "\n", 2,
			"member:u1@Team A role:u1=admin"},
		{"a user new", unknown, users, added, 0,
			"member:u1@Team A member:u2@Team B member:u3@Team C role:u1=admin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orgs, roleFile := writeTemp(t, "orgs.csv", tc.orgs), writeTemp(t, "roles.csv", roles)
			db := ingesttest.OpenDB(t)
			if _, err := ingest.Ingest(ctx, db, csvSource(writeTemp(t, "u1.csv", tc.before), orgs, roleFile, nil)); err != nil {
				t.Fatal(err)
			}
			var log strings.Builder
			after := writeTemp(t, "u2.csv", tc.after)
			c, err := ingest.Ingest(ctx, db, csvSource(after, orgs, roleFile,
				slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Count(log.String(), "mapping file not read"); got != tc.notRead {
				t.Errorf("%d mapping files not read, want %d:\n%s", got, tc.notRead, log.String())
			}
			if got := mappingMade(t, db); got != tc.want {
				t.Errorf("after the re-ingest: %s\nwant %s", got, tc.want)
			}
			fresh := ingesttest.OpenDB(t)
			fc, err := ingest.Ingest(ctx, fresh, csvSource(after, orgs, roleFile, nil))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := mappingMade(t, db), mappingMade(t, fresh); got != want {
				t.Errorf("after the re-ingest: %s\nafter a fresh ingest: %s", got, want)
			}
			if c.Warnings != fc.Warnings || c.Members != fc.Members || c.Roles != fc.Roles {
				t.Errorf("counts = %+v, a fresh ingest's = %+v", c, fc)
			}
			// Each run records the rows of the mapping files, read or not.
			orgRows := strings.Count(tc.orgs, "\n") - 1
			if got, want := get[string](t, db, `SELECT group_concat(rows, ' ') FROM ingest_files WHERE role = 'org_mapping'`),
				fmt.Sprintf("%d %d", orgRows, orgRows); got != want {
				t.Errorf("org mapping rows recorded by the two runs: %s, want %s", got, want)
			}
			if got := get[string](t, db, `SELECT group_concat(rows, ' ') FROM ingest_files WHERE role = 'role_mapping'`); got != "1 1" {
				t.Errorf("role mapping rows recorded by the two runs: %s, want 1 1", got)
			}
		})
	}
}
