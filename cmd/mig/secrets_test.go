package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/clerk/clerkfake"
	"github.com/mig-tools/mig/workosemu"
)

// The secrets a user hands mig, each passed the way a user would: the
// WorkOS key by --api-key and by WORKOS_SECRET_KEY, a wrong one, the
// emulator's --key, Clerk's secret key by `mig ingest clerk --secret-key`
// and a wrong one by CLERK_SECRET_KEY (when this mig reads Clerk's
// Backend API), and an Auth0 client secret in the environment of every
// command, as it sits in a user's shell.
var secrets = []struct{ name, value string }{
	{"WorkOS key by --api-key", "sk_test_FLAGworkosKEY0123456789abcdef"},
	{"WorkOS key by WORKOS_SECRET_KEY", "sk_test_ENVworkosKEY9876543210fedcba"},
	{"a wrong WorkOS key", "sk_test_WRONGworkosKEY5555555555aaaaa"},
	{"the emulator's --key", "sk_test_EMUkeyFLAG77777777777bbbbbbbb"},
	{"Clerk key by --secret-key", "sk_live_CLERKsecretKEY888999000cccccc"},
	{"a wrong Clerk key by CLERK_SECRET_KEY", "sk_live_CLERKwrongKEY111222333eeeeee"},
	{"AUTH0_CLIENT_SECRET", "auth0CLIENTsecretVALUE_dddddddddddddd"},
}

func secret(name string) string {
	for _, s := range secrets {
		if s.name == name {
			return s.value
		}
	}
	panic(name)
}

// shellEnv is what every command of the test runs with. CLERK_SECRET_KEY
// is not in it: `mig ingest clerk` would take it to read the real Backend
// API.
func shellEnv(more ...string) []string {
	return append([]string{"AUTH0_CLIENT_SECRET=" + secret("AUTH0_CLIENT_SECRET")}, more...)
}

// echoing answers a few user creates with a 422 whose message quotes the
// Authorization header it got, as a misbehaving proxy or API might: what
// mig keeps of an error (the database, mig errors, the logs) must still
// not hold the key.
type echoing struct{ next http.Handler }

var echoed = regexp.MustCompile(`"email":"user1[0-9]@`)

func (e echoing) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/user_management/users") {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if echoed.Match(body) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			json.NewEncoder(w).Encode(map[string]any{"code": "invalid_request_parameters",
				"message": "Validation failed for request with " + r.Header.Get("Authorization"),
				"errors":  []map[string]string{{"field": "email", "code": "invalid", "message": "key " + r.Header.Get("Authorization")}}})
			return
		}
	}
	e.next.ServeHTTP(w, r)
}

// TestSecretsStayOut runs the whole pipeline, at --log-level debug, with
// every secret passed in: ingest, check --fix with a report, emit, the
// import plan, a dry run, an import against a WorkOS that fails some rows
// quoting the key, a retry, an import with a wrong key, the emulator with
// a state file, mig errors with a retry CSV, status and report. Then no
// secret may be in the database (any table, any column, or the file's
// bytes), in any file mig wrote, or in anything it printed; every file it
// wrote must be readable by its owner only (0600, directories 0700); and
// mig sql must refuse every write (TestSQLRefusesEveryWrite).
func TestSecretsStayOut(t *testing.T) {
	if testing.Short() {
		t.Skip("runs mig as a child process; skipped with -short")
	}
	dir := t.TempDir()
	work := filepath.Join(dir, "work") // everything mig writes goes here
	if err := os.Mkdir(work, 0o700); err != nil {
		t.Fatal(err)
	}
	u, o, r := clerkExport(t, filepath.Join(dir, "export"), 200, 1)
	db := filepath.Join(work, "mig.db")
	var printed bytes.Buffer
	mig := func(env []string, want []int, args ...string) {
		t.Helper()
		code, out, stderr := migExec(t, db, shellEnv(env...), append([]string{"--log-level", "debug"}, args...)...)
		printed.WriteString(out + stderr)
		if !slices.Contains(want, code) {
			t.Fatalf("mig %v: exit %d, want %v\n%s%s", args, code, want, out, stderr)
		}
	}
	emu, err := workosemu.New(workosemu.Options{RateLimits: workosemu.RateLimitsOff, AllowMultipleRoles: true, FaultAfterRate: 0.05, DropRate: 0.05, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(echoing{emu})
	t.Cleanup(func() { ts.Close(); emu.Close() })
	flagKey, envKey := secret("WorkOS key by --api-key"), secret("WorkOS key by WORKOS_SECRET_KEY")

	ingest := []string{"ingest", "clerk", u, "--org-mapping", o, "--role-mapping", r}
	if _, help, _ := migExec(t, db, nil, "ingest", "clerk", "--help"); strings.Contains(help, "--secret-key") {
		// The enterprise connections from a fake of Clerk's Backend API
		// that quotes a key it refuses.
		clerkAPI := clerkfake.Start(t, clerkfake.Connection{ID: "ent_1", Name: "Acme SAML", Provider: "saml_custom", Active: true,
			Domains: []string{"example.com"}, SAML: &clerkfake.SAML{ID: "samlc_1", IdpEntityID: "https://idp.example.com",
				IdpSSOURL: "https://idp.example.com/sso", IdpCertificate: "MIIBcertOne"}})
		clerkAPI.Key, clerkAPI.EchoKey = secret("Clerk key by --secret-key"), true
		mig(nil, []int{exitOK}, append(ingest, "--secret-key", secret("Clerk key by --secret-key"), "--clerk-api-url", clerkAPI.URL)...)
		mig([]string{"CLERK_SECRET_KEY=" + secret("a wrong Clerk key by CLERK_SECRET_KEY")}, []int{exitFailure},
			append(ingest, "--clerk-api-url", clerkAPI.URL, "--source-tenant", "other")...)
	} else {
		t.Log("this mig reads no Clerk Backend API (no mig ingest clerk --secret-key): the Clerk keys are not passed")
		mig(nil, []int{exitOK}, ingest...)
	}
	mig(nil, []int{exitOK, exitFindings}, "check", "--fix", "--report", filepath.Join(work, "check.json"))
	mig(nil, []int{exitOK}, "emit", "--output-dir", filepath.Join(work, "pkg"))
	mig([]string{"WORKOS_SECRET_KEY=" + envKey}, []int{exitOK}, "import", "--plan")
	mig([]string{"WORKOS_SECRET_KEY=" + envKey}, []int{exitOK, exitPartial}, "import", "--dry-run", "--create-orgs", "--summary", filepath.Join(work, "dry-run.json"))
	mig(nil, []int{exitPartial}, "import", "--endpoint", ts.URL, "--api-key", flagKey, "--create-orgs", "--rate-limit", "2000",
		"--summary", filepath.Join(work, "summary.json"))
	mig([]string{"WORKOS_SECRET_KEY=" + envKey}, []int{exitPartial}, "import", "--endpoint", ts.URL, "--create-orgs", "--rate-limit", "2000",
		"--retry-failed", "--all", "--json")
	stateFile := filepath.Join(work, "emulator.db")
	url, stop := startEmulator(t, stateFile, secret("the emulator's --key"))
	mig([]string{"WORKOS_SECRET_KEY=" + secret("a wrong WorkOS key")}, []int{exitAuth}, "import", "--endpoint", url)
	printed.WriteString(stop())
	mig(nil, []int{exitOK}, "errors")
	mig(nil, []int{exitOK}, "errors", "--retry-csv", filepath.Join(work, "retry.csv"))
	mig(nil, []int{exitOK}, "status")
	mig(nil, []int{exitOK}, "report", "--output", filepath.Join(work, "report.html"))
	mig(nil, []int{exitOK}, "report", "--format", "md")
	if !strings.Contains(printed.String(), "Validation failed for request with Bearer [redacted]") {
		t.Errorf("the echoing WorkOS's message, its key redacted, is not in what mig printed (mig errors)")
	}

	// Nothing printed holds a secret.
	assertNoSecret(t, "what mig printed", printed.Bytes())
	// No row of any table, and no byte of any file mig wrote.
	assertNoSecretInDB(t, db)
	files := 0
	err = filepath.WalkDir(work, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s is %v, want %v", p, fi.Mode().Perm(), want)
		}
		if d.IsDir() {
			return nil
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		assertNoSecret(t, p, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"mig.db", "check.json", "pkg/users.csv", "pkg/totp_secrets.csv", "dry-run.json", "summary.json", "emulator.db", "retry.csv", "report.html"} {
		if _, err := os.Stat(filepath.Join(work, f)); err != nil {
			t.Errorf("the test meant to check %s: %v", f, err)
		}
	}
	t.Logf("reliability: secrets: %d files, the database's tables and %d bytes of output hold none of %d secrets", files, printed.Len(), len(secrets))

	t.Run("mig sql cannot write", TestSQLRefusesEveryWrite)
}

// assertNoSecret fails t if b holds any secret, whole or its distinctive
// middle.
func assertNoSecret(t *testing.T, where string, b []byte) {
	t.Helper()
	for _, s := range secrets {
		for _, frag := range []string{s.value, s.value[8 : len(s.value)-8]} {
			if i := bytes.Index(b, []byte(frag)); i >= 0 {
				t.Errorf("%s holds %s: ...%s...", where, s.name, b[max(0, i-80):min(len(b), i+len(frag)+20)])
				break
			}
		}
	}
}

// assertNoSecretInDB reads every column of every row of every table as
// text, and the file's bytes.
func assertNoSecretInDB(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, path, b)
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	cells := 0
	for _, table := range tables {
		r, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		var text bytes.Buffer
		for r.Next() {
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				text.Write(v)
				text.WriteByte(0)
				cells++
			}
		}
		r.Close()
		assertNoSecret(t, "table "+table, text.Bytes())
	}
	if cells == 0 {
		t.Fatalf("read no cell of %s", path)
	}
}

// startEmulator runs `mig emulator` with a state file and an accepted key
// as a child process, and returns its URL and a function that stops it
// and returns what it printed.
func startEmulator(t *testing.T, state, key string) (string, func() string) {
	t.Helper()
	cmd := migCmd(t, filepath.Join(filepath.Dir(state), "mig.db"), shellEnv(), "--log-level", "debug", "emulator",
		"--addr", "127.0.0.1:0", "--state", state, "--key", key)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var printed bytes.Buffer
	lines := bufio.NewScanner(stderr)
	url := ""
	for url == "" && lines.Scan() {
		printed.WriteString(lines.Text() + "\n")
		if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(lines.Text()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		cmd.Process.Kill()
		t.Fatalf("mig emulator did not say where it listens: %v", lines.Err())
	}
	rest := make(chan struct{})
	go func() {
		b, _ := io.ReadAll(stderr)
		printed.Write(b)
		close(rest)
	}()
	stopped := false
	stop := func() string {
		if stopped {
			return ""
		}
		stopped = true
		// Killed: the test binary runs mig without main's signal
		// handling, and every answer was in the state file already.
		cmd.Process.Kill()
		<-rest
		cmd.Wait()
		return printed.String()
	}
	t.Cleanup(func() { stop() })
	return url, stop
}
