package emit_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mig-tools/mig/emit"
)

// TestHelperHoldTempDirLock is not a test: run by TestEmitRemovesStaleTempDirs
// as another process, it holds the lock an emit holds on its temporary
// directory until it is killed.
func TestHelperHoldTempDirLock(t *testing.T) {
	dir := os.Getenv("MIG_TEST_HOLD_LOCK")
	if dir == "" {
		t.Skip("helper process for TestEmitRemovesStaleTempDirs")
	}
	_, locked, err := emit.LockDir(dir)
	if err != nil || !locked {
		t.Fatalf("lock %s: %v, %v", dir, locked, err)
	}
	os.Stdout.WriteString("locked\n")
	select {} // until killed
}

// TestEmitRemovesStaleTempDirs: an emit removes the temporary directories
// that killed emits to the same output left (holding password hashes and
// TOTP secrets) and names each; it leaves alone the one an emit running in
// another process is writing until that process dies, and every directory
// that is not the output's.
func TestEmitRemovesStaleTempDirs(t *testing.T) {
	if !emit.CanLock {
		t.Skip("no flock(2) here: stale temporary directories are left alone")
	}
	parent := t.TempDir()
	out := filepath.Join(parent, "pkg")
	mkdir := func(name string) string {
		t.Helper()
		p := filepath.Join(parent, name)
		if err := os.MkdirAll(filepath.Join(p, "sso"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "users.csv"), []byte("email,password_hash\na@example.com,$2b$10$x\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := []string{mkdir(".pkg.tmp-123"), mkdir(".pkg.tmp-456.old")}
	live, liveOld := mkdir(".pkg.tmp-789"), mkdir(".pkg.tmp-789.old")
	others := []string{mkdir(".pkg.tmp-abc"), mkdir(".other.tmp-1"), mkdir("pkg.tmp-2"), mkdir(".pkg.tmp-3.bak")}

	// Another process holds live's lock, as an emit writing it would.
	helper := exec.Command(os.Args[0], "-test.run=^TestHelperHoldTempDirLock$")
	helper.Env = append(os.Environ(), "MIG_TEST_HOLD_LOCK="+live)
	stdout, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			helper.Process.Kill()
			helper.Wait()
		}
	})
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "locked\n" {
		t.Fatalf("helper said %q, %v", line, err)
	}

	db := openDB(t)
	emitOnce := func(overwrite bool) []string {
		t.Helper()
		var removed []string
		_, err := emit.Write(context.Background(), db, emit.Options{Dir: out, Overwrite: overwrite, GeneratedAt: pinned,
			StaleRemoved: func(p string) { removed = append(removed, p) }})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(removed)
		return removed
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }

	if got := emitOnce(false); !slices.Equal(got, stale) {
		t.Errorf("removed %q, want %q", got, stale)
	}
	for _, p := range stale {
		if exists(p) {
			t.Errorf("%s is still there", p)
		}
	}
	for _, p := range append([]string{live, liveOld}, others...) {
		if !exists(p) {
			t.Errorf("%s was removed", p)
		}
	}

	// Once the process writing it is killed, its directory is stale too.
	if err := helper.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	helper.Wait()
	killed = true
	if got, want := emitOnce(true), []string{live, liveOld}; !slices.Equal(got, want) {
		t.Errorf("after the kill, removed %q, want %q", got, want)
	}
	for _, p := range others {
		if !exists(p) {
			t.Errorf("%s was removed", p)
		}
	}
	if !exists(filepath.Join(out, "manifest.json")) {
		t.Errorf("no package in %s", out)
	}
	// A finished emit leaves no temporary directory of its own.
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(others)+1 {
		t.Errorf("%d entries in %s, want the package and %d others", len(entries), parent, len(others))
	}
}
