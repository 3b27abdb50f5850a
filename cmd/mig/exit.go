package main

import (
	"errors"

	"github.com/mig-tools/mig/checks"
	"github.com/mig-tools/mig/exclude"
	"github.com/mig-tools/mig/importer"
)

// Exit codes, in one place. Scripts and CI jobs depend on them.
const (
	exitOK       = 0 // everything asked for was done
	exitFailure  = 1 // any other failure
	exitUsage    = 2 // bad flags or arguments
	exitFindings = 3 // mig check found error-severity findings
	exitAuth     = 4 // WorkOS rejected the API key
	exitPartial  = 5 // an import or a rollback finished with some rows failed
	// mig reconcile found WorkOS different from what was imported. Not 1:
	// a script must tell "WorkOS differs" from "could not read WorkOS";
	// not 3: check findings are about the staging, these about WorkOS.
	exitDifferences = 6
	// A command stopped by a signal exits 128 plus its number, as a shell
	// reports it: exitInterrupted for Ctrl-C (SIGINT), 143 for SIGTERM
	// (see interrupted in main.go).
	exitInterrupted = 130
)

// usageError marks a mistake in how the command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitCodes maps the errors that have an exit code of their own to it. The
// stages return typed errors that say what happened and carry no number;
// which number a script sees is the command line's business, decided here
// and nowhere else. The first entry that matches (errors.As) wins.
var exitCodes = []struct {
	code  int
	match func(error) bool
}{
	{exitUsage, as[usageError]},
	{exitUsage, as[*checks.UnknownRuleError]},
	{exitUsage, as[*exclude.PredicateError]},
	{exitFindings, as[*checks.FindingsError]},
	{exitFindings, as[*importer.CheckErrorsError]},
	{exitFindings, as[*notImportableError]},
	{exitAuth, as[*importer.AuthError]},
	{exitPartial, as[*importer.PartialError]},
	{exitPartial, as[*importer.RollbackPartialError]},
	{exitDifferences, as[*importer.DifferencesError]},
	// A Ctrl-C that is a key, not a signal (mig wizard's forms).
	{exitInterrupted, as[interrupted]},
}

// as reports whether err's tree holds an error of type T.
func as[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// exitCode maps an error returned by a command to the process exit code.
func exitCode(err error) int {
	for _, c := range exitCodes {
		if c.match(err) {
			return c.code
		}
	}
	return exitFailure
}
