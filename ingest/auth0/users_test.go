package auth0_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/auth0"
	"github.com/mig-tools/mig/ingest/auth0/auth0fake"
)

const dbIdentity = `"identities":[{"connection":"Username-Password-Authentication","user_id":"1","provider":"auth0","isSocial":false}]`

func warned(r auth0.UserResult, code string) []ingest.Warning {
	var out []ingest.Warning
	for _, w := range r.Warnings {
		if w.Code == code {
			out = append(out, w)
		}
	}
	return out
}

// TestMapUser covers how one Auth0 user becomes a staged user, a skip or
// warnings.
func TestMapUser(t *testing.T) {
	long := strings.Repeat("x", 601)
	manyKeys := make([]string, 60)
	for i := range manyKeys {
		manyKeys[i] = fmt.Sprintf(`"k%02d":"v"`, i)
	}
	cases := []struct {
		name  string
		opts  func(*auth0.Options)
		json  string
		check func(t *testing.T, r auth0.UserResult)
	}{
		{"email_verified as the string true", nil,
			`{"user_id":"auth0|1","email":"a@x.test","email_verified":"true",` + dbIdentity + `}`,
			func(t *testing.T, r auth0.UserResult) {
				if !*r.User.EmailVerified || len(r.Warnings) != 0 || !r.User.Emails[0].Verified {
					t.Errorf("%+v %+v", r.User, r.Warnings)
				}
			}},
		{"email_verified as the string false", nil,
			`{"user_id":"auth0|1","email":"a@x.test","email_verified":"False",` + dbIdentity + `}`,
			func(t *testing.T, r auth0.UserResult) {
				if *r.User.EmailVerified || len(r.Warnings) != 0 {
					t.Errorf("%+v %+v", r.User, r.Warnings)
				}
			}},
		{"email_verified missing", nil,
			`{"user_id":"auth0|1","email":"a@x.test",` + dbIdentity + `}`,
			func(t *testing.T, r auth0.UserResult) {
				if *r.User.EmailVerified || len(warned(r, "email_verified_missing")) != 1 {
					t.Errorf("%+v %+v", r.User, r.Warnings)
				}
			}},
		{"email_verified unreadable", nil,
			`{"user_id":"auth0|1","email":"a@x.test","email_verified":"yes",` + dbIdentity + `}`,
			func(t *testing.T, r auth0.UserResult) {
				if w := warned(r, "email_verified_unreadable"); *r.User.EmailVerified || len(w) != 1 || !strings.Contains(w[0].Message, `"yes"`) {
					t.Errorf("%+v %+v", r.User, r.Warnings)
				}
			}},
		{"given and family name win over name", nil,
			`{"user_id":"auth0|1","email":"a@x.test","email_verified":true,"name":"Someone Else","given_name":"María","family_name":"García López",` + dbIdentity + `}`,
			func(t *testing.T, r auth0.UserResult) {
				if r.User.FirstName != "María" || r.User.LastName != "García López" {
					t.Errorf("%q %q", r.User.FirstName, r.User.LastName)
				}
			}},
		{"only a given name: name is not split", nil,
			`{"user_id":"auth0|1","email":"a@x.test","email_verified":true,"name":"Ada Lovelace","given_name":"Ada",` + dbIdentity + `}`,
			func(t *testing.T, r auth0.UserResult) {
				if r.User.FirstName != "Ada" || r.User.LastName != "" {
					t.Errorf("%q %q", r.User.FirstName, r.User.LastName)
				}
			}},
		{"name split at the first space", nil,
			`{"user_id":"auth0|1","email":"a@x.test","email_verified":true,"name":"  Mary Ann  Jones Smith ",` + dbIdentity + `}`,
			func(t *testing.T, r auth0.UserResult) {
				if r.User.FirstName != "Mary" || r.User.LastName != "Ann Jones Smith" {
					t.Errorf("%q %q", r.User.FirstName, r.User.LastName)
				}
			}},
		{"a name that is the email is no name", nil,
			`{"user_id":"email|1","email":"h@x.test","email_verified":true,"name":"h@x.test","identities":[{"connection":"email","user_id":"1","provider":"email","isSocial":false}]}`,
			func(t *testing.T, r auth0.UserResult) {
				if r.User == nil || r.User.FirstName != "" || r.User.LastName != "" {
					t.Errorf("%+v", r.User)
				}
			}},
		{"federated (social only) is skipped", nil,
			`{"user_id":"google-oauth2|9","email":"b@gmail.test","email_verified":true,"identities":[{"connection":"google-oauth2","user_id":"9","provider":"google-oauth2","isSocial":true}]}`,
			func(t *testing.T, r auth0.UserResult) {
				if r.User != nil || !strings.Contains(r.Skip, "federated") || !strings.Contains(r.Skip, "google-oauth2") || !strings.Contains(r.Skip, "--include-federated-users") {
					t.Errorf("skip %q", r.Skip)
				}
				if r.SourceID != "google-oauth2|9" || r.Email != "b@gmail.test" || len(r.Raw) == 0 {
					t.Errorf("the skip should name the user and keep the raw row: %+v", r)
				}
			}},
		{"federated (enterprise) staged when asked", func(o *auth0.Options) { o.IncludeFederated = true },
			`{"user_id":"samlp|acme|e@acme.test","email":"e@acme.test","email_verified":true,"identities":[{"connection":"acme","user_id":"e@acme.test","provider":"samlp","isSocial":false}]}`,
			func(t *testing.T, r auth0.UserResult) {
				if r.User == nil || r.User.SourceID != "samlp|acme|e@acme.test" {
					t.Errorf("%+v", r)
				}
			}},
		{"a database identity linked to a social one is not federated", nil,
			`{"user_id":"auth0|k","email":"k@x.test","email_verified":true,"identities":[{"connection":"Username-Password-Authentication","user_id":"k","provider":"auth0","isSocial":false},{"connection":"github","user_id":42,"provider":"github","isSocial":true}]}`,
			func(t *testing.T, r auth0.UserResult) {
				if r.User == nil || r.User.Metadata["auth0_identities"] != `[{"provider":"auth0","connection":"Username-Password-Authentication","user_id":"k"},{"provider":"github","connection":"github","user_id":"42"}]` {
					t.Errorf("%+v", r.User)
				}
			}},
		{"blocked is skipped", nil,
			`{"user_id":"auth0|b","email":"b@x.test","email_verified":true,"blocked":true,` + dbIdentity + `}`,
			func(t *testing.T, r auth0.UserResult) {
				if r.User != nil || !strings.Contains(r.Skip, "blocked") {
					t.Errorf("%+v", r)
				}
			}},
		{"blocked staged when asked, and said so", func(o *auth0.Options) { o.IncludeBlocked = true },
			`{"user_id":"auth0|b","email":"b@x.test","email_verified":true,"blocked":true,` + dbIdentity + `}`,
			func(t *testing.T, r auth0.UserResult) {
				if r.User == nil || r.User.Metadata["auth0_blocked"] != "true" || len(warned(r, "blocked_user_staged")) != 1 {
					t.Errorf("%+v %+v", r.User, r.Warnings)
				}
			}},
		{"no email is skipped", nil,
			`{"user_id":"auth0|n","email":"  ",` + dbIdentity + `}`,
			func(t *testing.T, r auth0.UserResult) {
				if r.User != nil || r.Skip != "no email address: WorkOS users need one" {
					t.Errorf("%+v", r)
				}
			}},
		{"phone-only is skipped as such", nil,
			`{"user_id":"sms|1","phone_number":"+15551234567","phone_verified":true,"identities":[{"connection":"sms","user_id":"1","provider":"sms","isSocial":false}]}`,
			func(t *testing.T, r auth0.UserResult) {
				if r.User != nil || !strings.Contains(r.Skip, "phone-only") {
					t.Errorf("%+v", r)
				}
			}},
		{"metadata values: text, numbers, booleans, JSON text; null is no value", nil,
			`{"user_id":"auth0|m","email":"m@x.test","email_verified":true,"phone_number":"+1555","phone_verified":false,"username":"mm",` + dbIdentity + `,
			  "app_metadata":{"plan":"pro","seats":5,"beta":true,"tags":["a","b"],"nothing":null,"prefs":{"x":1}},"user_metadata":{"theme":"dark"}}`,
			func(t *testing.T, r auth0.UserResult) {
				m := r.User.Metadata
				for k, v := range map[string]string{"app_metadata.plan": "pro", "app_metadata.seats": "5", "app_metadata.beta": "true",
					"app_metadata.tags": `["a","b"]`, "app_metadata.prefs": `{"x":1}`, "user_metadata.theme": "dark", "username": "mm",
					"phone_number": "+1555", "phone_verified": "false", "auth0_user_id": "auth0|m"} {
					if m[k] != v {
						t.Errorf("metadata %s = %q, want %q", k, m[k], v)
					}
				}
				if _, ok := m["app_metadata.nothing"]; ok {
					t.Error("a null value was kept")
				}
				if w := warned(r, "metadata_value_json"); len(w) != 2 || !strings.Contains(w[0].Message+w[1].Message, "app_metadata.tags is a list") {
					t.Errorf("warnings %+v", r.Warnings)
				}
				if len(r.User.Phones) != 1 || r.User.Phones[0].Phone != "+1555" {
					t.Errorf("phones %+v", r.User.Phones)
				}
			}},
		{"metadata objects with spaces, escapes and a repeated key", nil,
			`{"user_id":"auth0|m","email":"m@x.test","email_verified":true,` + dbIdentity + `,
			  "app_metadata": { "plan" : "free" , "a\u00e9b" : "x\"y" , "list" : [ 1 , { "k" : "}" } ] , "plan" : "pro" } }`,
			func(t *testing.T, r auth0.UserResult) {
				m := r.User.Metadata
				if m["app_metadata.plan"] != "pro" || m["app_metadata.aéb"] != `x"y` || m["app_metadata.list"] != `[1,{"k":"}"}]` {
					t.Errorf("%v", m)
				}
			}},
		{"a value over 600 characters is left out with a warning naming the key", nil,
			`{"user_id":"auth0|m","email":"m@x.test","email_verified":true,` + dbIdentity + `,"user_metadata":{"bio":"` + long + `","ok":"` + long[:600] + `","accents":"` + strings.Repeat("é", 600) + `"}}`,
			func(t *testing.T, r auth0.UserResult) {
				w := warned(r, "metadata_value_too_long")
				if len(w) != 1 || !strings.Contains(w[0].Message, "user_metadata.bio") || w[0].SourceID != "auth0|m" {
					t.Errorf("warnings %+v", r.Warnings)
				}
				if _, ok := r.User.Metadata["user_metadata.bio"]; ok || len(r.User.Metadata["user_metadata.ok"]) != 600 {
					t.Error("the long value was kept, or the 600-character one cut")
				}
				if r.User.Metadata["user_metadata.accents"] != strings.Repeat("é", 600) {
					t.Error("600 characters of 1,200 bytes were not kept: the limit counts characters")
				}
				if !strings.Contains(string(r.Raw), long) {
					t.Error("the long value is not in the raw copy")
				}
			}},
		{"a key over 40 characters is left out with a warning naming it", nil,
			`{"user_id":"auth0|m","email":"m@x.test","email_verified":true,` + dbIdentity + `,"app_metadata":{"a_rather_long_key_for_metadata_x":"v"}}`,
			func(t *testing.T, r auth0.UserResult) {
				w := warned(r, "metadata_key_too_long")
				if len(w) != 1 || !strings.Contains(w[0].Message, "app_metadata.a_rather_long_key_for_metadata_x") {
					t.Errorf("warnings %+v", r.Warnings)
				}
			}},
		{"over 50 keys: the rest left out, each named in a warning", nil,
			`{"user_id":"auth0|m","email":"m@x.test","email_verified":true,` + dbIdentity + `,"app_metadata":{` + strings.Join(manyKeys, ",") + `}}`,
			func(t *testing.T, r auth0.UserResult) {
				if len(r.User.Metadata) != 50 || r.User.Metadata["auth0_user_id"] == "" {
					t.Errorf("%d keys", len(r.User.Metadata))
				}
				w := warned(r, "metadata_too_many_keys")
				if len(w) != 60+2-50 || !strings.Contains(w[len(w)-1].Message, "app_metadata.k59") || w[0].Context["key"] != "app_metadata.k48" {
					t.Errorf("%d warnings, want 12 (k48 to k59): %+v", len(w), w)
				}
			}},
		{"identity provider tokens are masked in the raw copy", func(o *auth0.Options) { o.IncludeFederated = true },
			`{"user_id":"twitter|1","email":"l@x.test","email_verified":true,"identities":[{"connection":"twitter","user_id":"1","provider":"twitter","isSocial":true,"access_token":"tok-SECRET","access_token_secret":"sec-SECRET","refresh_token":"ref-SECRET"}]}`,
			func(t *testing.T, r auth0.UserResult) {
				if strings.Contains(string(r.Raw), "SECRET") || !strings.Contains(string(r.Raw), `"access_token":"[masked]"`) {
					t.Errorf("raw %s", r.Raw)
				}
				if strings.Contains(fmt.Sprint(r.User.Metadata), "SECRET") {
					t.Errorf("metadata %v", r.User.Metadata)
				}
			}},
		{"memberships from app_metadata", func(o *auth0.Options) {
			o.UseMetadata, o.MetadataOrgIDField, o.MetadataOrgNameField = true, "org_id", "org_name"
		},
			`{"user_id":"auth0|o","email":"o@x.test","email_verified":true,` + dbIdentity + `,"app_metadata":{"org_id":["org_1","org_2"],"org_name":["One","Two"]}}`,
			func(t *testing.T, r auth0.UserResult) {
				want := []ingest.OrgMappingRow{{Row: 1, SourceUserID: "auth0|o", OrgExternalID: "org_1", OrgName: "One"},
					{Row: 1, SourceUserID: "auth0|o", OrgExternalID: "org_2", OrgName: "Two"}}
				if !slices.Equal(r.Orgs, want) {
					t.Errorf("%+v", r.Orgs)
				}
			}},
		{"user_metadata is not read for memberships unless allowed", func(o *auth0.Options) { o.UseMetadata, o.MetadataOrgIDField = true, "org_id" },
			`{"user_id":"auth0|o","email":"o@x.test","email_verified":true,` + dbIdentity + `,"user_metadata":{"org_id":"org_evil"}}`,
			func(t *testing.T, r auth0.UserResult) {
				if len(r.Orgs) != 0 {
					t.Errorf("%+v", r.Orgs)
				}
			}},
		{"user_metadata read for memberships when allowed, with a warning", func(o *auth0.Options) {
			o.UseMetadata, o.MetadataOrgIDField, o.AllowUserMetadataOrg = true, "org_id", true
		},
			`{"user_id":"auth0|o","email":"o@x.test","email_verified":true,` + dbIdentity + `,"user_metadata":{"org_id":"org_9"}}`,
			func(t *testing.T, r auth0.UserResult) {
				if len(r.Orgs) != 1 || r.Orgs[0].OrgExternalID != "org_9" || len(warned(r, "org_from_user_metadata")) != 1 {
					t.Errorf("%+v %+v", r.Orgs, r.Warnings)
				}
			}},
		{"an organization field that is an object gives no membership and a warning", func(o *auth0.Options) { o.UseMetadata, o.MetadataOrgIDField = true, "org" },
			`{"user_id":"auth0|o","email":"o@x.test","email_verified":true,` + dbIdentity + `,"app_metadata":{"org":{"id":"org_1"}}}`,
			func(t *testing.T, r auth0.UserResult) {
				if len(r.Orgs) != 0 || len(warned(r, "metadata_org_unreadable")) != 1 {
					t.Errorf("%+v %+v", r.Orgs, r.Warnings)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var o auth0.Options
			if c.opts != nil {
				c.opts(&o)
			}
			r, err := auth0.MapUser(o, []byte(c.json))
			if err != nil {
				t.Fatal(err)
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
}

// TestMapUserOnceWarnings: the note that a metadata key holds JSON text is
// given for the first user only.
func TestMapUserOnceWarnings(t *testing.T) {
	m := auth0.NewMapper(auth0.Options{})
	n := 0
	for i := range 3 {
		r, err := m([]byte(fmt.Sprintf(`{"user_id":"auth0|%d","email":"%d@x.test","email_verified":true,"app_metadata":{"tags":["a"]}}`, i, i)), i+1)
		if err != nil {
			t.Fatal(err)
		}
		n += len(warned(r, "metadata_value_json"))
		if r.User.Metadata["app_metadata.tags"] != `["a"]` {
			t.Errorf("user %d: %v", i, r.User.Metadata)
		}
	}
	if n != 1 {
		t.Errorf("%d warnings for one key, want 1", n)
	}
}

// TestMapUserBadInput: an object that cannot be read is an error naming
// the row and the field.
func TestMapUserBadInput(t *testing.T) {
	for in, want := range map[string]string{
		`{"user_id":5}`:                                   `test:1: field "user_id": is a JSON number, expected a string`,
		`{"email":"a@x.test"}`:                            `test:1: field "user_id": empty`,
		`{"user_id":"auth0|1","email":[1]}`:               `field "email"`,
		`{"user_id":`:                                     `test:1: unexpected end of JSON input`,
		`{"user_id":"auth0|1","app_metadata":"plan=pro"}`: `test:1: field "app_metadata": is not a JSON object`,
	} {
		_, err := auth0.MapUser(auth0.Options{}, []byte(in))
		var le *ingest.LineError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}

// TestDecodeUserWalkAgrees: the member walk that reads user objects
// without reflection reads what encoding/json reads, for the sample users,
// generated ones, and objects shaped to trip it.
func TestDecodeUserWalkAgrees(t *testing.T) {
	var objs [][]byte
	names, _ := filepath.Glob(filepath.Join(fixtures, "api-users", "*.json"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, b)
	}
	gen := auth0fake.Generate(auth0fake.GenOptions{Users: 500, Seed: 9})
	for i := range gen.Users.Len() {
		objs = append(objs, gen.Users.At(i))
	}
	for _, s := range decodeSeeds {
		objs = append(objs, []byte(s))
	}
	walked := 0
	for _, o := range objs {
		w, d, ok, err := auth0.DecodeUserTwice(o)
		if ok {
			walked++
			if err != nil || !reflect.DeepEqual(w, d) {
				t.Errorf("%s:\n walked  %+v\n decoded %+v (%v)", o, w, d, err)
			}
		}
	}
	if walked < len(objs)-len(decodeSeeds) {
		t.Errorf("only %d of %d objects walked", walked, len(objs))
	}
}

var decodeSeeds = []string{`{"user_id":"a","EMAIL":"x@y"}`, `{"user_id":"a","email":"x@y","email":"z@y"}`, `{"user_id":null,"email":"\u00e9\"q"}`,
	`{"user_id":"a","identities":null,"app_metadata":null}`, `{"user_id":"a","identities":[{"user_id":5,"isSocial":"no"}]}`,
	`{"user_id":5}`, `{"ſ":1}`, ` {"user_id" : "a" , "email" : "b" } `, `{"user_id":"a","identities":{}}`}

func FuzzDecodeUser(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, d, ok, err := auth0.DecodeUserTwice([]byte(s))
		if ok && (err != nil || !reflect.DeepEqual(w, d)) {
			t.Fatalf("%s:\n walked  %+v\n decoded %+v (%v)", s, w, d, err)
		}
	})
}

// FuzzScanObject: the scan that validates export lines accepts exactly the
// JSON objects encoding/json accepts.
func FuzzScanObject(f *testing.F) {
	for _, s := range append(decodeSeeds, `{"a":-0.5e+3,"b":[true,false,null,{}],"c":"\u00e9\n"}`, `{"a":01}`, `{"a":"\x01"}`, `{"a":1,}`,
		`{"a":"\uZZZZ"}`, `{} x`, `[1]`, `{"a":1.}`, `{"a":-}`, `{"a" 1}`) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		want := json.Valid(b) && bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("{"))
		if got := auth0.ScanObject(b); got != want {
			t.Fatalf("%q: scan says %v, encoding/json %v", s, got, want)
		}
	})
}
