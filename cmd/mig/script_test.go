package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run the mig binary as a sub-process of the test
// binary, so the scripts exercise exactly what users run: flags, exit codes,
// stdout and stderr.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"mig": func() {
			os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// TestScripts runs every testdata/script/*.txtar. $FIXTURES points at
// testdata/fixtures, the real-world samples copied from ../shared.
func TestScripts(t *testing.T) {
	fixtures, err := filepath.Abs("../../testdata/fixtures")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: false,
		Setup: func(env *testscript.Env) error {
			env.Setenv("FIXTURES", fixtures)
			env.Setenv("MIG_DB", filepath.Join(env.WorkDir, "mig.db"))
			return nil
		},
	})
}
