package auth0_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/auth0"
	"github.com/mig-tools/mig/ingest/ingesttest"
)

func readAll(t *testing.T, path string) []auth0.PasswordRecord {
	t.Helper()
	var recs []auth0.PasswordRecord
	if err := auth0.ReadPasswords(context.Background(), ingesttest.Files{}, path, func(r auth0.PasswordRecord) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestReadPasswordsFixtures reads the public samples of Auth0's password
// export, in both spellings of the id key.
func TestReadPasswordsFixtures(t *testing.T) {
	for file, want := range map[string]struct {
		n     int
		first auth0.PasswordRecord
	}{
		"zitadel-docs_auth0_passwords_sample.ndjson": {1, auth0.PasswordRecord{Line: 1, OID: "emxdpVxozXeFb1HeEn5ThAK8", UserID: "auth0|emxdpVxozXeFb1HeEn5ThAK8",
			Email: "tommie_krajcik85@hotmail.com", Connection: "Username-Password-Authentication", PasswordSetDate: "2025-06-30T00:00:00.000Z",
			Hash: "$2b$10$d.GvZhGwTllA7OdAmsA75uGGzqr/mhdQoU88M3zD.fX3Vb8Rcf33.", HashType: "bcrypt"}},
		"rust-auth0-ndjson-test_passwords.ndjson": {3, auth0.PasswordRecord{Line: 1, OID: "60425da93519d90068f82966", UserID: "auth0|60425da93519d90068f82966",
			Email: "admin@localhost", Connection: "Username-Password-Authentication", PasswordSetDate: "2021-03-05T16:34:49.502Z",
			Hash: "$2b$12$OziW5BRZpnl8FDOkOzqcxe/SFfq3n0sClAQHA6UnfT2Hl.mvtDDOi", HashType: "bcrypt"}},
		"zitadel-tools_auth0_passwords.ndjson": {5, auth0.PasswordRecord{Line: 1, OID: "60425dc43519d90068f82973", UserID: "auth0|60425dc43519d90068f82973",
			Email: "john@example.com", Connection: "Username-Password-Authentication", PasswordSetDate: "2021-03-05T16:35:16.775Z",
			Hash: "$2b$10$Z6hUTEEeoJXN5/AmSm/4.eZ75RYgFVriQM9LPhNEC7kbAbS/VAaJ2", HashType: "bcrypt"}},
		// This sample puts the "auth0|" prefix in the $oid itself.
		"workos-migrate-auth0-users_example-input.ndjson": {2, auth0.PasswordRecord{Line: 1, OID: "auth0|64db9dba7f18450dc250234", UserID: "auth0|64db9dba7f18450dc250234",
			Email: "jason+test8@foo-corp.com", Hash: "$2b$10$.qHPp/srqo1NAAAAAvlkmOdqAbH2Rg0qPv2Txj3ZwXfjJnewSjc4m", HashType: "bcrypt"}},
	} {
		recs := readAll(t, filepath.Join(fixtures, file))
		if len(recs) != want.n || recs[0] != want.first {
			t.Errorf("%s: %d records, the first\n got %+v\nwant %+v", file, len(recs), recs[0], want.first)
		}
		for _, r := range recs {
			if r.HashType != "bcrypt" || r.Unsupported != "" || r.Line == 0 {
				t.Errorf("%s: %+v", file, r)
			}
		}
	}
}

// TestKnownPasswords proves the samples' hashes are read whole: each one
// whose password is known (SOURCES-peers.txt) verifies with bcrypt.
func TestKnownPasswords(t *testing.T) {
	for _, k := range []struct{ file, email, password string }{
		{"zitadel-docs_auth0_passwords_sample.ndjson", "tommie_krajcik85@hotmail.com", "Password1!"},
		{"rust-auth0-ndjson-test_passwords.ndjson", "admin@localhost", "secret"},
	} {
		found := false
		for _, r := range readAll(t, filepath.Join(fixtures, k.file)) {
			if r.Email != k.email {
				continue
			}
			found = true
			if err := bcrypt.CompareHashAndPassword([]byte(r.Hash), []byte(k.password)); err != nil {
				t.Errorf("%s %s: %v", k.file, k.email, err)
			}
			if bcrypt.CompareHashAndPassword([]byte(r.Hash), []byte(k.password+"x")) == nil {
				t.Errorf("%s %s: a wrong password verifies", k.file, k.email)
			}
		}
		if !found {
			t.Errorf("%s has no %s", k.file, k.email)
		}
	}
}

// TestDetectHash: only a well-formed $2a$/$2b$/$2y$ hash is bcrypt; a hash
// of another format WorkOS takes is named by its own marker
// (passhash.Detect), and anything else is unsupported, never bcrypt.
func TestDetectHash(t *testing.T) {
	salt := "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY./"
	for h, want := range map[string]string{
		"$2a$10$" + salt:            "bcrypt",
		"$2b$04$" + salt:            "bcrypt",
		"$2y$31$" + salt:            "bcrypt",
		"$2x$10$" + salt:            "unrecognised hash format",
		"$2b$03$" + salt:            "not a well-formed bcrypt hash",
		"$2b$10$" + salt[:20]:       "not a well-formed bcrypt hash",
		"$2b$10$" + salt[:52] + "!": "not a well-formed bcrypt hash",
		"$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA": "argon2",
		"$argon2id$v=19$m=65536,t=3$c2FsdA$aGFzaA":     "not a well-formed argon2 hash",
		"$pbkdf2-sha256$i=1000$c2FsdA$aGFzaA":          "pbkdf2",
		"$1$saltsalt$qjXMvbEw8oaL.CzflDugX/":           "unrecognised hash format",
		"5f4dcc3b5aa765d61d8327deb882cf99":             "unrecognised hash format",
		"":                                             "no passwordHash",
	} {
		typ, why := auth0.DetectHash(h)
		switch {
		case !strings.Contains(want, " ") && (typ != want || why != ""):
			t.Errorf("%q: %q %q, want %s", h, typ, why, want)
		case strings.Contains(want, " ") && (typ != "" || !strings.Contains(why, want)):
			t.Errorf("%q: %q %q, want unsupported: %s", h, typ, why, want)
		}
	}
}

// TestReadPasswordsProblems: records with a hash that cannot be imported
// are passed on, never dropped; a line that is not a record stops the read
// with FILE:LINE and the field.
func TestReadPasswordsProblems(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ok := `{"_id":{"$oid":"a1"},"email":"a@x.test","passwordHash":"$2b$10$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY./"}`
	recs := readAll(t, write("mixed.ndjson", ok+"\n\n"+`{"_id":{"$oid":"a2"},"email":"b@x.test","passwordHash":"$1$saltsalt$qjXMvbEw8oaL.CzflDugX/"}`+"\r\n"+`{"_ID":{"$oid":"a3"},"email":"c@x.test"}`))
	if len(recs) != 3 || recs[1].Line != 3 || recs[1].HashType != "" || recs[2].Unsupported != "the record has no passwordHash" || recs[2].Line != 4 {
		t.Errorf("%+v", recs)
	}
	for name, c := range map[string]struct{ text, want string }{
		"badjson":  {ok + "\n{\"_id\":", ":2: not valid JSON"},
		"array":    {"[1,2]", ":1: this is a JSON array"},
		"string":   {`"a"`, ":1: not a JSON object"},
		"noid":     {ok + "\n" + `{"email":"x@x.test","passwordHash":"h"}`, `:2: field "_id": missing`},
		"idstring": {`{"_id":"a1","passwordHash":"h"}`, `:1: field "_id": is "a1"`},
		"email":    {`{"_id":{"$oid":"a"},"email":5}`, `:1: field "email": is a JSON number`},
		"long":     {ok + "\n" + ok + "\n" + `{"_id":{"$oid":"a"},"email":"` + strings.Repeat("x", 70<<10) + `"}`, ":3: the line is longer than"},
	} {
		path := write(name+".ndjson", c.text)
		in := ingesttest.Files{Limits: ingest.Limits{MaxFieldBytes: 1 << 10}}
		err := auth0.ReadPasswords(context.Background(), in, path, func(auth0.PasswordRecord) error { return nil })
		if err == nil || !strings.Contains(err.Error(), path+c.want) {
			t.Errorf("%s: %v, want %q", name, err, path+c.want)
		}
	}
}
