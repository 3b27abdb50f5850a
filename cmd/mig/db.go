package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/checks"
	"github.com/mig-tools/mig/staging"
)

// dbHint adds the next step to an error opening the staging database: the
// path holds none (ingest first, or fix --db), or holds something else.
func dbHint(err error) error {
	switch {
	case errors.Is(err, staging.ErrNoDatabase):
		return withHint(err, "mig ingest SOURCE ... creates it (SOURCE: clerk, firebase, csv, package, auth0, cognito; mig ingest --help), or pass --db PATH")
	case errors.Is(err, staging.ErrNotStaging):
		return withHint(err, "pass --db PATH with the path of a mig staging database, or a new path for mig ingest to create one")
	}
	return err
}

// explainBusy turns SQLite's "database is locked" into who holds the lock
// and what to wait for. Call it once the command's connections are closed
// (see staging.LockHolder).
func explainBusy(path string, err error) error {
	if !staging.IsBusy(err) {
		return err
	}
	h, ok := staging.LockHolder(path)
	if !ok {
		return withHint(fmt.Errorf("another process (a mig command, or an SQLite tool) is using %s, and still was after %s: %w", path, staging.BusyTimeout, err),
			"wait for it to finish, then run this command again")
	}
	who := fmt.Sprintf("pid %d", h.PID)
	if cmd := commandOf(h.Args); cmd != "" {
		who = fmt.Sprintf("%q (pid %d)", cmd, h.PID)
	} else if h.Name != "" {
		who = fmt.Sprintf("%s (pid %d)", h.Name, h.PID)
	}
	doing := "reading"
	if h.Writing {
		doing = "writing"
	}
	return withHint(fmt.Errorf("%s is %s %s, and still was after %s: %w", who, doing, path, staging.BusyTimeout, err),
		fmt.Sprintf("wait for %s to finish, then run this command again", who))
}

// explainWriteRefused adds to a write the system refused (a full disk, or
// a file over the file-size limit, which SQLite reports as a bare "disk
// I/O error") what the user needs to act on it: the file written (the
// database at dbPath unless the error names another), the space free on
// its filesystem and the file-size limit.
func explainWriteRefused(dbPath string, err error) error {
	if !staging.IsWriteRefused(err) {
		return err
	}
	path := dbPath
	var pe *fs.PathError
	if errors.As(err, &pe) {
		path = pe.Path
	}
	hint := fmt.Sprintf("a write to %s was refused: the disk may be full, or the file over the size limit of this shell (ulimit -f)", path)
	if r, ok := staging.RoomFor(path); ok {
		limit := "no file-size limit (ulimit -f: unlimited)"
		if r.FileLimit > 0 {
			limit = fmt.Sprintf("files limited to %s (ulimit -f: %d)", byteSize(r.FileLimit), r.FileLimit/1024)
		}
		hint = fmt.Sprintf("a write to %s was refused: %s free on its filesystem, %s; make room or raise the limit, then run the command again",
			path, byteSize(r.Free), limit)
	}
	return withHint(err, hint)
}

// byteSize writes n bytes for people: "512 B", "4.0 MiB".
func byteSize(n uint64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v, unit := float64(n)/1024, 0
	for v >= 1024 && unit < 4 {
		v /= 1024
		unit++
	}
	return fmt.Sprintf("%.1f %s", v, []string{"KiB", "MiB", "GiB", "TiB", "PiB"}[unit])
}

// commandOf says which mig command a command line runs ("mig ingest
// clerk"), from mig's own command tree, or "" when it runs none. Only
// command names are kept: flag values may be secrets.
func commandOf(args []string) string {
	if len(args) < 2 {
		return ""
	}
	app := kingpin.New("mig", "")
	for _, c := range configurers {
		c(app, &env{})
	}
	words := []string{"mig"}
	var node interface {
		GetCommand(string) *kingpin.CmdClause
	} = app
	for _, a := range args[1:] {
		if strings.HasPrefix(a, "-") {
			continue
		}
		sub := node.GetCommand(a)
		if sub == nil {
			if len(words) > 1 {
				break
			}
			continue // a global flag's value, such as --db's
		}
		words = append(words, a)
		node = sub
	}
	if len(words) == 1 {
		return ""
	}
	return strings.Join(words, " ")
}

// Every connection mig opens to a staging database has the Go functions
// mig's SQL calls (mig_email_problem, ...), mig sql's read-only one
// included, so that a rule's SQL can be run and taken apart there. The
// driver adds registered functions to each connection it opens
// afterwards, so they are registered when the program starts, before any
// command (or test of one) opens a database.
func init() { checks.RegisterSQLFunctions() }
