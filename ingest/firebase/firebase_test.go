package firebase_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/firebase"
	"github.com/mig-tools/mig/ingest/ingesttest"
)

func fixture(name string) string {
	return filepath.Join("..", "..", "testdata", "fixtures", "firebase", name)
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func read(t *testing.T, path string, o firebase.Options) *ingesttest.Recorder {
	t.Helper()
	var rec ingesttest.Recorder
	if err := decode(path, o, &rec); err != nil {
		t.Fatal(err)
	}
	return &rec
}

// decode runs the decoder on the export at path as the kit's run would,
// without a database.
func decode(path string, o firebase.Options, rec *ingesttest.Recorder) error {
	o.File = path
	return firebase.Decode(context.Background(), ingesttest.Files{}, rec, o)
}

// readmeHash is the hash_config of the firebase/scrypt README, the first
// set of the test vectors.
var readmeHash = firebase.HashConfig{SignerKey: "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==",
	SaltSeparator: "Bw==", Rounds: 8, MemCost: 14}

// TestSampleExport reads the 50-user sample export: disabled and phone-only
// users are skipped with their reason, the others staged with their hash in
// WorkOS's firebase-scrypt form.
func TestSampleExport(t *testing.T) {
	rec := read(t, fixture("clerk-migration-tool_samples_firebase.json"), firebase.Options{Hash: &readmeHash})
	if len(rec.Users)+len(rec.Skips) != 50 {
		t.Fatalf("%d staged + %d skipped, want 50 rows", len(rec.Users), len(rec.Skips))
	}
	reasons := map[string]int{}
	for _, s := range rec.Skips {
		switch {
		case strings.Contains(s.Reason, "phone-only"):
			reasons["phone-only"]++
		case strings.Contains(s.Reason, "disabled"):
			reasons["disabled"]++
		default:
			t.Errorf("skip %+v", s)
		}
	}
	if reasons["phone-only"] != 6 || reasons["disabled"] != 2 {
		t.Errorf("skips %v, want 6 phone-only and 2 disabled", reasons)
	}
	jane := rec.Users[0]
	// The sample's salt "NaCl0001base64==" has stray bits in its last
	// character; the string WorkOS gets carries the same bytes, written
	// canonically.
	want := "$firebase-scrypt$hash=UkVEQUNURUQ9PT0=$salt=NaCl0001base6w==$sk=" + readmeHash.SignerKey + "$ss=Bw==$r=8$m=14"
	if jane.SourceID != "abc123def456ghi789jk0001" || jane.ExternalID != jane.SourceID || jane.EmailRaw != "jane.doe@test.com" ||
		jane.FirstName != "Jane" || jane.LastName != "Doe" || !*jane.EmailVerified || jane.PasswordHash != want || jane.PasswordHashType != "firebase-scrypt" || jane.Row != 1 {
		t.Errorf("first user %+v", jane)
	}
	raw := rawOf(t, jane)
	if raw["createdAt"] != "1704067200000" || raw["lastSignedInAt"] != "1704153600000" || raw["passwordHash"] != "[stored separately]" || raw["salt"] != "[stored separately]" {
		t.Errorf("raw %v: want the times kept and the hash masked", raw)
	}
	for _, u := range rec.Users {
		if b, _ := json.Marshal(u.Raw); strings.Contains(string(b), "UkVEQUNURUQ9PT0=") || strings.Contains(string(b), "base64==") {
			t.Errorf("%s: the raw copy holds the hash or salt: %s", u.SourceID, b)
		}
	}
	if len(rec.Warnings) != 0 {
		t.Errorf("warnings %+v", rec.Warnings)
	}
}

// TestCSVMatchesJSON reads the same users from the headerless CSV layout:
// each is staged or skipped exactly as from the JSON export.
func TestCSVMatchesJSON(t *testing.T) {
	o := firebase.Options{Hash: &readmeHash}
	fromJSON := read(t, fixture("clerk-migration-tool_samples_firebase.json"), o)
	fromCSV := read(t, fixture("clerk-migration-tool_samples_firebase_noheader.csv"), o)
	if len(fromJSON.Users) != len(fromCSV.Users) || len(fromJSON.Skips) != len(fromCSV.Skips) {
		t.Fatalf("JSON %d staged %d skipped, CSV %d staged %d skipped", len(fromJSON.Users), len(fromJSON.Skips), len(fromCSV.Users), len(fromCSV.Skips))
	}
	for i, j := range fromJSON.Users {
		c := fromCSV.Users[i]
		if c.Row != i+1+len(skippedBefore(fromCSV, c.Row)) {
			t.Errorf("CSV user %s on row %d", c.SourceID, c.Row)
		}
		// Rows differ (line against index); the raw rows differ only in
		// providerUserInfo, which the CSV layout has for four providers.
		jc, cc := *j, *c
		jc.Row, cc.Row, jc.Raw, cc.Raw = 0, 0, nil, nil
		// The CSV sample leaves out one user's displayName; the rest of
		// the two samples agree.
		if _, named := rawOf(t, c)["displayName"]; !named && c.SourceID == "abc123def456ghi789jk0003" {
			jc.FirstName, jc.LastName = "", ""
		}
		if !reflect.DeepEqual(jc, cc) {
			t.Errorf("user %d\nJSON %+v\nCSV  %+v", i, jc, cc)
		}
	}
	for i := range fromJSON.Skips {
		if fromJSON.Skips[i].SourceID != fromCSV.Skips[i].SourceID || fromJSON.Skips[i].Reason != fromCSV.Skips[i].Reason {
			t.Errorf("skip %d: JSON %+v, CSV %+v", i, fromJSON.Skips[i], fromCSV.Skips[i])
		}
	}
}

// rawOf reads back the user's raw copy, which must be one JSON object.
func rawOf(t *testing.T, u *ingest.User) map[string]any {
	t.Helper()
	b, err := json.Marshal(u.Raw)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("raw %s: %v", b, err)
	}
	return m
}

func skippedBefore(r *ingesttest.Recorder, row int) []ingesttest.Skip {
	var out []ingesttest.Skip
	for _, s := range r.Skips {
		if s.Row < row {
			out = append(out, s)
		}
	}
	return out
}

// vectorSets are the public firebase-scrypt test vectors.
type vectorSets struct {
	Sets []struct {
		Source     string `json:"source"`
		HashConfig struct {
			SignerKey     string `json:"base64_signer_key"`
			SaltSeparator string `json:"base64_salt_separator"`
			Rounds        int    `json:"rounds"`
			MemCost       int    `json:"mem_cost"`
		} `json:"hash_config"`
		Vectors []struct {
			Password, Salt, PasswordHash string
		} `json:"vectors"`
	} `json:"sets"`
}

// parseFirebaseScrypt reads back the string the ingest wrote, field by
// field, so the test checks the bytes and not the spelling.
func parseFirebaseScrypt(t *testing.T, s string) (fields map[string][]byte, r, m string) {
	t.Helper()
	rest, ok := strings.CutPrefix(s, "$firebase-scrypt$")
	if !ok {
		t.Fatalf("%q does not start with $firebase-scrypt$", s)
	}
	fields = map[string][]byte{}
	var order []string
	for _, seg := range strings.Split(rest, "$") {
		k, v, _ := strings.Cut(seg, "=")
		order = append(order, k)
		switch k {
		case "r":
			r = v
		case "m":
			m = v
		default:
			b, err := base64.StdEncoding.DecodeString(v) // standard and padded, strictly
			if err != nil {
				t.Fatalf("%s=%q is not padded standard base64: %v", k, v, err)
			}
			fields[k] = b
		}
	}
	if strings.Join(order, ",") != "hash,salt,sk,ss,r,m" {
		t.Fatalf("segments %v, want hash,salt,sk,ss,r,m", order)
	}
	return fields, r, m
}

// TestScryptVectors stages the 29 public vectors, with their hashes and
// salts written standard, and URL-safe without padding: each becomes a
// firebase-scrypt string whose fields are exactly the vector's bytes and its
// set's parameters. That the string verifies against the vector's password
// is checked at the glue, through mig verify-password.
func TestScryptVectors(t *testing.T) {
	b, err := os.ReadFile(fixture("firebase-scrypt-test-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vs vectorSets
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	n := 0
	for si, set := range vs.Sets {
		hc := firebase.HashConfig{SignerKey: set.HashConfig.SignerKey, SaltSeparator: set.HashConfig.SaltSeparator, Rounds: set.HashConfig.Rounds, MemCost: set.HashConfig.MemCost}
		var users []map[string]any
		for vi, v := range set.Vectors {
			users = append(users, map[string]any{"localId": fmt.Sprintf("s%dv%d", si, vi), "email": fmt.Sprintf("v%d@example.com", vi), "passwordHash": v.PasswordHash, "salt": v.Salt},
				map[string]any{"localId": fmt.Sprintf("s%dv%du", si, vi), "email": fmt.Sprintf("u%d@example.com", vi),
					"passwordHash": urlSafe(v.PasswordHash), "salt": urlSafe(v.Salt)})
		}
		js, _ := json.Marshal(map[string]any{"users": users})
		rec := read(t, write(t, "export.json", string(js)), firebase.Options{Hash: &hc})
		if len(rec.Users) != 2*len(set.Vectors) {
			t.Fatalf("set %d: %d users staged, want %d", si, len(rec.Users), 2*len(set.Vectors))
		}
		for i, u := range rec.Users {
			v := set.Vectors[i/2]
			if u.PasswordHashType != "firebase-scrypt" {
				t.Errorf("%s: hash type %q", u.SourceID, u.PasswordHashType)
			}
			f, r, m := parseFirebaseScrypt(t, u.PasswordHash)
			for k, want := range map[string]string{"hash": v.PasswordHash, "salt": v.Salt, "sk": set.HashConfig.SignerKey, "ss": set.HashConfig.SaltSeparator} {
				wb, _ := base64.StdEncoding.DecodeString(want)
				if string(f[k]) != string(wb) {
					t.Errorf("%s: %s= decodes to %x, want %x", u.SourceID, k, f[k], wb)
				}
			}
			if r != fmt.Sprint(set.HashConfig.Rounds) || m != fmt.Sprint(set.HashConfig.MemCost) {
				t.Errorf("%s: r=%s m=%s", u.SourceID, r, m)
			}
			if i%2 == 1 && u.PasswordHash != rec.Users[i-1].PasswordHash {
				t.Errorf("%s: URL-safe input gave %q, standard gave %q", u.SourceID, u.PasswordHash, rec.Users[i-1].PasswordHash)
			}
			n++
		}
	}
	if n != 58 {
		t.Errorf("%d users checked, want the 29 vectors twice", n)
	}
}

func urlSafe(s string) string {
	return strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(s), "=")
}

// TestReadmeRowAndKeycloakExample reads the two samples whose password is
// user1password: the README's CSV row and the keycloak importer's example,
// which has no localId (so it is keyed by email, with a warning), with the
// parameters from the example's hash_config file.
func TestReadmeRowAndKeycloakExample(t *testing.T) {
	hc, err := firebase.LoadHashConfig(fixture("smartmove-firebase-keycloak-importer_example_hash_config.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := "$firebase-scrypt$hash=lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==$salt=42xEC+ixf3L2lw==$sk=" + readmeHash.SignerKey + "$ss=Bw==$r=8$m=14"
	row := read(t, fixture("firebase-scrypt_README_auth-export-row_noheader.csv"), firebase.Options{Hash: &hc})
	if len(row.Users) != 1 || row.Users[0].PasswordHash != want || row.Users[0].SourceID != "kYi4EvWQlQTKSfnJ3dRSP6IH3ed2" || row.Users[0].FirstName != "Test" || row.Users[0].LastName != "User 1" {
		t.Fatalf("README row: %+v", row.Users)
	}
	ex := read(t, fixture("smartmove-firebase-keycloak-importer_example_users.json"), firebase.Options{Hash: &hc})
	if len(ex.Users) != 1 {
		t.Fatalf("keycloak example: %d users, skips %+v", len(ex.Users), ex.Skips)
	}
	u := ex.Users[0]
	if u.SourceID != "email:test@example.com" || u.ExternalID != "" || u.PasswordHash != want || u.Metadata["phone_number"] != "+6124567890" {
		t.Errorf("keycloak example user %+v", u)
	}
	if c := ex.Codes(); c["firebase_local_id_missing"] != 1 || len(ex.Warnings) != 1 {
		t.Errorf("warnings %v", c)
	}
}

// TestPasswordsWithoutParameters: hashes without the project's parameters
// are not imported broken; the users are staged without a password, the
// digest kept for a later ingest, and one warning counts them.
func TestPasswordsWithoutParameters(t *testing.T) {
	// The users of the sample with a hash who are staged: not disabled, with
	// an email.
	var sample struct {
		Users []struct {
			Email, PasswordHash string
			Disabled            bool
		}
	}
	b, _ := os.ReadFile(fixture("clerk-migration-tool_samples_firebase.json"))
	json.Unmarshal(b, &sample)
	hashed := 0
	for _, u := range sample.Users {
		if u.PasswordHash != "" && u.Email != "" && !u.Disabled {
			hashed++
		}
	}
	rec := read(t, fixture("clerk-migration-tool_samples_firebase.json"), firebase.Options{})
	withDigest := 0
	for _, u := range rec.Users {
		if u.PasswordHash != "" || u.PasswordHashType != "" {
			t.Errorf("%s staged with a hash %q", u.SourceID, u.PasswordHash)
		}
		if u.SourceDigest != "" {
			withDigest++
			if !strings.Contains(u.SourceHasher, "hash parameters were not given") {
				t.Errorf("%s: source hasher %q does not say why", u.SourceID, u.SourceHasher)
			}
		}
	}
	var w []ingest.Warning
	for _, x := range rec.Warnings {
		if x.Code == "firebase_hash_parameters_missing" {
			w = append(w, x)
		}
	}
	if len(rec.Warnings) != 1 || len(w) != 1 || !strings.HasPrefix(w[0].Message, fmt.Sprintf("%d users have a password hash", withDigest)) || withDigest != hashed || hashed == 0 {
		t.Errorf("%d users with a digest; warnings %+v", withDigest, rec.Warnings)
	}

	rec = read(t, fixture("clerk-migration-tool_samples_firebase.json"), firebase.Options{Hash: &readmeHash, SkipPasswords: true})
	for _, u := range rec.Users {
		if u.PasswordHash != "" || u.SourceDigest != "" {
			t.Errorf("%s: hash %q digest %q with SkipPasswords", u.SourceID, u.PasswordHash, u.SourceDigest)
		}
	}
	if c := rec.Codes(); c["firebase_passwords_skipped"] != 1 || len(rec.Warnings) != 1 {
		t.Errorf("warnings %v", c)
	}

	broken := write(t, "broken.json", `{"users":[{"localId":"a","email":"a@example.com","passwordHash":"not base64!","salt":"c2FsdA=="},
		{"localId":"b","email":"b@example.com","passwordHash":"aGFzaA=="}]}`)
	rec = read(t, broken, firebase.Options{Hash: &readmeHash})
	for _, u := range rec.Users {
		if u.PasswordHash != "" || u.SourceDigest == "" {
			t.Errorf("%s: hash %q digest %q, want no hash and the digest kept", u.SourceID, u.PasswordHash, u.SourceDigest)
		}
	}
	if c := rec.Codes(); c["firebase_password_hash_unreadable"] != 2 {
		t.Errorf("warnings %v", c)
	}
}

// TestNameSplit covers the three ways to split a displayName.
func TestNameSplit(t *testing.T) {
	tests := []struct {
		name        string
		split       firebase.NameSplit
		first, last string
	}{
		{"Mary Ann  Smith", "", "Mary", "Ann Smith"},
		{"Mary Ann  Smith", firebase.SplitFirstSpace, "Mary", "Ann Smith"},
		{"Mary Ann  Smith", firebase.SplitLastSpace, "Mary Ann", "Smith"},
		{" Mary Ann Smith ", firebase.SplitFirstNameOnly, "Mary Ann Smith", ""},
		{"Cher", firebase.SplitLastSpace, "Cher", ""},
		{"José García López", firebase.SplitFirstSpace, "José", "García López"},
		{"", firebase.SplitFirstSpace, "", ""},
	}
	for _, tc := range tests {
		js, _ := json.Marshal(map[string]any{"users": []any{map[string]any{"localId": "x", "email": "x@example.com", "displayName": tc.name}}})
		rec := read(t, write(t, "u.json", string(js)), firebase.Options{NameSplit: tc.split})
		if u := rec.Users[0]; u.FirstName != tc.first || u.LastName != tc.last {
			t.Errorf("%q split %q: %q / %q, want %q / %q", tc.name, tc.split, u.FirstName, u.LastName, tc.first, tc.last)
		}
	}
	err := decode(fixture("clerk-migration-tool_samples_firebase.json"), firebase.Options{NameSplit: "middle"}, &ingesttest.Recorder{})
	if err == nil || !strings.Contains(err.Error(), `"middle"`) {
		t.Errorf("unknown name split: %v", err)
	}
}

// TestMetadata: custom claims and linked providers become metadata within
// WorkOS's limits; what does not fit is a warning naming the key.
func TestMetadata(t *testing.T) {
	claims := map[string]any{"role": "admin", "level": 3, "beta": true, "teams": []string{"a", "b"}, strings.Repeat("k", 41): "x", "bio": strings.Repeat("é", 601), "firebase_uid": "clash"}
	cj, _ := json.Marshal(claims)
	js, _ := json.Marshal(map[string]any{"users": []any{map[string]any{"localId": "u1", "email": "u1@example.com", "phoneNumber": "+15550001", "photoUrl": "https://p/x.png",
		"disabled": true, "customAttributes": string(cj),
		"providerUserInfo": []any{map[string]string{"providerId": "password", "rawId": "u1@example.com"}, map[string]string{"providerId": "google.com", "rawId": "1098"}, map[string]string{"providerId": "saml.okta", "rawId": "u1@okta"}}},
		map[string]any{"localId": "u2", "email": "u2@example.com", "customAttributes": "{not json"}}})
	rec := read(t, write(t, "m.json", string(js)), firebase.Options{IncludeDisabled: true})
	want := map[string]string{"firebase_uid": "u1", "phone_number": "+15550001", "photo_url": "https://p/x.png", "firebase_providers": "password,google.com,saml.okta",
		"provider:google.com": "1098", "provider:saml.okta": "u1@okta", "firebase_disabled": "true", "role": "admin", "level": "3", "beta": "true", "teams": `["a","b"]`}
	if !reflect.DeepEqual(rec.Users[0].Metadata, want) {
		t.Errorf("metadata\n%v\nwant\n%v", rec.Users[0].Metadata, want)
	}
	var left []string
	for _, w := range rec.Warnings {
		if strings.HasPrefix(w.Code, "metadata_") && w.SourceID == "u1" {
			left = append(left, w.Message)
		}
	}
	if len(left) != 3 || !strings.Contains(strings.Join(left, "|"), "bio") || !strings.Contains(strings.Join(left, "|"), strings.Repeat("k", 41)) || !strings.Contains(strings.Join(left, "|"), "firebase_uid") {
		t.Errorf("left-out warnings %q, want bio, the long key and firebase_uid", left)
	}
	if c := rec.Codes(); c["firebase_custom_attributes_unreadable"] != 1 {
		t.Errorf("warnings %v", c)
	}
	if p, _ := rawOf(t, rec.Users[0])["providerUserInfo"].([]any); len(p) != 3 || p[1].(map[string]any)["rawId"] != "1098" {
		t.Errorf("raw providerUserInfo %v, want the three providers as JSON", rawOf(t, rec.Users[0])["providerUserInfo"])
	}
	if rawOf(t, rec.Users[1])["customAttributes"] != "{not json" {
		t.Errorf("unreadable customAttributes not kept in raw: %v", rec.Users[1].Raw)
	}
}

// TestBadInput: every malformed export fails with the file, the line, the
// user (its index in a JSON export) and the field.
func TestBadInput(t *testing.T) {
	tests := []struct {
		name, content string
		line          int
		field, msg    string
	}{
		{"type.json", "{\"users\": [\n  {\"localId\": \"a\", \"email\": \"a@example.com\"},\n  {\"localId\": \"b\",\n   \"emailVerified\": \"yes\"}\n]}", 3, "emailVerified", "users[1]"},
		{"syntax.json", "{\"users\": [\n  {\"localId\": \"a\"},\n  {\"localId\": \"b\",,}\n]}", 3, "", "users[1]"},
		{"truncated.json", "{\"users\": [\n  {\"localId\": \"a\", \"email\": \"a@example.com\"},\n  {\"localId\": \"b\"", 3, "", "users[1]"},
		{"nousers.json", "{\"accounts\": []}", 1, "", `no "users" array`},
		{"scalar.json", "\"users\"", 1, "", "expected a JSON array"},
		{"trailing.json", "{\"users\": []} {", 1, "", "after"},
		{"empty.json", "{\"users\": []}", 1, "", "no user"},
		{"fields.csv", "a,a@example.com,true,,,A,,,,,,,,,,,,,,,,,,1,2,,,,\nb,b@example.com,true,,,B\n", 2, "", "6 fields"},
		{"bool.csv", "a,a@example.com,maybe,,,A,,,,,,,,,,,,,,,,,,1,2,,,,\n", 1, "emailVerified", "maybe"},
		{"time.csv", "a,a@example.com,true,,,A,,,,,,,,,,,,,,,,,,yesterday,2,,,,\n", 1, "createdAt", "yesterday"},
		{"utf8.csv", "a,a@example.com,true,,,\xff,,,,,,,,,,,,,,,,,,1,2,,,,\n", 1, "displayname", "invalid UTF-8"},
		{"quote.csv", "a,a@example.com,true,,,Dwayne \"The Rock\",,,,,,,,,,,,,,,,,,1,2,,,,\n", 1, "displayname", "quote"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := write(t, tc.name, tc.content)
			err := decode(path, firebase.Options{}, &ingesttest.Recorder{})
			var le *ingest.LineError
			var ee *ingest.ElementError
			var file, field string
			var line int
			switch {
			case errors.As(err, &le):
				file, line, field = le.File, le.Line, le.Field
			case errors.As(err, &ee):
				file, line, field = ee.File, ee.Line, ee.Field
			default:
				t.Fatalf("error %v (%T), want a LineError or an ElementError", err, err)
			}
			if file != path || line != tc.line || field != tc.field || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %v (line %d, field %q)\nwant line %d field %q containing %q", err, line, field, tc.line, tc.field, tc.msg)
			}
		})
	}
}
