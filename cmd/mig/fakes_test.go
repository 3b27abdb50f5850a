package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mig-tools/mig/ingest/clerk/clerkfake"
	"github.com/mig-tools/mig/ingest/cognito/cognitofake"
	"github.com/mig-tools/mig/ingest/firebase/firebasefake"
)

// The script commands below start in-process fakes of the providers' APIs
// on 127.0.0.1, for transcripts of the API sources. Each sets an
// environment variable to the fake's URL and stops the fake when the script
// ends.

// cognitofakeCmd is `cognitofake [-page N] [-refuse-list-users N] [-domain
// POOL=PREFIX] PATH...`: a fake Cognito API serving the flattened user and
// identity-provider samples at PATH (files, or directories of *.json), with
// ListUsers pages of N users, the Nth ListUsers call refused once (a fetch
// that dies mid-way), and a pool's hosted UI domain prefix. It sets
// COGNITO_URL.
func cognitofakeCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! cognitofake")
	}
	f := &cognitofake.Fake{}
	var page, refuse int
	domains := map[string]string{}
	var paths []string
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-page", "-refuse-list-users", "-domain":
			if i+1 == len(args) {
				ts.Fatalf("cognitofake: %s needs a value", args[i])
			}
			v := args[i+1]
			switch args[i] {
			case "-page":
				page = atoi(ts, v)
			case "-refuse-list-users":
				refuse = atoi(ts, v)
			case "-domain":
				pool, prefix, ok := strings.Cut(v, "=")
				if !ok {
					ts.Fatalf("cognitofake: -domain POOL=PREFIX")
				}
				domains[pool] = prefix
			}
			i++
		default:
			paths = append(paths, samplePaths(ts, args[i])...)
		}
	}
	ts.Check(f.LoadSamples(paths...))
	for id, p := range f.Pools {
		if page > 0 {
			p.Pages = []int{page}
		}
		p.Domain = domains[id]
	}
	if refuse > 0 {
		var mu sync.Mutex
		lists := 0
		f.Refuse = func(c cognitofake.Call) bool {
			mu.Lock()
			defer mu.Unlock()
			if c.Op == "ListUsers" {
				lists++
			}
			return c.Op == "ListUsers" && lists == refuse
		}
	}
	url, stop, err := f.Listen()
	ts.Check(err)
	ts.Defer(stop)
	ts.Setenv("COGNITO_URL", url)
}

// samplePaths is the file at path, or the *.json files of the directory at
// path, sorted.
func samplePaths(ts *testscript.TestScript, path string) []string {
	path = ts.MkAbs(path)
	st, err := os.Stat(path)
	ts.Check(err)
	if !st.IsDir() {
		return []string{path}
	}
	out, err := filepath.Glob(filepath.Join(path, "*.json"))
	ts.Check(err)
	sort.Strings(out)
	return out
}

func atoi(ts *testscript.TestScript, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		ts.Fatalf("%q is not a number", s)
	}
	return n
}

// firebasefakeCmd is `firebasefake PROJECT CONFIGS`: a fake Identity
// Toolkit API with its token endpoint, serving the provider configurations
// of CONFIGS, a JSON file {"projects": {"P" or "P/tenants/T": {"saml":
// [...], "oidc": [...]}}, "tenants": {"P": ["T", ...]}} in the API's
// shapes. It writes a service-account key for the fake whose project_id is
// PROJECT, and sets FIREBASE_SA_KEY to its path and FIREBASE_SSO_URL to the
// API's URL.
func firebasefakeCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: firebasefake PROJECT CONFIGS")
	}
	var cfg struct {
		Projects map[string]firebasefake.Configs `json:"projects"`
		Tenants  map[string][]string             `json:"tenants"`
	}
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[1])), &cfg))
	f, key, stop, err := firebasefake.Listen(args[0], ts.MkAbs("."))
	ts.Check(err)
	ts.Defer(stop)
	for k, v := range cfg.Projects {
		f.Projects[k] = v
	}
	for k, v := range cfg.Tenants {
		f.Tenants[k] = v
	}
	ts.Setenv("FIREBASE_SA_KEY", key)
	ts.Setenv("FIREBASE_SSO_URL", f.URL)
}

// clerkfakeCmd is `clerkfake [-reveal-secrets] CONNECTIONS`: a fake Clerk
// Backend API serving the enterprise connections of CONNECTIONS, a JSON
// list of clerkfake.Connection (Go field names), accepting the key
// clerkfake.SecretKey. -reveal-secrets puts the OIDC client secrets in its
// answers, which Clerk's API does not do. It sets CLERK_API_URL.
func clerkfakeCmd(ts *testscript.TestScript, neg bool, args []string) {
	reveal := len(args) > 0 && args[0] == "-reveal-secrets"
	if reveal {
		args = args[1:]
	}
	if neg || len(args) != 1 {
		ts.Fatalf("usage: clerkfake [-reveal-secrets] CONNECTIONS")
	}
	var conns []clerkfake.Connection
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &conns))
	s := clerkfake.Listen(conns...)
	s.RevealSecrets = reveal
	ts.Defer(s.Close)
	ts.Setenv("CLERK_API_URL", s.URL)
}
