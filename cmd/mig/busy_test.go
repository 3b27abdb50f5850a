package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/mig-tools/mig/staging"
)

// Environment of TestHelperHoldLock: the database, and the lock to take
// (the BEGIN mode: IMMEDIATE for the write lock, EXCLUSIVE to keep readers
// out too).
const (
	holdLockDB   = "MIG_TEST_HOLD_LOCK_DB"
	holdLockMode = "MIG_TEST_HOLD_LOCK_MODE"
)

// TestHelperHoldLock is not a test of its own: TestBusySaysWhoHoldsTheLock
// runs it in a child process, which takes the lock, says "locked" and keeps
// the lock until its stdin closes.
func TestHelperHoldLock(t *testing.T) {
	path := os.Getenv(holdLockDB)
	if path == "" {
		t.Skip("run by TestBusySaysWhoHoldsTheLock")
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("BEGIN " + os.Getenv(holdLockMode)); err != nil {
		t.Fatal(err)
	}
	// A read makes the EXCLUSIVE lock real at once (SQLite takes it lazily).
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM users`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	fmt.Println("locked")
	io.Copy(io.Discard, os.Stdin)
	db.Exec("ROLLBACK")
}

// When another process holds the lock past the busy timeout, the error
// says who: its pid and, from its command line, the mig command to wait
// for (never its flag values).
func TestBusySaysWhoHoldsTheLock(t *testing.T) {
	db := sqlFixture(t)
	before := staging.BusyTimeout
	staging.BusyTimeout = 50 * time.Millisecond
	t.Cleanup(func() { staging.BusyTimeout = before })
	for _, c := range []struct {
		mode  string
		args  []string
		doing string
	}{
		{"IMMEDIATE", []string{"check"}, "writing"},
		{"EXCLUSIVE", []string{"status"}, "writing"},
	} {
		t.Run(c.mode, func(t *testing.T) {
			// The child's command line looks like a mig command with a
			// secret, so that what the message keeps of it shows.
			child := exec.Command(os.Args[0], "-test.run=^TestHelperHoldLock$", "--",
				"--db", db, "ingest", "clerk", "--api-key", "sk_secret", "export.csv")
			child.Env = append(os.Environ(), holdLockDB+"="+db, holdLockMode+"="+c.mode)
			stdin, err := child.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			stdout, err := child.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			child.Stderr = os.Stderr
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			defer child.Wait()
			defer stdin.Close()
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil || line != "locked\n" {
				t.Fatalf("child said %q, %v", line, err)
			}
			code, _, stderr := migRun(db, "", c.args...)
			if code == 0 {
				t.Fatalf("exit 0 while another process holds the lock")
			}
			who := fmt.Sprintf(`"mig ingest clerk" (pid %d)`, child.Process.Pid)
			for _, want := range []string{
				"database is locked",
				who + " is " + c.doing + " " + db + ", and still was after 50ms",
				"Try: wait for " + who + " to finish, then run this command again",
			} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if strings.Contains(stderr, "sk_secret") {
				t.Errorf("stderr shows the other process's flag values:\n%s", stderr)
			}
		})
	}
}

// commandOf keeps the command words of a mig command line and nothing else.
func TestCommandOf(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"/usr/local/bin/mig", "--db", "x.db", "import", "--api-key", "sk_live_1", "--concurrency", "4"}, "mig import"},
		{[]string{"mig", "ingest", "clerk", "export.csv", "--org-mapping", "o.csv"}, "mig ingest clerk"},
		{[]string{"mig", "--log-level=debug", "check", "--fix"}, "mig check"},
		{[]string{"sqlite3", "mig.db"}, ""},
		{[]string{"mig"}, ""},
		{nil, ""},
	} {
		if got := commandOf(c.args); got != c.want {
			t.Errorf("commandOf(%q) = %q, want %q", c.args, got, c.want)
		}
	}
}
