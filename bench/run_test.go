// Package bench holds the benchmark scripts of the repository (bench/*.sh,
// bench/run) and the test that keeps bench/run working.
package bench

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestRunScript runs bench/run end to end on a few hundred users of every
// source, with the import and the reconcile cut after a few seconds, so
// that a change to mig's commands or output that the script depends on
// fails here rather than in the next long run. It checks that every stage
// of every source has its row, none failed, and the users staged and
// skipped add up to the users generated; the timings are not checked.
func TestRunScript(t *testing.T) {
	for _, tool := range []string{"/usr/bin/time", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("bench/run needs %s: %v", tool, err)
		}
	}
	consultSources(t)
	results, err := os.ReadFile("RESULTS.md")
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	out, work := t.TempDir(), t.TempDir()
	cmd := exec.Command("./run", "-n", strconv.Itoa(n), "--import-seconds", "5", "--reconcile-seconds", "5",
		"--out", out, "--work", work)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("bench/run: %v\n%s", err, stderr.String())
	}
	files, _ := filepath.Glob(filepath.Join(out, "run-*-"+strconv.Itoa(n)+".md"))
	if len(files) != 1 {
		t.Fatalf("results files in %s: %v, want one run-<date>-%d.md\n%s", out, files, n, stderr.String())
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	table := string(b)
	rows := map[string]string{} // "source stage" -> the row's result column
	for _, line := range strings.Split(table, "\n") {
		cols := strings.Split(line, " | ")
		if len(cols) == 8 && strings.HasPrefix(line, "| ") {
			rows[strings.TrimPrefix(cols[0], "| ")+" "+cols[1]] = cols[6]
		}
	}
	want := []string{}
	for _, src := range []string{"clerk", "csv", "package", "firebase", "auth0"} {
		for _, stage := range []string{"ingest", "check", "emit", "validate-package"} {
			want = append(want, src+" "+stage)
		}
	}
	want = append(want, "clerk import", "clerk reconcile")
	staged := regexp.MustCompile(`^(\d+) users in \(.*\): (\d+) staged, (\d+) skipped$`)
	for _, k := range want {
		res, ok := rows[k]
		switch {
		case !ok:
			t.Errorf("no row for %s in\n%s", k, table)
			continue
		case strings.Contains(res, "FAILED"):
			t.Errorf("%s: %s\n%s", k, res, stderr.String())
			continue
		}
		if strings.HasSuffix(k, " ingest") {
			m := staged.FindStringSubmatch(res)
			if m == nil {
				t.Errorf("%s: result %q does not say what was staged", k, res)
				continue
			}
			gen, _ := strconv.Atoi(m[1])
			in, _ := strconv.Atoi(m[2])
			skip, _ := strconv.Atoi(m[3])
			if gen != n || in+skip != n || in == 0 {
				t.Errorf("%s: %d users generated, %d staged and %d skipped; want %d in all", k, gen, in, skip, n)
			}
		}
	}
	if !strings.Contains(table, "sustained user-management writes:") || !strings.Contains(table, "user-management reads over") {
		t.Errorf("no import or reconcile rates in\n%s", table)
	}
	after, err := os.ReadFile("RESULTS.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(results, after) {
		t.Error("bench/run without --update-results changed bench/RESULTS.md")
	}
}

// consultSources looks at every file of the module, bench/run included.
// go test caches a test's result until a file the test consulted changes,
// and the files bench/run builds and reads are consulted by its processes,
// not by the test: without this, a change to mig's output that breaks the
// script would leave this test passing from the cache.
func consultSources(t *testing.T) {
	t.Helper()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			_, err = os.Stat(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
