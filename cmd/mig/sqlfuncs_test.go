package main

import (
	"context"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// TestSQLFunctionsOnEveryConnection: every mig_ function that mig's SQL
// calls exists on the connections mig opens, the read-only one of mig sql
// as well as a writer's, so the rules' SQL can be run by hand.
func TestSQLFunctionsOnEveryConnection(t *testing.T) {
	called := regexp.MustCompile(`\b(mig_[a-z_]+)\s*\(`)
	var want []string
	err := fs.WalkDir(sqlqueries.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sqlqueries.FS(), p)
		for _, m := range called.FindAllStringSubmatch(string(b), -1) {
			if !slices.Contains(want, m[1]) {
				want = append(want, m[1])
			}
		}
		return err
	})
	if err != nil || len(want) == 0 {
		t.Fatalf("no mig_ function found in sqlqueries (%v)", err)
	}
	slices.Sort(want)

	db := orgIDStage(t)
	const list = `select name from pragma_function_list where name like 'mig\_%' escape '\' order by name`
	code, stdout, stderr := migT(t, db, "sql", "-f", "csv", list)
	if code != exitOK {
		t.Fatalf("mig sql: exit %d: %s", code, stderr)
	}
	for _, f := range want {
		if !slices.Contains(strings.Fields(stdout), f) {
			t.Errorf("mig sql's connection lacks %s (it has %q)", f, stdout)
		}
	}
	w, err := staging.OpenExisting(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var have []string
	if err := w.Select(&have, list); err != nil {
		t.Fatal(err)
	}
	for _, f := range want {
		if !slices.Contains(have, f) {
			t.Errorf("a writer's connection lacks %s (it has %v)", f, have)
		}
	}
}
