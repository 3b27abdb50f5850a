package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mig-tools/mig/ingest/auth0/auth0fake"
)

func auth0Main(args []string) {
	fs := flag.NewFlagSet("auth0", flag.ExitOnError)
	n := fs.Int("n", 1000, "number of users")
	out := fs.String("o", ".", "output directory")
	seed := fs.Uint64("seed", 1, "random seed")
	fs.Parse(args)
	if err := auth0Export(*out, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// auth0Export writes users.json.gz, the gzip NDJSON file an Auth0
// users-exports job produces with every field, of the tenant the fake
// Management API generates (auth0fake.Generate): the generator is the
// fake's own, so the file and the tenant the fake serves agree. Serve it
// with `go run ./ingest/auth0/auth0fake/cmd -users N -seed S -export FILE`.
func auth0Export(dir string, n int, seed uint64) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, "users.json.gz"), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := auth0fake.WriteFullExport(bw, auth0fake.Generate(auth0fake.GenOptions{Users: n, Seed: seed})); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
