package main

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mig-tools/mig/ingest/auth0/auth0fake"
)

// auth0fakeCmd is the script command
//
//	auth0fake [-throttle N] fixtures | generate N | users FILE...
//
// which starts a fake Auth0 Management API on 127.0.0.1 (stopped when the
// script ends) and sets AUTH0_DOMAIN, AUTH0_CLIENT_ID and
// AUTH0_CLIENT_SECRET for mig to reach it, and AUTH0_FAKE_URL. fixtures
// serves the sample tenant of $FIXTURES/auth0 with the profiles of the
// public password samples; generate a tenant of N generated users; users
// the user objects of NDJSON files. -throttle answers the first N API
// requests with 429.
func auth0fakeCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! auth0fake")
	}
	throttle := 0
	if len(args) >= 2 && args[0] == "-throttle" {
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		throttle, args = n, args[2:]
	}
	if len(args) == 0 {
		ts.Fatalf("usage: auth0fake [-throttle N] fixtures | generate N | users FILE...")
	}
	var ten *auth0fake.Tenant
	switch args[0] {
	case "fixtures":
		dir := filepath.Join(ts.Getenv("FIXTURES"), "auth0")
		var err error
		ten, err = auth0fake.FixtureTenant(dir)
		ts.Check(err)
		ts.Check(ten.AddUserFiles(filepath.Join(dir, "zitadel-tools_auth0_users.ndjson"), filepath.Join(dir, "zitadel-docs_auth0_profiles_sample.ndjson")))
	case "generate":
		if len(args) != 2 {
			ts.Fatalf("usage: auth0fake generate N")
		}
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		ten = auth0fake.Generate(auth0fake.GenOptions{Users: n, Seed: 1})
	case "users":
		users, err := auth0fake.NewUsers()
		ts.Check(err)
		ten = &auth0fake.Tenant{Users: users}
		var files []string
		for _, f := range args[1:] {
			files = append(files, ts.MkAbs(f))
		}
		ts.Check(ten.AddUserFiles(files...))
	default:
		ts.Fatalf("auth0fake: unknown tenant %q", args[0])
	}
	srv := auth0fake.New(ten)
	srv.PollsBeforeDone = 0
	srv.Throttle(throttle, time.Second)
	ts.Defer(srv.Close)
	ts.Setenv("AUTH0_FAKE_URL", srv.URL)
	ts.Setenv("AUTH0_DOMAIN", srv.URL)
	ts.Setenv("AUTH0_CLIENT_ID", auth0fake.ClientID)
	ts.Setenv("AUTH0_CLIENT_SECRET", auth0fake.ClientSecret)
}

// migArgsEnv holds the arguments TestHelperMig runs mig with, one per
// line.
const migArgsEnv = "MIG_TEST_ARGS"

// TestHelperMig is not a test of its own: TestIngestAuth0KilledResumes runs
// it in a child process, as mig with the arguments in $MIG_TEST_ARGS, to
// kill it mid-way.
func TestHelperMig(t *testing.T) {
	args := os.Getenv(migArgsEnv)
	if args == "" {
		t.Skip("run by TestIngestAuth0KilledResumes")
	}
	os.Exit(run(context.Background(), strings.Split(args, "\n"), os.Stdin, os.Stdout, os.Stderr))
}

// TestIngestAuth0KilledResumes kills `mig ingest auth0` (SIGKILL, in a
// child process) when it asks for the fourth page of users; run again with
// the same arguments, it requests none of the pages it had saved, and
// stages every user once.
func TestIngestAuth0KilledResumes(t *testing.T) {
	srv := auth0fake.Start(t, auth0fake.Generate(auth0fake.GenOptions{Users: 900, Orgs: 3, Seed: 11}))
	srv.PollsBeforeDone = 0
	db := filepath.Join(t.TempDir(), "mig.db")
	args := []string{"--db", db, "ingest", "auth0", "--domain", srv.URL, "--client-id", auth0fake.ClientID, "--rate-limit=-1"}
	child := exec.Command(os.Args[0], "-test.run=^TestHelperMig$")
	child.Env = append(os.Environ(), migArgsEnv+"="+strings.Join(args, "\n"), "AUTH0_CLIENT_SECRET="+auth0fake.ClientSecret)
	child.Stderr = os.Stderr
	var once sync.Once
	killed := make(chan struct{})
	srv.OnRequest = func(r auth0fake.Request) {
		if r.Path == "/api/v2/users" && r.Query.Get("page") == "3" {
			once.Do(func() {
				child.Process.Kill()
				close(killed)
			})
		}
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	err := child.Wait()
	select {
	case <-killed:
	default:
		t.Fatalf("the child ended before it was killed: %v", err)
	}
	srv.OnRequest = nil
	t.Setenv("AUTH0_CLIENT_SECRET", auth0fake.ClientSecret)
	code, stdout, stderr := migRun(db, "", args[2:]...)
	if code != 0 {
		t.Fatalf("the ingest started again exited %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "going on with the interrupted fetch") {
		t.Errorf("stderr does not say the fetch goes on:\n%s", stderr)
	}
	for page := range 9 {
		want := 1
		if page == 3 {
			want = 2 // asked for by the killed process, and again
		}
		if n := srv.Count("GET", "/api/v2/users", "page="+strconv.Itoa(page)); n != want {
			t.Errorf("users page %d requested %d times, want %d", page, n, want)
		}
	}
	if n := srv.Count("GET", "/api/v2/roles"); n != 1 {
		t.Errorf("the role catalog requested %d times, want 1", n)
	}
	conn, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var users, distinct, skipped, dupWarnings, spools int
	if err := conn.QueryRow(`SELECT count(*), count(DISTINCT source_id), (SELECT count(*) FROM skipped_users),
		(SELECT count(*) FROM (SELECT 1 FROM warnings GROUP BY code, source_id, file, row_number, message HAVING count(*) > 1)),
		(SELECT count(*) FROM ingest_spools) FROM users`).Scan(&users, &distinct, &skipped, &dupWarnings, &spools); err != nil {
		t.Fatal(err)
	}
	if users+skipped != 900 || users != distinct || dupWarnings != 0 || spools != 0 {
		t.Errorf("%d users (%d distinct), %d skipped, %d repeated warnings, %d spools", users, distinct, skipped, dupWarnings, spools)
	}
	if !strings.Contains(stdout, "users new         "+strconv.Itoa(users)) {
		t.Errorf("stdout:\n%s", stdout)
	}
	if slices.Contains(strings.Fields(stderr), auth0fake.ClientSecret) || strings.Contains(stderr+stdout, auth0fake.ClientSecret) {
		t.Error("the client secret was printed")
	}
}

// TestIngestAuth0RefusedLeavesNoDatabase: a first ingest the tenant refuses
// (wrong client secret) saved no page, so it leaves no database behind,
// and says why without the secret.
func TestIngestAuth0RefusedLeavesNoDatabase(t *testing.T) {
	srv := auth0fake.Start(t, auth0fake.Generate(auth0fake.GenOptions{Users: 10, Seed: 1}))
	db := filepath.Join(t.TempDir(), "mig.db")
	code, _, stderr := migRun(db, "", "ingest", "auth0", "--domain", srv.URL, "--client-id", auth0fake.ClientID, "--client-secret", "not-the-secret")
	if code != exitFailure || !strings.Contains(stderr, "access_denied") || strings.Contains(stderr, "not-the-secret") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("the refused ingest left %s behind (%v)", db, err)
	}
}
