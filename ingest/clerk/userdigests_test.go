package clerk_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/clerk"
	"github.com/mig-tools/mig/ingest/ingesttest"
)

// digestLog is the debug log of one ingest, where the run says how many
// records matched the last run's digests.
type digestLog struct{ bytes.Buffer }

func (l *digestLog) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(&l.Buffer, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// matched is how many records matched, -1 when the run recorded no line.
func (l *digestLog) matched(t *testing.T) int {
	t.Helper()
	m := regexp.MustCompile(`msg="record digests" trusted=(\w+) matched=(\d+)`).FindAllStringSubmatch(l.String(), -1)
	if len(m) == 0 {
		return -1
	}
	n, _ := strconv.Atoi(m[len(m)-1][2])
	return n
}

// A re-ingest passes over the records that did not change: every user of
// the newer export that is byte for byte as before is matched by its
// record's digest and not decoded, and the database ends as a fresh
// ingest of the newer export leaves it. The users that changed, were added
// or have a warning are decoded.
func TestReingestPassesOverUnchangedRecords(t *testing.T) {
	ctx := context.Background()
	a := genClerk(t, "", "", "-n", "3000", "-orgs", "30")
	b := genClerk(t, "", "", "-n", "3000", "-orgs", "30", "-changed", "0.02", "-added", "0.01", "-removed", "0.01")
	db := ingesttest.OpenDB(t)
	var first, second digestLog
	a.Log = first.logger()
	if _, err := clerk.Ingest(ctx, db, a); err != nil {
		t.Fatal(err)
	}
	if got := first.matched(t); got != 0 {
		t.Fatalf("a first ingest matched %d records", got)
	}
	b.Log = second.logger()
	c, err := clerk.Ingest(ctx, db, b)
	if err != nil {
		t.Fatal(err)
	}
	fresh := ingesttest.OpenDB(t)
	if _, err := clerk.Ingest(ctx, fresh, clerk.Options{UsersFile: b.UsersFile, OrgMapping: b.OrgMapping, RoleMapping: b.RoleMapping}); err != nil {
		t.Fatal(err)
	}
	sameAsFresh(t, db, fresh)
	// The unchanged users are matched, but for those whose record warns
	// (decoded again to warn again) and a few whose place the removed and
	// added records moved.
	matched, warned := second.matched(t), query[int](t, db, `SELECT count(DISTINCT source_id) FROM warnings WHERE entity = 'user'`)
	if matched > c.Unchanged || matched < c.Unchanged-warned-c.Unchanged/50 {
		t.Errorf("matched %d records; the export has %d unchanged users, %d with a warning", matched, c.Unchanged, warned)
	}
}

// A user named by a record that matched and by one that did not (the
// newer export repeats an id) is staged from the first of the two and the
// other skipped, as a fresh ingest does, whichever comes first: the run
// starts again decoding every record.
func TestReingestWithARepeatedIDDecodesEverything(t *testing.T) {
	ctx := context.Background()
	a := genClerk(t, "", "", "-n", "400")
	users, err := os.ReadFile(a.UsersFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(users), "\n")
	line := lines[100] // an unchanged user's record
	changed := strings.Replace(line, ",", ",Other", 1)
	for name, b := range map[string]string{
		// The matched record first, then the same id with other values.
		"matched first": string(users) + changed,
		// The other values first, then the record that matches.
		"decoded first": lines[0] + changed + strings.Join(lines[1:], ""),
	} {
		t.Run(name, func(t *testing.T) {
			db := ingesttest.OpenDB(t)
			if _, err := clerk.Ingest(ctx, db, a); err != nil {
				t.Fatal(err)
			}
			var log digestLog
			opts := a
			opts.UsersFile, opts.Log = write(t, "b.csv", b), log.logger()
			if _, err := clerk.Ingest(ctx, db, opts); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(log.String(), "ingest again decoding every record") {
				t.Errorf("the run did not start again:\n%s", log.String())
			}
			fresh := ingesttest.OpenDB(t)
			opts.Log = nil
			if _, err := clerk.Ingest(ctx, fresh, opts); err != nil {
				t.Fatal(err)
			}
			sameAsFresh(t, db, fresh)
			if n := query[int](t, db, `SELECT count(*) FROM skipped_users WHERE reason LIKE 'duplicate id%'`); n != 1 {
				t.Errorf("%d records skipped as a repeated id, want 1", n)
			}
		})
	}
}

// A user changed in the staging database by anything but an ingest (here
// as mig check --fix changes one) drops the source's digests: the next
// re-ingest decodes every record instead of trusting digests of users that
// are no longer what the ingest made. The fixed value stays, as it always
// did: the export's record did not change.
func TestAChangedUserDropsTheDigests(t *testing.T) {
	ctx := context.Background()
	a := genClerk(t, "", "", "-n", "300")
	b := genClerk(t, "", "", "-n", "300", "-changed", "0.05")
	db := ingesttest.OpenDB(t)
	if _, err := clerk.Ingest(ctx, db, a); err != nil {
		t.Fatal(err)
	}
	sets := `SELECT count(*) FROM ingest_digest_sets WHERE role = 'users'`
	if query[int](t, db, sets) != 1 {
		t.Fatal("the first ingest recorded no users digests")
	}
	id := query[string](t, db, `SELECT source_id FROM users ORDER BY id LIMIT 1 OFFSET 10`)
	if _, err := db.Exec(`UPDATE users SET first_name = 'Fixed' WHERE source_id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if query[int](t, db, sets) != 0 {
		t.Fatal("changing a user left the digests")
	}
	var log digestLog
	b.Log = log.logger()
	if _, err := clerk.Ingest(ctx, db, b); err != nil {
		t.Fatal(err)
	}
	if got := log.matched(t); got != 0 {
		t.Errorf("the re-ingest matched %d records against digests that were dropped", got)
	}
	if got := query[string](t, db, `SELECT first_name FROM users WHERE source_id = ?`, id); got != "Fixed" {
		t.Errorf("the re-ingest changed the fixed value to %q", got)
	}
	if query[int](t, db, sets) != 1 {
		t.Error("the re-ingest recorded no digests")
	}
}

// Other options (here the TOTP issuer) decode every record again: a
// record's digest covers the options it was decoded with.
func TestOtherOptionsDecodeEveryRecord(t *testing.T) {
	ctx := context.Background()
	a := genClerk(t, "", "", "-n", "200")
	db := ingesttest.OpenDB(t)
	if _, err := clerk.Ingest(ctx, db, a); err != nil {
		t.Fatal(err)
	}
	var log digestLog
	a.TOTPIssuer, a.Log = "Other", log.logger()
	if _, err := clerk.Ingest(ctx, db, a); err != nil {
		t.Fatal(err)
	}
	if got := log.matched(t); got != 0 {
		t.Errorf("matched %d records decoded with other options", got)
	}
}

// An export in another order (here reversed, with some users changed)
// matches few records in place, decodes the rest, and still ends as a
// fresh ingest of it does.
func TestReingestOfAReorderedExport(t *testing.T) {
	ctx := context.Background()
	a := genClerk(t, "", "", "-n", "1500", "-orgs", "20")
	b := genClerk(t, "", "", "-n", "1500", "-orgs", "20", "-changed", "0.03", "-removed", "0.01")
	users, err := os.ReadFile(b.UsersFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(users), "\n"), "\n")
	body := lines[1:]
	slices.Reverse(body)
	if !strings.HasSuffix(body[0], "\n") {
		body[0] += "\n"
	}
	body[len(body)-1] = strings.TrimSuffix(body[len(body)-1], "\n") + "\n"
	b.UsersFile = write(t, "reversed.csv", lines[0]+strings.Join(body, ""))
	db := ingesttest.OpenDB(t)
	if _, err := clerk.Ingest(ctx, db, a); err != nil {
		t.Fatal(err)
	}
	var log digestLog
	b.Log = log.logger()
	if _, err := clerk.Ingest(ctx, db, b); err != nil {
		t.Fatal(err)
	}
	if got := log.matched(t); got < 0 || got > 1400 {
		t.Errorf("matched %d records of a reversed export", got)
	}
	fresh := ingesttest.OpenDB(t)
	b.Log = nil
	if _, err := clerk.Ingest(ctx, fresh, b); err != nil {
		t.Fatal(err)
	}
	sameAsFresh(t, db, fresh)
}
