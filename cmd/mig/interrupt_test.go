package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterruptedCommandExitCode: a command stopped by a signal exits 128
// plus the signal's number (130 for Ctrl-C, 143 for SIGTERM), as shells
// report it, says it was interrupted, and leaves no database behind.
func TestInterruptedCommandExitCode(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users.csv")
	if err := os.WriteFile(users, []byte("email,first_name\nann@example.com,Ann\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for sig, want := range map[syscall.Signal]int{syscall.SIGINT: 130, syscall.SIGTERM: 143} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(interrupted{sig})
		db := filepath.Join(dir, sig.String()+".db")
		var stderr strings.Builder
		code := run(ctx, []string{"--db", db, "ingest", "csv", users}, strings.NewReader(""), io.Discard, &stderr)
		if code != want {
			t.Errorf("%s: exit %d, want %d (%s)", sig, code, want, stderr.String())
		}
		if !strings.Contains(stderr.String(), "interrupted") {
			t.Errorf("%s: stderr does not say the command was interrupted: %s", sig, stderr.String())
		}
		if _, err := os.Stat(db); err == nil {
			t.Errorf("%s: an interrupted first ingest left %s", sig, db)
		}
	}
}

// buildMig builds the mig binary into dir, as users run it (signals
// included, which the test binary's own run does not wire).
func buildMig(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "mig")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestCtrlCDuringImport runs the mig binary importing into a slow `mig
// emulator`, sends it SIGINT in the middle, and checks that it exits 130
// with the run recorded as interrupted and the database consistent, and
// that the next `mig import` finishes with every user in WorkOS once.
func TestCtrlCDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the mig binary and runs an import for seconds")
	}
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	dir := t.TempDir()
	bin := buildMig(t, dir)
	db := filepath.Join(dir, "mig.db")
	const users = 60
	var csv strings.Builder
	csv.WriteString("email,first_name\n")
	for i := range users {
		fmt.Fprintf(&csv, "user%02d@example.com,User%d\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "users.csv"), []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	mig := func(args ...string) *exec.Cmd {
		c := exec.Command(bin, append([]string{"--db", db}, args...)...)
		c.Dir = dir
		c.Env = append(os.Environ(), "WORKOS_SECRET_KEY=sk_test_interrupt")
		return c
	}
	if out, err := mig("ingest", "csv", "users.csv").CombinedOutput(); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}

	// A slow WorkOS: every request takes 200ms, two in flight.
	emu := mig("emulator", "--addr", "127.0.0.1:0", "--latency", "200ms", "--rate-limits", "off")
	emuErr, err := emu.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Process.Kill(); emu.Wait() })
	lines := bufio.NewScanner(emuErr)
	if !lines.Scan() {
		t.Fatalf("the emulator said nothing: %v", lines.Err())
	}
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(lines.Text())
	if url == "" {
		t.Fatalf("no address in %q", lines.Text())
	}
	go io.Copy(io.Discard, emuErr)

	imp := mig("import", "--endpoint", url, "--concurrency", "2", "--rate-limit=-1")
	var stderr strings.Builder
	imp.Stderr = &stderr
	if err := imp.Start(); err != nil {
		t.Fatal(err)
	}
	ro, err := sql.Open("sqlite", "file:"+db+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	count := func(q string) int {
		t.Helper()
		var n int
		if err := ro.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	// Wait until the import has sent a few users (not a timed assertion:
	// the deadline only stops a test that would hang).
	deadline := time.Now().Add(2 * time.Minute)
	for count(`SELECT count(*) FROM import_items WHERE entity = 'user' AND status = 'done'`) < 3 {
		if time.Now().After(deadline) {
			imp.Process.Kill()
			t.Fatalf("the import sent fewer than 3 users in 2 minutes: %s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := imp.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	imp.Wait()
	if code := imp.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("after Ctrl-C the import exited %d, want 130:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "mig import: interrupted; the staging database is consistent") {
		t.Errorf("stderr does not say the import was interrupted:\n%s", stderr.String())
	}

	// The state was saved: the run is recorded as interrupted, every row is
	// done, pending, or in flight to be looked up, and the file is sound.
	var check string
	if err := ro.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	var status string
	if err := ro.QueryRow(`SELECT status FROM import_runs ORDER BY id DESC LIMIT 1`).Scan(&status); err != nil || status != "interrupted" {
		t.Errorf("the run is recorded as %q (%v), want interrupted", status, err)
	}
	if n := count(`SELECT count(*) FROM import_items WHERE status NOT IN ('done', 'pending', 'in_flight')`); n != 0 {
		t.Errorf("%d rows failed or skipped by the interruption", n)
	}
	done := count(`SELECT count(*) FROM import_items WHERE entity = 'user' AND status = 'done'`)
	if done >= users {
		t.Fatalf("every user was imported before the interruption reached the import")
	}

	// The next import resumes and finishes, creating nobody twice.
	var out strings.Builder
	next := mig("import", "--endpoint", url, "--concurrency", "8", "--rate-limit=-1")
	next.Stderr = &out
	if err := next.Run(); err != nil {
		t.Fatalf("the next import: %v\n%s", err, out.String())
	}
	if n := count(`SELECT count(*) FROM import_items WHERE entity = 'user' AND status = 'done'`); n != users {
		t.Errorf("%d users done after the second import, want %d", n, users)
	}
	req, _ := http.NewRequest("GET", url+"/_emulator/state", nil)
	req.Header.Set("Authorization", "Bearer sk_test_interrupt")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var state struct {
		Users []struct {
			Email string `json:"email"`
		} `json:"users"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&state); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, u := range state.Users {
		seen[strings.ToLower(u.Email)]++
	}
	if len(state.Users) != users || len(seen) != users {
		t.Errorf("WorkOS has %d users with %d distinct emails, want %d of each", len(state.Users), len(seen), users)
	}
	t.Logf("interrupted after %d of %d users; the next import finished", done, users)
}
