package main

import (
	"errors"
	"fmt"
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
