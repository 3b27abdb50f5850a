package checks_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/checks"
	"github.com/mig-tools/mig/staging"
)

// dump is every value fixes may touch, as text, to compare states.
func dump(t *testing.T, db *staging.DB) string {
	t.Helper()
	var rows []string
	err := db.Select(&rows, `SELECT id || '|' || quote(email_raw) || '|' || quote(first_name) || '|' || quote(last_name) || '|' ||
		quote(external_id) || '|' || quote(username) || '|' || quote(email_verified) || '|' || metadata || '|' ||
		quote(password_hash) || '|' || quote(password_hash_type) || '|' || quote(source_password_digest) || '|' || quote(source_hasher)
		FROM users ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var totp []string
	if err := db.Select(&totp, `SELECT id || '|' || secret FROM totp_secrets ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return strings.Join(append(rows, totp...), "\n")
}

func TestFixAndUndo(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	seed(t, db, filepath.Join("..", "testdata", "checks", "fixes", "seed.sql"))
	original := dump(t, db)

	rep, err := checks.Run(ctx, db, checks.Options{Fix: true})
	if err != nil {
		t.Fatal(err)
	}
	fixed := dump(t, db)
	want := strings.Join([]string{
		// Trimmed, domain lower-cased (the local part keeps its capitals),
		// booleans made 1/0, metadata values stringified (null dropped) and
		// "email" renamed.
		`1|'Ada.L@example.com'|'Ada'|'Lovelace'|'ext-1'|'ada'|1|{"age":"36","vip":"true","custom_email":"old@example.com","note":"ok"}|NULL|NULL|NULL|NULL`,
		// The invalid hash stays: dropping it is not a safe fix.
		`2|'bob@example.com'|'Bob'|'Smith'|'ext-2'|'bob'|0|{"plan":"pro","address":"{\"city\":\"Paris\"}"}|'$2b$03$tooCheap'|'bcrypt'|NULL|NULL`,
		// 'maybe' is not a boolean anyone can read; custom_external_id is taken.
		`3|'cy@example.com'|'Cy'|'Young'|'ext-3'|NULL|'maybe'|{"external_id":"e1","custom_external_id":"e2"}|'$2a$10$fgPOubgdJs90F1GK2u.Qye7Xyyi2ajrQJoB5LDG5bnITEvFR/xhZ.'|'bcrypt'|NULL|NULL`,
		`1|JBSWY3DPEHPK3PXP`,
		`2|JBSWY3DPEHPK3PXP`,
	}, "\n")
	if fixed != want {
		t.Errorf("after --fix:\n%s\nwant:\n%s", fixed, want)
	}
	changes := 0
	for _, f := range rep.Fixes {
		changes += f.Changes
	}
	var recorded int
	db.Get(&recorded, `SELECT count(*) FROM fixes`)
	if changes == 0 || recorded != changes {
		t.Errorf("report says %d changes, fixes table holds %d", changes, recorded)
	}
	for _, r := range rep.Rules {
		switch r.Name {
		case "whitespace", "totp_secret_invalid", "metadata_limits":
			if r.Findings != 0 {
				t.Errorf("%s still finds %d after --fix", r.Name, r.Findings)
			}
		case "email_verified_not_boolean", "metadata_reserved_key", "password_hash_invalid", "email_not_lowercase":
			if r.Findings != 1 {
				t.Errorf("%s finds %d after --fix; want the 1 no safe fix can repair", r.Name, r.Findings)
			}
		}
	}

	// A second --fix has nothing left to do.
	rep, err = checks.Run(ctx, db, checks.Options{Fix: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Fixes) != 0 {
		t.Errorf("second --fix changed %+v", rep.Fixes)
	}

	// The whole-address option and the unsafe flag, asked for by name.
	if _, err := checks.Run(ctx, db, checks.Options{Fix: true, LowercaseEmails: true, DropInvalidPasswordHashes: true}); err != nil {
		t.Fatal(err)
	}
	after := dump(t, db)
	if !strings.Contains(after, `1|'ada.l@example.com'|`) {
		t.Errorf("--lowercase-emails did not lower-case the address:\n%s", after)
	}
	if !strings.Contains(after, `|NULL|NULL|'$2b$03$tooCheap'|'bcrypt'`) {
		t.Errorf("--drop-invalid-password-hashes did not move the hash to source_password_digest:\n%s", after)
	}

	res, err := checks.UndoFixes(ctx, db.DB)
	if err != nil {
		t.Fatal(err)
	}
	if res.Conflicts != 0 || res.Restored == 0 {
		t.Errorf("undo: %+v", res)
	}
	if got := dump(t, db); got != original {
		t.Errorf("after --undo-fixes:\n%s\nwant the original:\n%s", got, original)
	}
	var pending int
	db.Get(&pending, `SELECT count(*) FROM fixes WHERE undone_at IS NULL`)
	if pending != 0 {
		t.Errorf("%d fixes still pending after undo", pending)
	}
}

// TestUndoConflict leaves alone a value changed after its fix.
func TestUndoConflict(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	seed(t, db, filepath.Join("..", "testdata", "checks", "fixes", "seed.sql"))
	if _, err := checks.Run(ctx, db, checks.Options{Fix: true, Rules: []string{"whitespace"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE users SET first_name = 'Augusta' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	res, err := checks.UndoFixes(ctx, db.DB)
	if err != nil {
		t.Fatal(err)
	}
	if res.Conflicts != 1 {
		t.Errorf("conflicts = %d; want 1", res.Conflicts)
	}
	var first, last string
	db.Get(&first, `SELECT first_name FROM users WHERE id = 1`)
	db.Get(&last, `SELECT last_name FROM users WHERE id = 1`)
	if first != "Augusta" || last != "Lovelace " {
		t.Errorf("first_name %q, last_name %q; want the new first name kept and the last name restored", first, last)
	}
}
