package main

import (
	"bufio"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The reliability suite of cmd/mig (crash_test.go, diskfull_test.go,
// secrets_test.go) runs mig as users do: the binary, in a child process
// that can be killed, on generated exports. It runs in a short form by
// default and in a long form with MIG_RELIABILITY=long; every random
// choice comes from a seed the test prints, and MIG_RELIABILITY_SEED
// replays it.

// longForm reports whether MIG_RELIABILITY=long asks for the long form.
func longForm() bool { return os.Getenv("MIG_RELIABILITY") == "long" }

// pick returns the long form's value or the short form's.
func pick[T any](short, long T) T {
	if longForm() {
		return long
	}
	return short
}

// reliabilityRand is the test's random source, from MIG_RELIABILITY_SEED
// or the clock, with the seed logged so that a failure can be replayed.
func reliabilityRand(t testing.TB) *rand.Rand {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("MIG_RELIABILITY_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("MIG_RELIABILITY_SEED=%q: want a number", s)
		}
		seed = n
	}
	t.Logf("seed %d (replay with MIG_RELIABILITY_SEED=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, 0x6d6967))
}

// migBinary is the mig command testscript installed on PATH (see TestMain):
// this test binary, started under the name mig.
func migBinary(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("mig")
	if err != nil {
		t.Fatalf("mig is not on PATH: %v", err)
	}
	return p
}

// migCmd is `mig --db db args...` as a child process, with a clean
// environment: no MIG_DB or key from the caller's shell.
func migCmd(t testing.TB, db string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(migBinary(t), append([]string{"--db", db}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}, env...)
	return cmd
}

// migExec runs mig to its end and returns its exit code and output.
func migExec(t testing.TB, db string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := migCmd(t, db, env, args...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("mig %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return code, out.String(), errOut.String()
}

// clerkExport writes a Clerk export of n users with its org and role
// mapping files into dir and returns their paths. Version 2 of the same
// export renames every tenth user, drops every fiftieth and adds n/20 new
// ones, as a newer export would. Some values are messy on purpose, for
// `mig check --fix`: padded names, upper-case domains, lower-case TOTP
// secrets.
func clerkExport(t testing.TB, dir string, n, version int) (users, orgs, roles string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	write := func(name string, header []string, rows func(w *csv.Writer)) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		b := bufio.NewWriter(f)
		w := csv.NewWriter(b)
		w.Write(header)
		rows(w)
		w.Flush()
		if err := w.Error(); err != nil {
			t.Fatal(err)
		}
		if err := b.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const bcrypt = "$2a$10$fgPOubgdJs90F1GK2u.Qye7Xyyi2ajrQJoB5LDG5bnITEvFR/xhZ."
	total := n
	if version == 2 {
		total = n + n/20
	}
	keep := func(i int) bool { return version == 1 || i%50 != 7 }
	id := func(i int) string { return fmt.Sprintf("user_%07d", i) }
	users = write("users.csv", []string{"id", "first_name", "last_name", "username", "primary_email_address", "primary_phone_number",
		"verified_email_addresses", "unverified_email_addresses", "verified_phone_numbers", "unverified_phone_numbers",
		"totp_secret", "password_digest", "password_hasher"}, func(w *csv.Writer) {
		for i := range total {
			if !keep(i) {
				continue
			}
			first, last := "First"+strconv.Itoa(i), "Last"+strconv.Itoa(i%97)
			if version == 2 && i%10 == 3 {
				first = "Renamed" + strconv.Itoa(i)
			}
			if i%4 == 1 {
				first = "  " + first + " "
			}
			domain := "example.com"
			if i%3 == 2 {
				domain = "EXAMPLE.org"
			}
			email := fmt.Sprintf("user%d@%s", i, domain)
			totp := ""
			if i%10 == 0 {
				totp = "JBSWY3DPEHPK3PXP"
				if i%20 == 0 {
					totp = strings.ToLower(totp)
				}
			}
			w.Write([]string{id(i), first, last, "", email, "", email, "", "", "", totp, bcrypt, "bcrypt"})
		}
	})
	orgs = write("orgs.csv", []string{"clerk_user_id", "org_external_id", "org_name"}, func(w *csv.Writer) {
		for i := range total {
			if keep(i) && i%10 != 9 {
				w.Write([]string{id(i), fmt.Sprintf("org-%d", i%17), fmt.Sprintf("Org %d", i%17)})
			}
		}
	})
	roles = write("roles.csv", []string{"clerk_user_id", "role_slug"}, func(w *csv.Writer) {
		for i := range total {
			if keep(i) && i%10 != 9 {
				w.Write([]string{id(i), []string{"admin", "member"}[i%2]})
			}
		}
	})
	return users, orgs, roles
}

// digests are two digests of every row of every table of a staging
// database, in a stable order, goose's version table left out: full is
// every column; stable leaves out what two runs of the same command on the
// same data write differently, the *_at timestamps.
type digests struct{ full, stable string }

// dbDigest digests the staging database at path, leaving out the tables
// named in skip. It opens the file for writing, as the next mig command
// would, so that a write a killed process left half-done is rolled back
// from its journal first, and fails t unless integrity_check says ok. A
// missing file digests as "absent".
func dbDigest(t testing.TB, path string, skip ...string) digests {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return digests{"absent", "absent"}
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check of %s: %q, %v", path, ok, err)
	}
	tables := stagingTables(t, db, skip...)
	full, stable := sha256.New(), sha256.New()
	var buf []byte
	for _, table := range tables {
		var cols []string
		var volatile []bool
		crows, err := db.Query(`SELECT name FROM pragma_table_info(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		for crows.Next() {
			var c string
			crows.Scan(&c)
			cols = append(cols, `"`+c+`"`)
			volatile = append(volatile, volatileColumn(c))
		}
		crows.Close()
		order := make([]string, len(cols))
		for i := range cols {
			order[i] = strconv.Itoa(i + 1)
		}
		fmt.Fprintf(full, "table %s\n", table)
		fmt.Fprintf(stable, "table %s\n", table)
		r, err := db.Query(`SELECT ` + strings.Join(cols, ", ") + ` FROM "` + table + `" ORDER BY ` + strings.Join(order, ", "))
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for r.Next() {
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				buf = buf[:0]
				switch v := v.(type) {
				case nil:
					buf = append(buf, 'N')
				case int64:
					buf = strconv.AppendInt(append(buf, 'I'), v, 10)
				case float64:
					buf = strconv.AppendFloat(append(buf, 'F'), v, 'g', -1, 64)
				case string:
					buf = append(append(buf, 'S'), v...)
				case []byte:
					buf = append(append(buf, 'B'), v...)
				default:
					buf = fmt.Appendf(append(buf, 'X'), "%v", v)
				}
				buf = append(buf, 0)
				full.Write(buf)
				if !volatile[i] {
					stable.Write(buf)
				}
			}
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	return digests{hex.EncodeToString(full.Sum(nil)), hex.EncodeToString(stable.Sum(nil))}
}

// volatileColumn names what two runs of one command write differently.
func volatileColumn(col string) bool {
	return strings.HasSuffix(col, "_at")
}

// treeDigest lists every file under dir with its mode and the digest of
// its bytes, one line each, sorted; "absent" when dir does not exist.
func treeDigest(t testing.TB, dir string) string {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		return "absent"
	}
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			lines = append(lines, fmt.Sprintf("%s/ %v", rel, fi.Mode()))
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		lines = append(lines, fmt.Sprintf("%s %v %x", rel, fi.Mode(), sum[:8]))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// copyFile copies a file, with mode 0600.
func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// stagingTables lists, by name, the tables of db that mig's migrations made
// (not SQLite's own nor goose's), but those in skip.
func stagingTables(t testing.TB, db *sql.DB, skip ...string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(skip, n) {
			tables = append(tables, n)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return tables
}
