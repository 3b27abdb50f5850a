package ingest_test

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/ingesttest"
	"github.com/mig-tools/mig/staging"
)

// digestLog is what the runs said of the mapping files they read with the
// last run's record digests: per file, the users whose lines changed, how
// many times it was read and the lines staged, e.g. "orgs.csv
// users_changed=1 reads=2 lines_staged=2".
func digestLog(log string) string {
	re := regexp.MustCompile(`msg="mapping file applied by its record digests" file=\S*/(\S+) lines=\d+ users_changed=(\d+) every_line=\w+ reads=(\d) lines_staged=(\d+)`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(log, -1) {
		out = append(out, m[1]+" users_changed="+m[2]+" reads="+m[3]+" lines_staged="+m[4])
	}
	return strings.Join(out, ", ")
}

func mappingDigestSets(t *testing.T, db *staging.DB) string {
	t.Helper()
	return get[string](t, db, `SELECT coalesce(group_concat(role, ' '), '') FROM (SELECT role FROM ingest_digest_sets
		WHERE role LIKE '%mapping' ORDER BY role)`)
}

// A re-ingest applying its mapping files by difference reads them with the
// record digests the last run recorded: when no line changed, it reads
// each file once and stages none of its lines (here the users file changed:
// a user is new, so the same mapping files are read); when a user's lines
// changed (or a line names another user now: two users swapped emails), it
// stages the lines of those users only (a user whose email changed has
// none: the line that named it names no user now, and warns). The result
// is what a fresh ingest of the same files makes.
func TestReingestReadsMappingFilesByTheirDigests(t *testing.T) {
	ctx := context.Background()
	users := "id,email\nu1,a@example.com\nu2,b@example.com\nu3,c@example.com\nu4,d@example.com\n"
	byID := "fake_uid,org_name\nu1,Team A\nu2,Team B\nu2,Team C\nu3,Team A\nu4,Team B\n"
	byEmail := "email,org_name\na@example.com,Team A\nb@example.com,Team B\nc@example.com,Team A\n"
	// u3's member line is there twice.
	roles := "fake_uid,role_slug\nu1,admin\nu2,member\nu3,member\nu3,admin\nu3,member\n"
	for _, tc := range []struct {
		name               string
		orgs, roles        [2]string // the files of the first run, then of the re-ingest
		users              [2]string
		want               string // digestLog of the re-ingest
		wantMade, wantRows string
	}{
		{name: "nothing changed in the mappings, a user is new",
			orgs: [2]string{byID, byID}, roles: [2]string{roles, roles},
			users: [2]string{users, users + "u5,e@example.com\n"},
			want:  "orgs.csv users_changed=0 reads=1 lines_staged=0, roles.csv users_changed=0 reads=1 lines_staged=0"},
		{name: "one user's lines changed, another's moved",
			orgs:  [2]string{byID, strings.Replace(byID, "u2,Team C\n", "u2,Team D\n", 1)},
			roles: [2]string{roles, "fake_uid,role_slug\nu3,member\nu3,admin\nu3,member\nu1,admin\nu2,member\n"},
			users: [2]string{users, users + "u5,e@example.com\n"},
			want:  "orgs.csv users_changed=1 reads=2 lines_staged=2, roles.csv users_changed=0 reads=1 lines_staged=0"},
		{name: "by email, two users swapped emails",
			orgs: [2]string{byEmail, byEmail}, roles: [2]string{roles, roles},
			users: [2]string{users, strings.NewReplacer("u1,a@", "u1,b@", "u2,b@", "u2,a@").Replace(users)},
			want:  "orgs.csv users_changed=2 reads=2 lines_staged=2"},
		{name: "by email, a user's email changed",
			orgs: [2]string{byEmail, byEmail}, roles: [2]string{roles, roles},
			users: [2]string{users, strings.Replace(users, "u1,a@", "u1,z@", 1)},
			want:  "orgs.csv users_changed=2 reads=2 lines_staged=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := ingesttest.OpenDB(t)
			first := csvSource(writeTemp(t, "u1.csv", tc.users[0]), writeTemp(t, "orgs.csv", tc.orgs[0]), writeTemp(t, "roles.csv", tc.roles[0]), nil)
			if _, err := ingest.Ingest(ctx, db, first); err != nil {
				t.Fatal(err)
			}
			if got := mappingDigestSets(t, db); got != "org_mapping role_mapping" {
				t.Fatalf("record digests of the mappings after the first run: %q", got)
			}
			var log strings.Builder
			files := []string{writeTemp(t, "u2.csv", tc.users[1]), writeTemp(t, "orgs.csv", tc.orgs[1]), writeTemp(t, "roles.csv", tc.roles[1])}
			if _, err := ingest.Ingest(ctx, db, csvSource(files[0], files[1], files[2],
				slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})))); err != nil {
				t.Fatal(err)
			}
			if got := digestLog(log.String()); got != tc.want {
				t.Errorf("read by the record digests: %q\nwant %q\n%s", got, tc.want, log.String())
			}
			fresh := ingesttest.OpenDB(t)
			if _, err := ingest.Ingest(ctx, fresh, csvSource(files[0], files[1], files[2], nil)); err != nil {
				t.Fatal(err)
			}
			if got, want := mappingMade(t, db), mappingMade(t, fresh); got != want {
				t.Errorf("after the re-ingest: %s\nafter a fresh ingest: %s", got, want)
			}
			lines := `SELECT group_concat(l, ' ') FROM (SELECT source_user_id || '@' || coalesce(org_name, '') AS l FROM org_mapping_rows
				UNION ALL SELECT source_user_id || '=' || role_slug FROM role_mapping_rows ORDER BY l)`
			if got, want := get[string](t, db, lines), get[string](t, fresh, lines); got != want {
				t.Errorf("mapping lines after the re-ingest: %s\nafter a fresh ingest: %s", got, want)
			}
			if got := mappingDigestSets(t, db); got != "org_mapping role_mapping" {
				t.Errorf("record digests of the mappings after the re-ingest: %q", got)
			}
		})
	}
}

// A run that changes a mapping's lines otherwise than by reading its file
// leaves no record digests of that mapping, so the next run reads the file
// in full: a mapping stated complete with no file, and lines a decoder
// handed over beside the file. A run that does not read a mapping file
// because the last run read the same one keeps them.
func TestMappingDigestsGoWhenLinesComeFromElsewhere(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	users := writeTemp(t, "u.csv", "id,email\nu1,a@example.com\nu2,b@example.com\n")
	orgs := writeTemp(t, "orgs.csv", "fake_uid,org_name\nu1,Team A\nu2,Team B\n")
	roles := writeTemp(t, "roles.csv", "fake_uid,role_slug\nu1,admin\n")
	if _, err := ingest.Ingest(ctx, db, csvSource(users, orgs, roles, nil)); err != nil {
		t.Fatal(err)
	}
	// The same files but one more user: the org mapping is not read (the
	// same file), and its digests stay.
	users2 := writeTemp(t, "u2.csv", "id,email\nu1,a@example.com\nu2,b@example.com\n\n")
	if _, err := ingest.Ingest(ctx, db, csvSource(users2, orgs, roles, nil)); err != nil {
		t.Fatal(err)
	}
	if got := mappingDigestSets(t, db); got != "org_mapping role_mapping" {
		t.Fatalf("record digests after a run that read no mapping file: %q", got)
	}
	// No org-mapping file, but memberships stated complete: they are all
	// removed.
	noOrgs := csvSource(users, "", roles, nil)
	noOrgs.Complete = []ingest.Kind{ingest.Memberships}
	if _, err := ingest.Ingest(ctx, db, noOrgs); err != nil {
		t.Fatal(err)
	}
	if got := mappingDigestSets(t, db); got != "role_mapping" {
		t.Fatalf("record digests after a run that removed the org mapping: %q", got)
	}
	// The files again, and a role line the decoder hands over.
	withLine := csvSource(users2, orgs, roles, nil)
	decode := withLine.Decode
	withLine.Decode = func(ctx context.Context, in ingest.Inputs, sink ingest.DefinitionSink) error {
		if err := decode(ctx, in, sink); err != nil {
			return err
		}
		return sink.AddRoleMappingRow(ctx, "api", ingest.RoleMappingRow{Row: 1, SourceUserID: "u2", RoleSlug: "viewer"})
	}
	if _, err := ingest.Ingest(ctx, db, withLine); err != nil {
		t.Fatal(err)
	}
	if got := mappingDigestSets(t, db); got != "org_mapping" {
		t.Fatalf("record digests after a run whose decoder handed over role lines: %q", got)
	}
	if got := mappingMade(t, db); got != "member:u1@Team A member:u2@Team B role:u1=admin role:u2=viewer" {
		t.Fatalf("made: %s", got)
	}
}

// When more users' lines changed than a re-ingest collects in memory, it
// stages every line of the file and compares them in SQL, as without record
// digests, and the result is still what a fresh ingest makes.
func TestReingestStagesEveryLineWhenManyChanged(t *testing.T) {
	defer ingest.SetMappingRedoMax(1)()
	ctx := context.Background()
	users := writeTemp(t, "u.csv", "id,email\nu1,a@example.com\nu2,b@example.com\nu3,c@example.com\n")
	users2 := writeTemp(t, "u2.csv", "id,email\nu1,a@example.com\nu2,b@example.com\nu3,c@example.com\nu4,d@example.com\n")
	roles := writeTemp(t, "roles.csv", "fake_uid,role_slug\nu1,admin\n")
	db := ingesttest.OpenDB(t)
	if _, err := ingest.Ingest(ctx, db, csvSource(users, writeTemp(t, "orgs.csv", "fake_uid,org_name\nu1,Team A\nu2,Team B\nu3,Team C\n"), roles, nil)); err != nil {
		t.Fatal(err)
	}
	orgs := writeTemp(t, "orgs.csv", "fake_uid,org_name\nu1,Team B\nu2,Team C\nu3,Team C\nu4,Team A\n")
	var log strings.Builder
	if _, err := ingest.Ingest(ctx, db, csvSource(users2, orgs, roles,
		slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "every_line=true reads=2 lines_staged=4") {
		t.Errorf("the re-ingest did not stage every line:\n%s", log.String())
	}
	fresh := ingesttest.OpenDB(t)
	if _, err := ingest.Ingest(ctx, fresh, csvSource(users2, orgs, roles, nil)); err != nil {
		t.Fatal(err)
	}
	if got, want := mappingMade(t, db), mappingMade(t, fresh); got != want {
		t.Errorf("after the re-ingest: %s\nafter a fresh ingest: %s", got, want)
	}
}
