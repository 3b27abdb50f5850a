package importer_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	childEnv     = "MIG_IMPORTER_TEST_CHILD"
	childDB      = "MIG_IMPORTER_TEST_DB"
	childURL     = "MIG_IMPORTER_TEST_URL"
	childTimeout = "MIG_IMPORTER_TEST_TIMEOUT" // the child's wait for an answer's headers
	childLife    = "MIG_IMPORTER_TEST_LIFE"    // which run of the round the child is, sent in lifeHeader
	crashRounds  = "MIG_CRASH_ROUNDS"          // rounds, each a fresh database and emulator (3; long form 20)
	crashUsers   = "MIG_CRASH_USERS"           // users to stage per round (400; long form 2000)
	crashKills   = "MIG_CRASH_KILLS"           // SIGKILLs per round at least (10; long form 20)
	crashMaxGap  = "MIG_CRASH_MAX_MS"          // longest life of a child killed by time (default 400)
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
	if d, err := time.ParseDuration(os.Getenv(childTimeout)); err == nil {
		o.HTTPClient = &http.Client{Transport: lifeTransport{&http.Transport{ResponseHeaderTimeout: d}, os.Getenv(childLife)}}
	}
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

// lifeHeader tells the emulator's gate which run of a round sent a
// request, so that it can count the writes of a killed run that reach the
// emulator after the next run started: the emulator applies none of them,
// since their client is gone (see workosemu's locked), which the importer
// counts on when it looks up a row found in flight.
const lifeHeader = "X-Mig-Test-Life"

type lifeTransport struct {
	base http.RoundTripper
	life string
}

func (l lifeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(lifeHeader, l.life)
	return l.base.RoundTrip(r)
}

// failedRows lists a few failed import rows with their cause, for the
// message of a run that ended with some.
func failedRows(t *testing.T, path string) []string {
	db, err := staging.Open(context.Background(), path)
	if err != nil {
		return []string{err.Error()}
	}
	defer db.Close()
	var rows []string
	if err := db.Select(&rows, `SELECT entity || ' ' || coalesce(error_code, '') || ': ' || coalesce(message, '')
		FROM import_items WHERE status = 'failed' LIMIT 5`); err != nil {
		return []string{err.Error()}
	}
	return rows
}

// refusedToStart reports whether a run stopped in its check of the
// endpoint, before anything was sent or marked (importer.preflight).
func refusedToStart(stderr string) bool {
	return strings.Contains(stderr, "before importing") || strings.Contains(stderr, "nothing was sent")
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// Where a kill lands.
const (
	killBeforeWrite = iota // at a chosen request, before the emulator sees it
	killAfterWrite         // at a chosen request, after the emulator applied it, before the answer
	killTimed              // after a chosen time, wherever the importer is (often in the database)
)

// crashFigures adds up what the rounds did, for the log.
type crashFigures struct {
	runs, kills [3]int
	lives       int
	unstarted   int // runs whose check before the first write gave up
	requests    int64
	faults      workosemu.FaultCounts
}

// TestCrashResume kills the importer with SIGKILL at random points, over
// several rounds, each with a fresh staging database and a fresh emulator
// that injects faults: 5xx answers before and after the write, connections
// dropped after the write, answers slower than the client's timeout, and
// latency, with Idempotency-Key replay off (the emulator's default, as in
// production). A kill lands at a chosen request, before the emulator sees
// it or after it applied it and before the answer, or after a chosen time,
// wherever the importer is. Each round kills until a run finishes on its
// own, then runs once more, and must end reconciled: every staged row done,
// once, as staged, and nothing twice in WorkOS. The kill points come from
// a seed that the test prints (MIG_RELIABILITY_SEED replays them; the
// interleaving of eight workers is the machine's). MIG_RELIABILITY=long
// runs the long form.
func TestCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	seed := reliabilitySeed(t)
	rng := rand.New(rand.NewPCG(seed, 0x6d6967))
	rounds := envInt(crashRounds, pick(3, 20))
	users := envInt(crashUsers, pick(400, 2000))
	kills := envInt(crashKills, pick(10, 20))
	maxGap := envInt(crashMaxGap, 400)
	start := time.Now()
	var fig crashFigures
	ran := 0
	for round := range rounds {
		ran++
		if !t.Run("round "+strconv.Itoa(round), func(t *testing.T) {
			crashRound(t, rng, int64(seed)+int64(round), users, kills, maxGap, &fig)
		}) {
			t.Logf("seed %d failed in round %d", seed, round)
			break
		}
	}
	t.Logf("reliability: importer killed: %d rounds of %d users in %s: %d runs, %d kills (%d at a request before its write, %d after its write before the answer, %d after a random time); "+
		"faults injected: %d 5xx before the write, %d 5xx after it, %d dropped after the write, %d slower than the timeout; %d requests; %d runs gave up in their check before the first write",
		ran, users, time.Since(start).Round(time.Second), fig.lives, fig.kills[0]+fig.kills[1]+fig.kills[2],
		fig.kills[killBeforeWrite], fig.kills[killAfterWrite], fig.kills[killTimed],
		fig.faults.ServerErrors, fig.faults.ServerErrorsAfter, fig.faults.Dropped, fig.faults.Slow, fig.requests, fig.unstarted)
}

func crashRound(t *testing.T, rng *rand.Rand, seed int64, users, minKills, maxGap int, fig *crashFigures) {
	s := richStage(t, users)
	s.db.Close()
	emu, g, url := gatedEmulator(t, workosemu.Options{FaultRate: 0.03, FaultAfterRate: 0.02, DropRate: 0.02,
		SlowRate: 0.005, SlowFor: time.Minute, Latency: time.Millisecond, Jitter: 3 * time.Millisecond, Seed: seed})

	// The kill plan of the child alive now; the gate carries it out.
	var plan struct {
		sync.Mutex
		proc   *os.Process
		at     int64 // the request, counted from base, that kills; 0: none
		base   int64
		apply  bool
		killed bool
	}
	var life, late atomic.Int64
	g.set(func(n int64, w http.ResponseWriter, r *http.Request) bool {
		if l, err := strconv.ParseInt(r.Header.Get(lifeHeader), 10, 64); err == nil && l < life.Load() && r.Method != http.MethodGet {
			late.Add(1)
		}
		plan.Lock()
		hit := plan.proc != nil && !plan.killed && plan.at > 0 && n-plan.base == plan.at
		if hit {
			plan.killed = true
		}
		proc, apply := plan.proc, plan.apply
		plan.Unlock()
		if !hit {
			return true
		}
		if apply {
			g.next.ServeHTTP(httptest.NewRecorder(), r)
		}
		proc.Kill()
		return false
	})
	start := func() (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=1", childDB+"="+s.db.Path, childURL+"="+url, childTimeout+"=250ms",
			childLife+"="+strconv.FormatInt(life.Add(1), 10))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &stderr
	}
	// requests is about what a whole import sends without faults: one
	// request per user, membership and factor, and a few for the roles and
	// organizations. The first minKills runs are killed at a request
	// within their first requests/(2*minKills), so that together they
	// send half an import at most and every one of those kills lands; the
	// runs after them are killed anywhere, at a request within their first
	// 2*requests/minKills or after a random time, until one finishes.
	requests := users*27/10 + 20
	killed := 0
	for done := false; !done; {
		if fig.lives++; killed >= 500 {
			t.Fatalf("500 kills and the import never finished")
		}
		mode, within := rng.IntN(3), 2*requests/minKills
		if killed < minKills {
			mode, within = rng.IntN(2), requests/(2*minKills)
		}
		var timer <-chan time.Time
		plan.Lock()
		plan.proc, plan.at, plan.base, plan.killed = nil, 0, g.n.Load(), false
		if mode == killTimed {
			timer = time.After(time.Duration(10+rng.IntN(maxGap-10)) * time.Millisecond)
		} else {
			plan.at, plan.apply = 1+rng.Int64N(int64(max(within, 1))), mode == killAfterWrite
		}
		plan.Unlock()
		cmd, stderr := start()
		plan.Lock()
		plan.proc = cmd.Process
		plan.Unlock()
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		fig.runs[mode]++
		select {
		case err := <-exited:
			plan.Lock()
			hit := plan.killed
			plan.proc = nil
			plan.Unlock()
			switch {
			case hit:
				killed++
				fig.kills[mode]++
			case err != nil && refusedToStart(stderr.String()):
				// The check before the first write met as many faults
				// in a row as it tries; nothing was sent or marked.
				fig.unstarted++
			case err != nil:
				t.Fatalf("child failed: %v\n%s\nfailed rows: %v", err, stderr, failedRows(t, s.db.Path))
			default:
				done = true
			}
		case <-timer:
			cmd.Process.Kill()
			<-exited
			killed++
			fig.kills[mode]++
		}
	}
	if killed < minKills {
		t.Errorf("only %d kills landed: the import finished after fewer requests than it has rows to send", killed)
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
	assertClean(t, db, emu.Snapshot())
	var resent int
	db.Get(&resent, `SELECT count(*) FROM import_items WHERE attempts > 1`)
	f := emu.Faults()
	fig.faults.ServerErrors += f.ServerErrors
	fig.faults.ServerErrorsAfter += f.ServerErrorsAfter
	fig.faults.Dropped += f.Dropped
	fig.faults.Slow += f.Slow
	fig.requests += g.n.Load()
	t.Logf("%d kills; %d rows were sent by more than one run (looked up again); %d writes of a killed run reached the emulator after the next run started; faults %+v",
		killed, resent, late.Load(), f)
}
