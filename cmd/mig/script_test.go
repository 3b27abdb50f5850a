package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
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
			"jsonpath":     jsonpathCmd,
			"auth0fake":    auth0fakeCmd,
			"cognitofake":  cognitofakeCmd,
			"firebasefake": firebasefakeCmd,
			"clerkfake":    clerkfakeCmd,
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

// jsonpathCmd is the script command `jsonpath FILE PATH WANT`: FILE (or
// stdout, stderr) must hold one JSON document, and the value at PATH must
// equal WANT. PATH is a chain of .key and [index] steps (".users[0].match",
// ".[2].name"); a step .# is the length of an array or object (quote it, as
// # starts a comment in a script). WANT is read as JSON when it is JSON
// (25, true, null, "x", []) and as a string otherwise. Negated, the value
// must differ or be absent; the document must still parse.
func jsonpathCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: jsonpath FILE PATH WANT")
	}
	var doc any
	if err := json.Unmarshal([]byte(ts.ReadFile(args[0])), &doc); err != nil {
		ts.Fatalf("jsonpath: %s is not JSON: %v", args[0], err)
	}
	got, err := jsonAt(doc, args[1])
	var want any
	if json.Unmarshal([]byte(args[2]), &want) != nil {
		want = args[2]
	}
	switch {
	case err != nil && !neg:
		ts.Fatalf("jsonpath %s: %v", args[1], err)
	case err == nil && reflect.DeepEqual(got, want) == neg:
		b, _ := json.Marshal(got)
		if neg {
			ts.Fatalf("jsonpath %s: got %s, want anything else", args[1], b)
		}
		ts.Fatalf("jsonpath %s: got %s, want %s", args[1], b, args[2])
	}
}

var jsonStep = regexp.MustCompile(`^(?:\.([^.\[\]]+)|\[(\d+)\]|\.)`)

// jsonAt follows path through v.
func jsonAt(v any, path string) (any, error) {
	for rest := path; rest != ""; {
		m := jsonStep.FindStringSubmatch(rest)
		if m == nil {
			return nil, fmt.Errorf("cannot read %q", rest)
		}
		rest = rest[len(m[0]):]
		switch {
		case m[1] == "#":
			switch t := v.(type) {
			case []any:
				v = float64(len(t))
			case map[string]any:
				v = float64(len(t))
			default:
				return nil, fmt.Errorf("# of %T", v)
			}
		case m[1] != "":
			o, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("key %q of %T", m[1], v)
			}
			if v, ok = o[m[1]]; !ok {
				return nil, fmt.Errorf("no key %q", m[1])
			}
		case m[2] != "":
			a, ok := v.([]any)
			i, _ := strconv.Atoi(m[2])
			if !ok || i >= len(a) {
				return nil, fmt.Errorf("no element [%d]", i)
			}
			v = a[i]
		}
	}
	return v, nil
}
