package clerk_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/clerk"
	"github.com/mig-tools/mig/ingest/ingesttest"
	"github.com/mig-tools/mig/staging"
)

// mappingLines are the lines of a mapping file after its header.
type mappingLines struct{ header, lines []string }

func readLines(t *testing.T, path string) mappingLines {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	return mappingLines{header: l[:1], lines: l[1:]}
}

func (m mappingLines) write(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(append(slices.Clone(m.header), m.lines...), "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// A re-ingest that finds the changed mapping lines from the last run's
// record digests leaves the database as a fresh ingest of the new export
// does, whatever changed in the mapping files between the two exports:
// lines reordered, repeated or no longer repeated, a user's lines moved,
// a role line's organization changed, and a line changed in the database
// between the runs (a check fix: the digests are dropped). Each case
// changes the files of one generated export (A) into B; both are ingested
// as in TestReingestEqualsAFreshIngest.
func TestReingestByDigestsEqualsAFreshIngest(t *testing.T) {
	ctx := context.Background()
	base := genClerk(t, "", "", "-n", "300", "-orgs", "10")
	// The role lines name an organization too, by external id.
	roles := readLines(t, base.RoleMapping)
	roles.header[0] += ",org_external_id"
	for i := range roles.lines {
		roles.lines[i] += ",acct-" + string(rune('1'+i%3))
	}
	roles.write(t, base.RoleMapping)
	orgs := readLines(t, base.OrgMapping)
	userOf := func(line string) string { return line[:strings.IndexByte(line, ',')] }

	type change func(orgs, roles *mappingLines)
	reverse := func(l []string, from, to int) { slices.Reverse(l[from:to]) }
	for _, tc := range []struct {
		name string
		a, b change
		// between runs, in the database A made
		between []string
		// the mapping files the re-ingest reads by their digests
		byDigests int
	}{
		{name: "lines reordered", b: func(o, r *mappingLines) { reverse(o.lines, 10, 60); reverse(r.lines, 20, 90) }, byDigests: 2},
		{name: "a line repeated", b: func(o, r *mappingLines) {
			o.lines = slices.Insert(o.lines, 40, o.lines[5])
			r.lines = slices.Insert(r.lines, 7, r.lines[7])
		}, byDigests: 2},
		{name: "a repeated line no longer", a: func(o, r *mappingLines) {
			o.lines = slices.Insert(o.lines, 40, o.lines[5])
			r.lines = slices.Insert(r.lines, 7, r.lines[7])
		}, byDigests: 2},
		{name: "a user's lines moved to the end", b: func(o, r *mappingLines) {
			u := userOf(o.lines[3])
			for _, m := range []*mappingLines{o, r} {
				var moved []string
				m.lines = slices.DeleteFunc(m.lines, func(l string) bool {
					if userOf(l) == u {
						moved = append(moved, l)
						return true
					}
					return false
				})
				m.lines = append(m.lines, moved...)
			}
		}, byDigests: 2},
		{name: "a role line's organization changed", b: func(o, r *mappingLines) {
			r.lines[10] = strings.TrimSuffix(r.lines[10], r.lines[10][len(r.lines[10])-1:]) + "9"
		}, byDigests: 1}, // the org mapping is not read at all (the same file)
		{name: "lines changed in the database between the runs",
			b: func(o, r *mappingLines) {
				o.lines = slices.Delete(o.lines, 20, 21)
				r.lines[30] = strings.Replace(r.lines[30], "org-", "team-", 1)
			},
			between: []string{
				`UPDATE org_mapping_rows SET org_name = 'Fixed by hand' WHERE id = (SELECT min(id) FROM org_mapping_rows)`,
				`UPDATE role_mapping_rows SET role_slug = 'fixed-by-hand' WHERE id = (SELECT max(id) FROM role_mapping_rows)`,
			}, byDigests: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			export := func(c change) clerk.Options {
				dir := t.TempDir()
				o, r := orgs, roles
				o.lines, r.lines = slices.Clone(orgs.lines), slices.Clone(roles.lines)
				if c != nil {
					c(&o, &r)
				}
				opts := base
				opts.OrgMapping, opts.RoleMapping = filepath.Join(dir, "orgs.csv"), filepath.Join(dir, "roles.csv")
				o.write(t, opts.OrgMapping)
				r.write(t, opts.RoleMapping)
				return opts
			}
			a, b := export(tc.a), export(tc.b)
			delta := ingesttest.OpenDB(t)
			if _, err := clerk.Ingest(ctx, delta, a); err != nil {
				t.Fatal(err)
			}
			for _, q := range tc.between {
				if _, err := delta.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			var log strings.Builder
			b.Log = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
			if _, err := clerk.Ingest(ctx, delta, b); err != nil {
				t.Fatal(err)
			}
			if got := strings.Count(log.String(), "applied by its record digests"); got != tc.byDigests {
				t.Errorf("%d mapping files read by their digests, want %d:\n%s", got, tc.byDigests, log.String())
			}
			b.Log = nil
			fresh := ingesttest.OpenDB(t)
			if _, err := clerk.Ingest(ctx, fresh, b); err != nil {
				t.Fatal(err)
			}
			sameAsFresh(t, delta, fresh)
			// The re-ingest recorded the digests of both files again.
			if got := digestSets(t, delta); got != "org_mapping role_mapping" {
				t.Errorf("record digests of the mappings after the re-ingest: %q", got)
			}
		})
	}
}

// digestSets names the sets of record digests of mapping files a database
// holds.
func digestSets(t *testing.T, db *staging.DB) string {
	t.Helper()
	var s string
	if err := db.Get(&s, `SELECT coalesce(group_concat(role, ' '), '') FROM (SELECT role FROM ingest_digest_sets
		WHERE role LIKE '%mapping' ORDER BY role)`); err != nil {
		t.Fatal(err)
	}
	return s
}
