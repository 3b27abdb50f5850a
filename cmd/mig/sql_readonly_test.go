package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
)

// sqlFixture stages the Clerk sample into dir/db/mig.db and returns its path.
func sqlFixture(t *testing.T) string {
	t.Helper()
	fixture, err := filepath.Abs("../../testdata/fixtures/clerk/clerk-migration-tool-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "db", "mig.db")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"--db", db, "ingest", "clerk", fixture}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("ingest exited %d: %s", code, errOut.String())
	}
	return db
}

// migRun runs `mig --db db args...` in this process.
func migRun(db, stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"--db", db}, args...), strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// migSQL runs `mig --db db sql args...` in this process.
func migSQL(db, stdin string, args ...string) (code int, stdout, stderr string) {
	return migRun(db, stdin, append([]string{"sql"}, args...)...)
}

// digest is the sha256 of a file.
func digest(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// listing names every file in dir with its size and mode.
func listing(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%s %d %v", e.Name(), fi.Size(), fi.Mode()))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// Every statement that could change the staging database, create a file or
// loosen the connection is refused by `mig sql`, whatever way it comes in
// (argument, stdin, a bound parameter), and leaves the database
// byte-identical and no new file, next to the database or in the working
// directory.
func TestSQLRefusesEveryWrite(t *testing.T) {
	db := sqlFixture(t)
	dbDir := filepath.Dir(db)
	cwd := t.TempDir()
	t.Chdir(cwd)
	cases := []struct {
		name  string
		args  []string
		stdin string
	}{
		// The cases of the issue.
		{"attach and drop", []string{"attach '{{db}}' as w; drop table w.totp_secrets; select 1"}, ""},
		{"attach relative and drop", []string{"attach 'mig.db' as w; drop table w.totp_secrets; select 1"}, ""},
		{"writable_schema", []string{"attach '{{db}}' as w; pragma w.writable_schema=1; update w.sqlite_master set sql='x' where name='users'; select 1"}, ""},
		{"vacuum into cwd", []string{"vacuum into 'x.db'"}, ""},
		{"vacuum into db dir", []string{"vacuum into '{{dir}}/x.db'"}, ""},
		{"copy the hashes out", []string{"attach 'e.db' as x; create table x.h as select email, password_hash from users; select 1"}, ""},
		{"temp table", []string{"create temp table t(a)"}, ""},
		{"temp virtual table", []string{"create virtual table temp.f using fts5(x)"}, ""},
		// More.
		{"journal_mode wal", []string{"pragma journal_mode=wal"}, ""},
		{"user_version", []string{"pragma user_version=9"}, ""},
		{"application_id", []string{"pragma application_id=1"}, ""},
		{"query_only off", []string{"pragma query_only=0; delete from users"}, ""},
		{"writable_schema alone", []string{"pragma writable_schema=1"}, ""},
		{"optimize", []string{"pragma optimize"}, ""},
		{"incremental_vacuum", []string{"pragma incremental_vacuum"}, ""},
		{"insert", []string{"insert into ingest_runs (provider, started_at) values ('x', 'y')"}, ""},
		{"replace into", []string{"replace into ingest_runs (id, provider, started_at) values (1, 'x', 'y')"}, ""},
		{"update", []string{"update users set email = 'x'"}, ""},
		{"delete", []string{"delete from users"}, ""},
		{"upsert", []string{"insert into ingest_runs (id, provider, started_at) values (1, 'x', 'y') on conflict do nothing"}, ""},
		{"drop table", []string{"drop table users"}, ""},
		{"alter table", []string{"alter table users add column x"}, ""},
		{"create table", []string{"create table t(a)"}, ""},
		{"create index", []string{"create index i on users(email)"}, ""},
		{"create view", []string{"create view v as select 1"}, ""},
		{"temp view", []string{"create temp view v as select 1"}, ""},
		{"temp trigger", []string{"create temp trigger tr after insert on users begin select 1; end"}, ""},
		{"analyze", []string{"analyze"}, ""},
		{"reindex", []string{"reindex"}, ""},
		{"vacuum", []string{"vacuum"}, ""},
		{"select then delete", []string{"select 1; delete from users"}, ""},
		{"with delete", []string{"with x as (select 1) delete from users where id in (select * from x)"}, ""},
		{"in a transaction", []string{"begin immediate; delete from users; commit"}, ""},
		{"load_extension", []string{"select load_extension('x')"}, ""},
		{"attach memory", []string{"attach ':memory:' as m"}, ""},
		{"attach by parameter", []string{"-p", "f=p.db", "attach :f as p"}, ""},
		{"attach from stdin", []string{"-"}, "attach 'stdin.db' as s; create table s.t(a); select 1"},
		{"delete from stdin", []string{"-"}, "delete from users"},
		{"write a page", []string{"insert into sqlite_dbpage (pgno, data) values (1, zeroblob(16384))"}, ""},
	}
	beforeDB, beforeDir, beforeCwd := digest(t, db), listing(t, dbDir), listing(t, cwd)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := make([]string, len(c.args))
			for i, a := range c.args {
				args[i] = strings.NewReplacer("{{db}}", db, "{{dir}}", dbDir).Replace(a)
			}
			code, out, stderr := migSQL(db, c.stdin, args...)
			if code == 0 {
				t.Errorf("exit 0, want an error; stdout %q", out)
			}
			if !strings.Contains(stderr, "read-only") {
				t.Errorf("stderr does not say read-only: %q", stderr)
			}
			if got := digest(t, db); got != beforeDB {
				t.Errorf("the database changed")
			}
			if got := listing(t, dbDir); got != beforeDir {
				t.Errorf("the database's directory changed:\n%s\nwant\n%s", got, beforeDir)
			}
			if got := listing(t, cwd); got != beforeCwd {
				t.Errorf("the working directory changed:\n%s\nwant\n%s", got, beforeCwd)
			}
			t.Logf("%s", strings.TrimSpace(stderr))
		})
	}
}

// Reading through the read-only connection answers what an ordinary
// connection answers: tables and views, named queries, parameters, stdin,
// mig's SQL functions, the reporting PRAGMAs, recursive queries.
func TestSQLReadsAsBefore(t *testing.T) {
	db := sqlFixture(t)
	plain, err := sqlx.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	cases := []struct {
		query string
		args  []string
		stdin string
	}{
		{query: "select email, email_verified from staged_users order by email"},
		{query: "select count(*) as n from users where password_hash_type = 'bcrypt'", args: []string{"-p", "hasher=bcrypt", "select count(*) as n from users where password_hash_type = :hasher"}},
		{query: "select count(*) from skipped_users", args: []string{"-"}, stdin: "select count(*) from skipped_users"},
		{query: "select email, mig_email_problem(email_raw, 'rejected') as problem from users order by id"},
		{query: "pragma table_info(users)"},
		{query: "select name, type from pragma_table_info('users') order by cid"},
		{query: "pragma user_version"},
		{query: "with recursive n(i) as (select 1 union all select i + 1 from n where i < 5) select sum(i) from n"},
		{query: "select j.value from json_each('[1,2,3]') j"},
		{query: "begin; select count(*) from memberships; commit"},
	}
	for _, c := range cases {
		args := c.args
		if args == nil {
			args = []string{c.query}
		}
		code, got, stderr := migSQL(db, c.stdin, append([]string{"-f", "csv"}, args...)...)
		if code != 0 {
			t.Errorf("%s: exit %d: %s", c.query, code, stderr)
			continue
		}
		want := csvOf(t, plain, c.query)
		if got != want {
			t.Errorf("%s:\n%s\nwant (an ordinary connection)\n%s", c.query, got, want)
		}
	}
	// Named queries and the table list.
	for _, args := range [][]string{{"--query", "password_hashers"}, {"--tables"}} {
		code, out, stderr := migSQL(db, "", append([]string{"-f", "csv"}, args...)...)
		if code != 0 || strings.Count(out, "\n") < 2 {
			t.Errorf("%v: exit %d, %d lines: %s", args, code, strings.Count(out, "\n"), stderr)
		}
	}
}

// csvOf runs query on an ordinary connection and writes its rows as mig
// sql -f csv does.
func csvOf(t *testing.T, db *sqlx.DB, query string) string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var b bytes.Buffer
	if _, _, err := writeRows(&b, rows, "csv"); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
