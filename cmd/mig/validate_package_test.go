package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const handbuiltPackage = "../../testdata/packages/handbuilt-sso"

// copyTestPackage copies a package into a new directory, files 0600.
func copyTestPackage(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func editFile(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", rel, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
}

func appendRow(t *testing.T, dir, rel, row string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, rel), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(row + "\n"); err != nil {
		t.Fatal(err)
	}
}

// severities returns the severity of every code and rule of a report.
func severities(r *packageReport) map[string]string {
	sev := map[string]string{}
	for _, is := range r.Issues {
		sev[is.Code] = is.Severity
	}
	if r.Checks != nil {
		for _, rr := range r.Checks.Rules {
			sev[rr.Name] = rr.Severity
		}
	}
	return sev
}

// TestValidatePackageFindings: whoever finds a problem of a package (the
// contract check, the ingest of the package, or one of mig check's rules),
// validate-package reports it under its code with its severity, next to
// every other finding; its totals are the sum of its counts, and the
// package is importable exactly when they hold no error. The rules judge
// rows as mig check judges them after an ingest: org_id with
// org_external_id is org_mapping_both_ids, a warning.
func TestValidatePackageFindings(t *testing.T) {
	type want struct{ code, severity string }
	cases := []struct {
		name       string
		mutate     func(t *testing.T, dir string)
		want       []want
		importable bool
	}{
		// Grace and Linus have no password and no verified email.
		{"valid package", func(t *testing.T, dir string) {}, []want{{"no_password_unverified_email", "warning"}}, true},
		{"org_id and org_external_id", func(t *testing.T, dir string) {
			editFile(t, dir, "organization_memberships.csv", "grace@acme.test,u-2,,,acme", "grace@acme.test,u-2,,org_01X,acme")
		}, []want{{"org_mapping_both_ids", "warning"}}, true},
		{"invalid email", func(t *testing.T, dir string) {
			editFile(t, dir, "users.csv", "linus@globex.test", "linus.globex.test")
		}, []want{{"email_syntax", "error"}}, false},
		// accept.Email is the one email rule: what it rejects is an error,
		// what WorkOS may take is mig check's warning email_syntax_unknown.
		{"email with two dots in a row", func(t *testing.T, dir string) {
			editFile(t, dir, "users.csv", "linus@globex.test", "linus..t@globex.test")
		}, []want{{"email_syntax", "error"}}, false},
		{"email with a non-ASCII local part", func(t *testing.T, dir string) {
			editFile(t, dir, "users.csv", "linus@globex.test", "zoë.1@globex.test")
			editFile(t, dir, "organization_memberships.csv", "linus@globex.test", "zoë.1@globex.test")
		}, []want{{"email_syntax_unknown", "warning"}}, true},
		// Hashes are read by passhash, as mig check reads them: the bcrypt
		// cost is from 04 to 31 and the variant a, b or y.
		{"bcrypt cost below 04", func(t *testing.T, dir string) { editFile(t, dir, "users.csv", "$2b$10$N9qo8", "$2b$03$N9qo8") },
			[]want{{"password_hash_invalid", "error"}}, false},
		{"bcrypt variant x", func(t *testing.T, dir string) { editFile(t, dir, "users.csv", "$2b$10$N9qo8", "$2x$10$N9qo8") },
			[]want{{"password_hash_invalid", "error"}}, false},
		{"same email, two external ids", func(t *testing.T, dir string) {
			editFile(t, dir, "users.csv", "grace@acme.test,,,", "ADA@acme.test,,,")
		}, []want{{"email_duplicate", "error"}}, false},
		{"md5 hash", func(t *testing.T, dir string) { editFile(t, dir, "users.csv", ",bcrypt,", ",md5,") },
			[]want{{"unsupported_password_hash_type", "warning"}, {"password_reset_required", "warning"}}, true},
		{"broken bcrypt hash", func(t *testing.T, dir string) { editFile(t, dir, "users.csv", "$2b$10$N9qo8", "$2b$10$") },
			[]want{{"password_hash_invalid", "error"}}, false},
		{"hash without type", func(t *testing.T, dir string) { editFile(t, dir, "users.csv", ",bcrypt,", ",,") },
			[]want{{"password_hash_without_type", "warning"}, {"password_reset_required", "warning"}}, true},
		{"plaintext password", func(t *testing.T, dir string) {
			editFile(t, dir, "users.csv", "grace@acme.test,,", "grace@acme.test,hunter2,")
		}, []want{{"password_plaintext", "warning"}}, true},
		{"email_verified maybe", func(t *testing.T, dir string) { editFile(t, dir, "users.csv", ",Hopper,false,", ",Hopper,maybe,") },
			[]want{{"invalid_boolean", "warning"}}, true},
		{"metadata not an object", func(t *testing.T, dir string) {
			editFile(t, dir, "users.csv", `"{""team"":""core""}"`, `[1]`)
		}, []want{{"invalid_metadata", "warning"}}, true},
		{"membership of an unknown user", func(t *testing.T, dir string) {
			editFile(t, dir, "organization_memberships.csv", "linus@globex.test,u-3", "linus@globex.test,u-4")
		}, []want{{"mapping_unknown_user", "warning"}}, true},
		{"membership in an organization only named by external id", func(t *testing.T, dir string) {
			editFile(t, dir, "organization_memberships.csv", "grace@acme.test,u-2,,,acme,Acme Inc", "grace@acme.test,u-2,,,initech,")
		}, []want{{"org_lookup_only", "warning"}}, true},
		{"assigned role not defined", func(t *testing.T, dir string) {
			editFile(t, dir, "user_role_assignments.csv", ",u-2,member,", ",u-2,owner,")
		}, []want{{"role_undefined", "warning"}}, true},
		{"role defined twice", func(t *testing.T, dir string) {
			appendRow(t, dir, "role_definitions.csv", "member,Member again,environment,,,")
			editFile(t, dir, "manifest.json", `"roleDefinitions": 3`, `"roleDefinitions": 4`)
		}, []want{{"row_not_staged", "error"}}, false},
		{"TOTP of an unknown user", func(t *testing.T, dir string) {
			editFile(t, dir, "totp_secrets.csv", "ada@acme.test,JB", "eve@acme.test,JB")
		}, []want{{"totp_unknown_user", "warning"}}, true},
		{"TOTP secret not base32", func(t *testing.T, dir string) {
			editFile(t, dir, "totp_secrets.csv", "JBSWY3DPEHPK3PXP", "not-base32!")
		}, []want{{"totp_secret_invalid", "error"}}, false},
		{"user without email", func(t *testing.T, dir string) {
			editFile(t, dir, "users.csv", "linus@globex.test", "")
		}, []want{{"user_skipped", "error"}}, false},
		{"a contract error does not hide the rules", func(t *testing.T, dir string) {
			editFile(t, dir, "organizations.csv", "org_id,org_external_id", "org_external_id,org_id")
			editFile(t, dir, "users.csv", "linus@globex.test", "linus.globex.test")
			editFile(t, dir, "manifest.json", `"users": 3`, `"users": 4`)
		}, []want{{"invalid_csv_header", "error"}, {"entity_count_mismatch", "error"}, {"email_syntax", "error"}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyTestPackage(t, handbuiltPackage)
			c.mutate(t, dir)
			r, err := validatePackage(context.Background(), dir, true, 20, nil)
			if err != nil {
				t.Fatal(err)
			}
			sev := severities(r)
			for _, w := range c.want {
				if r.ByCode[w.code] == 0 || sev[w.code] != w.severity {
					t.Errorf("no %s %s; by code %v", w.severity, w.code, r.ByCode)
				}
			}
			if c.name == "valid package" && len(r.ByCode) != 1 {
				t.Errorf("want one finding, got %v", r.ByCode)
			}
			errs, warns := 0, 0
			for code, n := range r.ByCode {
				switch sev[code] {
				case "error":
					errs += n
				case "warning":
					warns += n
				}
			}
			if r.Errors != errs || r.Warnings != warns {
				t.Errorf("totals %d errors, %d warnings; the counts by code add up to %d and %d (%v)", r.Errors, r.Warnings, errs, warns, r.ByCode)
			}
			if r.Importable != c.importable || r.Importable != (r.Errors == 0) {
				t.Errorf("importable = %v with %d errors; want %v", r.Importable, r.Errors, c.importable)
			}
		})
	}
}

// TestValidatePackageRemovesScratch: the scratch database goes with the
// run, whether the package is importable, not importable, or cannot be
// staged at all.
func TestValidatePackageRemovesScratch(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	broken := copyTestPackage(t, handbuiltPackage)
	editFile(t, broken, "users.csv", "linus@globex.test", "linus.globex.test")
	for _, dir := range []string{copyTestPackage(t, handbuiltPackage), broken, t.TempDir()} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"validate-package", dir}, strings.NewReader(""), &stdout, &stderr)
		left, _ := os.ReadDir(tmp)
		if len(left) > 0 {
			t.Errorf("validate-package %s (exit %d) left %v in TMPDIR", dir, code, left)
		}
	}
}

// TestValidatePackageInterrupted: Ctrl-C (the context cancelled) while the
// package is staged removes the scratch database, and says the run was
// interrupted.
func TestValidatePackageInterrupted(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := largePackage(t, 30000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"validate-package", dir}, strings.NewReader(""), &stdout, &stderr) }()
	var code int
	for cancelled := false; ; {
		select {
		case code = <-done:
		default:
			if !cancelled {
				if m, _ := filepath.Glob(filepath.Join(tmp, "mig-validate-*", "scratch.db")); len(m) > 0 {
					cancel()
					cancelled = true
				}
			}
			continue
		}
		break
	}
	if code != exitFailure || !strings.Contains(stderr.String(), "interrupted") {
		t.Fatalf("exit %d, stderr %q; want an interrupted run", code, stderr.String())
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("an interrupted validate-package left %v in TMPDIR", left)
	}
}

// largePackage writes a valid package of n users, each in one of ten
// organizations.
func largePackage(t *testing.T, n int) string {
	t.Helper()
	dir := copyTestPackage(t, handbuiltPackage)
	var users, members bytes.Buffer
	users.WriteString("email,password,password_hash,password_hash_type,first_name,last_name,email_verified,external_id,metadata,org_id,org_external_id,org_name,role_slugs\n")
	members.WriteString("email,external_id,user_id,org_id,org_external_id,org_name,role_slugs,metadata\n")
	for i := range n {
		fmt.Fprintf(&users, "user%d@example.com,,,,User,%d,true,u%d,,,org%d,Org %d,member\n", i, i, i, i%10, i%10)
		fmt.Fprintf(&members, "user%d@example.com,u%d,,,org%d,Org %d,member,\n", i, i, i%10, i%10)
	}
	for rel, b := range map[string][]byte{"users.csv": users.Bytes(), "organization_memberships.csv": members.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, rel), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
