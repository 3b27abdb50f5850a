package workosemu_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/workosemu"
)

// TestStateEndpoint: the state dump takes the API's key and answers 401 with
// the API's error body without it, and shows password hashes and TOTP
// secrets only when asked with ?secrets=1.
func TestStateEndpoint(t *testing.T) {
	const (
		hash   = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
		secret = "JBSWY3DPEHPK3PXP"
	)
	e := startEmu(t, workosemu.Options{Keys: []string{testKey}})
	u := e.do("POST", "/user_management/users", map[string]any{
		"email": "st@example.com", "password_hash": hash, "password_hash_type": "bcrypt"})
	u.want(t, 201)
	id, _ := u.json(t)["id"].(string)
	e.do("POST", "/user_management/users/"+id+"/auth_factors", map[string]any{"type": "totp", "totp_secret": secret}).want(t, 201)
	e.do("POST", "/user_management/users", `{"email":"nopass@example.com"}`).want(t, 201)

	tests := []struct {
		name       string
		query      string
		auth       string
		status     int
		hash       string // want users[0].password_hash
		secret     string // want auth_factors[0].secret
		wantBody   string
		wantAbsent []string
	}{
		{name: "no key", auth: "", status: 401, wantBody: `{"message":"Unauthorized"}`},
		{name: "key not accepted", auth: "Bearer sk_test_other", status: 401, wantBody: `{"message":"Unauthorized"}`},
		{name: "not a bearer key", auth: "Basic " + testKey, status: 401, wantBody: `{"message":"Unauthorized"}`},
		{name: "redacted by default", auth: "Bearer " + testKey, status: 200,
			hash: workosemu.Redacted, secret: workosemu.Redacted, wantAbsent: []string{hash, secret}},
		{name: "secrets=0 is redacted", query: "?secrets=0", auth: "Bearer " + testKey, status: 200,
			hash: workosemu.Redacted, secret: workosemu.Redacted, wantAbsent: []string{hash, secret}},
		{name: "secrets on request", query: "?secrets=1", auth: "Bearer " + testKey, status: 200, hash: hash, secret: secret},
		{name: "counts only", query: "?counts=1", auth: "Bearer " + testKey, status: 200,
			wantBody: `{"counts":{"users":2,"organizations":0,"organization_memberships":0,"roles":2,"permissions":0,"auth_factors":1}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", e.URL+"/_emulator/state"+tc.query, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d; body %s", res.StatusCode, tc.status, body)
			}
			if tc.wantBody != "" && string(body) != tc.wantBody {
				t.Fatalf("body = %s, want %s", body, tc.wantBody)
			}
			for _, s := range tc.wantAbsent {
				if strings.Contains(string(body), s) {
					t.Fatalf("body shows %q: %s", s, body)
				}
			}
			if tc.hash == "" {
				return
			}
			var st workosemu.State
			if err := json.Unmarshal(body, &st); err != nil {
				t.Fatal(err)
			}
			if st.Counts.Users != 2 || len(st.Users) != 2 || len(st.Factors) != 1 {
				t.Fatalf("state = %+v", st)
			}
			if st.Users[0].PasswordHash != tc.hash || st.Factors[0].Secret != tc.secret {
				t.Fatalf("password_hash %q, secret %q; want %q, %q", st.Users[0].PasswordHash, st.Factors[0].Secret, tc.hash, tc.secret)
			}
			// A user without a password shows none, redacted or not.
			if st.Users[1].PasswordHash != "" || st.Users[1].PasswordSet {
				t.Fatalf("user without a password shows %q", st.Users[1].PasswordHash)
			}
		})
	}
	// Snapshot, the in-process view other packages' tests read, is not
	// redacted.
	if snap := e.Snapshot(); snap.Users[0].PasswordHash != hash || snap.Factors[0].Secret != secret {
		t.Fatalf("Snapshot redacted: %q %q", snap.Users[0].PasswordHash, snap.Factors[0].Secret)
	}
}

// TestStateFilePrivate: the state file and the WAL and shared-memory files
// SQLite keeps beside it are 0600, whether the emulator creates the file or
// finds one an older version left readable.
func TestStateFilePrivate(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh.db")
	old := filepath.Join(dir, "old.db")
	if err := os.WriteFile(old, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(old, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	for _, path := range []string{fresh, old} {
		e := startEmu(t, workosemu.Options{StatePath: path})
		e.do("POST", "/user_management/users", map[string]any{
			"email": "p@example.com", "password_hash": "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "password_hash_type": "bcrypt"}).want(t, 201)
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatalf("%s: %v (the emulator should keep it while it runs)", p, err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s mode = %v, want 0600: it holds password hashes", filepath.Base(p), fi.Mode().Perm())
			}
		}
	}
}
