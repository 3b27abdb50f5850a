package main

import (
	"context"
	"database/sql"
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
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// sqlite FILE SQL runs SQL on any SQLite file, as another tool
			// would, without mig's checks.
			"sqlite": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: sqlite FILE SQL")
				}
				db, err := sql.Open("sqlite", "file:"+ts.MkAbs(args[0]))
				ts.Check(err)
				defer db.Close()
				_, err = db.Exec(args[1])
				if neg != (err != nil) {
					ts.Fatalf("sqlite: %v", err)
				}
			},
		},
	})
}
