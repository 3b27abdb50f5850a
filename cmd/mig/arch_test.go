package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStagesDoNotImportEachOther keeps the data flow one way: schema,
// sqlqueries, passhash and accept import nothing of mig, staging only the
// first two, and the stages (ingest, checks, emit, importer) never import
// one another. Every stage may read the password hash formats in passhash
// and ask accept what WorkOS accepts, instead of keeping a rule of its own.
func TestStagesDoNotImportEachOther(t *testing.T) {
	const mod = "github.com/mig-tools/mig/"
	stages := []string{"ingest", "checks", "emit", "importer", "report", "exclude"}
	allowed := map[string][]string{
		"schema":     nil,
		"sqlqueries": nil,
		"accept":     nil,
		"passhash":   nil,
		"progress":   nil,
		"staging":    {"schema", "sqlqueries"},
	}
	for _, s := range stages {
		allowed[s] = []string{"schema", "sqlqueries", "staging", "accept", "passhash", "progress", s}
	}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], mod)
		top := strings.Split(pkg, "/")[0]
		ok, ruled := allowed[top]
		if !ruled {
			continue // cmd/mig and testdata may import everything
		}
		for _, dep := range fields[1:] {
			if !strings.HasPrefix(dep, mod) {
				continue
			}
			dtop := strings.Split(strings.TrimPrefix(dep, mod), "/")[0]
			if !contains(ok, dtop) {
				t.Errorf("%s imports %s: %s may import only %v", pkg, dep, top, ok)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
