package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// crashCase is one command killed at random moments: it starts from a
// copy of the database from (none when empty) and, when pkg is set, with
// that package already in the output directory.
type crashCase struct {
	name  string
	from  string
	pkg   string
	args  func(work string) []string
	codes []int // exit codes of a run that went to its end
}

// TestCrashDuringIngestCheckEmit kills `mig ingest`, `mig check --fix` and
// `mig emit` with SIGKILL at random moments and checks that each left the
// database and the output directory either unchanged or complete: the
// database's rows are those from before (to the byte) or those of the
// same command run to its end (timestamps aside), the package directory is
// absent, the one from before, or byte for byte the one a full run writes.
// After a kill that left the work undone, the command is run again and
// must end complete. A hot journal left by a kill must be private (0600):
// it holds the pages it will restore, password hashes included.
func TestCrashDuringIngestCheckEmit(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	rng := reliabilityRand(t)
	n, kills := pick(4000, 50000), pick(4, 20)
	dir := t.TempDir()
	u1, o1, r1 := clerkExport(t, filepath.Join(dir, "v1"), n, 1)
	u2, o2, r2 := clerkExport(t, filepath.Join(dir, "v2"), n, 2)
	ingest := func(u, o, r string) func(string) []string {
		return func(string) []string { return []string{"ingest", "clerk", u, "--org-mapping", o, "--role-mapping", r} }
	}
	emitArgs := func(at string, more ...string) func(string) []string {
		return func(work string) []string {
			return append([]string{"emit", "--output-dir", filepath.Join(work, "pkg"), "--generated-at", at}, more...)
		}
	}
	// The states the commands start from, built once.
	state := func(name string, args ...[]string) string {
		db := filepath.Join(dir, name+".db")
		for _, a := range args {
			if code, _, stderr := migExec(t, db, nil, a...); code != exitOK && code != exitFindings {
				t.Fatalf("mig %v: exit %d\n%s", a, code, stderr)
			}
		}
		return db
	}
	ingested := state("v1", ingest(u1, o1, r1)(""))
	reingested := state("v2", ingest(u1, o1, r1)(""), ingest(u2, o2, r2)(""))
	fixed := state("fixed", ingest(u1, o1, r1)(""), ingest(u2, o2, r2)(""), []string{"check", "--fix"})
	oldPkg := filepath.Join(dir, "old-pkg")
	if code, _, stderr := migExec(t, fixed, nil, emitArgs("2025-06-01T00:00:00Z")(dir)...); code != exitOK {
		t.Fatalf("emit: exit %d\n%s", code, stderr)
	}
	if err := os.Rename(filepath.Join(dir, "pkg"), oldPkg); err != nil {
		t.Fatal(err)
	}
	cases := []crashCase{
		{name: "first ingest", args: ingest(u1, o1, r1), codes: []int{exitOK}},
		{name: "ingest of a newer export", from: ingested, args: ingest(u2, o2, r2), codes: []int{exitOK}},
		// mig check --fix commits its fixes, its findings and its check
		// run together: a kill leaves the findings of the data as it is,
		// the old ones with the old data or the new ones with the fixed.
		{name: "check --fix", from: reingested, args: func(string) []string { return []string{"check", "--fix"} },
			codes: []int{exitOK, exitFindings}},
		// So does mig check --undo-fixes: the values put back, the
		// findings and the check run.
		{name: "check --undo-fixes", from: fixed, args: func(string) []string { return []string{"check", "--undo-fixes"} },
			codes: []int{exitOK, exitFindings}},
		{name: "emit", from: fixed, args: emitArgs("2026-01-01T00:00:00Z"), codes: []int{exitOK}},
		{name: "emit --overwrite", from: fixed, pkg: oldPkg, args: emitArgs("2026-01-01T00:00:00Z", "--overwrite"), codes: []int{exitOK}},
	}
	start := time.Now()
	var lines []string
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lines = append(lines, crashCommand(t, rng.Float64, dir, c, kills))
		})
	}
	t.Logf("reliability: commands killed, %d users, %d kills a command, in %s:\n%s", n, kills, time.Since(start).Round(time.Second), strings.Join(lines, "\n"))
}

// crashCommand kills one command kills times and returns a line of
// figures: how often a kill left the work unchanged or complete.
func crashCommand(t *testing.T, random func() float64, dir string, c crashCase, kills int) string {
	// prepare makes a working directory holding the starting state.
	seq := 0
	prepare := func() (work, db string) {
		seq++
		work = filepath.Join(dir, fmt.Sprintf("%s-%d", strings.ReplaceAll(c.name, " ", "-"), seq))
		if err := os.MkdirAll(work, 0o700); err != nil {
			t.Fatal(err)
		}
		db = filepath.Join(work, "mig.db")
		if c.from != "" {
			copyFile(t, c.from, db)
		}
		if c.pkg != "" {
			if err := os.CopyFS(filepath.Join(work, "pkg"), os.DirFS(c.pkg)); err != nil {
				t.Fatal(err)
			}
		}
		return work, db
	}
	finish := func(work, db string) {
		if code, _, stderr := migExec(t, db, nil, c.args(work)...); !slices.Contains(c.codes, code) {
			t.Fatalf("mig %v: exit %d\n%s", c.args(work), code, stderr)
		}
	}

	// The reference: the command run to its end, timed to place the kills.
	work, db := prepare()
	before, beforePkg := dbDigest(t, db), treeDigest(t, filepath.Join(work, "pkg"))
	began := time.Now()
	finish(work, db)
	took := time.Since(began)
	done, donePkg := dbDigest(t, db), treeDigest(t, filepath.Join(work, "pkg"))
	os.RemoveAll(work)

	var unchanged, complete, finished, journals, leftovers int
	for range kills {
		work, db := prepare()
		pkg := filepath.Join(work, "pkg")
		cmd := migCmd(t, db, nil, c.args(work)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		killed := false
		select {
		case err := <-exited:
			if err != nil && !slices.Contains(c.codes, cmd.ProcessState.ExitCode()) {
				t.Fatalf("mig %v: %v", c.args(work), err)
			}
			finished++
		case <-time.After(time.Duration(random() * 1.1 * float64(took))):
			cmd.Process.Kill()
			<-exited
			killed = true
		}
		if fi, err := os.Stat(db + "-journal"); err == nil {
			journals++
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("the journal a kill left is %v, want 0600", fi.Mode().Perm())
			}
		}
		leftovers += len(glob(t, filepath.Join(work, ".pkg.tmp-*")))

		// The database: as before, or as after a full run; the package:
		// absent, as before, or as after a full run.
		now, nowPkg := dbDigest(t, db), treeDigest(t, pkg)
		switch {
		case !killed:
			if now.stable != done.stable || nowPkg != donePkg {
				t.Fatalf("the command finished and its work is not complete")
			}
		case now.full == before.full && nowPkg == beforePkg, c.from == "" && stagedRows(t, db) == 0:
			unchanged++
		case now.stable == done.stable && nowPkg == donePkg:
			complete++
		case now.full != before.full && now.stable != done.stable:
			t.Fatalf("killed: the database is neither as before nor complete")
		default:
			t.Fatalf("killed: the package directory is neither absent, as before, nor complete:\n%s\nwant\n%s", nowPkg, donePkg)
		}
		// A kill that left the work undone: the next run finishes it.
		if now.stable != done.stable || nowPkg != donePkg {
			finish(work, db)
			if dbDigest(t, db).stable != done.stable || treeDigest(t, pkg) != donePkg {
				t.Fatalf("the run after a kill did not end where a full run ends")
			}
		}
		os.RemoveAll(work)
	}
	line := fmt.Sprintf("  %-26s %6s a run; %2d kills: %2d left it unchanged, %2d complete; %d runs ended before the kill; %d hot journals, %d temporary package directories left",
		c.name, took.Round(10*time.Millisecond), kills-finished, unchanged, complete, finished, journals, leftovers)
	return line
}

// stagedRows counts the rows of every table but goose's: zero is what a
// first ingest killed before its commit leaves, a database with (some of)
// the schema and no data, which the next ingest fills.
func stagedRows(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables []string
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	total := 0
	for _, table := range tables {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM "` + table + `"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		total += n
	}
	return total
}

func glob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
