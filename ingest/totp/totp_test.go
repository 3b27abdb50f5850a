package totp_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/ingesttest"
	"github.com/mig-tools/mig/ingest/totp"
	"github.com/mig-tools/mig/staging"
)

func read(t *testing.T, path string) []totp.Record {
	t.Helper()
	var out []totp.Record
	if err := totp.Read(context.Background(), ingesttest.Files{}, path, func(r totp.Record) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func write(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSamples reads the public samples: Auth0's CSV and NDJSON (the same
// three secrets) and the common CSV with issuer and account name.
func TestSamples(t *testing.T) {
	want := []totp.Record{
		{Line: 2, SourceUserID: "auth0|123", Email: "alice@acme.com", Secret: "JBSWY3DPEHPK3PXP"},
		{Line: 3, SourceUserID: "auth0|456", Email: "bob@beta.com", Secret: "KRSXG5CTMVRXEZLU"},
		{Line: 4, SourceUserID: "auth0|789", Email: "charlie@acme.com", Secret: "GEZDGNBVGY3TQOJQ"},
	}
	if got := read(t, "../../testdata/fixtures/auth0/auth0-totp-secrets.csv"); !slices.Equal(got, want) {
		t.Errorf("csv\n got %+v\nwant %+v", got, want)
	}
	for i := range want {
		want[i].Line--
	}
	if got := read(t, "../../testdata/fixtures/auth0/auth0-totp-secrets.ndjson"); !slices.Equal(got, want) {
		t.Errorf("ndjson\n got %+v\nwant %+v", got, want)
	}
	common := read(t, "../../testdata/fixtures/common/example-totp-secrets.csv")
	if len(common) != 3 || common[0] != (totp.Record{Line: 2, Email: "alice@example.com", Secret: "JBSWY3DPEHPK3PXP", Issuer: "MyApp", User: "alice@example.com"}) ||
		common[2].Issuer != "" || common[2].User != "carol@example.com" {
		t.Errorf("%+v", common)
	}
}

// TestNothingDropped: a record that cannot become a factor is passed on
// with its problem, and an invalid secret is passed on as written, for the
// totp_secret_invalid check to report.
func TestNothingDropped(t *testing.T) {
	got := read(t, write(t, "s.csv", "email,user_id,totp_secret\na@x.test,,not base32!\n,,JBSWY3DPEHPK3PXP\nc@x.test,,\n,u1,jbsw y3dp ehpk 3pxp\n"))
	want := []totp.Record{
		{Line: 2, Email: "a@x.test", Secret: "not base32!"},
		{Line: 3, Secret: "JBSWY3DPEHPK3PXP", Problem: "no user_id or email to match the secret to a user"},
		{Line: 4, Email: "c@x.test", Problem: "no TOTP secret"},
		{Line: 5, SourceUserID: "u1", Secret: "jbsw y3dp ehpk 3pxp"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}
	got = read(t, write(t, "s.ndjson", `{"email":"a@x.test","mfa_factors":[{"type":"sms"},{"type":"email"}]}`+"\n\n"+
		`{"email":"b@x.test","totp_secret":"AAAA","mfa_factors":[{"type":"totp","secret":"AAAA"},{"type":"TOTP","secret":"BBBB"}]}`+"\n"+
		`{"user_id":"u3","secret":"CCCC","totp_issuer":"Corp"}`))
	want = []totp.Record{
		{Line: 1, Email: "a@x.test", Problem: "no TOTP secret (mfa_factors has only sms, email)"},
		{Line: 3, Email: "b@x.test", Secret: "AAAA"},
		{Line: 3, Email: "b@x.test", Secret: "BBBB"},
		{Line: 4, SourceUserID: "u3", Secret: "CCCC", Issuer: "Corp"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}
}

// TestFormat: the format comes from the extension, else the first
// character.
func TestFormat(t *testing.T) {
	if got := read(t, write(t, "secrets", "\n  {\"email\":\"a@x.test\",\"secret\":\"AAAA\"}\n")); len(got) != 1 || got[0].Secret != "AAAA" {
		t.Errorf("sniffed NDJSON: %+v", got)
	}
	if got := read(t, write(t, "secrets.txt", "email,totp_secret\na@x.test,AAAA\n")); len(got) != 1 || got[0].Line != 2 {
		t.Errorf("sniffed CSV: %+v", got)
	}
}

// TestMalformed: a file that is not a TOTP file stops with FILE:LINE.
func TestMalformed(t *testing.T) {
	for name, c := range map[string]struct{ text, want string }{
		"nosecret.csv": {"email,secret\na,b\n", `:1: field "totp_secret": header has no "totp_secret" column`},
		"nouser.csv":   {"totp_secret,totp_issuer\nAAAA,x\n", ":1: header needs an email or a user_id column"},
		"array.ndjson": {`{"email":"a","secret":"A"}` + "\n[1]\n", ":2: not a JSON object"},
		"bad.ndjson":   {`{"email":"a","secret":`, ":1: not valid JSON"},
		"type.ndjson":  {`{"email":"a","mfa_factors":{"type":"totp"}}`, `:1: field "mfa_factors": is a JSON object`},
		"long.ndjson":  {`{"email":"a","secret":"A"}` + "\n" + `{"email":"` + strings.Repeat("a", 2<<20) + `"}`, ":2: the line is longer than"},
	} {
		p := write(t, name, c.text)
		in := ingesttest.Files{Limits: ingest.Limits{MaxFieldBytes: 64 << 10}}
		err := totp.Read(context.Background(), in, p, func(totp.Record) error { return nil })
		if err == nil || !strings.Contains(err.Error(), p+c.want) {
			t.Errorf("%s: %v, want %q", name, err, p+c.want)
		}
	}
}

// TestIngest merges the public samples into staged users of two sources:
// by user_id, else by email; a secret for nobody staged is a warning with
// its line, never dropped silently.
func TestIngest(t *testing.T) {
	ctx := context.Background()
	db, err := staging.Open(ctx, filepath.Join(t.TempDir(), "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stage := func(provider string, users ...[2]string) {
		_, err := ingest.Ingest(ctx, db, ingest.Spec{Source: ingest.Source{Provider: provider},
			Decode: func(ctx context.Context, _ ingest.Inputs, sink ingest.DefinitionSink) error {
				for i, u := range users {
					if err := sink.AddUser(ctx, "users", &ingest.User{SourceID: u[0], Row: i + 1, EmailRaw: u[1], Raw: u}); err != nil {
						return err
					}
				}
				return nil
			}})
		if err != nil {
			t.Fatal(err)
		}
	}
	stage("auth0", [2]string{"auth0|123", "alice@acme.com"}, [2]string{"auth0|456", "bob@other.test"})
	stage("clerk", [2]string{"user_1", "alice@example.com"}, [2]string{"user_2", "bob@example.com"})
	c, err := totp.Ingest(ctx, db, totp.Options{File: "../../testdata/fixtures/auth0/auth0-totp-secrets.ndjson", Issuer: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Records != 3 || c.Merged != 2 || c.BySourceID != 2 || c.NotFound != 1 || c.EmailDiffers != 1 {
		t.Errorf("auth0 sample: %+v", c)
	}
	c, err = totp.Ingest(ctx, db, totp.Options{File: "../../testdata/fixtures/common/example-totp-secrets.csv", Users: ingest.Source{Provider: "clerk"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Records != 3 || c.Merged != 2 || c.ByEmail != 2 || c.NotFound != 1 {
		t.Errorf("common sample: %+v", c)
	}
	var got []string
	if err := db.Select(&got, `SELECT u.source || ' ' || u.source_id || ' ' || t.secret || ' ' || coalesce(t.issuer, '-') FROM totp_secrets t JOIN users u ON u.id = t.user_id ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	want := []string{"auth0 auth0|123 JBSWY3DPEHPK3PXP Acme", "auth0 auth0|456 KRSXG5CTMVRXEZLU Acme",
		"clerk user_1 JBSWY3DPEHPK3PXP MyApp", "clerk user_2 GEZDGNBVGY3TQOJQ MyApp"}
	if !slices.Equal(got, want) {
		t.Errorf("staged\n got %v\nwant %v", got, want)
	}
	var missing []string
	if err := db.Select(&missing, `SELECT code || ' ' || file || ':' || row_number FROM warnings WHERE code LIKE 'totp_%' AND code <> 'totp_email_differs' ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(missing, []string{"totp_unknown_user ../../testdata/fixtures/auth0/auth0-totp-secrets.ndjson:3",
		"totp_unknown_user ../../testdata/fixtures/common/example-totp-secrets.csv:4"}) {
		t.Errorf("warnings %v", missing)
	}
}
