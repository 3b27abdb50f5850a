package main

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/ingest/clerk"
	"github.com/mig-tools/mig/staging"
)

//go:embed demo/*.csv
var demoFiles embed.FS

func init() { register(configureDemoCmd) }

// configureDemoCmd declares `mig demo`: the whole pipeline on a bundled
// sample, with no credentials, so a new user sees every step and its output
// before pointing mig at real data.
func configureDemoCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var dir string
	cmd := app.Command("demo", "Run the whole pipeline on a bundled Clerk sample, with no credentials.")
	cmd.Flag("dir", "Keep the demo's files (database, sample, package) in this directory instead of a temporary one.").StringVar(&dir)
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
		dbPath := filepath.Join(dir, "mig.db")
		os.Remove(dbPath)
		step := func(s string) { fmt.Fprintf(e.Stdout, "\n== %s\n", s) }

		step("mig ingest clerk clerk-export.csv --org-mapping clerk-org-mapping.csv --role-mapping clerk-role-mapping.csv")
		db, err := staging.Open(ctx, dbPath)
		if err != nil {
			return err
		}
		defer db.Close()
		o := clerk.Options{
			UsersFile:   filepath.Join(sample, "clerk-export.csv"),
			OrgMapping:  filepath.Join(sample, "clerk-org-mapping.csv"),
			RoleMapping: filepath.Join(sample, "clerk-role-mapping.csv"),
			TOTPIssuer:  "mig demo",
		}
		c, err := clerk.Ingest(ctx, db, o)
		if err := reportIngest(e, "clerk", "clerk-export.csv", c, err, false); err != nil {
			return err
		}

		step("mig status")
		sub := *e
		sub.DB = dbPath
		db.Close()
		if err := runStatus(ctx, &sub, false); err != nil {
			return err
		}
		if keep {
			fmt.Fprintf(e.Stderr, "\nThe demo database is %s: try  mig --db %s sql --tables\n", dbPath, dbPath)
		}
		return nil
	}
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
