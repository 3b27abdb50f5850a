package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/auth0/auth0fake"
)

// badCase is one case of testdata/bad/expect.txt: a malformed input, the
// command that reads it, and what that command must say.
type badCase struct {
	path    string   // the file or package directory, relative to testdata/bad
	line    int      // of its "case" line in expect.txt
	args    []string // after "mig"
	exit    int
	stderr  []string // lines stderr must hold, whole
	new     []string // lines stderr must hold on a new database only
	staged  []string // lines stderr must hold on a database with a staged ingest only
	skipped []string // FILE:ROW: REASON rows skipped_users must hold (exit 0)
	warning []string // FILE:ROW: CODE: MESSAGE rows warnings must hold (exit 0)
}

// TestBadInputCorpus runs every malformed input under testdata/bad through
// the command that reads its format, twice: on a database that does not
// exist yet, and on a copy of one that already holds a staged ingest. Each
// run must exit with the code expect.txt gives and print the error line it
// gives (FILE:LINE and the field, as people see it). A refused input must
// leave the staged database byte for byte as it was, and the new one with
// no row staged (mig creates no file for an ingest that fails). A case
// whose input is read with rows skipped (a repeated id) exits 0 and names
// each skipped row with its reason.
//
// Adding a case: put the file (or package directory) under
// testdata/bad/<format>/ and its block in testdata/bad/expect.txt (the
// file's header says how). A file without a block, or a block without a
// file, fails this test, so the two cannot drift apart.
func TestBadInputCorpus(t *testing.T) {
	fixture, err := filepath.Abs("../../testdata/fixtures/clerk/anchor-export.csv")
	if err != nil {
		t.Fatal(err)
	}
	staged := filepath.Join(t.TempDir(), "staged.db")
	if code, _, errOut := migT(t, staged, "ingest", "clerk", fixture); code != 0 {
		t.Fatalf("staging the clerk fixture: exit %d: %s", code, errOut)
	}
	stagedBytes, err := os.ReadFile(staged)
	if err != nil {
		t.Fatal(err)
	}
	stagedDigest := dbDigest(t, staged, "ingest_spools", "ingest_spool_cursors", "ingest_spool_records")
	if _, err := os.Stat(staged + "-wal"); err == nil {
		t.Fatalf("%s-wal is left after mig ended: the byte comparison below would miss what it holds", staged)
	}

	// Paths in the table, and so in the messages, are relative to
	// testdata/bad: the test runs there.
	t.Chdir("../../testdata/bad")
	cases := readBadCases(t, "expect.txt")
	for _, p := range badInputs(t) {
		if _, ok := cases[p]; !ok {
			t.Errorf("testdata/bad/%s has no case in expect.txt", p)
		}
	}
	names := make([]string, 0, len(cases))
	for p := range cases {
		names = append(names, p)
	}
	slices.Sort(names)
	for _, p := range names {
		c := cases[p]
		if _, err := os.Stat(p); err != nil {
			t.Errorf("expect.txt:%d: case %s: %v", c.line, p, err)
			continue
		}
		// An API ingest keeps what it fetched (its spool) for the next
		// run to go on from, whatever stopped it: that is not staged.
		var spool []string
		if strings.HasPrefix(p, "auth0-export/") {
			spool = []string{"ingest_spools", "ingest_spool_cursors", "ingest_spool_records"}
		}
		t.Run(p, func(t *testing.T) {
			for _, fresh := range []bool{true, false} {
				db := filepath.Join(t.TempDir(), "mig.db")
				what := "a new database"
				if !fresh {
					what = "a database with a staged ingest"
					if err := os.WriteFile(db, stagedBytes, 0o600); err != nil {
						t.Fatal(err)
					}
				}
				code, out, errOut := runBadCase(t, db, c)
				got := fmt.Sprintf("exit %d\nstdout:\n%sstderr:\n%s", code, out, errOut)
				if code == 0 {
					got += "rows:\n" + strings.Join(listRows(t, db, `SELECT 'skipped ' || `+skippedText+` FROM skipped_users UNION ALL SELECT 'warning ' || `+warningText+` FROM warnings`), "\n")
				}
				if code != c.exit {
					t.Errorf("expect.txt:%d: on %s: exit %d, want %d\n%s", c.line, what, code, c.exit, got)
				}
				errOut = strings.ReplaceAll(errOut, db, "$DB")
				lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n")
				wants := append(slices.Clone(c.stderr), c.staged...)
				if fresh {
					wants = append(slices.Clone(c.stderr), c.new...)
				}
				for _, want := range wants {
					if !slices.Contains(lines, want) {
						t.Errorf("expect.txt:%d: on %s: stderr has no line\n\t%s\n%s", c.line, what, want, got)
					}
				}
				if strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine ") {
					t.Errorf("on %s: a panic:\n%s", what, errOut)
				}
				switch {
				case c.exit == 0:
					for _, want := range c.skipped {
						if !hasRow(t, db, `SELECT count(*) FROM skipped_users WHERE `+skippedText+` = ?`, want) {
							t.Errorf("expect.txt:%d: on %s: skipped_users has no row %q", c.line, what, want)
						}
					}
					for _, want := range c.warning {
						if !hasRow(t, db, `SELECT count(*) FROM warnings WHERE `+warningText+` = ?`, want) {
							t.Errorf("expect.txt:%d: on %s: warnings has no row %q", c.line, what, want)
						}
					}
				case fresh:
					if left := tablesWithRows(t, db, spool...); left != nil {
						t.Errorf("on a new database: a refused input left rows (%s)", strings.Join(left, ", "))
					}
				case spool != nil:
					if dbDigest(t, db, spool...) != stagedDigest {
						t.Errorf("on a database with a staged ingest: a refused input changed the database")
					}
				default:
					after, err := os.ReadFile(db)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(after, stagedBytes) {
						t.Errorf("on a database with a staged ingest: a refused input changed the database file")
					}
					if _, err := os.Stat(db + "-wal"); err == nil {
						t.Errorf("on a database with a staged ingest: a refused input left %s-wal", db)
					}
				}
			}
		})
	}
}

// runBadCase runs the case's command on db. The Auth0 bulk export cases
// run against a fake Auth0 that serves the case's file as the export job's
// download; its URL reads $AUTH0 in the messages.
func runBadCase(t *testing.T, db string, c badCase) (int, string, string) {
	t.Helper()
	if strings.HasPrefix(c.path, "auth0-export/") {
		users, err := auth0fake.NewUsers()
		if err != nil {
			t.Fatal(err)
		}
		srv := auth0fake.New(&auth0fake.Tenant{Users: users})
		defer srv.Close()
		srv.PollsBeforeDone = 0
		abs, err := filepath.Abs(c.path)
		if err != nil {
			t.Fatal(err)
		}
		srv.ExportFile = abs
		t.Setenv("AUTH0_DOMAIN", srv.URL)
		t.Setenv("AUTH0_CLIENT_ID", auth0fake.ClientID)
		t.Setenv("AUTH0_CLIENT_SECRET", auth0fake.ClientSecret)
		code, out, errOut := migT(t, db, c.args...)
		return code, out, strings.ReplaceAll(errOut, srv.URL, "$AUTH0")
	}
	return migT(t, db, c.args...)
}

// badInputs lists the cases on disk: every file under a format's folder,
// and for the package format every package directory.
func badInputs(t *testing.T) []string {
	t.Helper()
	formats, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range formats {
		if !f.IsDir() {
			continue
		}
		entries, err := os.ReadDir(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			out = append(out, f.Name()+"/"+e.Name())
		}
	}
	return out
}

// readBadCases reads expect.txt: blocks separated by blank lines, each
//
//	case PATH
//	mig ARGS...
//	exit N
//	stderr LINE      (any number: lines stderr must hold; the database's
//	                 path reads $DB)
//	new LINE         (the same, on the new database only)
//	staged LINE      (the same, on the database with a staged ingest only)
//	skipped LINE     (with exit 0: FILE:ROW: REASON of a skipped row)
//	warning LINE     (with exit 0: FILE:ROW: CODE: MESSAGE of a warning)
//
// and "#" comment lines.
func readBadCases(t *testing.T, name string) map[string]badCase {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases := map[string]badCase{}
	var c *badCase
	end := func() {
		if c == nil {
			return
		}
		if c.args == nil {
			t.Errorf("%s:%d: case %s has no mig line", name, c.line, c.path)
		}
		if c.exit != 0 && len(c.stderr)+len(c.new)+len(c.staged) == 0 || c.exit == 0 && len(c.skipped)+len(c.warning) == 0 {
			t.Errorf("%s:%d: case %s says nothing of what mig must say", name, c.line, c.path)
		}
		if _, dup := cases[c.path]; dup {
			t.Errorf("%s:%d: case %s is given twice", name, c.line, c.path)
		}
		cases[c.path] = *c
		c = nil
	}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		if strings.TrimSpace(line) == "" {
			end()
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		if word != "case" && c == nil {
			t.Fatalf("%s:%d: %q outside a case", name, n, line)
		}
		switch word {
		case "case":
			end()
			c = &badCase{path: rest, line: n, exit: -1}
		case "mig":
			c.args = strings.Fields(rest)
		case "exit":
			if c.exit, err = strconv.Atoi(rest); err != nil {
				t.Fatalf("%s:%d: %v", name, n, err)
			}
		case "stderr":
			c.stderr = append(c.stderr, rest)
		case "new":
			c.new = append(c.new, rest)
		case "staged":
			c.staged = append(c.staged, rest)
		case "skipped":
			c.skipped = append(c.skipped, rest)
		case "warning":
			c.warning = append(c.warning, rest)
		default:
			t.Fatalf("%s:%d: unknown line %q", name, n, line)
		}
	}
	end()
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// tablesWithRows lists the tables of the database at path that hold rows, and
// how many, but goose's own and those in skip; none when mig left no file.
func tablesWithRows(t *testing.T, path string, skip ...string) []string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var left []string
	for _, table := range stagingTables(t, db, skip...) {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM "` + table + `"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			left = append(left, fmt.Sprintf("%s: %d", table, n))
		}
	}
	return left
}

// A skipped row and a warning as expect.txt writes them (a warning's file
// and row may be empty).
const (
	skippedText = `file || ':' || row_number || ': ' || reason`
	warningText = `ifnull(file, '') || ':' || ifnull(row_number, '') || ': ' || code || ': ' || message`
)

// hasRow reports whether query, a count with one parameter, counts a row
// for want in the database at path.
func hasRow(t *testing.T, path, query, want string) bool {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query, want).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// listRows returns the one text column query reads from the database at
// path, a line each.
func listRows(t *testing.T, path, query string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}
