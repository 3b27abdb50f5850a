package main

import (
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mig-tools/mig/workosemu"
)

// importEmulator serves an emulator for `mig import` on 127.0.0.1.
func importEmulator(t *testing.T, o workosemu.Options) (*workosemu.Server, string) {
	t.Helper()
	o.RateLimits = workosemu.RateLimitsOff
	o.AllowMultipleRoles = true
	emu, err := workosemu.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(emu)
	t.Cleanup(func() { ts.Close(); emu.Close() })
	return emu, ts.URL
}

// stagedExport ingests a generated Clerk export of n users into a new
// database and returns its path.
func stagedExport(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	u, o, r := clerkExport(t, filepath.Join(dir, "export"), n, 1)
	db := filepath.Join(dir, "mig.db")
	if code, _, stderr := migExec(t, db, nil, "ingest", "clerk", u, "--org-mapping", o, "--role-mapping", r); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s", code, stderr)
	}
	return db
}

// assertOnce checks the emulator against the staging database as a user
// would with mig sql: one WorkOS user per staged user done, one membership
// per membership done, one factor per TOTP secret done, and no row of the
// import left undone.
func assertOnce(t *testing.T, db string, emu *workosemu.Server) {
	t.Helper()
	st := emu.Snapshot()
	seen := map[string]bool{}
	for _, u := range st.Users {
		if k := strings.ToLower(u.Email); seen[k] {
			t.Errorf("two WorkOS users for %s", u.Email)
		} else {
			seen[k] = true
		}
	}
	code, out, stderr := migExec(t, db, nil, "sql", "--format", "csv",
		`select entity, status, count(*) from import_items group by 1, 2 order by 1, 2`)
	if code != exitOK {
		t.Fatalf("mig sql: exit %d\n%s", code, stderr)
	}
	t.Logf("import rows:\n%s", out)
	want := map[string]int{"user": len(st.Users), "membership": len(st.Memberships), "totp": len(st.Factors), "organization": len(st.Organizations)}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		f := strings.Split(line, ",")
		if f[1] != "done" {
			t.Errorf("import rows not done: %s", line)
			continue
		}
		if w, ok := want[f[0]]; ok && f[2] != strconv.Itoa(w) {
			t.Errorf("%s rows done: %s; WorkOS holds %d", f[0], f[2], w)
		}
	}
}

// TestImport401MidRun revokes the key in the middle of `mig import`: it
// exits 4, says the key was refused and where a key comes from, marks no
// row failed, and `mig import` with the new key finishes the import
// without creating anything twice.
func TestImport401MidRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs mig as a child process; skipped with -short")
	}
	db := stagedExport(t, 300)
	emu, url := importEmulator(t, workosemu.Options{RevokeKeysAfter: 150})
	const oldKey, newKey = "sk_test_revoked_0123456789", "sk_test_rolled_9876543210"
	code, _, stderr := migExec(t, db, []string{"WORKOS_SECRET_KEY=" + oldKey}, "import", "--endpoint", url, "--create-orgs", "--rate-limit", "2000")
	if code != exitAuth {
		t.Fatalf("import with a key revoked mid-run: exit %d, want %d\n%s", code, exitAuth, stderr)
	}
	for _, want := range []string{"rejected the API key", "no row was marked failed", "WORKOS_SECRET_KEY"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, oldKey) {
		t.Errorf("stderr shows the key:\n%s", stderr)
	}
	_, out, _ := migExec(t, db, nil, "sql", "--format", "csv", `select status, count(*) from import_items group by 1 order by 1`)
	if strings.Contains(out, "failed") || !strings.Contains(out, "pending") {
		t.Errorf("after the 401, want rows pending and none failed:\n%s", out)
	}
	code, _, stderr = migExec(t, db, []string{"WORKOS_SECRET_KEY=" + newKey}, "import", "--endpoint", url, "--create-orgs", "--rate-limit", "2000")
	if code != exitOK {
		t.Fatalf("import with the new key: exit %d\n%s", code, stderr)
	}
	assertOnce(t, db, emu)
}
