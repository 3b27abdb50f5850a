package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStagesDoNotImportEachOther keeps the data flow one way: schema,
// sqlqueries, passhash, accept and pkgcontract (the migration package
// contract) import nothing of mig, staging only the first two, and the
// stages (ingest, checks, emit, importer) never import one another. Every
// stage may read the password hash formats in passhash, ask accept what
// WorkOS accepts, and read the package contract, instead of keeping a rule
// of its own. The emulator (workosemu) stands in for WorkOS: it shares
// passhash and accept and nothing else, and no stage's code imports it, so
// a real import can never reach it. Under ingest/, each source is a folder
// of its own: sources import the kit (ingest), never one another, and the
// kit imports no source.
//
// Test code is held to the same rules, through each package's test
// imports, so that an arrow only a test draws is seen too; the arrows
// allowed to tests alone are in testArrows, each with its reason. A new
// top-level folder fails the test until it is given its rule.
func TestStagesDoNotImportEachOther(t *testing.T) {
	const mod = "github.com/mig-tools/mig/"
	stages := []string{"ingest", "checks", "emit", "importer", "report", "exclude"}
	allowed := map[string][]string{
		"schema":      nil,
		"sqlqueries":  nil,
		"accept":      nil,
		"passhash":    nil,
		"pkgcontract": nil,
		"progress":    nil,
		"staging":     {"schema", "sqlqueries"},
		"workosemu":   {"accept", "passhash"},
	}
	for _, s := range stages {
		allowed[s] = []string{"schema", "sqlqueries", "staging", "accept", "passhash", "pkgcontract", "progress", s}
	}
	// unruled may import everything: the command line wires every layer,
	// and the benchmarks and test data generators drive them.
	unruled := []string{"cmd", "bench", "testdata"}
	// testArrows are what tests alone may import beyond their package's
	// rule: a fake to run against, or the real stage that makes their input.
	testArrows := []arrow{
		{"importer", "workosemu", "the importer's tests run against the emulator as a fake WorkOS on 127.0.0.1"},
		{"checks", "ingest", "the rules are tested on what real exports and packages stage, through their ingests"},
		{"emit", "ingest", "the golden packages are emitted from real exports and packages, staged through their ingests"},
		{"importer", "ingest", "reconcile and rollback are tested on an import of a real export, staged through its ingest"},
	}
	// sourceArrows are arrows between sources that exist for now, each
	// with the change that removes it. An entry nothing uses any more
	// fails the test, so that it is deleted with its arrow.
	sourceArrows := []arrow{}

	out, err := exec.Command("go", "list", "-f",
		`{{.ImportPath}}|{{join .Deps " "}}|{{join .TestImports " "}}|{{join .XTestImports " "}}`, "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	used := map[arrow]bool{}
	checked := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		pkg, ok := strings.CutPrefix(f[0], mod)
		if !ok {
			continue
		}
		top := topOf(pkg)
		rule, ruled := allowed[top]
		if !ruled {
			if !contains(unruled, top) {
				t.Errorf("%s is in no layer: give %s/ its rule here", pkg, top)
			}
			continue
		}
		checked[top] = true
		judge := func(dep string, test bool) {
			d, ok := strings.CutPrefix(dep, mod)
			if !ok || d == pkg {
				return
			}
			what := "imports"
			if test {
				what = "imports in its tests"
			}
			if from, to := sourceOf(pkg), sourceOf(d); top == "ingest" && topOf(d) == "ingest" && from != to && to != "" && to != "ingesttest" {
				for _, a := range sourceArrows {
					if a.from == "ingest/"+from && a.to == "ingest/"+to {
						used[a] = true
						return
					}
				}
				if from == "" {
					t.Errorf("%s %s %s: the kit (ingest) imports no source", pkg, what, d)
				} else {
					t.Errorf("%s %s %s: a source imports the kit (ingest), never another source", pkg, what, d)
				}
				return
			}
			if contains(rule, topOf(d)) {
				return
			}
			if test {
				for _, a := range testArrows {
					if a.from == top && a.to == topOf(d) {
						used[a] = true
						return
					}
				}
			}
			if topOf(d) == "workosemu" {
				t.Errorf("%s %s %s: the emulator stands in for WorkOS; only cmd/mig starts it (mig emulator, demo, import --dry-run)", pkg, what, d)
				return
			}
			t.Errorf("%s %s %s: %s may import only %v", pkg, what, d, top, rule)
		}
		for _, dep := range strings.Fields(f[1]) {
			judge(dep, false)
		}
		for _, dep := range strings.Fields(f[2] + " " + f[3]) {
			judge(dep, true)
		}
	}
	for top := range allowed {
		if !checked[top] {
			t.Errorf("go list listed no package of %s/: is the rule's name still right?", top)
		}
	}
	for _, a := range append(testArrows, sourceArrows...) {
		if !used[a] {
			t.Errorf("nothing imports %s from %s any more: delete the exception (%s)", a.to, a.from, a.why)
		}
	}
}

// arrow is an import from one folder of mig to another, with why it is
// allowed.
type arrow struct{ from, to, why string }

// topOf is a package's first folder: "importer" for importer/workosapi.
func topOf(pkg string) string {
	top, _, _ := strings.Cut(pkg, "/")
	return top
}

// sourceOf is the folder under ingest/ a package belongs to: "clerk" for
// ingest/clerk, "auth0" for ingest/auth0/auth0fake, "" for the kit itself
// and for packages outside ingest/.
func sourceOf(pkg string) string {
	rest, ok := strings.CutPrefix(pkg, "ingest/")
	if !ok {
		return ""
	}
	src, _, _ := strings.Cut(rest, "/")
	return src
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
