// Command cmd serves a generated tenant through the fake Auth0 Management
// API (package auth0fake) until its standard input closes or it is
// interrupted, for benchmarks of `mig ingest auth0` in another process:
//
//	go run ./ingest/auth0/auth0fake/cmd -users 1000000 -export /tmp/export.json.gz
//
// prints the base URL on stdout (give it to mig as --domain, with client id
// fake-client-id and secret fake-client-secret). With -export, the users
// export file is written there once (kept for the next run) and served as
// every export job's file, so that the fake does no gzip work while mig is
// timed.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/mig-tools/mig/ingest/auth0/auth0fake"
)

func main() {
	users := flag.Int("users", 1000, "users in the generated tenant")
	seed := flag.Uint64("seed", 1, "seed of the generated tenant")
	export := flag.String("export", "", "file the users export is written to once and served from")
	flag.Parse()
	ten := auth0fake.Generate(auth0fake.GenOptions{Users: *users, Seed: *seed})
	if *export != "" {
		if err := writeOnce(*export, ten); err != nil {
			fmt.Fprintln(os.Stderr, "auth0fake:", err)
			os.Exit(1)
		}
	}
	srv := auth0fake.New(ten)
	defer srv.Close()
	srv.PollsBeforeDone = 0
	srv.ExportFile = *export
	fmt.Println(srv.URL)
	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(done)
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-done:
	case <-sig:
	}
}

// writeOnce writes the tenant's export to path unless a file is there.
func writeOnce(path string, ten *auth0fake.Tenant) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := auth0fake.WriteFullExport(bw, ten); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
