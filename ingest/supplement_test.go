package ingest_test

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/ingesttest"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/passhash"
	"github.com/mig-tools/mig/staging"
)

// A bcrypt hash of "Password1!" (testdata/fixtures/auth0, zitadel docs).
const knownHash = "$2b$10$d.GvZhGwTllA7OdAmsA75uGGzqr/mhdQoU88M3zD.fX3Vb8Rcf33."

// stageUsers ingests users of a source from (id, email) pairs, as an API
// source without passwords would.
func stageUsers(t *testing.T, db *staging.DB, provider string, users ...[2]string) ingest.Counts {
	t.Helper()
	c, err := ingest.Ingest(context.Background(), db, ingest.Spec{Source: ingest.Source{Provider: provider},
		Decode: func(ctx context.Context, _ ingest.Inputs, sink ingest.DefinitionSink) error {
			for i, u := range users {
				if err := sink.AddUser(ctx, provider+":/users", &ingest.User{SourceID: u[0], Row: i + 1, EmailRaw: u[1], ExternalID: u[0],
					Raw: map[string]string{"id": u[0]}}); err != nil {
					return err
				}
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// records is a supplement reader handing over fixed records.
func records(recs ...ingest.SupplementRecord) func(context.Context, ingest.Inputs, func(ingest.SupplementRecord) error) error {
	return func(_ context.Context, _ ingest.Inputs, add func(ingest.SupplementRecord) error) error {
		for _, r := range recs {
			if err := add(r); err != nil {
				return err
			}
		}
		return nil
	}
}

func supplementFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "supplement.ndjson")
	if err := writeFile(p, text); err != nil {
		t.Fatal(err)
	}
	return p
}

func byCode(t *testing.T, db *staging.DB, source string) map[string]int {
	t.Helper()
	var rows []struct {
		Code string `db:"code"`
		N    int    `db:"n"`
	}
	if err := db.Select(&rows, `SELECT code, count(*) AS n FROM warnings WHERE source = ? GROUP BY code`, source); err != nil {
		t.Fatal(err)
	}
	m := map[string]int{}
	for _, r := range rows {
		m[r.Code] = r.N
	}
	return m
}

// TestSupplementPasswords joins password records to staged users by the
// source's id, by email only when asked, never guessing between two users;
// every record not merged is a warning naming its line, and the counts are
// in the output and in the database.
func TestSupplementPasswords(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	stageUsers(t, db, "src", [2]string{"src|1", "one@x.test"}, [2]string{"src|2", "two@x.test"}, [2]string{"src|3", "three@x.test"},
		[2]string{"src|4", "same@x.test"}, [2]string{"src|5", "Same@x.test"})
	before := get[string](t, db, `SELECT content_hash FROM users WHERE source_id = 'src|1'`)
	file := supplementFile(t, "x")
	spec := func(matchEmail bool, recs ...ingest.SupplementRecord) ingest.SupplementSpec {
		return ingest.SupplementSpec{Name: "src-passwords", Kind: ingest.PasswordSupplement, File: file,
			Users: ingest.Source{Provider: "src"}, MatchEmail: matchEmail, Read: records(recs...)}
	}
	bcrypt := func(row int, id, email string) ingest.SupplementRecord {
		return ingest.SupplementRecord{Row: row, SourceID: id, Email: email, PasswordHash: knownHash, PasswordHashType: "bcrypt"}
	}
	recs := []ingest.SupplementRecord{
		bcrypt(1, "src|1", "one@x.test"),
		bcrypt(2, "src|unknown", "two@x.test"), // joins only by email
		{Row: 3, SourceID: "src|3", Email: "three@x.test", PasswordHash: "$2b$10$short", PasswordHashType: "bcrypt"},
		{Row: 4, SourceID: "src|3", Email: "three@x.test", PasswordHash: "5f4dcc3b5aa765d61d8327deb882cf99"}, // no type: unknown format
		bcrypt(5, "src|gone", "same@x.test"), // two staged users have it
		bcrypt(6, "src|1", "old@x.test"),     // a second line for src|1, with another email
	}
	c, err := ingest.Supplement(ctx, db, spec(false, recs...))
	if err != nil {
		t.Fatal(err)
	}
	want := ingest.SupplementCounts{RunID: c.RunID, Records: 6, Merged: 1, BySourceID: 1, NotFound: 2, Unsupported: 2, Duplicate: 1, EmailDiffers: 1, Warnings: 6}
	if c != want {
		t.Errorf("counts\n got %+v\nwant %+v", c, want)
	}
	if got := byCode(t, db, "src-passwords"); !maps.Equal(got, map[string]int{"password_unknown_user": 2, "password_unsupported": 2,
		"password_duplicate": 1, "password_email_differs": 1}) {
		t.Errorf("warnings %v", got)
	}
	if n := get[int](t, db, `SELECT count(*) FROM warnings WHERE source = 'src-passwords' AND (file IS NULL OR row_number IS NULL)`); n != 0 {
		t.Errorf("%d warnings name no file and line", n)
	}
	if msg := get[string](t, db, `SELECT message FROM warnings WHERE row_number = 2`); !strings.Contains(msg, "joining by email was not asked for") {
		t.Errorf("not found without --match-email: %q", msg)
	}
	if msg := get[string](t, db, `SELECT message FROM warnings WHERE row_number = 4`); !strings.Contains(msg, "WorkOS takes") || strings.Contains(msg, "5f4dcc") {
		t.Errorf("unknown hash: %q (never labelled bcrypt, never quoted)", msg)
	}
	if n := get[int](t, db, `SELECT count(*) FROM supplement_rows WHERE status = 'unsupported' AND password_hash IS NOT NULL`); n != 0 {
		t.Errorf("%d unsupported hashes kept", n)
	}
	var ir struct {
		Rows    int `db:"rows_read"`
		Changed int `db:"users_changed"`
		Skipped int `db:"users_skipped"`
	}
	if err := db.Get(&ir, `SELECT rows_read, users_changed, users_skipped FROM ingest_runs WHERE id = ?`, c.RunID); err != nil || ir.Rows != 6 || ir.Changed != 1 || ir.Skipped != 5 {
		t.Errorf("ingest_runs %+v %v", ir, err)
	}
	if h, typ := get[string](t, db, `SELECT password_hash FROM users WHERE source_id = 'src|1'`), get[string](t, db, `SELECT password_hash_type FROM users WHERE source_id = 'src|1'`); h != knownHash || typ != "bcrypt" {
		t.Errorf("src|1 has %q %q", h, typ)
	}
	if ok, err := passhash.Verify("bcrypt", get[string](t, db, `SELECT password_hash FROM users WHERE source_id = 'src|1'`), "Password1!"); !ok || err != nil {
		t.Errorf("the merged hash does not verify: %v", err)
	}
	if after := get[string](t, db, `SELECT content_hash FROM users WHERE source_id = 'src|1'`); after == before {
		t.Error("the content hash did not change with the password: the importer would not send it")
	}
	if n := get[int](t, db, `SELECT count(*) FROM users WHERE password_hash IS NOT NULL`); n != 1 {
		t.Errorf("%d users have a password", n)
	}

	// The same file again does nothing.
	if _, err := ingest.Supplement(ctx, db, spec(false, recs...)); !errors.Is(err, ingest.ErrUnchanged) {
		t.Errorf("the same file again: %v", err)
	}
	// With email joins: the record naming an unknown id joins two@ by email;
	// same@ is still two users, and is not guessed.
	c, err = ingest.Supplement(ctx, db, spec(true, recs...))
	if err != nil {
		t.Fatal(err)
	}
	if c.Merged != 2 || c.ByEmail != 1 || c.Ambiguous != 1 || c.NotFound != 0 {
		t.Errorf("with email joins: %+v", c)
	}
	if n := get[int](t, db, `SELECT count(*) FROM supplement_rows`); n != 6 {
		t.Errorf("%d supplement rows: the second run of the file should replace the first's", n)
	}
	if got := byCode(t, db, "src-passwords"); got["password_user_ambiguous"] != 1 || got["password_unknown_user"] != 0 {
		t.Errorf("warnings after the second run: %v", got)
	}
}

// TestSupplementSurvivesReingest: a re-ingest of the users' source, which
// has no password, keeps the merged one and finds the user unchanged.
func TestSupplementSurvivesReingest(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	users := [][2]string{{"src|1", "one@x.test"}, {"src|2", "two@x.test"}}
	stageUsers(t, db, "src", users...)
	if _, err := ingest.Supplement(ctx, db, ingest.SupplementSpec{Name: "src-passwords", Kind: ingest.PasswordSupplement, File: supplementFile(t, "x"),
		Users: ingest.Source{Provider: "src"}, Read: records(ingest.SupplementRecord{Row: 1, SourceID: "src|1", PasswordHash: knownHash, PasswordHashType: "bcrypt"})}); err != nil {
		t.Fatal(err)
	}
	c := stageUsers(t, db, "src", users...)
	if c.Unchanged != 2 || c.Changed != 0 {
		t.Errorf("re-ingest: %+v, want both users unchanged", c)
	}
	if h := get[string](t, db, `SELECT coalesce(password_hash, '') FROM users WHERE source_id = 'src|1'`); h != knownHash {
		t.Errorf("the re-ingest left the password %q", h)
	}
}

// TestSupplementTOTP: secrets join by id, else by email, among every
// source's users; an id two sources share is ambiguous; a user with
// another secret keeps it; a secret the check flags is counted invalid.
func TestSupplementTOTP(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	stageUsers(t, db, "a", [2]string{"shared", "a@x.test"}, [2]string{"a|1", "one@x.test"})
	stageUsers(t, db, "b", [2]string{"shared", "b@x.test"}, [2]string{"b|2", "two@x.test"})
	c, err := ingest.Supplement(ctx, db, ingest.SupplementSpec{Name: "totp", Kind: ingest.TOTPSupplement, File: supplementFile(t, "x"),
		MatchEmail: true, TOTPIssuer: "Acme", Read: records(
			ingest.SupplementRecord{Row: 1, SourceID: "a|1", TOTPSecret: "JBSWY3DPEHPK3PXP"},
			ingest.SupplementRecord{Row: 2, Email: "TWO@x.test", TOTPSecret: "KRSXG5CTMVRXEZLU", TOTPIssuer: "Own"},
			ingest.SupplementRecord{Row: 3, SourceID: "shared", TOTPSecret: "GEZDGNBVGY3TQOJQ"},
			ingest.SupplementRecord{Row: 4, Email: "nobody@x.test", TOTPSecret: "GEZDGNBVGY3TQOJQ"},
			ingest.SupplementRecord{Row: 5, Email: "one@x.test"},
			ingest.SupplementRecord{Row: 6, SourceID: "a|1", TOTPSecret: "MFRGGZDFMY2TQOJQ"},
		)})
	if err != nil {
		t.Fatal(err)
	}
	want := ingest.SupplementCounts{RunID: c.RunID, Records: 6, Merged: 2, BySourceID: 1, ByEmail: 1, NotFound: 1, Ambiguous: 1, Unsupported: 1,
		Duplicate: 1, Warnings: 4}
	if c != want {
		t.Errorf("counts\n got %+v\nwant %+v", c, want)
	}
	var staged []struct {
		User   string `db:"source_id"`
		Secret string `db:"secret"`
		Issuer string `db:"issuer"`
	}
	if err := db.Select(&staged, `SELECT u.source_id, t.secret, coalesce(t.issuer, '') AS issuer FROM totp_secrets t JOIN users u ON u.id = t.user_id ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if len(staged) != 2 || staged[0].User != "a|1" || staged[0].Secret != "MFRGGZDFMY2TQOJQ" || staged[0].Issuer != "Acme" ||
		staged[1].User != "b|2" || staged[1].Issuer != "Own" {
		t.Errorf("staged secrets %+v", staged)
	}
	// A file whose secret is not Base32 is staged and counted, and mig
	// check's rule says why.
	c, err = ingest.Supplement(ctx, db, ingest.SupplementSpec{Name: "totp", Kind: ingest.TOTPSupplement, File: supplementFile(t, "y"), MatchEmail: true,
		Read: records(ingest.SupplementRecord{Row: 1, Email: "a@x.test", TOTPSecret: "not base32!"})})
	if err != nil {
		t.Fatal(err)
	}
	if c.Merged != 1 || c.Invalid != 1 || byCode(t, db, "totp")["totp_secret_invalid"] != 1 {
		t.Errorf("invalid secret: %+v, warnings %v", c, byCode(t, db, "totp"))
	}
}

// TestSupplementBadFileChangesNothing: a reading error rolls the run back.
func TestSupplementBadFileChangesNothing(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	stageUsers(t, db, "src", [2]string{"src|1", "one@x.test"})
	path := supplementFile(t, "x")
	_, err := ingest.Supplement(ctx, db, ingest.SupplementSpec{Name: "src-passwords", Kind: ingest.PasswordSupplement, File: path,
		Users: ingest.Source{Provider: "src"},
		Read: func(ctx context.Context, in ingest.Inputs, add func(ingest.SupplementRecord) error) error {
			if err := add(ingest.SupplementRecord{Row: 1, SourceID: "src|1", PasswordHash: knownHash, PasswordHashType: "bcrypt"}); err != nil {
				return err
			}
			return &ingest.LineError{File: path, Line: 2, Field: "_id", Msg: "missing"}
		}})
	if err == nil || !strings.Contains(err.Error(), path+":2") {
		t.Fatalf("got %v", err)
	}
	for _, q := range []string{`SELECT count(*) FROM supplement_rows`, `SELECT count(*) FROM users WHERE password_hash IS NOT NULL`,
		`SELECT count(*) FROM ingest_runs WHERE provider = 'src-passwords'`} {
		if n := get[int](t, db, q); n != 0 {
			t.Errorf("%s: %d", q, n)
		}
	}
}
