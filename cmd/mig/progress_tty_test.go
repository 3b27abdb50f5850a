package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mig-tools/mig/checks"
	"github.com/mig-tools/mig/progress"
)

// TestProgressBarsInTerminal runs `mig ingest`, `mig check` and `mig
// emit` in a real terminal (a tmux pane) and reads the screen: each ends
// with its bar drawn complete, counting users staged, rules and users.
// Skipped where tmux is not installed.
func TestProgressBarsInTerminal(t *testing.T) {
	tmux := needTmux(t, "the progress bars are")
	dir := t.TempDir()
	bin := buildMig(t, dir)
	db := filepath.Join(dir, "mig.db")
	var csv strings.Builder
	csv.WriteString("email,first_name\n")
	for i := range 50 {
		fmt.Fprintf(&csv, "user%02d@example.com,User%d\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "users.csv"), []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	rules, err := checks.Rules()
	if err != nil {
		t.Fatal(err)
	}

	script := fmt.Sprintf("%s --db %s ingest csv %s; %s --db %s check; %s --db %s emit --output-dir %s; echo MIG-EXIT; sleep 60",
		bin, db, filepath.Join(dir, "users.csv"), bin, db, bin, db, filepath.Join(dir, "pkg"))
	tm := tmuxSession(t, tmux, "mig-test", 150, script)
	var screen string
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(screen, "MIG-EXIT") {
		if time.Now().After(deadline) {
			t.Fatalf("the commands did not finish in 2 minutes; the screen:\n%s", screen)
		}
		time.Sleep(100 * time.Millisecond)
		if screen, err = tm("capture-pane", "-p", "-t", "mig"); err != nil {
			t.Fatalf("tmux capture-pane: %v\n%s", err, screen)
		}
	}
	for _, want := range []string{"ingest  50 users", fmt.Sprintf("%d/%d rules", len(rules), len(rules)), "50/50 users"} {
		var line string
		for _, l := range strings.Split(screen, "\n") {
			if strings.Contains(l, want) {
				line = l
			}
		}
		if line == "" || !strings.Contains(line, "100 %") {
			t.Errorf("no complete bar with %q on the screen:\n%s", want, screen)
		}
	}
}

// TestIngestProgressLines: off a terminal, `mig ingest` writes a line on
// stderr every progress.LineEvery (shortened here, so that a short
// ingest writes some) naming its phase and the users staged, and a last
// line with the count and the time taken; stdout holds the counts only.
func TestIngestProgressLines(t *testing.T) {
	defer func(d time.Duration) { progress.LineEvery = d }(progress.LineEvery)
	progress.LineEvery = time.Millisecond
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("email,first_name\n")
	for i := range 3000 {
		fmt.Fprintf(&csv, "user%04d@example.com,User%d\n", i, i)
	}
	users := filepath.Join(dir, "users.csv")
	if err := os.WriteFile(users, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	if code := run(context.Background(), []string{"--db", filepath.Join(dir, "mig.db"), "ingest", "csv", users}, strings.NewReader(""), &stdout, &stderr); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s", code, stderr.String())
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if strings.HasPrefix(l, "ingest: ") {
			lines = append(lines, l)
		}
	}
	phase := regexp.MustCompile(`^ingest: [a-z' ]+: \d+ users`)
	if len(lines) < 2 || !phase.MatchString(lines[0]) {
		t.Fatalf("no line with the phase and the users staged on stderr:\n%s", stderr.String())
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "ingest: 3000 users, done in ") {
		t.Errorf("the last line is %q, want the users staged and the time taken", last)
	}
	if strings.Contains(stdout.String(), "ingest:") {
		t.Errorf("progress on stdout:\n%s", stdout.String())
	}
}

// needTmux skips a test that builds the mig binary under -short, and one
// that needs tmux where it is not installed, saying what goes untested
// ("the progress bars are"); otherwise it returns tmux's path.
func needTmux(t *testing.T, untested string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the mig binary")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed: " + untested + " not tested in a terminal here")
	}
	return tmux
}

// tmuxSession runs script in a detached tmux session "mig", width columns
// by 50 lines, on a tmux server of the test's own (socket name plus the
// process id), killed when the test ends. It returns a function that runs
// a tmux command on that server.
func tmuxSession(t *testing.T, tmux, socket string, width int, script string) func(args ...string) (string, error) {
	t.Helper()
	socket = fmt.Sprintf("%s-%d", socket, os.Getpid())
	tm := func(args ...string) (string, error) {
		c := exec.Command(tmux, append([]string{"-L", socket}, args...)...)
		c.Env = append(os.Environ(), "TERM=xterm-256color")
		out, err := c.CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() { tm("kill-server") })
	if out, err := tm("new-session", "-d", "-s", "mig", "-x", strconv.Itoa(width), "-y", "50", script); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	return tm
}
