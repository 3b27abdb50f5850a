package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestSourcesDoNotImportEachOther keeps each source a folder of its own on
// top of the source kit: a package under ingest/<source>/ may import the
// kit (ingest) and ingest/ingesttest, but no other source, ingest/roles
// included, and the kit imports no source (its tests may use ingesttest,
// the kit's own test helpers, which its code cannot import: ingesttest
// imports the kit, and Go refuses the cycle). Test code counts too (go list
// -test): a source's tests that borrowed another source's code would tie
// the two together as surely as its code.
func TestSourcesDoNotImportEachOther(t *testing.T) {
	const mod = "github.com/mig-tools/mig/"
	out, err := exec.Command("go", "list", "-test", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "../../ingest/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	// source is the folder under ingest/ a package belongs to ("" for the
	// kit itself), and whether it is under ingest/ at all.
	source := func(pkg string) (string, bool) {
		pkg, _, _ = strings.Cut(pkg, " ")
		pkg = strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(pkg, mod), ".test"), "_test")
		if pkg == "ingest" {
			return "", true
		}
		rest, ok := strings.CutPrefix(pkg, "ingest/")
		if !ok {
			return "", false
		}
		top, _, _ := strings.Cut(rest, "/")
		return top, true
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		from, ok := source(fields[0])
		if !ok {
			continue
		}
		checked++
		for _, dep := range fields[1:] {
			to, ok := source(dep)
			if !ok || to == "" || to == from || to == "ingesttest" {
				continue
			}
			t.Errorf("%s imports %s: a source imports the kit (ingest, ingest/ingesttest), never another source", fields[0], dep)
		}
	}
	if checked == 0 {
		t.Fatal("go list listed no package under ingest/")
	}
}
