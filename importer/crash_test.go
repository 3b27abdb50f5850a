package importer_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/staging"
	"github.com/mig-tools/mig/workosemu"
)

// The crash test runs the importer in a child process (this test binary,
// re-executed) so that it can be killed with SIGKILL while the emulator,
// served by the parent, outlives it.
const (
	childEnv    = "MIG_IMPORTER_TEST_CHILD"
	childDB     = "MIG_IMPORTER_TEST_DB"
	childURL    = "MIG_IMPORTER_TEST_URL"
	crashUsers  = "MIG_CRASH_USERS"  // users to stage (default 2000)
	crashKills  = "MIG_CRASH_KILLS"  // SIGKILLs at least (default 20)
	crashMaxGap = "MIG_CRASH_MAX_MS" // longest life of a killed child (default 400)
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(child())
	}
	os.Exit(m.Run())
}

func child() int {
	ctx := context.Background()
	db, err := staging.Open(ctx, os.Getenv(childDB))
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	defer db.Close()
	o := opts(os.Getenv(childURL))
	o.Concurrency = 8
	importer.SetBackoff(&o, 2*time.Millisecond)
	if _, err := importer.Run(ctx, db, o); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		var pe *importer.PartialError
		if errors.As(err, &pe) {
			return 5
		}
		return 1
	}
	return 0
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// TestCrashResume kills the importer with SIGKILL at random moments, at
// least 20 times (until a run gets to finish) while it works through 2,000
// users against an emulator that fails and drops requests, then runs it
// once more. WorkOS must
// end up with exactly one user per staged user, every membership and one
// factor per TOTP secret, and every import row done.
func TestCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a child process 20 times; skipped with -short")
	}
	users := envInt(crashUsers, 2000)
	kills := envInt(crashKills, 20)
	maxGap := envInt(crashMaxGap, 400)
	s, members := bigStage(t, users)
	s.db.Close()
	emu, url := emulator(t, workosemu.Options{FaultRate: 0.05, DropRate: 0.02, AllowMultipleRoles: true,
		Latency: 2 * time.Millisecond, Jitter: 4 * time.Millisecond, Seed: 7})

	start := func() (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=1", childDB+"="+s.db.Path, childURL+"="+url)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &stderr
	}
	// Kill until a run gets to finish on its own, so the kills land in
	// every phase: organizations, users, memberships, factors.
	killed := 0
	for done := false; !done && killed < 500; {
		cmd, stderr := start()
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		gap := time.Duration(20+rand.IntN(maxGap-20)) * time.Millisecond
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("child failed: %v\n%s", err, stderr)
			}
			done = true
		case <-time.After(gap):
			cmd.Process.Kill()
			<-exited
			killed++
		}
	}
	if killed < kills {
		t.Errorf("only %d kills landed before the import finished; raise %s or lower %s", killed, crashUsers, crashMaxGap)
	}
	if db, err := staging.Open(context.Background(), s.db.Path); err == nil {
		var before []struct {
			Entity string `db:"entity"`
			Done   int    `db:"done"`
			All    int    `db:"n"`
		}
		db.Select(&before, `SELECT entity, sum(status = 'done') AS done, count(*) AS n FROM import_items GROUP BY entity`)
		db.Close()
		t.Logf("done before the last run: %+v", before)
	}
	cmd, stderr := start()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("final run: %v\n%s", err, stderr)
	}
	db, err := staging.Open(context.Background(), s.db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s.db = db
	checkExactlyOnce(t, s, emu.Snapshot(), users, members)
	var attempts int
	db.Get(&attempts, `SELECT count(*) FROM import_items WHERE attempts > 1`)
	t.Logf("%d kills; %d rows were sent more than once (reconciled)", killed, attempts)
}
