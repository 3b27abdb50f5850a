//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// fsizeEnv, set in a child's environment, limits the size of every file
// the child writes (RLIMIT_FSIZE): a write past it fails with EFBIG, as a
// full disk fails one with ENOSPC. The test binary reads it when it starts,
// before testscript runs it as mig.
const fsizeEnv = "MIG_TEST_FSIZE"

func init() {
	if v := os.Getenv(fsizeEnv); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err == nil {
			err = syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n})
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s=%s: %v\n", fsizeEnv, v, err)
			os.Exit(1)
		}
	}
}

// fullDisk is a place to write where the space runs out: a small tmpfs
// (when the test may mount one) or, always, a limit on the size of every
// file the command writes.
type fullDisk struct {
	name  string
	dir   string   // where the command writes
	env   []string // the command's extra environment
	limit string   // what runs out, for the log
}

// tmpfsDisk mounts a tmpfs of size bytes, or says why it cannot.
func tmpfsDisk(t *testing.T, size int) (fullDisk, error) {
	dir := filepath.Join(t.TempDir(), "tmpfs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0700", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		return fullDisk{}, fmt.Errorf("mount a tmpfs: %v: %s", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return fullDisk{name: "tmpfs", dir: dir, limit: fmt.Sprintf("a %d KiB tmpfs", size>>10)}, nil
}

// fsizeDisk limits every file the command writes to size bytes.
func fsizeDisk(t *testing.T, size int) fullDisk {
	return fullDisk{name: "RLIMIT_FSIZE", dir: t.TempDir(), env: []string{fsizeEnv + "=" + strconv.Itoa(size)},
		limit: fmt.Sprintf("files of %d KiB at most", size>>10)}
}

// disks runs fn on each kind of full disk this machine can make.
func disks(t *testing.T, size int, fn func(t *testing.T, d fullDisk)) {
	t.Run("tmpfs", func(t *testing.T) {
		d, err := tmpfsDisk(t, size)
		if err != nil {
			t.Skipf("%v (root can mount one; RLIMIT_FSIZE below runs the same checks)", err)
		}
		fn(t, d)
	})
	t.Run("RLIMIT_FSIZE", func(t *testing.T) { fn(t, fsizeDisk(t, size)) })
}

// TestDiskFullDuringIngest fills the disk during an ingest into a
// database that holds an earlier one: the command fails and says the disk
// is full, and the database passes integrity_check and holds exactly what
// it held before.
func TestDiskFullDuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a disk; skipped with -short")
	}
	src := t.TempDir()
	u1, o1, r1 := clerkExport(t, filepath.Join(src, "v1"), 300, 1)
	u2, o2, r2 := clerkExport(t, filepath.Join(src, "v2"), pick(20000, 100000), 1)
	disks(t, 4<<20, func(t *testing.T, d fullDisk) {
		db := filepath.Join(d.dir, "mig.db")
		// The first ingest fits.
		if code, _, stderr := migExec(t, db, nil, "ingest", "clerk", u1, "--org-mapping", o1, "--role-mapping", r1); code != exitOK {
			t.Fatalf("first ingest: exit %d\n%s", code, stderr)
		}
		before := dbDigest(t, db)
		code, _, stderr := migExec(t, db, d.env, "ingest", "clerk", u2, "--org-mapping", o2, "--role-mapping", r2)
		t.Logf("reliability: disk full (%s): exit %d: %s", d.limit, code, stderr)
		if code == exitOK {
			t.Fatalf("an ingest larger than %s succeeded", d.limit)
		}
		assertDiskFullMessage(t, stderr)
		assertDiskFullHint(t, stderr, db, d)
		if after := dbDigest(t, db); after.full != before.full {
			t.Errorf("the database changed")
		}
	})
}

// TestDiskFullDuringEmit fills the disk while a package is written: the
// command fails and says so, no package is left at the output path, and
// the database is untouched.
func TestDiskFullDuringEmit(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a disk; skipped with -short")
	}
	src := t.TempDir()
	u, o, r := clerkExport(t, filepath.Join(src, "v1"), pick(20000, 100000), 1)
	db := filepath.Join(src, "mig.db")
	if code, _, stderr := migExec(t, db, nil, "ingest", "clerk", u, "--org-mapping", o, "--role-mapping", r); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s", code, stderr)
	}
	before := dbDigest(t, db)
	disks(t, 1<<20, func(t *testing.T, d fullDisk) {
		pkg := filepath.Join(d.dir, "pkg")
		code, _, stderr := migExec(t, db, d.env, "emit", "--output-dir", pkg)
		t.Logf("reliability: disk full (%s): exit %d: %s", d.limit, code, stderr)
		if code == exitOK {
			t.Fatalf("a package larger than %s was written", d.limit)
		}
		assertDiskFullMessage(t, stderr)
		assertDiskFullHint(t, stderr, d.dir, d)
		if _, err := os.Stat(pkg); err == nil {
			t.Errorf("a package was left at %s: %s", pkg, treeDigest(t, pkg))
		}
		if left := glob(t, filepath.Join(d.dir, ".pkg.tmp-*")); len(left) > 0 {
			t.Errorf("the emit left its temporary directory: %v", left)
		}
		if after := dbDigest(t, db); after.full != before.full {
			t.Errorf("the database changed")
		}
	})
}

// assertDiskFullMessage wants the error to say that writing to the disk
// failed: "no space left on device" and "file too large" are the system's
// words for a full disk and a file over the limit, "database or disk is
// full" SQLite's for the first. SQLite reports a file over the limit as
// "disk I/O error", the most it can say: it keeps no errno.
func assertDiskFullMessage(t *testing.T, stderr string) {
	t.Helper()
	for _, want := range []string{"no space left on device", "database or disk is full", "file too large", "disk i/o error"} {
		if strings.Contains(strings.ToLower(stderr), want) {
			return
		}
	}
	t.Errorf("the error does not say the disk is full:\n%s", stderr)
}

// assertDiskFullHint wants the hint after the error to name the file
// written (under path), the space free on its filesystem and the file-size
// limit, in the units of the shell's ulimit -f: "disk I/O error" alone
// does not tell a user what to do.
func assertDiskFullHint(t *testing.T, stderr, path string, d fullDisk) {
	t.Helper()
	limit := "ulimit -f: unlimited"
	for _, kv := range d.env {
		if v, ok := strings.CutPrefix(kv, fsizeEnv+"="); ok {
			n, _ := strconv.Atoi(v)
			limit = fmt.Sprintf("ulimit -f: %d", n/1024)
		}
	}
	for _, want := range []string{"Try: a write to " + path, "free on its filesystem", limit} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the hint lacks %q:\n%s", want, stderr)
		}
	}
}
