package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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
			// sqlvalue NAME SQL sets $NAME to the one value SQL reads from
			// $MIG_DB (a WorkOS id mig recorded, say).
			"sqlvalue": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: sqlvalue NAME SQL")
				}
				db, err := sql.Open("sqlite", "file:"+ts.Getenv("MIG_DB")+"?mode=ro")
				ts.Check(err)
				defer db.Close()
				var v string
				ts.Check(db.QueryRow(args[1]).Scan(&v))
				ts.Setenv(args[0], v)
			},
			// freeport NAME sets $NAME to a TCP port free on 127.0.0.1, for
			// a server the script starts in the background.
			"freeport": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: freeport NAME")
				}
				l, err := net.Listen("tcp", "127.0.0.1:0")
				ts.Check(err)
				ts.Setenv(args[0], strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
				ts.Check(l.Close())
			},
			// workos METHOD PATH [BODY] sends one request to $WORKOS_API_URL
			// with $WORKOS_SECRET_KEY, as someone in the WorkOS dashboard
			// would change things, and prints the answer. While nothing
			// listens yet (a server just started in the background) it
			// tries again for up to 20 s. A status other than 2xx fails
			// unless negated.
			"workos": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 2 || len(args) > 3 {
					ts.Fatalf("usage: workos METHOD PATH [BODY]")
				}
				var res *http.Response
				var err error
				for try := 0; try < 200; try++ {
					var body io.Reader
					if len(args) == 3 {
						body = strings.NewReader(args[2])
					}
					req, rerr := http.NewRequest(args[0], ts.Getenv("WORKOS_API_URL")+args[1], body)
					ts.Check(rerr)
					req.Header.Set("Authorization", "Bearer "+ts.Getenv("WORKOS_SECRET_KEY"))
					req.Header.Set("Content-Type", "application/json")
					if res, err = http.DefaultClient.Do(req); err == nil {
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
				ts.Check(err)
				defer res.Body.Close()
				b, err := io.ReadAll(res.Body)
				ts.Check(err)
				fmt.Fprintf(ts.Stdout(), "%s\n", b)
				if ok := res.StatusCode/100 == 2; ok == neg {
					ts.Fatalf("workos %s %s: %s %s", args[0], args[1], res.Status, b)
				}
			},
		},
	})
}
