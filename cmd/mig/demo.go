package main

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/workosemu"
)

//go:embed demo/*.csv
var demoFiles embed.FS

func init() { register(configureDemoCmd) }

// configureDemoCmd declares `mig demo`: the whole pipeline on a bundled
// sample, against a WorkOS emulator on 127.0.0.1, with no credentials. It
// runs the real commands with the real flags, so what it prints is what a
// real run prints.
func configureDemoCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var dir string
	cmd := app.Command("demo", "Run the whole pipeline (ingest, check, emit, import) on a bundled Clerk sample against a local WorkOS emulator; no credentials needed.")
	cmd.Flag("dir", "Keep the demo's files (sample, database, package, emulator state) in this directory instead of a temporary one.").StringVar(&dir)
	return cmd, func(ctx context.Context, e *env) error {
		keep := dir != ""
		if !keep {
			tmp, err := os.MkdirTemp("", "mig-demo-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			dir = tmp
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		sample := filepath.Join(dir, "sample")
		if err := writeDemoSample(sample); err != nil {
			return err
		}
		db := filepath.Join(dir, "mig.db")
		pkg := filepath.Join(dir, "package")
		for _, p := range []string{db, db + "-journal"} {
			os.Remove(p)
		}
		os.RemoveAll(pkg)

		emu, err := workosemu.New(workosemu.Options{AllowMultipleRoles: true, Seed: 1})
		if err != nil {
			return err
		}
		defer emu.Close()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		endpoint := "http://" + ln.Addr().String()

		s := func(name string) string { return filepath.Join(sample, name) }
		steps := []struct {
			show string
			args []string
			ok   []int // exit codes that let the demo go on
		}{
			{"mig ingest clerk clerk-export.csv --org-mapping clerk-org-mapping.csv --role-mapping clerk-role-mapping.csv",
				[]string{"ingest", "clerk", s("clerk-export.csv"), "--org-mapping", s("clerk-org-mapping.csv"), "--role-mapping", s("clerk-role-mapping.csv"), "--totp-issuer", "mig demo"}, nil},
			{"mig ingest roles --definitions role-definitions.csv",
				[]string{"ingest", "roles", "--definitions", s("role-definitions.csv")}, nil},
			{"mig status", []string{"status"}, nil},
			{`mig sql "select source_id, email, password_hash_type, memberships, has_totp from staged_users limit 5"`,
				[]string{"sql", "select source_id, email, password_hash_type, memberships, has_totp from staged_users order by id limit 5"}, nil},
			{"mig check", []string{"check"}, []int{exitFindings}},
			{"mig emit --output-dir package", []string{"emit", "--output-dir", pkg}, nil},
			{"mig validate-package package", []string{"validate-package", pkg}, []int{exitFailure}},
			{"mig import --plan", []string{"import", "--plan", "--endpoint", endpoint, "--api-key", "sk_test_demo"}, nil},
			{"mig import   (against the WorkOS emulator at " + endpoint + ")", []string{"import", "--endpoint", endpoint, "--api-key", "sk_test_demo"}, []int{exitPartial}},
			{"mig import   (again: nothing left to do)", []string{"import", "--endpoint", endpoint, "--api-key", "sk_test_demo"}, []int{exitPartial}},
			{"mig reconcile   (read WorkOS back and compare with what was imported)", []string{"reconcile", "--endpoint", endpoint, "--api-key", "sk_test_demo"}, nil},
			{"mig status", []string{"status"}, nil},
		}
		for _, st := range steps {
			fmt.Fprintf(e.Stdout, "\n$ %s\n", st.show)
			args := append([]string{"--db", db, "--log-level", e.LogLevel}, st.args...)
			code := run(ctx, args, e.Stdin, e.Stdout, e.Stderr)
			if code != exitOK && !containsInt(st.ok, code) {
				return fmt.Errorf("demo step %q exited %d", st.show, code)
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		snap := emu.Snapshot()
		fmt.Fprintf(e.Stdout, "\nThe emulator now holds %s.\n", describeSnapshot(snap))
		if keep {
			fmt.Fprintf(e.Stderr, "\nThe demo's files are in %s: try  mig --db %s sql --tables\n", dir, db)
		}
		return nil
	}
}

func describeSnapshot(s workosemu.State) string {
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{
		{len(s.Users), "users"}, {len(s.Organizations), "organizations"}, {len(s.Memberships), "memberships"},
		{len(s.Roles), "roles"}, {len(s.Permissions), "permissions"}, {len(s.Factors), "TOTP factors"},
	} {
		parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
	}
	return strings.Join(parts, ", ")
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func writeDemoSample(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return fs.WalkDir(demoFiles, "demo", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := demoFiles.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o600)
	})
}
